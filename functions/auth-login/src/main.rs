#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(auth_login::handle).await
}
