#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(list_my_external_calendars::handle).await
}
