#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(put_my_availability::handle).await
}
