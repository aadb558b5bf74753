#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(auth_register::handle).await
}
