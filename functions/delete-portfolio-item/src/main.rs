#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let env = cm_runtime::Env::load().await;
    let bucket: &'static delete_portfolio_item::Bucket =
        Box::leak(Box::new(delete_portfolio_item::Bucket::from_env(&env)?));
    cm_runtime::http(move |app, req| delete_portfolio_item::handle(app, bucket, req)).await
}
