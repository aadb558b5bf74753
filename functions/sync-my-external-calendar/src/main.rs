#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(
        |_env| async move { Ok(cm_webcal::Fetcher::new(cm_webcal::FetchConfig::from_env())?) },
        sync_my_external_calendar::handle,
    )
    .await
}
