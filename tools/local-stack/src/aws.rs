//! AWS SDK clients pointed at the local endpoints, with dummy credentials.

use aws_config::{BehaviorVersion, Region, SdkConfig};

pub const ACCESS_KEY: &str = "local";
pub const SECRET_KEY: &str = "local-secret";

pub async fn config(endpoint: &str, region: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(region.to_string()))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "local"))
        // Retries could repeat a side effect (an invocation, a seed write): fail loudly instead.
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

/// Every client the stack uses against moto.
#[derive(Clone, Debug)]
pub struct Clients {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub streams: aws_sdk_dynamodbstreams::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub sns: aws_sdk_sns::Client,
    pub s3: aws_sdk_s3::Client,
    pub secrets: aws_sdk_secretsmanager::Client,
    pub ses: aws_sdk_sesv2::Client,
}

impl Clients {
    pub async fn new(endpoint: &str, region: &str) -> Clients {
        let sdk = config(endpoint, region).await;
        let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
        Clients {
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            streams: aws_sdk_dynamodbstreams::Client::new(&sdk),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            sns: aws_sdk_sns::Client::new(&sdk),
            s3: aws_sdk_s3::Client::from_conf(s3),
            secrets: aws_sdk_secretsmanager::Client::new(&sdk),
            ses: aws_sdk_sesv2::Client::new(&sdk),
        }
    }
}
