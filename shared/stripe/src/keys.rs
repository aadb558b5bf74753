//! The Stripe keys a function is given: the secret key for API calls and the webhook
//! endpoint's signing secrets (more than one while a secret is being rolled).

use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeKeys {
    pub secret_key: String,
    #[serde(default)]
    pub webhook_secrets: Vec<String>,
    /// What a browser uses to confirm a payment (shown to clients with the intent).
    #[serde(default)]
    pub publishable_key: Option<String>,
}

impl StripeKeys {
    pub fn parse(raw: &str) -> Result<StripeKeys, String> {
        let keys: StripeKeys =
            serde_json::from_str(raw).map_err(|e| format!("the Stripe secret is not the expected JSON: {e}"))?;
        if !keys.secret_key.starts_with("sk_") && !keys.secret_key.starts_with("rk_") {
            return Err("secret_key must be a Stripe secret or restricted key (sk_… or rk_…)".into());
        }
        if keys.webhook_secrets.iter().any(|s| !s.starts_with("whsec_")) {
            return Err("webhook_secrets must be Stripe signing secrets (whsec_…)".into());
        }
        Ok(keys)
    }
}

impl std::fmt::Debug for StripeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeKeys").field("webhook_secrets", &self.webhook_secrets.len()).finish_non_exhaustive()
    }
}
