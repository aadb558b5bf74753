#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_http::run_event(expire_bookings::handle).await
}
