//! Stripe's webhook events, verified and reduced to what the platform acts on. The
//! signature check is async-stripe's (HMAC-SHA256 over `t.payload`, any `v1` may match,
//! five minutes of tolerance) with our clock, tried against each signing secret while
//! one is being rolled.

use crate::gateway::IntentAnswer;
use cm_payments::PayoutStatus;
use cm_payments::ledger::Dispute;
use stripe_webhook::{EventObject, Webhook};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripeEvent {
    /// A PaymentIntent changed (authorised, succeeded, failed, cancelled, …); its
    /// report carries the event's time.
    Intent(Box<IntentAnswer>),
    /// A charge's refunds: `amount_refunded` is the running total.
    Refunded {
        intent: String,
        amount_refunded: i64,
    },
    Dispute(Dispute),
    /// A connected account changed; `user` is the photographer it was opened for.
    Account {
        account: String,
        status: PayoutStatus,
        user: Option<String>,
        at: i64,
    },
    /// A type we do not act on.
    Ignored {
        kind: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub id: String,
    pub kind: String,
    pub created: i64,
    pub event: StripeEvent,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WebhookError {
    #[error("no Stripe-Signature header")]
    MissingSignature,
    #[error("the Stripe-Signature header is malformed")]
    MalformedSignature,
    #[error("no signature matches a signing secret")]
    BadSignature,
    #[error("the signature's timestamp is more than five minutes from now")]
    Stale,
    #[error("the event could not be read: {0}")]
    Unreadable(String),
    #[error("no signing secret is configured")]
    NoSecret,
}

/// Verifies `payload` against `signature` with each of `secrets` at `now` (epoch
/// seconds) and reads the event.
pub fn verify(payload: &str, signature: Option<&str>, secrets: &[String], now: i64) -> Result<Verified, WebhookError> {
    let sig = signature.ok_or(WebhookError::MissingSignature)?;
    if secrets.is_empty() {
        return Err(WebhookError::NoSecret);
    }
    let mut last = WebhookError::BadSignature;
    for secret in secrets {
        match Webhook::construct_event_with_timestamp(payload, sig, secret, now) {
            Ok(event) => return Ok(reduce(event)),
            Err(stripe_webhook::WebhookError::BadSignature | stripe_webhook::WebhookError::BadKey) => {}
            Err(stripe_webhook::WebhookError::BadHeader(_)) => return Err(WebhookError::MalformedSignature),
            Err(stripe_webhook::WebhookError::BadTimestamp(_)) => last = WebhookError::Stale,
            // The signature was checked before the body was parsed: the event is
            // Stripe's. One we do not act on is acknowledged even when this library
            // cannot read its object (a newer API version), so Stripe stops retrying it.
            Err(stripe_webhook::WebhookError::BadParse(m)) => return unread(payload, m),
        }
    }
    Err(last)
}

/// The event types this platform acts on; anything else is acknowledged and ignored.
pub const HANDLED: &[&str] = &[
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
    "account.updated",
];

fn unread(payload: &str, why: String) -> Result<Verified, WebhookError> {
    let v: serde_json::Value = serde_json::from_str(payload).map_err(|_| WebhookError::Unreadable(why.clone()))?;
    // Every Stripe event names itself; anything else is not an event at all.
    let (Some(id), Some(kind)) = (v["id"].as_str(), v["type"].as_str()) else {
        return Err(WebhookError::Unreadable(format!("not a Stripe event: {why}")));
    };
    let kind = kind.to_string();
    if v["object"] != "event" || HANDLED.contains(&kind.as_str()) {
        return Err(WebhookError::Unreadable(format!("{kind}: {why}")));
    }
    Ok(Verified {
        id: id.to_string(),
        created: v["created"].as_i64().unwrap_or_default(),
        event: StripeEvent::Ignored { kind: kind.clone() },
        kind,
    })
}

fn reduce(e: stripe_webhook::Event) -> Verified {
    let kind = e.type_.as_str().to_string();
    let created = e.created;
    let event = match e.data.object {
        EventObject::PaymentIntentAmountCapturableUpdated(pi)
        | EventObject::PaymentIntentCanceled(pi)
        | EventObject::PaymentIntentCreated(pi)
        | EventObject::PaymentIntentPaymentFailed(pi)
        | EventObject::PaymentIntentProcessing(pi)
        | EventObject::PaymentIntentRequiresAction(pi)
        | EventObject::PaymentIntentSucceeded(pi) => {
            let mut answer = IntentAnswer::from(&*pi);
            // The event's time orders reports of one intent, not the intent's birth.
            answer.report.at = created;
            StripeEvent::Intent(Box::new(answer))
        }
        EventObject::ChargeRefunded(charge) => match charge.payment_intent.as_ref() {
            Some(pi) => {
                StripeEvent::Refunded { intent: pi.id().as_str().to_string(), amount_refunded: charge.amount_refunded }
            }
            None => StripeEvent::Ignored { kind: kind.clone() },
        },
        EventObject::ChargeDisputeCreated(d)
        | EventObject::ChargeDisputeUpdated(d)
        | EventObject::ChargeDisputeClosed(d)
        | EventObject::ChargeDisputeFundsWithdrawn(d)
        | EventObject::ChargeDisputeFundsReinstated(d) => match d.payment_intent.as_ref() {
            Some(pi) => {
                let status = d.status.as_str().to_string();
                StripeEvent::Dispute(Dispute {
                    id: d.id.as_str().to_string(),
                    intent: pi.id().as_str().to_string(),
                    amount_minor: d.amount,
                    open: !matches!(status.as_str(), "won" | "lost" | "prevented"),
                    status,
                    at: created,
                })
            }
            None => StripeEvent::Ignored { kind: kind.clone() },
        },
        EventObject::AccountUpdated(a) => {
            let reason =
                a.requirements.as_ref().and_then(|r| r.disabled_reason.as_ref()).map(|r| r.as_str().to_string());
            StripeEvent::Account {
                account: a.id.as_str().to_string(),
                status: PayoutStatus::from_account(
                    a.charges_enabled.unwrap_or(false),
                    a.payouts_enabled.unwrap_or(false),
                    reason.as_deref(),
                ),
                user: a.metadata.as_ref().and_then(|m| m.get("user_id").cloned()),
                at: created,
            }
        }
        _ => StripeEvent::Ignored { kind: kind.clone() },
    };
    Verified { id: e.id.as_str().to_string(), kind, created, event }
}
