//! What a change to a booking's ledger means to the people involved: money taken, money
//! given back, a balance about to be charged, a balance charge that failed. Derived
//! from the ledger before and after the change, never stored: the stream of ledger
//! versions is the record, and each event has a key that is the same however often the
//! change is redelivered, so its emails and messages go out once.

use crate::ledger::{IntentStatus, Ledger, PaymentKind};
use crate::terms::MAX_BALANCE_ATTEMPTS;
use chrono::{DateTime, TimeDelta, Utc};

/// How long before the balance is charged the client is told it will be.
pub const BALANCE_REMINDER: TimeDelta = TimeDelta::days(3);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyEvent {
    /// Money was taken: a deposit captured, a balance or a full payment charged.
    Received {
        intent: String,
        kind: PaymentKind,
        amount_minor: i64,
        /// The platform's commission on this amount.
        fee_minor: i64,
        /// Captured on this intent in all, after the change.
        captured_total_minor: i64,
    },
    /// Money went back to the client.
    Refunded {
        intent: String,
        amount_minor: i64,
        /// Refunded on this intent in all, after the change.
        refunded_total_minor: i64,
    },
    /// The balance will be charged to the saved card soon.
    BalanceDue { due_at: DateTime<Utc>, amount_minor: i64 },
    /// An off-session balance charge did not go through.
    BalanceFailed {
        /// The run's try that failed (1-based).
        attempt: u32,
        /// No more automatic tries: the client has to pay it themselves.
        last: bool,
        /// Stripe's decline code when known (`authentication_required` means the bank
        /// wants the client to confirm the payment themselves).
        reason: Option<String>,
        amount_minor: i64,
    },
}

impl MoneyEvent {
    /// The wire name: the SNS `event` attribute.
    pub fn name(&self) -> &'static str {
        match self {
            MoneyEvent::Received { .. } => "payment_received",
            MoneyEvent::Refunded { .. } => "payment_refunded",
            MoneyEvent::BalanceDue { .. } => "balance_due",
            MoneyEvent::BalanceFailed { .. } => "balance_failed",
        }
    }

    /// Names this event among all of its booking's: equal for a redelivered change,
    /// different for any other.
    pub fn key(&self) -> String {
        match self {
            MoneyEvent::Received { intent, captured_total_minor, .. } => {
                format!("received:{intent}:{captured_total_minor}")
            }
            MoneyEvent::Refunded { intent, refunded_total_minor, .. } => {
                format!("refunded:{intent}:{refunded_total_minor}")
            }
            MoneyEvent::BalanceDue { due_at, .. } => format!("balance_due:{}", due_at.timestamp()),
            MoneyEvent::BalanceFailed { attempt, .. } => format!("balance_failed:{attempt}"),
        }
    }

    /// Whether the bank asked the client to authenticate rather than declined outright.
    pub fn needs_authentication(&self) -> bool {
        matches!(self, MoneyEvent::BalanceFailed { reason: Some(r), .. } if r == "authentication_required")
    }
}

/// The events of one change, `old` being `None` for a new ledger: captures and refunds
/// per intent in the ledger's order, then the balance's news.
pub fn money_events(old: Option<&Ledger>, new: &Ledger) -> Vec<MoneyEvent> {
    let mut out = Vec::new();
    for i in &new.intents {
        let before = old.and_then(|o| o.intent(&i.id));
        let captured_before = before.map_or(0, |b| b.captured_minor);
        if i.captured_minor > captured_before {
            let amount = i.captured_minor - captured_before;
            out.push(MoneyEvent::Received {
                intent: i.id.clone(),
                kind: i.kind,
                amount_minor: amount,
                fee_minor: share_of_fee(i.fee_minor, amount, i.amount_minor),
                captured_total_minor: i.captured_minor,
            });
        }
        let refunded_before = before.map_or(0, |b| b.refunded_minor);
        if i.refunded_minor > refunded_before {
            out.push(MoneyEvent::Refunded {
                intent: i.id.clone(),
                amount_minor: i.refunded_minor - refunded_before,
                refunded_total_minor: i.refunded_minor,
            });
        }
    }
    let reminded_before = old.and_then(|o| o.balance_reminded_at);
    if reminded_before.is_none()
        && new.balance_reminded_at.is_some()
        && let Some(due_at) = new.balance_due_at
        && new.due() > 0
    {
        out.push(MoneyEvent::BalanceDue { due_at, amount_minor: new.due() });
    }
    let attempts_before = old.map_or(0, |o| o.balance_attempts);
    if new.balance_attempts > attempts_before && !balance_taken(new) && new.due() > 0 {
        let reason = new
            .intents
            .iter()
            .rev()
            .find(|i| i.kind == PaymentKind::Balance && i.status != IntentStatus::Canceled)
            .and_then(|i| i.failure.clone());
        out.push(MoneyEvent::BalanceFailed {
            attempt: new.balance_attempts,
            last: new.balance_attempts >= MAX_BALANCE_ATTEMPTS,
            reason,
            amount_minor: new.due(),
        });
    }
    out
}

fn balance_taken(l: &Ledger) -> bool {
    l.intents.iter().any(|i| {
        i.kind == PaymentKind::Balance && matches!(i.status, IntentStatus::Succeeded | IntentStatus::Authorized)
    })
}

/// The commission on part of an intent, rounded down: the whole intent's fee when all
/// of it was taken, so a single capture reports exactly the fee Stripe keeps.
fn share_of_fee(fee: i64, part: i64, whole: i64) -> i64 {
    if whole <= 0 || part >= whole {
        return fee;
    }
    i64::try_from(i128::from(fee) * i128::from(part) / i128::from(whole)).unwrap_or(fee)
}

impl Ledger {
    /// Whether the daily run still has to charge this ledger's balance: the deposit was
    /// taken, a balance remains, no balance charge has succeeded, and the run has not
    /// used up its attempts (after which the client pays it themselves).
    pub fn balance_pending(&self) -> bool {
        let deposit_taken = self.intents.iter().any(|i| i.kind == PaymentKind::Deposit && i.captured_minor > 0);
        deposit_taken
            && self.schedule.balance_minor > 0
            && self.due() > 0
            && !balance_taken(self)
            && self.balance_due_at.is_some()
            && self.balance_attempts < MAX_BALANCE_ATTEMPTS
    }

    /// Whether the client should now be told that the balance will be charged: it is
    /// pending, falls due after `now` but within [`BALANCE_REMINDER`], and they have not
    /// been told yet. Once due, the charge itself (or its failure) is the news.
    pub fn balance_reminder_due(&self, now: DateTime<Utc>) -> bool {
        self.balance_pending()
            && self.balance_reminded_at.is_none()
            && self.balance_due_at.is_some_and(|d| d > now && d <= now + BALANCE_REMINDER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::tests::{intent, ledger, report};
    use crate::ledger::{Refund, RefundReason};
    use proptest::prelude::*;

    /// Deposit 30 000 of 100 000, captured.
    fn with_deposit_paid() -> Ledger {
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        l.report(&report("pi_d", IntentStatus::Succeeded, 20, 30_000));
        l.balance_due_at = Some(l.created_at + TimeDelta::days(10));
        l
    }

    #[test]
    fn an_authorisation_is_no_news_and_its_capture_is_a_receipt() {
        let mut l = ledger(100_000);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, 30_000));
        let before = l.clone();
        l.report(&report("pi_d", IntentStatus::Authorized, 10, 0));
        assert_eq!(money_events(Some(&before), &l), vec![]);
        let before = l.clone();
        l.report(&report("pi_d", IntentStatus::Succeeded, 20, 30_000));
        assert_eq!(
            money_events(Some(&before), &l),
            vec![MoneyEvent::Received {
                intent: "pi_d".into(),
                kind: PaymentKind::Deposit,
                amount_minor: 30_000,
                fee_minor: 3_000,
                captured_total_minor: 30_000,
            }]
        );
        // The same change delivered again has the same key; nothing new after it.
        assert_eq!(money_events(Some(&l), &l), vec![]);
    }

    #[test]
    fn each_growth_of_a_refund_is_its_own_event() {
        let l0 = with_deposit_paid();
        let mut l1 = l0.clone();
        l1.add_refund(Refund {
            id: "re_1".into(),
            intent: "pi_d".into(),
            amount_minor: 15_000,
            reason: RefundReason::ClientCancelled,
            at: l0.created_at,
        });
        let e1 = money_events(Some(&l0), &l1);
        assert_eq!(
            e1,
            vec![MoneyEvent::Refunded { intent: "pi_d".into(), amount_minor: 15_000, refunded_total_minor: 15_000 }]
        );
        let mut l2 = l1.clone();
        l2.report_refunded("pi_d", 30_000);
        let e2 = money_events(Some(&l1), &l2);
        assert_eq!(e2[0].key(), "refunded:pi_d:30000");
        assert_ne!(e1[0].key(), e2[0].key());
    }

    #[test]
    fn a_reminder_is_due_once_within_the_window_and_never_after_the_due_date() {
        let l = with_deposit_paid();
        let due = l.balance_due_at.unwrap();
        assert!(!l.balance_reminder_due(due - BALANCE_REMINDER - TimeDelta::seconds(1)));
        assert!(l.balance_reminder_due(due - BALANCE_REMINDER));
        assert!(l.balance_reminder_due(due - TimeDelta::seconds(1)));
        assert!(!l.balance_reminder_due(due), "at the due date the charge is the news");
        let mut told = l.clone();
        told.balance_reminded_at = Some(due - TimeDelta::days(2));
        assert!(!told.balance_reminder_due(due - TimeDelta::days(1)));
        assert_eq!(money_events(Some(&l), &told), vec![MoneyEvent::BalanceDue { due_at: due, amount_minor: 70_000 }]);
        assert_eq!(money_events(Some(&told), &told), vec![]);
    }

    #[test]
    fn a_failed_balance_charge_says_which_try_and_whether_it_was_the_last() {
        let l0 = with_deposit_paid();
        let mut l1 = l0.clone();
        let mut b = intent("pi_b", PaymentKind::Balance, 70_000);
        b.status = IntentStatus::Failed;
        b.failure = Some("authentication_required".into());
        l1.add_intent(b);
        l1.balance_attempts = 1;
        let e = money_events(Some(&l0), &l1);
        assert_eq!(
            e,
            vec![MoneyEvent::BalanceFailed {
                attempt: 1,
                last: false,
                reason: Some("authentication_required".into()),
                amount_minor: 70_000,
            }]
        );
        assert!(e[0].needs_authentication());
        let mut l3 = l1.clone();
        l3.balance_attempts = MAX_BALANCE_ATTEMPTS;
        assert!(matches!(money_events(Some(&l1), &l3)[..], [MoneyEvent::BalanceFailed { last: true, .. }]));
        // A try that succeeded is a receipt, not a failure.
        let mut paid = l0.clone();
        paid.add_intent(intent("pi_b", PaymentKind::Balance, 70_000));
        paid.report(&report("pi_b", IntentStatus::Succeeded, 30, 70_000));
        paid.balance_attempts = 1;
        let e = money_events(Some(&l0), &paid);
        assert!(matches!(e[..], [MoneyEvent::Received { kind: PaymentKind::Balance, amount_minor: 70_000, .. }]));
    }

    #[test]
    fn pending_balances() {
        let l = with_deposit_paid();
        assert!(l.balance_pending());
        let mut spent = l.clone();
        spent.balance_attempts = MAX_BALANCE_ATTEMPTS;
        assert!(!spent.balance_pending());
        let mut undeposited = ledger(100_000);
        undeposited.balance_due_at = l.balance_due_at;
        assert!(!undeposited.balance_pending());
    }

    proptest! {
        /// However a ledger's captures and refunds are split into changes, the events
        /// add up to what was taken and given back, and the fees never exceed the fee.
        #[test]
        fn events_add_up_to_the_ledger(
            captures in proptest::collection::vec(1i64..10_000, 1..5),
            refunds in proptest::collection::vec(1i64..10_000, 0..5),
        ) {
            let mut l = ledger(100_000);
            l.add_intent(intent("pi_f", PaymentKind::Full, 100_000));
            let mut events = Vec::new();
            let mut captured = 0;
            for c in captures {
                let before = l.clone();
                captured = (captured + c).min(100_000);
                l.report(&report("pi_f", IntentStatus::Authorized, 1, captured));
                events.extend(money_events(Some(&before), &l));
            }
            let mut refunded = 0;
            for r in refunds {
                let before = l.clone();
                refunded = (refunded + r).min(captured);
                l.report_refunded("pi_f", refunded);
                events.extend(money_events(Some(&before), &l));
            }
            let (mut got, mut back, mut fees) = (0, 0, 0);
            for e in &events {
                match e {
                    MoneyEvent::Received { amount_minor, fee_minor, .. } => { got += amount_minor; fees += fee_minor; }
                    MoneyEvent::Refunded { amount_minor, .. } => back += amount_minor,
                    _ => {}
                }
            }
            prop_assert_eq!(got, l.captured());
            prop_assert_eq!(back, l.refunded());
            prop_assert!(fees <= l.intents[0].fee_minor);
            let keys: std::collections::HashSet<String> = events.iter().map(MoneyEvent::key).collect();
            prop_assert_eq!(keys.len(), events.len(), "every event has its own key");
        }
    }
}
