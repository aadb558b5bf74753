#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(reschedule_booking::handle).await
}
