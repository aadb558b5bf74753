#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_realtime::run(ws_send_message::handle).await
}
