#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(
        |env| async move {
            let raw = env.secret("STRIPE_SECRET_ARN", "STRIPE_KEYS").await?;
            let stripe = cm_stripe::Stripe::from_config(raw, cm_runtime::env_var("STRIPE_API_BASE"))?;
            Ok(settle_payments::Settler { app: cm_app::App::new(env.store()?), stripe })
        },
        |settler, event| settler.handle(event),
    )
    .await
}
