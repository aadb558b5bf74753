#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let public: &'static str =
        Box::leak(cm_runtime::env_var("MEDIA_PUBLIC_URL").ok_or("MEDIA_PUBLIC_URL is required")?.into_boxed_str());
    cm_runtime::http(move |app, req| update_portfolio_item::handle(app, public, req)).await
}
