#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(process_upload::Processor::from_env, |p, event| p.handle(event)).await
}
