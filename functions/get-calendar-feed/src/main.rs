#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(get_calendar_feed::handle).await
}
