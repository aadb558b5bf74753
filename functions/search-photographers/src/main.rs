#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(search_photographers::handle).await
}
