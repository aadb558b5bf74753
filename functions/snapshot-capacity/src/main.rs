#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(|env| async move { Ok(cm_app::App::new(env.store()?)) }, snapshot_capacity::handle).await
}
