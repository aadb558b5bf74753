#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(reschedule_booking::handle).await
}
