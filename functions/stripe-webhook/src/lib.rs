//! `POST /webhooks/stripe`: Stripe tells us what happened to payments, refunds,
//! disputes and connected accounts.
//!
//! - The `Stripe-Signature` is verified before anything is read (HMAC-SHA256 of
//!   `t.payload`, any `v1` may match, timestamp within five minutes of our clock, each
//!   signing secret tried while one is rolled); a bad or stale signature is a 400 and
//!   changes nothing.
//! - Delivery is at least once, late, out of order and sometimes concurrent. Every
//!   change is monotone (`cm_payments::ledger`: an intent's status only rises, amounts
//!   only grow to the largest reported, disputes close for good; a payout account keeps
//!   the newest `account.updated`), written with compare-and-set on the ledger's
//!   version. Applying an event twice, or two events in either order, ends the same.
//!   A processed event id is remembered (a claim) so a redelivery is answered at once.
//! - Money that must move next (a capture when an authorisation arrives after the
//!   photographer confirmed) is left to settle-payments: an intent event asks for a
//!   settlement.
//! - A dispute opened against a booking's payment flags the ledger (`disputed`) and
//!   alerts the admins on their SNS topic, once per dispute.
//! - Unknown event types are acknowledged (200) and ignored.

use cm_app::App;
use cm_app::payments::{LedgerUpdate, update_ledger};
use cm_core::{BookingId, UserId};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_payments::ledger::{Intent, PaymentKind};
use cm_payments::{Ledger, PayoutAccount};
use cm_store::claims::Claim;
use cm_store::{Claims, PaymentReader, PaymentWriter, SettleRequests, StoreError};
use cm_stripe::webhook::{StripeEvent, Verified, WebhookError, verify};
use cm_stripe::{IntentAnswer, StripeKeys};
use serde::Serialize;

/// Stripe's events are a few kilobytes; this bounds what an unsigned sender can make us
/// hash.
const MAX_EVENT_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Signature(#[from] WebhookError),
    #[error("the ledger kept changing while the event was applied")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Signature(WebhookError::NoSecret) => Problem::internal(),
            Error::Signature(e @ WebhookError::Unreadable(_)) => {
                Problem::new(400, "webhook-unreadable", "Unreadable event", e.to_string())
            }
            Error::Signature(e) => Problem::new(400, "webhook-signature", "Invalid signature", e.to_string()),
            Error::Contended => cm_app::busy(),
            Error::Store(e) => cm_app::store_problem(e),
        }
    }
}

#[derive(Serialize)]
struct Receipt<'a> {
    received: bool,
    event: &'a str,
    /// `applied`, `unchanged`, `duplicate` (already processed) or `ignored`.
    outcome: &'static str,
}

/// How long one delivery holds an event while applying it (a completed event is
/// remembered for a week, past Stripe's three days of retries).
const LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// What the function holds besides the table: the signing secrets and where admin
/// alerts go.
pub struct Webhook {
    pub keys: StripeKeys,
    pub sns: aws_sdk_sns::Client,
    /// `ADMIN_ALERTS_TOPIC_ARN`.
    pub alerts_topic: String,
}

pub async fn handle<S: PaymentReader + PaymentWriter + SettleRequests + Claims>(
    app: &App<S>,
    hook: &Webhook,
    req: Request,
) -> Result<Response<Body>, Error> {
    let keys = &hook.keys;
    let signature = req.headers().get("stripe-signature").and_then(|v| v.to_str().ok());
    let payload = cm_http::raw_text(&req, MAX_EVENT_BYTES)?;
    let now = app.now();
    let event = verify(payload, signature, &keys.webhook_secrets, now.timestamp())?;
    let claim = format!("stripe-event:{}", event.id);
    let acquired = match app.store.claim(&claim, LEASE, now).await? {
        Claim::AlreadyDone => return Ok(receipt(&event, "duplicate")),
        Claim::Acquired => true,
        // Another delivery of the same event is being applied right now. Applying it
        // here too is harmless (every change is monotone); only the first marks it done.
        Claim::Busy { .. } => false,
    };
    match apply(app, hook, &event).await {
        Ok(outcome) => {
            if acquired {
                app.store.complete(&claim, app.now()).await?;
            }
            Ok(receipt(&event, outcome))
        }
        Err(e) => {
            if acquired {
                let _ = app.store.release(&claim).await;
            }
            Err(e)
        }
    }
}

fn receipt(event: &Verified, outcome: &'static str) -> Response<Body> {
    cm_http::ok(&Receipt { received: true, event: &event.id, outcome })
}

async fn apply<S: PaymentReader + PaymentWriter + SettleRequests + Claims>(
    app: &App<S>,
    hook: &Webhook,
    event: &Verified,
) -> Result<&'static str, Error> {
    match &event.event {
        StripeEvent::Intent(answer) => {
            let report = &answer.report;
            let metadata_booking = answer.metadata.get("booking_id").map(String::as_str);
            let Some(booking) = booking_of(app, &report.id, metadata_booking).await? else {
                tracing::warn!(event = %event.id, intent = %report.id, "intent of no booking here; ignored");
                return Ok("ignored");
            };
            let changed = change_ledger(app, booking, |l| {
                if l.intent(&report.id).is_none()
                    && let Some(intent) = intent_from_answer(answer)
                {
                    // The webhook can overtake the answer that created the intent.
                    l.add_intent(intent);
                }
                l.report(report);
            })
            .await?;
            if changed {
                // The status an intent reaches is counted where the ledger is saved
                // (cm_app::payments::update_ledger), by whichever writer records it.
                app.store.request_settlement(booking, app.now()).await?;
            }
            Ok(if changed { "applied" } else { "unchanged" })
        }
        StripeEvent::Refunded { intent, amount_refunded } => {
            let Some(booking) = booking_of(app, intent, None).await? else { return Ok("ignored") };
            let changed = change_ledger(app, booking, |l| {
                l.report_refunded(intent, *amount_refunded);
            })
            .await?;
            if changed {
                cm_metrics::count("Payments", "Outcome", "refunded");
            }
            Ok(if changed { "applied" } else { "unchanged" })
        }
        StripeEvent::Dispute(dispute) => {
            let Some(booking) = booking_of(app, &dispute.intent, None).await? else { return Ok("ignored") };
            let changed = change_ledger(app, booking, |l| {
                l.report_dispute(dispute.clone());
            })
            .await?;
            if dispute.open {
                alert_dispute(app, hook, booking, dispute).await?;
            }
            if changed && dispute.open {
                cm_metrics::count("Payments", "Outcome", "disputed");
            }
            Ok(if changed { "applied" } else { "unchanged" })
        }
        StripeEvent::Account { account, status, user, at } => {
            let owner = match app.store.stripe_owner(account).await? {
                Some(o) => Some(o),
                None => user.clone(),
            };
            let Some(photographer) = owner.and_then(|o| o.parse::<UserId>().ok()) else {
                tracing::warn!(event = %event.id, %account, "account of no photographer here; ignored");
                return Ok("ignored");
            };
            let next = PayoutAccount { account: account.clone(), status: *status, status_at: *at };
            let changed = app.store.save_payout_account(photographer, &next).await?;
            Ok(if changed { "applied" } else { "unchanged" })
        }
        StripeEvent::Ignored { .. } => Ok("ignored"),
    }
}

/// Tells the admins about an open dispute, once per dispute whatever the redeliveries.
async fn alert_dispute<S: Claims>(
    app: &App<S>,
    hook: &Webhook,
    booking: BookingId,
    d: &cm_payments::ledger::Dispute,
) -> Result<(), Error> {
    let key = format!("alert:dispute:{}", d.id);
    let publish = || async {
        let message = serde_json::json!({
            "event": "payment_disputed",
            "booking_id": booking.to_string(),
            "dispute_id": d.id,
            "payment_intent": d.intent,
            "amount_minor": d.amount_minor,
            "status": d.status,
        });
        hook.sns
            .publish()
            .topic_arn(&hook.alerts_topic)
            .subject("Payment disputed")
            .message(message.to_string())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                StoreError::Unavailable(format!("SNS publish: {}", aws_sdk_sns::error::DisplayErrorContext(e)))
            })
    };
    match cm_store::claims::once(&app.store, app.clock.as_ref(), &key, LEASE, publish).await {
        Ok(_) => Ok(()),
        Err(cm_store::claims::OnceError::Store(e) | cm_store::claims::OnceError::Effect(e)) => Err(Error::Store(e)),
        // Sent, but not marked: at worst a late duplicate alert.
        Err(cm_store::claims::OnceError::NotRecorded { .. }) => Ok(()),
        // Another delivery is sending it right now and may yet fail: answer 503 so
        // Stripe retries this one, which then finds it sent (or sends it).
        Err(cm_store::claims::OnceError::Busy { .. }) => Err(Error::Contended),
    }
}

/// The booking an intent pays for: our own link first, then the intent's metadata
/// (when the event overtook the link).
async fn booking_of<S: PaymentReader>(
    app: &App<S>,
    intent: &str,
    metadata: Option<&str>,
) -> Result<Option<BookingId>, Error> {
    let owner = match app.store.stripe_owner(intent).await? {
        Some(o) => Some(o),
        None => metadata.map(str::to_string),
    };
    Ok(owner.and_then(|o| o.parse().ok()))
}

/// An intent we have not recorded yet, from the event's own data (its metadata names
/// the kind and attempt we created it with).
fn intent_from_answer(answer: &IntentAnswer) -> Option<Intent> {
    let kind = PaymentKind::parse(answer.metadata.get("kind")?)?;
    let attempt = answer.metadata.get("attempt")?.parse().ok()?;
    Some(Intent::created(kind, attempt, answer.amount_minor, answer.fee_minor, &answer.report))
}

/// Applies `change` to the booking's ledger: `true` when it changed and was written,
/// `false` when there is no ledger or it already said so.
async fn change_ledger<S: PaymentReader + PaymentWriter>(
    app: &App<S>,
    booking: BookingId,
    change: impl Fn(&mut Ledger),
) -> Result<bool, Error> {
    Ok(matches!(update_ledger(app, booking, None, change).await?, LedgerUpdate::Saved(_)))
}
