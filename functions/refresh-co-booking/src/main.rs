#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(|env| async move { Ok(cm_app::App::new(env.store()?)) }, refresh_co_booking::handle).await
}
