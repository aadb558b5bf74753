#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(get_photographer_availability::handle).await
}
