#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(list_my_bookings::handle).await
}
