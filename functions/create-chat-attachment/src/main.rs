#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(
        |env| async move { Ok((env.chat_store()?, cm_runtime::UploadSigner::from_env(&env)?)) },
        |app, (chat, uploads), req| create_chat_attachment::handle(app, chat, uploads, req),
    )
    .await
}
