#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(create_feedback::handle).await
}
