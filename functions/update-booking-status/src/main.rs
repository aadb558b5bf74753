#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(update_booking_status::handle).await
}
