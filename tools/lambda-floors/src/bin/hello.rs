//! The floor: the Lambda runtime answering every event with `{}`, nothing else.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(|_: lambda_runtime::LambdaEvent<serde_json::Value>| async {
        Ok::<_, lambda_runtime::Error>(serde_json::json!({}))
    }))
    .await
}
