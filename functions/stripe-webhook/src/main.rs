#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(
        |env| async move {
            let raw = env.secret("STRIPE_SECRET_ARN", "STRIPE_KEYS").await?;
            let raw = raw.ok_or("STRIPE_SECRET_ARN (or STRIPE_KEYS locally) is required")?;
            Ok(cm_stripe::StripeKeys::parse(&raw)?)
        },
        stripe_webhook::handle,
    )
    .await
}
