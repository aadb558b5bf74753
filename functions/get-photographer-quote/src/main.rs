#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(get_photographer_quote::handle).await
}
