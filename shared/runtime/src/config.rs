//! Configuration from the environment, read once per cold start. Keys come from
//! Secrets Manager in AWS (`*_SECRET_ARN`) or from a variable locally; a function is
//! given only the keys it uses, and asks for nothing else.

use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_app::cached::RefreshPolicy;
use cm_app::{App, Keys};
use cm_http::{CursorKey, SealKey};
use cm_payments::terms::{MAX_BALANCE_DUE_DAYS, MAX_COMMISSION_BPS, PlatformTerms};
use cm_store::DynamoStore;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    #[error("{0}")]
    Invalid(String),
}

/// A non-empty environment variable.
pub fn env_var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_positive(name: &'static str, default: i64) -> Result<i64, ConfigError> {
    match env_var(name) {
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|n: &i64| *n > 0)
            .ok_or_else(|| ConfigError::Invalid(format!("{name} must be a positive integer"))),
        None => Ok(default),
    }
}

/// One HTTP client for every AWS client of the process: the SDK's own default
/// (hyper 1, rustls with aws-lc), built once, so its connection pool and its trust store
/// (read from the system's certificate files) are shared, where each service client
/// would otherwise build and load its own.
/// Wrapped to send an X-Ray subsegment per call when the process has an X-Ray daemon
/// (`crate::xray`).
fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_runtime_api::client::http::SharedHttpClient;
    let client = sdk_http_client();
    match crate::xray::TracingClient::from_env(client.clone()) {
        Some(traced) => SharedHttpClient::new(traced),
        None => client,
    }
}

/// The HTTP client the SDK would build for itself: hyper 1, rustls with aws-lc.
pub fn sdk_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .build_https()
}

/// The SDK configuration (endpoints and credentials from the standard environment, so
/// `AWS_ENDPOINT_URL_*` point it at local emulators) and what every function reads.
#[derive(Clone)]
pub struct Env {
    pub sdk: aws_config::SdkConfig,
    /// One DynamoDB client for both tables: building a client runs its endpoint rules'
    /// set-up, about a million instructions of init each (measured with
    /// `scripts/cold-start --instructions`), and clones share one.
    dynamodb: Arc<std::sync::OnceLock<aws_sdk_dynamodb::Client>>,
}

impl Env {
    pub async fn load() -> Env {
        Env { sdk: aws_config::from_env().http_client(https_client()).load().await, dynamodb: Arc::default() }
    }

    fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        self.dynamodb.get_or_init(|| aws_sdk_dynamodb::Client::new(&self.sdk)).clone()
    }

    pub fn store(&self) -> Result<DynamoStore, ConfigError> {
        let table = env_var("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))?;
        Ok(DynamoStore::new(self.dynamodb(), table))
    }

    /// The chat table (`CHAT_TABLE_NAME`).
    pub fn chat_store(&self) -> Result<cm_store::chat::ChatStore, ConfigError> {
        let table = env_var("CHAT_TABLE_NAME").ok_or(ConfigError::Missing("CHAT_TABLE_NAME"))?;
        Ok(cm_store::chat::ChatStore::new(self.dynamodb(), table))
    }

    /// A secret's string from Secrets Manager (`arn_var` names its ARN) or, locally,
    /// straight from `value_var`; `None` when the function has neither.
    pub async fn secret(&self, arn_var: &'static str, value_var: &'static str) -> Result<Option<String>, ConfigError> {
        match Secret::from_env(arn_var, value_var) {
            Some(s) => s.read(&self.sdk).await.map(Some),
            None => Ok(None),
        }
    }
}

/// Where one secret's value is: in Secrets Manager (AWS, and the local stack's moto),
/// or given inline (tests, tools).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secret {
    /// An ARN or name for `GetSecretValue`.
    Stored(String),
    Inline(String),
}

impl Secret {
    /// `arn_var` (an ARN) wins over `value_var` (the value itself).
    pub fn from_env(arn_var: &'static str, value_var: &'static str) -> Option<Secret> {
        env_var(arn_var).map(Secret::Stored).or_else(|| env_var(value_var).map(Secret::Inline))
    }

    pub async fn read(&self, sdk: &aws_config::SdkConfig) -> Result<String, ConfigError> {
        let id = match self {
            Secret::Inline(v) => return Ok(v.clone()),
            Secret::Stored(id) => id,
        };
        let out =
            aws_sdk_secretsmanager::Client::new(sdk).get_secret_value().secret_id(id).send().await.map_err(|e| {
                ConfigError::Invalid(format!(
                    "reading secret {id}: {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(e)
                ))
            })?;
        out.secret_string.ok_or(ConfigError::Invalid(format!("secret {id} has no string value")))
    }
}

/// Where each of a function's keys comes from; a function is given only those it uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeySources {
    /// `TOKEN_KEYS_SECRET_ARN` or `TOKEN_KEYS`.
    pub tokens: Option<Secret>,
    /// `CURSOR_KEY_SECRET_ARN` or `CURSOR_KEY`.
    pub cursors: Option<Secret>,
    /// `QUOTE_KEY_SECRET_ARN` or `QUOTE_KEY`: the key price quotes are sealed with.
    pub quotes: Option<Secret>,
}

impl KeySources {
    pub fn from_env() -> KeySources {
        KeySources {
            tokens: Secret::from_env("TOKEN_KEYS_SECRET_ARN", "TOKEN_KEYS"),
            cursors: Secret::from_env("CURSOR_KEY_SECRET_ARN", "CURSOR_KEY"),
            quotes: Secret::from_env("QUOTE_KEY_SECRET_ARN", "QUOTE_KEY"),
        }
    }

    /// Whether reading them takes a call to Secrets Manager.
    pub fn any_stored(&self) -> bool {
        [&self.tokens, &self.cursors, &self.quotes].into_iter().any(|s| matches!(s, Some(Secret::Stored(_))))
    }

    /// Every key, read concurrently (each may be a Secrets Manager call) and parsed.
    pub async fn load(&self, sdk: &aws_config::SdkConfig) -> Result<Keys, ConfigError> {
        let read = |s: &Option<Secret>| {
            let s = s.clone();
            async move {
                match s {
                    Some(s) => s.read(sdk).await.map(Some),
                    None => Ok(None),
                }
            }
        };
        let (tokens, cursors, quotes) = tokio::try_join!(read(&self.tokens), read(&self.cursors), read(&self.quotes))?;
        let tokens = match tokens {
            Some(raw) => {
                let keys = KeySet::parse(&raw).map_err(|e| ConfigError::Invalid(e.to_string()))?;
                let access = env_positive("ACCESS_TOKEN_TTL_SECONDS", 900)?;
                let refresh = env_positive("REFRESH_TOKEN_TTL_DAYS", 30)?;
                Some(Arc::new(AccessTokens::new(
                    &keys,
                    chrono::Duration::seconds(access),
                    chrono::Duration::days(refresh),
                )))
            }
            None => None,
        };
        let cursors = cursors
            .map(|raw| CursorKey::new(raw.as_bytes()).map(Arc::new).map_err(|e| ConfigError::Invalid(e.0)))
            .transpose()?;
        let quotes = quotes
            .map(|raw| {
                SealKey::new(raw.as_bytes(), "the quote key").map(Arc::new).map_err(|e| ConfigError::Invalid(e.0))
            })
            .transpose()?;
        Ok(Keys { tokens, cursors, quotes })
    }
}

/// `PLATFORM_COMMISSION_BPS` and `BALANCE_DUE_DAYS`, set per stage by the template.
pub fn platform_terms() -> Result<PlatformTerms, ConfigError> {
    let d = PlatformTerms::default();
    let bps = env_positive("PLATFORM_COMMISSION_BPS", i64::from(d.commission_bps))?;
    let days = env_positive("BALANCE_DUE_DAYS", i64::from(d.balance_due_days))?;
    let bad = |name: &str, max: u32| ConfigError::Invalid(format!("{name} must be at most {max}"));
    Ok(PlatformTerms {
        commission_bps: u32::try_from(bps)
            .ok()
            .filter(|b| *b <= MAX_COMMISSION_BPS)
            .ok_or_else(|| bad("PLATFORM_COMMISSION_BPS", MAX_COMMISSION_BPS))?,
        balance_due_days: u32::try_from(days)
            .ok()
            .filter(|d| *d <= MAX_BALANCE_DUE_DAYS)
            .ok_or_else(|| bad("BALANCE_DUE_DAYS", MAX_BALANCE_DUE_DAYS))?,
    })
}

/// How long the keys are kept before they are read again (`SECRETS_MAX_AGE_SECONDS`,
/// 15 minutes by default: a rotated key reaches every warm process within that, and a
/// token signed with a key a process does not know yet makes it reload at once).
pub fn refresh_policy() -> Result<RefreshPolicy, ConfigError> {
    let default = RefreshPolicy::default();
    let max_age = env_positive("SECRETS_MAX_AGE_SECONDS", default.max_age.num_seconds())?;
    Ok(RefreshPolicy { max_age: chrono::Duration::seconds(max_age), ..default })
}

/// A Secrets Manager read that has not answered in this long is abandoned (the request
/// that waited on it gets a 503 and the next one tries again), so a connection frozen
/// with the sandbox cannot hold requests for the TCP timeout.
const KEY_LOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The context of an API function: the table, the wall clock, and whichever keys the
/// function was given (see [`with_keys_from`]).
pub async fn app_from_env(env: &Env) -> Result<App<DynamoStore>, ConfigError> {
    let mut app = App::new(env.store()?);
    app.platform_terms = platform_terms()?;
    with_keys_from(app, &env.sdk, KeySources::from_env(), refresh_policy()?).await
}

/// Gives `app` its keys. Keys held in Secrets Manager are not read here: init makes no
/// network call, and the first request that needs them reads them (the HTTP loop asks
/// before each request), then again as `policy` says. Not read in the background during
/// init either: at Lambda's smaller sizes a function has a fraction of a vCPU, and a
/// background read competes with init for it (measured: docs/performance.md). Keys
/// given inline are parsed now, so a malformed one still fails init.
pub async fn with_keys_from<S>(
    app: App<S>,
    sdk: &aws_config::SdkConfig,
    sources: KeySources,
    policy: RefreshPolicy,
) -> Result<App<S>, ConfigError> {
    if !sources.any_stored() {
        return Ok(app.with_keys(sources.load(sdk).await?));
    }
    let sdk = sdk.clone();
    Ok(app.with_key_loader(
        Box::new(move || {
            let (sdk, sources) = (sdk.clone(), sources.clone());
            Box::pin(async move {
                match tokio::time::timeout(KEY_LOAD_TIMEOUT, sources.load(&sdk)).await {
                    Ok(keys) => keys.map_err(|e| e.to_string()),
                    Err(_) => Err(format!("Secrets Manager did not answer within {KEY_LOAD_TIMEOUT:?}")),
                }
            })
        }),
        policy,
    ))
}
