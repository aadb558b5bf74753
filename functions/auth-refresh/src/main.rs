#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(auth_refresh::handle).await
}
