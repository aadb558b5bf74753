#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(notify_booking_change::Notifier::from_env, notify_booking_change::handle).await
}
