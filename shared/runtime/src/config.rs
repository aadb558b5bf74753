//! Configuration from the environment, read once per cold start. Keys come from
//! Secrets Manager in AWS (`*_SECRET_ARN`) or from a variable locally; a function is
//! given only the keys it uses, and asks for nothing else.

use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_app::App;
use cm_http::{CursorKey, SealKey};
use cm_payments::terms::{MAX_BALANCE_DUE_DAYS, MAX_COMMISSION_BPS, PlatformTerms};
use cm_store::DynamoStore;

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

/// The SDK configuration (endpoints and credentials from the standard environment, so
/// `AWS_ENDPOINT_URL_*` point it at local emulators) and what every function reads.
#[derive(Clone)]
pub struct Env {
    pub sdk: aws_config::SdkConfig,
}

impl Env {
    pub async fn load() -> Env {
        Env { sdk: aws_config::load_from_env().await }
    }

    pub fn store(&self) -> Result<DynamoStore, ConfigError> {
        let table = env_var("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))?;
        Ok(DynamoStore::new(aws_sdk_dynamodb::Client::new(&self.sdk), table))
    }

    /// The chat table (`CHAT_TABLE_NAME`).
    pub fn chat_store(&self) -> Result<cm_store::chat::ChatStore, ConfigError> {
        let table = env_var("CHAT_TABLE_NAME").ok_or(ConfigError::Missing("CHAT_TABLE_NAME"))?;
        Ok(cm_store::chat::ChatStore::new(aws_sdk_dynamodb::Client::new(&self.sdk), table))
    }

    /// `TOKEN_KEYS_SECRET_ARN` or `TOKEN_KEYS`; `None` when the function has neither.
    pub async fn tokens(&self) -> Result<Option<AccessTokens>, ConfigError> {
        let Some(raw) = self.secret("TOKEN_KEYS_SECRET_ARN", "TOKEN_KEYS").await? else { return Ok(None) };
        let keys = KeySet::parse(&raw).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let access = env_positive("ACCESS_TOKEN_TTL_SECONDS", 900)?;
        let refresh = env_positive("REFRESH_TOKEN_TTL_DAYS", 30)?;
        Ok(Some(AccessTokens::new(&keys, chrono::Duration::seconds(access), chrono::Duration::days(refresh))))
    }

    /// `CURSOR_KEY_SECRET_ARN` or `CURSOR_KEY`; `None` when the function has neither.
    pub async fn cursors(&self) -> Result<Option<CursorKey>, ConfigError> {
        let Some(raw) = self.secret("CURSOR_KEY_SECRET_ARN", "CURSOR_KEY").await? else { return Ok(None) };
        CursorKey::new(raw.as_bytes()).map(Some).map_err(|e| ConfigError::Invalid(e.0))
    }

    /// `QUOTE_KEY_SECRET_ARN` or `QUOTE_KEY`: the key price quotes are sealed with;
    /// `None` when the function has neither.
    pub async fn quotes(&self) -> Result<Option<SealKey>, ConfigError> {
        let Some(raw) = self.secret("QUOTE_KEY_SECRET_ARN", "QUOTE_KEY").await? else { return Ok(None) };
        SealKey::new(raw.as_bytes(), "the quote key").map(Some).map_err(|e| ConfigError::Invalid(e.0))
    }

    /// A secret's string from Secrets Manager (`arn_var` names its ARN) or, locally,
    /// straight from `value_var`; `None` when the function has neither.
    pub async fn secret(&self, arn_var: &'static str, value_var: &'static str) -> Result<Option<String>, ConfigError> {
        if let Some(arn) = env_var(arn_var) {
            let out =
                aws_sdk_secretsmanager::Client::new(&self.sdk).get_secret_value().secret_id(arn).send().await.map_err(
                    |e| {
                        ConfigError::Invalid(format!(
                            "reading {arn_var}: {}",
                            aws_sdk_secretsmanager::error::DisplayErrorContext(e)
                        ))
                    },
                )?;
            return out.secret_string.map(Some).ok_or(ConfigError::Invalid(format!("{arn_var} has no string value")));
        }
        Ok(env_var(value_var))
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

/// The context of an API function: the table, the wall clock, and whichever keys the
/// function was given (read concurrently: each may be a Secrets Manager call).
pub async fn app_from_env(env: &Env) -> Result<App<DynamoStore>, ConfigError> {
    let (tokens, cursors, quotes) = tokio::try_join!(env.tokens(), env.cursors(), env.quotes())?;
    let mut app = App::new(env.store()?);
    app.platform_terms = platform_terms()?;
    if let Some(t) = tokens {
        app = app.with_tokens(t);
    }
    if let Some(c) = cursors {
        app = app.with_cursors(c);
    }
    if let Some(q) = quotes {
        app = app.with_quotes(q);
    }
    Ok(app)
}
