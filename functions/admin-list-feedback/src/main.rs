#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_http::run(admin_list_feedback::handle).await
}
