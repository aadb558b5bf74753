//! AWS SDK clients pointed at the local endpoints, with dummy credentials: DynamoDB and
//! DynamoDB Streams at DynamoDB Local, every other service at moto.

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

pub async fn dynamodb_client(endpoint: &str, region: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&config(endpoint, region).await)
}

/// Where each local service answers.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// moto: SQS, SNS, S3, SES, Secrets Manager.
    pub moto: String,
    /// DynamoDB Local: DynamoDB and DynamoDB Streams.
    pub dynamodb: String,
}

impl Endpoints {
    /// The standard SDK variables that point a function (or any tool using
    /// `aws_config::load_from_env`) at these endpoints.
    pub fn env(&self) -> [(&'static str, String); 3] {
        [
            ("AWS_ENDPOINT_URL", self.moto.clone()),
            ("AWS_ENDPOINT_URL_DYNAMODB", self.dynamodb.clone()),
            ("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", self.dynamodb.clone()),
        ]
    }
}

/// Every client the stack uses against the local AWS.
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
    pub async fn new(endpoints: &Endpoints, region: &str) -> Clients {
        let sdk = config(&endpoints.moto, region).await;
        let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(&sdk).endpoint_url(&endpoints.dynamodb).build();
        let streams = aws_sdk_dynamodbstreams::config::Builder::from(&sdk).endpoint_url(&endpoints.dynamodb);
        // The SDK's own client, wrapped: the one every other client here uses.
        let inner = sdk.http_client().unwrap_or_else(|| {
            use aws_smithy_http_client::tls;
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
                .build_https()
        });
        let streams = streams.http_client(crate::streams::repair::RepairingClient { inner }).build();
        Clients {
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
            streams: aws_sdk_dynamodbstreams::Client::from_conf(streams),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            sns: aws_sdk_sns::Client::new(&sdk),
            s3: aws_sdk_s3::Client::from_conf(s3),
            secrets: aws_sdk_secretsmanager::Client::new(&sdk),
            ses: aws_sdk_sesv2::Client::new(&sdk),
        }
    }
}
