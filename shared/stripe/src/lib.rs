//! Stripe, as the platform uses it. The rest of the code sees plain values
//! ([`IntentAnswer`], [`cm_payments::ledger::IntentReport`], [`StripeEvent`]) and one
//! error type that says whether retrying could help; only this crate knows
//! async-stripe's types, so only the functions that really call Stripe link it.
//!
//! Every POST carries an idempotency key the caller derives from what it is doing
//! (booking, kind, attempt): a Lambda retried after a lost answer makes the same request
//! again and Stripe answers it once.

pub mod gateway;
pub mod keys;
pub mod webhook;

pub use gateway::{Gateway, GatewayError, IntentAnswer, NewIntent, RefundAnswer, Stripe};
pub use keys::StripeKeys;
pub use webhook::{StripeEvent, WebhookError, verify};
