#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    cm_runtime::http_with(
        |env| async move { cm_sms::Texter::from_env(&env.sdk).map_err(lambda_http::Error::from) },
        start_phone_verification::handle,
    )
    .await
}
