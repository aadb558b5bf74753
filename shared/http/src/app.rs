//! What every API function shares: configuration read once, clients built once per
//! cold start, and the loop that turns handler results into HTTP answers.

use crate::auth::TokenKeys;
use crate::{ApiError, cursor};
use chrono::Duration;
use cm_store::{PageKey, Store};
use lambda_http::{Body, Request, RequestExt, Response};
use std::future::Future;
use std::time::Instant;

#[derive(Debug)]
pub struct App {
    pub store: Store,
    /// Absent for functions that neither sign nor verify anything (health, scheduled
    /// jobs): they get no secret and no permission to read it.
    keys: Option<TokenKeys>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("{0}")]
    Invalid(String),
}

/// The signing secret must carry at least 256 bits for HS256.
pub const MIN_SECRET_BYTES: usize = 32;

impl App {
    pub fn new(store: Store, secret: &[u8]) -> Result<App, ConfigError> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid(format!("the token secret must be at least {MIN_SECRET_BYTES} bytes")));
        }
        let access = env_i64("ACCESS_TOKEN_TTL_SECONDS", 900)?;
        let refresh = env_i64("REFRESH_TOKEN_TTL_DAYS", 30)?;
        Ok(App { store, keys: Some(TokenKeys::new(secret, Duration::seconds(access), Duration::days(refresh))) })
    }

    pub fn without_keys(store: Store) -> App {
        App { store, keys: None }
    }

    pub fn keys(&self) -> Result<&TokenKeys, ApiError> {
        self.keys.as_ref().ok_or_else(|| ApiError::internal("this function has no token secret configured"))
    }

    /// Reads `TABLE_NAME` and the token secret: `JWT_SECRET_ARN` (Secrets Manager, in
    /// AWS) or `JWT_SECRET` (local runs and tests). AWS endpoints and credentials come
    /// from the standard SDK environment, so `AWS_ENDPOINT_URL` points it at moto.
    pub async fn from_env() -> Result<App, ConfigError> {
        let sdk = aws_config::load_from_env().await;
        let table = std::env::var("TABLE_NAME").map_err(|_| ConfigError::Missing("TABLE_NAME"))?;
        let secret = match (std::env::var("JWT_SECRET_ARN"), std::env::var("JWT_SECRET")) {
            (Ok(arn), _) if !arn.is_empty() => aws_sdk_secretsmanager::Client::new(&sdk)
                .get_secret_value()
                .secret_id(arn)
                .send()
                .await
                .map_err(|e| {
                    ConfigError::Invalid(format!(
                        "reading the token secret: {}",
                        aws_sdk_secretsmanager::error::DisplayErrorContext(e)
                    ))
                })?
                .secret_string
                .ok_or(ConfigError::Invalid("the token secret has no string value".into()))?,
            (_, Ok(secret)) => secret,
            _ => return Ok(App::without_keys(Store::new(aws_sdk_dynamodb::Client::new(&sdk), table))),
        };
        App::new(Store::new(aws_sdk_dynamodb::Client::new(&sdk), table), secret.as_bytes())
    }

    pub fn encode_cursor(&self, scope: &str, page: &PageKey) -> Result<String, ApiError> {
        cursor::encode_cursor(&self.keys()?.cursor_key, scope, page)
    }

    pub fn decode_cursor(&self, scope: &str, raw: &str) -> Result<PageKey, ApiError> {
        cursor::decode_cursor(&self.keys()?.cursor_key, scope, raw)
    }
}

fn env_i64(name: &'static str, default: i64) -> Result<i64, ConfigError> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .ok()
            .filter(|n: &i64| *n > 0)
            .ok_or_else(|| ConfigError::Invalid(format!("{name} must be a positive integer"))),
        Err(_) => Ok(default),
    }
}

/// Runs one request through a handler and always produces an HTTP answer: errors
/// become problem documents, internal causes are logged with the request id.
pub async fn dispatch<F, Fut>(app: &'static App, handler: &F, req: Request) -> Response<Body>
where
    F: Fn(&'static App, Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, ApiError>>,
{
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.raw_http_path().to_string();
    let request_id = req.lambda_context_ref().map(|c| c.request_id.clone()).unwrap_or_default();
    let response = match handler(app, req).await {
        Ok(r) => r,
        Err(e) => {
            if let ApiError::Internal(cause) = &e {
                tracing::error!(%request_id, %cause, "request failed");
            }
            e.to_problem().into_response()
        }
    };
    tracing::info!(%method, %route, status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "request");
    response
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .without_time() // CloudWatch stamps every line already.
        .with_current_span(false)
        .try_init();
}

/// The whole `main` of an HTTP function.
pub async fn run<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send + 'static,
{
    init_tracing();
    let app: &'static App = Box::leak(Box::new(App::from_env().await?));
    let handler = &*Box::leak(Box::new(handler));
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(dispatch(app, handler, req).await)
    }))
    .await
}

/// The whole `main` of an event-driven function (schedules, streams): the same
/// configuration and clients as the HTTP functions, without the HTTP layer.
pub async fn run_event<E, R, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(&'static App, lambda_runtime::LambdaEvent<E>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, lambda_runtime::Error>> + Send + 'static,
{
    init_tracing();
    let app: &'static App = Box::leak(Box::new(App::from_env().await?));
    let handler = &*Box::leak(Box::new(handler));
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler(app, event))).await
}
