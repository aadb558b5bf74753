#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(
        |_env| async move { Ok(cm_webcal::FetchConfig::from_env().url_policy()) },
        add_my_external_calendar::handle,
    )
    .await
}
