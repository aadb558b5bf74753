#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_lazy(
        |env| async move {
            let raw = env.secret("STRIPE_SECRET_ARN", "STRIPE_KEYS").await?;
            let raw = raw.ok_or("STRIPE_SECRET_ARN (or STRIPE_KEYS locally) is required")?;
            let alerts_topic = cm_runtime::env_var("ADMIN_ALERTS_TOPIC_ARN")
                .ok_or(cm_runtime::ConfigError::Missing("ADMIN_ALERTS_TOPIC_ARN"))?;
            Ok(stripe_webhook::Webhook {
                keys: cm_stripe::StripeKeys::parse(&raw)?,
                sns: aws_sdk_sns::Client::new(&env.sdk),
                alerts_topic,
            })
        },
        stripe_webhook::handle,
    )
    .await
}
