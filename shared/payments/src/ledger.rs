//! A booking's payments: each PaymentIntent it has had, what each authorised, captured
//! and refunded, and the disputes against them. Stripe tells us about changes by
//! webhooks that may arrive twice, late, out of order or at the same time; every update
//! here is monotone (an intent's status only moves up its ranks, amounts only grow to
//! the largest value reported), so applying any set of events in any order ends in the
//! same ledger. The booking's payment state is derived from it, never stored apart.

use crate::terms::{PaymentTerms, Schedule};
use chrono::{DateTime, Utc};
use cm_core::{BookingId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// The share paid when the booking is requested; authorised then, captured when
    /// the photographer confirms.
    Deposit,
    /// The rest, charged before the session.
    Balance,
    /// Everything at once, authorised at request like a deposit.
    Full,
}

impl PaymentKind {
    pub const ALL: [PaymentKind; 3] = [Self::Deposit, Self::Balance, Self::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Balance => "balance",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for PaymentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one PaymentIntent stands, in ranks that only go up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    /// Waiting for the client's card (or a new one after a failure, or 3-D Secure).
    Open,
    /// The last attempt failed; the client may try again with the same intent.
    Failed,
    /// Authorised and held on the card, waiting to be captured.
    Authorized,
    /// Money taken.
    Succeeded,
    /// Cancelled: any hold released, nothing taken.
    Canceled,
}

impl IntentStatus {
    fn rank(self) -> u8 {
        match self {
            Self::Open | Self::Failed => 0,
            Self::Authorized => 1,
            Self::Succeeded | Self::Canceled => 2,
        }
    }

    /// The serialized name (`authorized`, `succeeded`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Failed => "failed",
            Self::Authorized => "authorized",
            Self::Succeeded => "succeeded",
            Self::Canceled => "canceled",
        }
    }

    /// Stripe's PaymentIntent status, as our ranks see it.
    pub fn from_stripe(status: &str, has_error: bool) -> Option<IntentStatus> {
        Some(match status {
            "requires_payment_method" if has_error => Self::Failed,
            "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" => Self::Open,
            "requires_capture" => Self::Authorized,
            "succeeded" => Self::Succeeded,
            "canceled" => Self::Canceled,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// Stripe's `pi_…` id.
    pub id: String,
    pub kind: PaymentKind,
    /// The n-th intent of this kind for the booking (part of its idempotency key).
    pub attempt: u32,
    pub status: IntentStatus,
    /// Stripe's `created` of the event (or answer) that set `status`; ties in rank are
    /// settled by the later one.
    pub status_at: i64,
    pub amount_minor: i64,
    /// The platform's commission on this intent.
    pub fee_minor: i64,
    pub captured_minor: i64,
    pub refunded_minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Whether the client's card was kept for an off-session balance charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge: Option<String>,
}

/// What Stripe says about an intent now (from a webhook or an API answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentReport {
    pub id: String,
    pub status: IntentStatus,
    pub at: i64,
    pub captured_minor: i64,
    pub failure: Option<String>,
    pub payment_method: Option<String>,
    pub charge: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// Stripe's `re_…` id.
    pub id: String,
    pub intent: String,
    pub amount_minor: i64,
    pub reason: RefundReason,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The client cancelled: the frozen policy's tier decided the amount.
    ClientCancelled,
    /// The photographer cancelled or declined, or an admin cancelled: everything back.
    NotTheClients,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    pub id: String,
    pub intent: String,
    pub amount_minor: i64,
    /// Stripe's dispute status (`needs_response`, `won`, `lost`, …).
    pub status: String,
    pub open: bool,
    pub at: i64,
}

/// The derived payment state of a booking, in the order it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Unpaid,
    Failed,
    Authorized,
    /// The authorisation was released (the booking was declined, expired or cancelled
    /// before anything was taken).
    Released,
    DepositPaid,
    Paid,
    PartiallyRefunded,
    Refunded,
    Disputed,
}

impl PaymentState {
    pub const ALL: [PaymentState; 9] = [
        Self::Unpaid,
        Self::Failed,
        Self::Authorized,
        Self::Released,
        Self::DepositPaid,
        Self::Paid,
        Self::PartiallyRefunded,
        Self::Refunded,
        Self::Disputed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unpaid => "unpaid",
            Self::Failed => "failed",
            Self::Authorized => "authorized",
            Self::Released => "released",
            Self::DepositPaid => "deposit_paid",
            Self::Paid => "paid",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Disputed => "disputed",
        }
    }
}

/// One booking's payments. Stored beside the booking; `version` guards every write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub booking_id: BookingId,
    pub client_id: UserId,
    pub photographer_id: UserId,
    pub terms: PaymentTerms,
    pub schedule: Schedule,
    /// The photographer's connected account the money goes to.
    pub destination: String,
    /// The client's Stripe customer (keeps the card for the balance).
    pub customer: String,
    pub intents: Vec<Intent>,
    #[serde(default)]
    pub refunds: Vec<Refund>,
    #[serde(default)]
    pub disputes: Vec<Dispute>,
    /// When the balance falls due (start minus the terms' days); `None` when there is
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_due_at: Option<DateTime<Utc>>,
    /// Off-session balance charges tried so far.
    #[serde(default)]
    pub balance_attempts: u32,
    /// When the client was told the balance will be charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_reminded_at: Option<DateTime<Utc>>,
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an update changed, so the caller writes only when something did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Changed,
    Unchanged,
}

impl Intent {
    /// A new intent as Stripe answered its creation.
    pub fn created(kind: PaymentKind, attempt: u32, amount_minor: i64, fee_minor: i64, r: &IntentReport) -> Intent {
        Intent {
            id: r.id.clone(),
            kind,
            attempt,
            status: r.status,
            status_at: r.at,
            amount_minor,
            fee_minor,
            captured_minor: r.captured_minor.min(amount_minor),
            refunded_minor: 0,
            failure: r.failure.clone(),
            payment_method: r.payment_method.clone(),
            charge: r.charge.clone(),
        }
    }
}

impl Ledger {
    /// The ledger of a booking's first payment. The balance falls due the terms' days
    /// before the session starts.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        booking_id: BookingId,
        client_id: UserId,
        photographer_id: UserId,
        terms: PaymentTerms,
        schedule: Schedule,
        destination: String,
        customer: String,
        start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Ledger {
        let balance_due_at =
            (schedule.balance_minor > 0).then(|| start - chrono::TimeDelta::days(i64::from(terms.balance_due_days)));
        Ledger {
            booking_id,
            client_id,
            photographer_id,
            terms,
            schedule,
            destination,
            customer,
            intents: vec![],
            refunds: vec![],
            disputes: vec![],
            balance_due_at,
            balance_attempts: 0,
            balance_reminded_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// The next version of this ledger, changed by `change` at `now`; `None` when the
    /// change changed nothing (nothing to write).
    pub fn changed(&self, now: DateTime<Utc>, change: impl FnOnce(&mut Ledger)) -> Option<Ledger> {
        let mut next = self.clone();
        change(&mut next);
        if next == *self {
            return None;
        }
        next.version = self.version + 1;
        next.updated_at = now;
        Some(next)
    }

    /// Whether money is held on the card or taken: from then on the amounts are fixed.
    pub fn money_moved(&self) -> bool {
        self.intents.iter().any(|i| i.status == IntentStatus::Authorized || i.captured_minor > 0)
    }

    /// Follows a booking that moved or changed price (a reschedule): the balance falls
    /// due the terms' days before the new start (a new date is a new reminder), and
    /// while no money is held or taken, the schedule is quoted again at the new price.
    /// A price change after money moved is refused before it reaches the booking.
    pub fn follow_booking(&mut self, start: DateTime<Utc>, price: &cm_core::money::Money) {
        if !self.money_moved()
            && *price != self.schedule.total
            && let Ok(schedule) = self.terms.schedule(price)
        {
            self.schedule = schedule;
        }
        let due = (self.schedule.balance_minor > 0)
            .then(|| start - chrono::TimeDelta::days(i64::from(self.terms.balance_due_days)));
        if due != self.balance_due_at {
            if self.balance_due_at.is_some() && due.is_some() {
                self.balance_reminded_at = None;
            }
            self.balance_due_at = due;
        }
    }

    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.id == id)
    }

    /// The statuses this ledger's intents reached since `before` (an earlier version of
    /// it): one per intent that is new here or stands at another status. Whoever saves a
    /// ledger over `before` (an answer from Stripe or its webhook, whichever is first)
    /// records each move, so counting them where a ledger is saved counts each once.
    pub fn statuses_reached_since(&self, before: &Ledger) -> Vec<IntentStatus> {
        self.intents
            .iter()
            .filter(|i| before.intent(&i.id).is_none_or(|b| b.status != i.status))
            .map(|i| i.status)
            .collect()
    }

    /// The live intent of a kind: the newest that is not cancelled.
    pub fn live(&self, kind: PaymentKind) -> Option<&Intent> {
        self.intents.iter().rev().find(|i| i.kind == kind && i.status != IntentStatus::Canceled)
    }

    /// The attempt number a new intent of `kind` gets.
    pub fn next_attempt(&self, kind: PaymentKind) -> u32 {
        self.intents.iter().filter(|i| i.kind == kind).map(|i| i.attempt).max().map_or(1, |a| a + 1)
    }

    pub fn captured(&self) -> i64 {
        self.intents.iter().map(|i| i.captured_minor).sum()
    }

    pub fn refunded(&self) -> i64 {
        self.intents.iter().map(|i| i.refunded_minor).sum()
    }

    /// Still owed: the total less what was captured (refunds do not make it owed again).
    pub fn due(&self) -> i64 {
        (self.schedule.total.amount_minor - self.captured()).max(0)
    }

    /// What the photographer keeps so far: captured less refunded, less the platform's
    /// share of what it kept.
    pub fn earnings(&self) -> i64 {
        self.intents
            .iter()
            .map(|i| {
                let kept = (i.captured_minor - i.refunded_minor).max(0);
                let fee_back = crate::terms::fee_refund(i.captured_minor, i.fee_minor, 0, i.refunded_minor);
                kept - (i.fee_minor - fee_back).max(0).min(kept)
            })
            .sum()
    }

    pub fn state(&self) -> PaymentState {
        if self.disputes.iter().any(|d| d.open) {
            return PaymentState::Disputed;
        }
        let (captured, refunded) = (self.captured(), self.refunded());
        if captured > 0 && refunded >= captured {
            return PaymentState::Refunded;
        }
        if refunded > 0 {
            return PaymentState::PartiallyRefunded;
        }
        if captured > 0 && captured >= self.schedule.total.amount_minor {
            return PaymentState::Paid;
        }
        if captured > 0 {
            return PaymentState::DepositPaid;
        }
        if self.intents.iter().any(|i| i.status == IntentStatus::Authorized) {
            return PaymentState::Authorized;
        }
        match self.intents.last().map(|i| i.status) {
            Some(IntentStatus::Failed) => PaymentState::Failed,
            Some(IntentStatus::Canceled)
                if self.intents.iter().all(|i| i.status == IntentStatus::Canceled)
                    && self.intents.iter().any(|i| i.kind != PaymentKind::Balance) =>
            {
                PaymentState::Released
            }
            _ => PaymentState::Unpaid,
        }
    }

    /// Adds a new intent just created at Stripe. Idempotent: the same id twice is one.
    pub fn add_intent(&mut self, intent: Intent) -> Applied {
        if self.intent(&intent.id).is_some() {
            return Applied::Unchanged;
        }
        self.intents.push(intent);
        Applied::Changed
    }

    /// Applies what Stripe reports about an intent: its status moves only up its ranks,
    /// and captured only grows. Only the first rank holds statuses that alternate (a
    /// failed attempt, then another try), so there a later report wins; above it a
    /// status once reached stays as recorded, and a report of it again (the webhook
    /// after our own call's answer, whatever their clocks say) changes nothing, so it
    /// neither queues settlement again nor counts the status twice.
    pub fn report(&mut self, r: &IntentReport) -> Applied {
        let Some(i) = self.intents.iter_mut().find(|i| i.id == r.id) else { return Applied::Unchanged };
        let before = i.clone();
        let (old, new) = (i.status.rank(), r.status.rank());
        if new > old || (new == 0 && old == 0 && r.at >= i.status_at) {
            i.status = r.status;
            i.status_at = r.at;
            i.failure = if r.status == IntentStatus::Failed { r.failure.clone() } else { None };
        }
        i.captured_minor = i.captured_minor.max(r.captured_minor).min(i.amount_minor);
        if r.payment_method.is_some() && i.payment_method.is_none() {
            i.payment_method.clone_from(&r.payment_method);
        }
        if r.charge.is_some() && i.charge.is_none() {
            i.charge.clone_from(&r.charge);
        }
        if *i == before { Applied::Unchanged } else { Applied::Changed }
    }

    /// A charge's `amount_refunded` as Stripe reports it: the largest report wins.
    pub fn report_refunded(&mut self, intent: &str, amount_refunded: i64) -> Applied {
        let Some(i) = self.intents.iter_mut().find(|i| i.id == intent) else { return Applied::Unchanged };
        let next = i.refunded_minor.max(amount_refunded).min(i.captured_minor.max(amount_refunded));
        if next == i.refunded_minor {
            return Applied::Unchanged;
        }
        i.refunded_minor = next;
        Applied::Changed
    }

    /// A refund we made (from Stripe's answer). Idempotent by refund id.
    pub fn add_refund(&mut self, refund: Refund) -> Applied {
        if self.refunds.iter().any(|r| r.id == refund.id) {
            return Applied::Unchanged;
        }
        let intent = refund.intent.clone();
        let total: i64 = self.refunds.iter().filter(|r| r.intent == intent).map(|r| r.amount_minor).sum::<i64>()
            + refund.amount_minor;
        self.refunds.push(refund);
        self.report_refunded(&intent, total);
        Applied::Changed
    }

    /// A dispute opened or changed. Closed disputes stay closed, whatever arrives late.
    pub fn report_dispute(&mut self, d: Dispute) -> Applied {
        match self.disputes.iter_mut().find(|x| x.id == d.id) {
            None => {
                self.disputes.push(d);
                Applied::Changed
            }
            Some(x) if x.open && (!d.open || d.at >= x.at) && *x != d => {
                *x = d;
                Applied::Changed
            }
            Some(_) => Applied::Unchanged,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::terms::PaymentTerms;
    use proptest::prelude::*;

    /// The metric's outcome names are the stored names.
    #[test]
    fn intent_status_names_are_their_serialized_names() {
        use IntentStatus::*;
        for status in [Open, Failed, Authorized, Succeeded, Canceled] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }

    #[test]
    fn a_status_reported_again_changes_nothing_above_the_first_rank() {
        use IntentStatus::*;
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        // Our capture's answer, stamped with our clock; then Stripe's event, a second on.
        let answered = IntentReport { charge: Some("ch_1".into()), ..report("pi_d", Succeeded, 20, 30_000) };
        assert_eq!(l.report(&answered), Applied::Changed);
        assert_eq!(l.report(&IntentReport { at: 21, ..answered.clone() }), Applied::Unchanged);
        let mut held = ledger(100_000);
        held.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        held.report(&report("pi_d", Authorized, 10, 0));
        assert_eq!(held.report(&report("pi_d", Authorized, 12, 0)), Applied::Unchanged);
        // In the first rank the later report still wins: a failure, then a new try.
        let mut open = ledger(100_000);
        open.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        open.report(&IntentReport { failure: Some("card_declined".into()), ..report("pi_d", Failed, 5, 0) });
        assert_eq!(open.report(&report("pi_d", Open, 8, 0)), Applied::Changed);
        assert_eq!(open.report(&report("pi_d", Failed, 5, 0)), Applied::Unchanged, "the stale failure");
        assert_eq!(open.intents[0].status, Open);
    }

    #[test]
    fn each_status_an_intent_reaches_is_reached_once() {
        use IntentStatus::*;
        let mut l = ledger(100_000);
        let empty = l.clone();
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        assert_eq!(l.statuses_reached_since(&empty), vec![Open], "a new intent reaches its first status");
        let open = l.clone();
        l.report(&IntentReport { payment_method: Some("pm_1".into()), ..report("pi_d", Open, 5, 0) });
        assert_ne!(l, open, "the card was added");
        assert_eq!(l.statuses_reached_since(&open), vec![], "but the status did not move");
        let carded = l.clone();
        l.report(&report("pi_d", Authorized, 10, 0));
        l.report(&report("pi_d", Succeeded, 20, 30_000));
        assert_eq!(l.statuses_reached_since(&carded), vec![Succeeded], "only where it stands now");
        let paid = l.clone();
        l.report(&report("pi_d", Authorized, 30, 0));
        l.report(&report("pi_d", Succeeded, 40, 30_000));
        assert_eq!(l.statuses_reached_since(&paid), vec![], "a late or repeated report moves nothing");
        l.add_intent(intent("pi_b", PaymentKind::Balance, 70_000));
        l.report(&report("pi_b", Succeeded, 50, 70_000));
        assert_eq!(l.statuses_reached_since(&paid), vec![Succeeded], "one per intent");
    }

    pub fn ledger(total: i64) -> Ledger {
        let price = serde_json::from_value(serde_json::json!({"amount_minor": total, "currency": "INR"})).unwrap();
        let terms = PaymentTerms::default();
        let schedule = terms.schedule(&price).unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        Ledger {
            booking_id: BookingId::new(),
            client_id: UserId::new(),
            photographer_id: UserId::new(),
            terms,
            schedule,
            destination: "acct_1".into(),
            customer: "cus_1".into(),
            intents: vec![],
            refunds: vec![],
            disputes: vec![],
            balance_due_at: None,
            balance_attempts: 0,
            balance_reminded_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn intent(id: &str, kind: PaymentKind, amount: i64) -> Intent {
        Intent {
            id: id.into(),
            kind,
            attempt: 1,
            status: IntentStatus::Open,
            status_at: 0,
            amount_minor: amount,
            fee_minor: crate::terms::fee(amount, 1000),
            captured_minor: 0,
            refunded_minor: 0,
            failure: None,
            payment_method: None,
            charge: None,
        }
    }

    pub fn report(id: &str, status: IntentStatus, at: i64, captured: i64) -> IntentReport {
        IntentReport {
            id: id.into(),
            status,
            at,
            captured_minor: captured,
            failure: None,
            payment_method: None,
            charge: None,
        }
    }

    #[test]
    fn a_deposit_moves_from_unpaid_to_paid() {
        let mut l = ledger(100_000);
        assert_eq!(l.state(), PaymentState::Unpaid);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        l.report(&report("pi_d", IntentStatus::Authorized, 10, 0));
        assert_eq!(l.state(), PaymentState::Authorized);
        l.report(&report("pi_d", IntentStatus::Succeeded, 20, 30_000));
        assert_eq!(l.state(), PaymentState::DepositPaid);
        assert_eq!(l.due(), 70_000);
        l.add_intent(intent("pi_b", PaymentKind::Balance, 70_000));
        l.report(&report("pi_b", IntentStatus::Succeeded, 30, 70_000));
        assert_eq!(l.state(), PaymentState::Paid);
        assert_eq!(l.earnings(), 90_000);
    }

    #[test]
    fn a_late_authorisation_does_not_undo_a_capture() {
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        l.report(&report("pi_d", IntentStatus::Succeeded, 20, 30_000));
        assert_eq!(l.report(&report("pi_d", IntentStatus::Authorized, 10, 0)), Applied::Unchanged);
        assert_eq!(l.state(), PaymentState::DepositPaid);
        // A cancellation can never follow success either.
        assert_eq!(l.report(&report("pi_d", IntentStatus::Canceled, 30, 0)), Applied::Unchanged);
    }

    #[test]
    fn released_authorisations_and_failures() {
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        l.report(&IntentReport { failure: Some("card_declined".into()), ..report("pi_d", IntentStatus::Failed, 5, 0) });
        assert_eq!(l.state(), PaymentState::Failed);
        l.report(&report("pi_d", IntentStatus::Authorized, 10, 0));
        assert_eq!(l.intents[0].failure, None);
        l.report(&report("pi_d", IntentStatus::Canceled, 20, 0));
        assert_eq!(l.state(), PaymentState::Released);
    }

    #[test]
    fn refunds_count_once_whichever_way_they_are_learned() {
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        l.report(&report("pi_d", IntentStatus::Succeeded, 20, 30_000));
        let refund = Refund {
            id: "re_1".into(),
            intent: "pi_d".into(),
            amount_minor: 15_000,
            reason: RefundReason::ClientCancelled,
            at: l.created_at,
        };
        l.add_refund(refund.clone());
        assert_eq!(l.add_refund(refund), Applied::Unchanged);
        assert_eq!(l.report_refunded("pi_d", 15_000), Applied::Unchanged);
        assert_eq!(l.refunded(), 15_000);
        assert_eq!(l.state(), PaymentState::PartiallyRefunded);
        l.report_refunded("pi_d", 30_000);
        assert_eq!(l.state(), PaymentState::Refunded);
        assert_eq!(l.earnings(), 0);
    }

    #[test]
    fn disputes_flag_the_booking_until_closed() {
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        l.report(&report("pi_d", IntentStatus::Succeeded, 20, 30_000));
        let open = Dispute {
            id: "dp_1".into(),
            intent: "pi_d".into(),
            amount_minor: 30_000,
            status: "needs_response".into(),
            open: true,
            at: 30,
        };
        l.report_dispute(open.clone());
        assert_eq!(l.state(), PaymentState::Disputed);
        l.report_dispute(Dispute { status: "won".into(), open: false, at: 40, ..open.clone() });
        assert_eq!(l.report_dispute(open), Applied::Unchanged, "a late 'created' does not reopen it");
        assert_eq!(l.state(), PaymentState::DepositPaid);
    }

    #[test]
    fn a_moved_session_moves_the_balance_and_a_new_price_requotes_until_money_moves() {
        let mut l = ledger(100_000);
        let start = l.created_at + chrono::TimeDelta::days(30);
        l.follow_booking(start, &l.schedule.total.clone());
        assert_eq!(l.balance_due_at, Some(start - chrono::TimeDelta::days(7)));
        l.balance_reminded_at = Some(l.created_at);
        // Same start: nothing changes, the reminder stays sent.
        let before = l.clone();
        l.follow_booking(start, &l.schedule.total.clone());
        assert_eq!(l, before);
        // Moved: a new due date, to be reminded of again.
        let later = start + chrono::TimeDelta::days(10);
        l.follow_booking(later, &l.schedule.total.clone());
        assert_eq!(l.balance_due_at, Some(later - chrono::TimeDelta::days(7)));
        assert_eq!(l.balance_reminded_at, None);
        // Nothing held yet: a longer session's price is quoted again.
        let dearer: cm_core::money::Money =
            serde_json::from_value(serde_json::json!({"amount_minor": 150_000, "currency": "INR"})).unwrap();
        l.follow_booking(later, &dearer);
        assert_eq!((l.schedule.total.amount_minor, l.schedule.deposit_minor), (150_000, 45_000));
        // Once the deposit is held, the amounts stay as they are.
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 45_000));
        l.report(&report("pi_d", IntentStatus::Authorized, 10, 0));
        assert!(l.money_moved());
        let cheaper: cm_core::money::Money =
            serde_json::from_value(serde_json::json!({"amount_minor": 50_000, "currency": "INR"})).unwrap();
        l.follow_booking(later, &cheaper);
        assert_eq!(l.schedule.total.amount_minor, 150_000);
    }

    fn arb_report() -> impl Strategy<Value = IntentReport> {
        (0usize..5, 0i64..100, 0i64..40_000).prop_map(|(s, at, cap)| {
            let status = [
                IntentStatus::Open,
                IntentStatus::Failed,
                IntentStatus::Authorized,
                IntentStatus::Succeeded,
                IntentStatus::Canceled,
            ][s];
            let captured = if status == IntentStatus::Succeeded { 30_000 } else { cap.min(0) };
            report("pi_d", status, at, captured)
        })
    }

    proptest! {
        #[test]
        fn the_order_of_distinct_reports_does_not_change_the_outcome_rank(
            reports in proptest::collection::vec(arb_report(), 1..8)
        ) {
            let run = |rs: &[IntentReport]| {
                let mut l = ledger(100_000);
                l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
                for r in rs { l.report(r); }
                l
            };
            let forward = run(&reports);
            let mut rev = reports.clone();
            rev.reverse();
            let backward = run(&rev);
            // Whatever the order, the highest rank reported wins and money captured stays.
            prop_assert_eq!(forward.intents[0].status.rank(), backward.intents[0].status.rank());
            prop_assert_eq!(forward.captured(), backward.captured());
            // Applying everything again changes nothing.
            let mut again = forward.clone();
            for r in &reports { again.report(r); }
            prop_assert_eq!(again.captured(), forward.captured());
            prop_assert_eq!(again.intents[0].status.rank(), forward.intents[0].status.rank());
        }
    }
}
