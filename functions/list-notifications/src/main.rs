#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(|env| async move { Ok(env.chat_store()?) }, list_notifications::handle).await
}
