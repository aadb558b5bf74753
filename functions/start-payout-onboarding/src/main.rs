#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_lazy(
        |env| async move {
            let raw = env.secret("STRIPE_SECRET_ARN", "STRIPE_KEYS").await?;
            let stripe = cm_stripe::Stripe::from_config(raw, cm_runtime::env_var("STRIPE_API_BASE"))?;
            let url = |name: &'static str| cm_runtime::env_var(name).ok_or(cm_runtime::ConfigError::Missing(name));
            Ok(start_payout_onboarding::Onboarding {
                stripe,
                return_url: url("PAYOUTS_RETURN_URL")?,
                refresh_url: url("PAYOUTS_REFRESH_URL")?,
            })
        },
        start_payout_onboarding::handle,
    )
    .await
}
