#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(
        |env| async move { Ok((env.chat_store()?, cm_runtime::MediaBucket::from_env(&env)?)) },
        |app, (chat, bucket), req| list_booking_messages::handle(app, chat, bucket, req),
    )
    .await
}
