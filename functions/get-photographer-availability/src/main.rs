#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_keyless(get_photographer_availability::handle).await
}
