#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_realtime::run(deliver_chat::handle).await
}
