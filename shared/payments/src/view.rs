//! A booking's payments as its parties see them: the terms and quote on every booking,
//! and where the money stands when the ledger is read (the booking's own page).

use crate::ledger::{IntentStatus, Ledger, PaymentKind, PaymentState};
use crate::policy::Tier;
use crate::terms::PaymentTerms;
use chrono::{DateTime, SecondsFormat, Utc};
use cm_core::money::Money;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    pub deposit_percent: u8,
    /// Paid when the booking is requested (authorised, captured on confirmation).
    /// Absent when the price's currency cannot be charged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposit_minor: Option<i64>,
    /// Charged `balance_due_days` before the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_minor: Option<i64>,
    pub balance_due_days: u32,
    pub cancellation_policy: Vec<Tier>,
    /// The rest only where the ledger was read (a single booking's page).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<PaymentState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorized_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_due_at: Option<String>,
    /// Why the last charge failed (e.g. `card_declined`), while it is the latest word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl PaymentTerms {
    /// The quote alone: what every listing of the booking shows.
    pub fn view(&self, price: &Money) -> PaymentView {
        let schedule = self.schedule(price).ok();
        PaymentView {
            deposit_percent: self.deposit_percent,
            deposit_minor: schedule.as_ref().map(|s| s.deposit_minor),
            balance_minor: schedule.as_ref().map(|s| s.balance_minor),
            balance_due_days: self.balance_due_days,
            cancellation_policy: self.cancellation_policy.tiers().to_vec(),
            state: None,
            authorized_minor: None,
            paid_minor: None,
            refunded_minor: None,
            due_minor: None,
            balance_due_at: None,
            last_failure: None,
        }
    }

    /// The quote and where the money stands; `ledger` is `None` before any payment.
    pub fn view_with(&self, price: &Money, ledger: Option<&Ledger>) -> PaymentView {
        let mut v = self.view(price);
        let Some(l) = ledger else {
            v.state = Some(PaymentState::Unpaid);
            v.authorized_minor = Some(0);
            v.paid_minor = Some(0);
            v.refunded_minor = Some(0);
            v.due_minor = Some(price.amount_minor);
            return v;
        };
        v.state = Some(l.state());
        v.authorized_minor =
            Some(l.intents.iter().filter(|i| i.status == IntentStatus::Authorized).map(|i| i.amount_minor).sum());
        v.paid_minor = Some(l.captured());
        v.refunded_minor = Some(l.refunded());
        v.due_minor = Some(l.due());
        v.balance_due_at = l.balance_due_at.filter(|_| l.schedule.balance_minor > 0).map(rfc3339);
        v.last_failure = l.intents.last().filter(|i| i.status == IntentStatus::Failed).and_then(|i| i.failure.clone());
        v
    }
}

/// One charge of a booking, in a payment history.
#[derive(Debug, Clone, Serialize)]
pub struct ChargeView {
    pub kind: PaymentKind,
    pub status: IntentStatus,
    pub amount_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
}

/// A booking's payments in a history: the client sees what they paid and got back; the
/// photographer also what the platform kept and what they earned; admins everything.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerView {
    pub booking_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photographer_id: Option<String>,
    pub currency: String,
    pub state: PaymentState,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub refunded_minor: i64,
    pub due_minor: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_fee_minor: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earnings_minor: Option<i64>,
    pub charges: Vec<ChargeView>,
    pub created_at: String,
    pub updated_at: String,
}

/// Who reads a payment history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Client,
    Photographer,
    Admin,
}

impl Ledger {
    pub fn history_view(&self, reader: Reader) -> LedgerView {
        let earnings = self.earnings();
        let kept = self.captured() - self.refunded();
        let sees_money_split = reader != Reader::Client;
        LedgerView {
            booking_id: self.booking_id.to_string(),
            client_id: (reader != Reader::Client).then(|| self.client_id.to_string()),
            photographer_id: (reader != Reader::Photographer).then(|| self.photographer_id.to_string()),
            currency: self.schedule.total.currency.as_str().to_string(),
            state: self.state(),
            total_minor: self.schedule.total.amount_minor,
            paid_minor: self.captured(),
            refunded_minor: self.refunded(),
            due_minor: self.due(),
            platform_fee_minor: sees_money_split.then(|| (kept - earnings).max(0)),
            earnings_minor: sees_money_split.then_some(earnings),
            charges: self
                .intents
                .iter()
                .map(|i| ChargeView {
                    kind: i.kind,
                    status: i.status,
                    amount_minor: i.amount_minor,
                    captured_minor: i.captured_minor,
                    refunded_minor: i.refunded_minor,
                })
                .collect(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        }
    }
}
