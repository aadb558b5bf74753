#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(
        |env| async move {
            let fetcher = cm_webcal::Fetcher::new(cm_webcal::FetchConfig::from_env())?;
            Ok(sync_external_calendars::Syncer { app: cm_app::App::new(env.store()?), fetcher })
        },
        sync_external_calendars::handle,
    )
    .await
}
