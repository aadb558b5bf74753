#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http(update_gallery_photo::handle).await
}
