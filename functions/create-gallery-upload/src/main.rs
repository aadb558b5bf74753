#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let env = cm_runtime::Env::load().await;
    let uploads: &'static cm_runtime::UploadSigner = Box::leak(Box::new(cm_runtime::UploadSigner::from_env(&env)?));
    cm_runtime::http(move |app, req| create_gallery_upload::handle(app, uploads, req)).await
}
