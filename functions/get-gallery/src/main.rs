#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let env = cm_runtime::Env::load().await;
    let bucket: &'static cm_runtime::MediaBucket = Box::leak(Box::new(cm_runtime::MediaBucket::from_env(&env)?));
    cm_runtime::http(move |app, req| get_gallery::handle(app, bucket, req)).await
}
