//! What the payment functions share: the problems of calling the payment provider,
//! and writing a booking's ledger.

use crate::App;
use cm_core::BookingId;
use cm_http::Problem;
use cm_payments::Ledger;
use cm_store::{PaymentReader, PaymentWriter, StoreError};

/// The provider did not answer (or failed on its side). Every call carries an
/// idempotency key, so retrying the same request cannot charge twice.
pub fn provider_unavailable() -> Problem {
    Problem::new(
        503,
        "payment-provider-unavailable",
        "Payment provider unavailable",
        "the payment provider did not answer; nothing was charged twice — retry in a moment",
    )
    .with_header("retry-after", "5".to_string())
}

/// The provider refused a request of ours: our fault, never the client's; logged.
pub fn provider_error() -> Problem {
    Problem::new(
        502,
        "payment-provider-error",
        "Payment provider error",
        "the payment provider refused the request; it has been logged",
    )
}

/// The card was declined (`code` is the provider's decline code).
pub fn declined(code: &str, message: &str) -> Problem {
    Problem::new(402, "payment-declined", "Payment declined", message.to_string())
        .with_extension("decline_code", serde_json::Value::String(code.to_string()))
}

/// How [`update_ledger`] ended.
#[derive(Debug)]
pub enum LedgerUpdate {
    /// The change was written; the ledger as saved.
    Saved(Ledger),
    /// The ledger already said what the change says; as read.
    Unchanged(Ledger),
    /// The booking has no ledger.
    Missing,
}

/// Compare-and-set attempts before giving up: each lost race means someone else (a
/// webhook, settlement, a balance run) wrote the same ledger meanwhile.
const LEDGER_ATTEMPTS: usize = 5;

/// Applies `change` to a booking's ledger and writes it with compare-and-set, starting
/// from `read` when the caller has just read it. On a lost race the ledger is read again
/// and the change applied to the fresher copy: every ledger change is monotone (reports
/// only raise statuses and amounts, additions are idempotent by id), so applying it on
/// top of whatever was written meanwhile is always right.
pub async fn update_ledger<S: PaymentReader + PaymentWriter>(
    app: &App<S>,
    booking: BookingId,
    read: Option<Ledger>,
    change: impl Fn(&mut Ledger),
) -> Result<LedgerUpdate, StoreError> {
    let mut current = read;
    for _ in 0..LEDGER_ATTEMPTS {
        let ledger = match current.take() {
            Some(l) => l,
            None => match app.store.get_ledger(booking).await? {
                Some(l) => l,
                None => return Ok(LedgerUpdate::Missing),
            },
        };
        let Some(next) = ledger.changed(app.now(), &change) else { return Ok(LedgerUpdate::Unchanged(ledger)) };
        if app.store.save_ledger(&ledger, &next).await? {
            // Counted here, on the write that made them, so a status is counted once
            // per intent whichever writer (Stripe's answer or its webhook) records it.
            for status in next.statuses_reached_since(&ledger) {
                cm_metrics::count("Payments", "Outcome", status.as_str());
            }
            return Ok(LedgerUpdate::Saved(next));
        }
    }
    Err(StoreError::Contended(format!("the payment ledger of booking {booking} kept changing")))
}
