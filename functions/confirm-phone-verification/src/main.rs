#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(confirm_phone_verification::handle).await
}
