#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(send_reminders::Reminders::from_env, send_reminders::handle).await
}
