//! Scheduled (EventBridge, daily): charges each confirmed booking's balance when it falls
//! due (the terms' days before the session), off-session, with the card the client
//! saved when paying the deposit.
//!
//! - One balance intent per booking: the first run creates it (confirmed at once);
//!   later runs confirm that same intent again, so a client who pays it themselves at
//!   the same moment (`POST /bookings/{id}/payments` hands out the same intent) can
//!   never be charged twice. Each call's idempotency key names the intent and the try.
//! - A decline or a bank asking for authentication is recorded on the ledger (the
//!   booking's page shows it, and the client is told); the run tries again the next
//!   day, `MAX_BALANCE_ATTEMPTS` times in all, then leaves it to the client.
//! - A booking no longer confirmed is not charged (a cancellation's refund is
//!   settle-payments' work), and leaves the work list.
//! - Stripe unavailable: the booking stays on the list for the next run.
//! - A balance falling due within `BALANCE_REMINDER` (three days) is not charged yet:
//!   the ledger records that the client is being told (once), and notify-booking-change
//!   emails them from the ledger's stream record.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use cm_app::App;
use cm_app::payments::update_ledger;
use cm_booking::BookingStatus;
use cm_core::BookingId;
use cm_payments::Ledger;
use cm_payments::currency::CurrencyRules;
use cm_payments::events::BALANCE_REMINDER;
use cm_payments::ledger::{Intent, IntentReport, IntentStatus, PaymentKind};
use cm_store::{BalancesDue, BookingReader, PaymentReader, PaymentWriter, StoreError};
use cm_stripe::{GatewayError, IntentAnswer, NewIntent, Stripe};
use lambda_runtime::LambdaEvent;
use serde::Serialize;
use std::collections::HashMap;

/// Ledgers read per page, and pages per run (the next day's run continues).
const BATCH: usize = 100;
const MAX_PAGES: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} balance charge(s) were refused by Stripe for a reason a retry cannot fix; see the log")]
    Failed(usize),
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub charged: usize,
    /// Falling due within the reminder window: the client was told it will be charged.
    pub reminded: usize,
    /// Declined or needing the client's authentication: recorded, tried again tomorrow.
    pub declined: usize,
    /// No longer confirmed, or nothing left to charge: taken off the list.
    pub dropped: usize,
    /// Stripe unavailable: left on the list.
    pub deferred: usize,
    pub failed: usize,
}

pub struct Charger<S> {
    pub app: App<S>,
    pub stripe: Stripe,
}

enum Charged {
    Paid(IntentAnswer),
    Declined(IntentAnswer),
}

impl<S: BalancesDue + BookingReader + PaymentReader + PaymentWriter> Charger<S> {
    pub async fn handle(
        &self,
        event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
    ) -> Result<Summary, lambda_runtime::Error> {
        // The scheduled time: a late or retried run charges what was due then.
        let now = self.app.now();
        let due_at = event.payload.time.map_or(now, |t| t.min(now));
        let summary = self.charge_due(due_at).await?;
        tracing::info!(
            charged = summary.charged,
            reminded = summary.reminded,
            declined = summary.declined,
            dropped = summary.dropped,
            deferred = summary.deferred,
            failed = summary.failed,
            "balance run"
        );
        if summary.failed > 0 {
            return Err(Error::Failed(summary.failed).into());
        }
        Ok(summary)
    }

    pub async fn charge_due(&self, due_at: DateTime<Utc>) -> Result<Summary, Error> {
        self.charge_due_in_pages(due_at, BATCH).await
    }

    /// [`Self::charge_due`] reading `batch` ledgers a page (tests page with small ones).
    pub async fn charge_due_in_pages(&self, due_at: DateTime<Utc>, batch: usize) -> Result<Summary, Error> {
        let mut summary = Summary::default();
        // Soonest first, resuming after the last page: an entry this run declined or
        // reminded keeps its place in the index, so it is never met twice in one run.
        let mut after = None;
        for _ in 0..MAX_PAGES {
            let page = self.app.store.balances_due(due_at + BALANCE_REMINDER, batch, after.as_ref()).await?;
            for id in page.items {
                self.charge(id, due_at, &mut summary).await?;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(summary)
    }

    async fn charge(&self, id: BookingId, due_at: DateTime<Utc>, summary: &mut Summary) -> Result<(), Error> {
        let Some(ledger) = self.app.store.get_ledger(id).await? else { return Ok(()) };
        let confirmed = self.app.store.get_booking(id).await?.is_some_and(|b| b.status == BookingStatus::Confirmed);
        if !confirmed || !ledger.balance_pending() {
            // Off the list: the next save recomputes the index entry.
            self.update(ledger, |l| l.balance_due_at = None).await?;
            summary.dropped += 1;
            return Ok(());
        }
        if ledger.balance_due_at.is_some_and(|d| d > due_at) {
            if ledger.balance_reminder_due(due_at) {
                let now = self.app.now();
                self.update(ledger, |l| {
                    if l.balance_reminded_at.is_none() {
                        l.balance_reminded_at = Some(now);
                    }
                })
                .await?;
                summary.reminded += 1;
            }
            return Ok(());
        }
        let saved_card = ledger
            .intents
            .iter()
            .find(|i| i.kind == PaymentKind::Deposit && i.captured_minor > 0)
            .and_then(|i| i.payment_method.clone());
        let Some(card) = saved_card else {
            tracing::warn!(booking = %id, "no saved card for the balance; the client pays it themselves");
            self.update(ledger, |l| l.balance_attempts = cm_payments::terms::MAX_BALANCE_ATTEMPTS).await?;
            summary.declined += 1;
            return Ok(());
        };
        let try_no = ledger.balance_attempts + 1;
        let existing = ledger.live(PaymentKind::Balance).filter(|i| i.status != IntentStatus::Succeeded).cloned();
        let (kind_attempt, amount) = match &existing {
            Some(i) => (i.attempt, i.amount_minor),
            None => (ledger.next_attempt(PaymentKind::Balance), ledger.due()),
        };
        let fee = ledger.terms.application_fee(amount);
        let result = match &existing {
            Some(i) => {
                let key = format!("balance-{}-try-{try_no}", i.id);
                self.stripe.gateway.confirm_off_session(&i.id, &card, &key).await
            }
            None => {
                let Some(rules) = CurrencyRules::of(ledger.schedule.total.currency.as_str()) else { return Ok(()) };
                let metadata = HashMap::from([
                    ("booking_id".to_string(), id.to_string()),
                    ("kind".to_string(), "balance".to_string()),
                    ("attempt".to_string(), kind_attempt.to_string()),
                ]);
                self.stripe
                    .gateway
                    .create_intent(&NewIntent {
                        amount_minor: amount,
                        currency: rules.stripe_code(),
                        customer: &ledger.customer,
                        destination: &ledger.destination,
                        application_fee_minor: fee,
                        manual_capture: false,
                        save_card: false,
                        off_session_with: Some(&card),
                        description: format!("Capture Moments booking {id} (balance)"),
                        metadata,
                        idempotency_key: format!("pi-{id}-balance-{kind_attempt}"),
                    })
                    .await
            }
        };
        let outcome = match result {
            Ok(answer) => Charged::Paid(answer),
            Err(GatewayError::Declined { intent: Some(answer), .. }) => Charged::Declined(*answer),
            Err(GatewayError::Declined { code, intent: None, .. }) => {
                tracing::warn!(booking = %id, %code, "balance declined without an intent in the answer");
                self.update(ledger, |l| l.balance_attempts += 1).await?;
                summary.declined += 1;
                return Ok(());
            }
            Err(GatewayError::Unavailable(e)) => {
                tracing::warn!(booking = %id, error = %e, "Stripe unavailable; the balance waits for the next run");
                summary.deferred += 1;
                return Ok(());
            }
            Err(e @ GatewayError::Rejected { .. }) => {
                tracing::error!(booking = %id, error = %e, "balance charge refused by Stripe");
                summary.failed += 1;
                return Ok(());
            }
        };
        let now = self.app.now().timestamp();
        let (answer, declined) = match &outcome {
            Charged::Paid(a) => (a, false),
            Charged::Declined(a) => (a, true),
        };
        let mut report: IntentReport = answer.report.clone();
        report.at = now;
        if declined && report.failure.is_none() {
            report.failure = Some("declined".into());
        }
        let intent = Intent::created(PaymentKind::Balance, kind_attempt, answer.amount_minor, fee, &report);
        self.update(ledger, |l| {
            l.add_intent(intent.clone());
            l.report(&report);
            l.balance_attempts = try_no;
        })
        .await?;
        if declined {
            summary.declined += 1;
        } else {
            summary.charged += 1;
        }
        Ok(())
    }

    async fn update(&self, ledger: Ledger, change: impl Fn(&mut Ledger)) -> Result<(), Error> {
        update_ledger(&self.app, ledger.booking_id, Some(ledger), change).await?;
        Ok(())
    }
}
