#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(delete_my_external_calendar::handle).await
}
