#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    notify_booking_change::run().await
}
