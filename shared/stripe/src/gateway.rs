//! The calls the platform makes to Stripe. Destination charges: the client pays the
//! platform, the photographer's connected account receives the charge less the
//! application fee (the platform's commission).

use crate::keys::StripeKeys;
use cm_payments::ledger::{IntentReport, IntentStatus};
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;
use stripe::{Client, ClientBuilder, StripeError};
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_connect::account::{CreateAccount, CreateAccountCapabilities, CreateAccountType};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    CancelPaymentIntent, CapturePaymentIntent, ConfirmPaymentIntent, ConfirmPaymentIntentOffSession,
    CreatePaymentIntent, CreatePaymentIntentOffSession, CreatePaymentIntentTransferData, RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::{PaymentIntent, PaymentIntentCaptureMethod, PaymentIntentSetupFutureUsage};

/// Stripe answers within this or the call counts as unavailable; well inside an API
/// Gateway request's 29 s.
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Stripe could not be reached, timed out or failed on its side: retry later with
    /// the same idempotency key.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// The card was declined or needs the client (3-D Secure). `intent` is the intent
    /// as it stands after the decline, when Stripe includes it.
    #[error("the payment was declined: {message}")]
    Declined { code: String, message: String, intent: Option<Box<IntentAnswer>> },
    /// Stripe refused the request itself (a bug or a state we did not expect).
    #[error("Stripe refused the request ({status}): {message}")]
    Rejected { status: u16, code: Option<String>, message: String },
}

impl GatewayError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, GatewayError::Unavailable(_))
    }
}

fn classify(e: StripeError) -> GatewayError {
    match e {
        StripeError::Stripe(err, status) => {
            let code = err.code.as_ref().map(|c| c.as_str().to_string());
            let message = err.message.clone().unwrap_or_else(|| "no message".into());
            if status == 429 || status >= 500 {
                return GatewayError::Unavailable(format!("{status}: {message}"));
            }
            if status == 402 {
                let decline = err.decline_code.clone().or(code).unwrap_or_else(|| "card_declined".into());
                let intent = err.payment_intent.as_ref().map(|pi| Box::new(IntentAnswer::from(pi)));
                return GatewayError::Declined { code: decline, message, intent };
            }
            GatewayError::Rejected { status, code, message }
        }
        StripeError::ClientError(m) => GatewayError::Unavailable(m),
        StripeError::Timeout => GatewayError::Unavailable("timed out".into()),
        StripeError::JSONDeserialize(m) => {
            GatewayError::Rejected { status: 200, code: None, message: format!("unreadable answer: {m}") }
        }
        StripeError::ConfigError(m) => GatewayError::Rejected { status: 0, code: None, message: m },
    }
}

/// A PaymentIntent as the platform keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentAnswer {
    pub report: IntentReport,
    pub amount_minor: i64,
    pub fee_minor: i64,
    /// For the client's browser to confirm the payment; never stored.
    pub client_secret: Option<String>,
    /// Stripe's own status (`requires_payment_method`, `requires_action`, …).
    pub stripe_status: String,
    pub metadata: HashMap<String, String>,
}

impl From<&PaymentIntent> for IntentAnswer {
    fn from(pi: &PaymentIntent) -> IntentAnswer {
        let status = pi.status.as_str().to_string();
        let failure = pi
            .last_payment_error
            .as_ref()
            .map(|e| e.decline_code.clone().or_else(|| e.code.as_ref().map(|c| c.as_str().to_string())))
            .map(|c| c.unwrap_or_else(|| "payment_failed".into()));
        IntentAnswer {
            report: IntentReport {
                id: pi.id.as_str().to_string(),
                status: IntentStatus::from_stripe(&status, failure.is_some()).unwrap_or(IntentStatus::Open),
                at: pi.created,
                captured_minor: pi.amount_received,
                failure,
                payment_method: pi.payment_method.as_ref().map(|p| p.id().as_str().to_string()),
                charge: pi.latest_charge.as_ref().map(|c| c.id().as_str().to_string()),
            },
            amount_minor: pi.amount,
            fee_minor: pi.application_fee_amount.unwrap_or(0),
            client_secret: pi.client_secret.clone(),
            stripe_status: status,
            metadata: pi.metadata.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundAnswer {
    pub id: String,
    pub amount_minor: i64,
    pub status: String,
}

/// A payment to create.
#[derive(Debug, Clone)]
pub struct NewIntent<'a> {
    pub amount_minor: i64,
    /// Stripe's lowercase currency code.
    pub currency: String,
    pub customer: &'a str,
    pub destination: &'a str,
    pub application_fee_minor: i64,
    /// Authorise now, capture later (deposits: captured when the photographer confirms).
    pub manual_capture: bool,
    /// Keep the card for the balance, charged later without the client present.
    pub save_card: bool,
    /// Charge a saved card now, without the client (the balance).
    pub off_session_with: Option<&'a str>,
    pub description: String,
    pub metadata: HashMap<String, String>,
    pub idempotency_key: String,
}

pub struct Gateway {
    client: Client,
}

fn idempotent(key: &str) -> Result<RequestStrategy, GatewayError> {
    IdempotencyKey::new(key).map(RequestStrategy::Idempotent).map_err(|e| GatewayError::Rejected {
        status: 0,
        code: None,
        message: format!("bad idempotency key: {e}"),
    })
}

/// What a function that talks to Stripe holds: the client and its keys.
pub struct Stripe {
    pub gateway: Gateway,
    pub keys: StripeKeys,
}

impl Stripe {
    /// From the function's configuration: the Stripe secret's JSON (`None` when the
    /// function was given none) and the API's base URL (unset in AWS).
    pub fn from_config(raw_secret: Option<String>, base_url: Option<String>) -> Result<Stripe, String> {
        let raw = raw_secret.ok_or("STRIPE_SECRET_ARN (or STRIPE_KEYS locally) is required")?;
        Stripe::connect(&raw, base_url.as_deref())
    }

    /// From the Stripe secret's JSON; `base_url` as for [`Gateway::new`].
    pub fn connect(raw_secret: &str, base_url: Option<&str>) -> Result<Stripe, String> {
        let keys = StripeKeys::parse(raw_secret)?;
        let gateway = Gateway::new(&keys.secret_key, base_url).map_err(|e| e.to_string())?;
        Ok(Stripe { gateway, keys })
    }
}

impl Gateway {
    /// `base_url` points the client elsewhere than api.stripe.com (the local stand-in).
    pub fn new(secret_key: &str, base_url: Option<&str>) -> Result<Gateway, GatewayError> {
        let mut builder = ClientBuilder::new(secret_key).timeout(TIMEOUT);
        if let Some(url) = base_url {
            builder = builder.url(url.trim_end_matches('/'));
        }
        let client = builder.build().map_err(classify)?;
        Ok(Gateway { client })
    }

    /// A Stripe customer for a client; the key makes it one per user.
    pub async fn create_customer(&self, user: &str, email: &str, name: &str) -> Result<String, GatewayError> {
        let customer = CreateCustomer::new()
            .email(email)
            .name(name)
            .metadata(HashMap::from([("user_id".to_string(), user.to_string())]))
            .customize()
            .request_strategy(idempotent(&format!("customer-{user}"))?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(customer.id.as_str().to_string())
    }

    pub async fn create_intent(&self, new: &NewIntent<'_>) -> Result<IntentAnswer, GatewayError> {
        let mut req = CreatePaymentIntent::new(
            new.amount_minor,
            stripe_types::Currency::from_str(&new.currency).map_err(|_| GatewayError::Rejected {
                status: 0,
                code: None,
                message: format!("unknown currency {}", new.currency),
            })?,
        )
        .customer(new.customer)
        .application_fee_amount(new.application_fee_minor)
        .transfer_data(CreatePaymentIntentTransferData::new(new.destination))
        .description(new.description.clone())
        .metadata(new.metadata.clone());
        if new.manual_capture {
            req = req.capture_method(PaymentIntentCaptureMethod::Manual);
        }
        if new.save_card {
            req = req.setup_future_usage(PaymentIntentSetupFutureUsage::OffSession);
        }
        if let Some(pm) = new.off_session_with {
            req = req.payment_method(pm).confirm(true).off_session(CreatePaymentIntentOffSession::Bool(true));
        }
        let pi = req
            .customize()
            .request_strategy(idempotent(&new.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(IntentAnswer::from(&pi))
    }

    pub async fn retrieve_intent(&self, id: &str) -> Result<IntentAnswer, GatewayError> {
        let pi = RetrievePaymentIntent::new(id).send(&self.client).await.map_err(classify)?;
        Ok(IntentAnswer::from(&pi))
    }

    /// Charges an existing intent with a saved card, without the client: the balance's
    /// retries confirm the same intent, so a client paying it on-session at the same
    /// moment can never make a second charge.
    pub async fn confirm_off_session(
        &self,
        id: &str,
        payment_method: &str,
        key: &str,
    ) -> Result<IntentAnswer, GatewayError> {
        let pi = ConfirmPaymentIntent::new(id)
            .payment_method(payment_method)
            .off_session(ConfirmPaymentIntentOffSession::Bool(true))
            .customize()
            .request_strategy(idempotent(key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(IntentAnswer::from(&pi))
    }

    pub async fn capture(&self, id: &str, key: &str) -> Result<IntentAnswer, GatewayError> {
        let pi = CapturePaymentIntent::new(id)
            .customize()
            .request_strategy(idempotent(key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(IntentAnswer::from(&pi))
    }

    pub async fn cancel(&self, id: &str, key: &str) -> Result<IntentAnswer, GatewayError> {
        let pi = CancelPaymentIntent::new(id)
            .customize()
            .request_strategy(idempotent(key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(IntentAnswer::from(&pi))
    }

    /// Refunds part of a captured intent. The photographer's transfer is reversed and
    /// the platform's fee returned in proportion, so each side gives back its share.
    pub async fn refund(
        &self,
        intent: &str,
        amount_minor: i64,
        key: &str,
        metadata: HashMap<String, String>,
    ) -> Result<RefundAnswer, GatewayError> {
        let refund = CreateRefund::new()
            .payment_intent(intent)
            .amount(amount_minor)
            .reverse_transfer(true)
            .refund_application_fee(true)
            .metadata(metadata)
            .customize()
            .request_strategy(idempotent(key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(RefundAnswer {
            id: refund.id.as_str().to_string(),
            amount_minor: refund.amount,
            status: format!("{:?}", refund.status),
        })
    }

    /// An Express connected account for a photographer; one per user by its key.
    pub async fn create_account(&self, user: &str, email: &str, country: &str) -> Result<String, GatewayError> {
        let mut capabilities = CreateAccountCapabilities::new();
        capabilities.card_payments =
            Some(stripe_connect::account::CreateAccountCapabilitiesCardPayments { requested: Some(true) });
        capabilities.transfers =
            Some(stripe_connect::account::CreateAccountCapabilitiesTransfers { requested: Some(true) });
        let account = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .email(email)
            .country(country)
            .capabilities(capabilities)
            .metadata(HashMap::from([("user_id".to_string(), user.to_string())]))
            .customize()
            .request_strategy(idempotent(&format!("account-{user}"))?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(account.id.as_str().to_string())
    }

    /// A one-time onboarding link (they expire within minutes, so each request asks for
    /// a new one under its own key).
    pub async fn onboarding_link(
        &self,
        account: &str,
        refresh_url: &str,
        return_url: &str,
        key: &str,
    ) -> Result<String, GatewayError> {
        let link = CreateAccountLink::new(account, CreateAccountLinkType::AccountOnboarding)
            .refresh_url(refresh_url)
            .return_url(return_url)
            .customize()
            .request_strategy(idempotent(key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(link.url)
    }
}
