#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    cm_runtime::service(
        |env| async move {
            let rt = cm_realtime::Realtime::from_env(&env).await?;
            Ok((rt, cm_runtime::MediaBucket::from_env(&env)?))
        },
        |ctx: &'static (cm_realtime::Realtime, cm_runtime::MediaBucket), event| {
            deliver_chat::handle(&ctx.0, &ctx.1, event)
        },
    )
    .await
}
