#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(admin_list_bookings::handle).await
}
