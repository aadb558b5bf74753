#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(get_my_photographer_stats::handle).await
}
