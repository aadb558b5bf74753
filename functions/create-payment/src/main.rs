#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_lazy(
        |env| async move {
            let raw = env.secret("STRIPE_SECRET_ARN", "STRIPE_KEYS").await?;
            Ok(cm_stripe::Stripe::from_config(raw, cm_runtime::env_var("STRIPE_API_BASE"))?)
        },
        create_payment::handle,
    )
    .await
}
