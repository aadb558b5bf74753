//! The floor every function is held to: the runtime plus what any of ours needs at
//! init, an SDK configuration from the environment and a DynamoDB client, built once.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = aws_config::load_from_env().await;
    let client: &'static aws_sdk_dynamodb::Client = Box::leak(Box::new(aws_sdk_dynamodb::Client::new(&sdk)));
    lambda_runtime::run(lambda_runtime::service_fn(
        move |_: lambda_runtime::LambdaEvent<serde_json::Value>| async move {
            // Keeps the client alive and used, as a function's would be.
            let region = client.config().region().map(|r| r.to_string()).unwrap_or_default();
            Ok::<_, lambda_runtime::Error>(serde_json::json!({ "region": region }))
        },
    ))
    .await
}
