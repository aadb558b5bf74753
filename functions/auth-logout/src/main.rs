#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_keyless(auth_logout::handle).await
}
