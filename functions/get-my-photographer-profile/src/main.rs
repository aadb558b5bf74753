#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(get_my_photographer_profile::handle).await
}
