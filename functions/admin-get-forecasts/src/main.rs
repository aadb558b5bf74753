#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(admin_get_forecasts::handle).await
}
