#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(create_feedback::handle).await
}
