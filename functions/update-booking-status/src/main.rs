#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(update_booking_status::handle).await
}
