//! What a booking's payments need next, given where the booking stands: capture holds
//! when the photographer confirms, release them when the booking ends unpaid, refund by
//! the frozen policy when it is cancelled. A pure decision over the ledger, so running
//! it again after a partial failure asks only for what is still missing; each action
//! carries an idempotency key that makes repeating it at Stripe harmless.

use crate::currency::CurrencyRules;
use crate::ledger::{IntentStatus, Ledger, RefundReason};
use crate::terms::refund_amount;

/// The booking, as its payments see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Confirmed,
    Completed,
    Declined,
    Expired,
    Cancelled {
        by_client: bool,
        /// Minutes between the cancellation and the session's start.
        minutes_before: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Capture { intent: String, idempotency_key: String },
    Release { intent: String, idempotency_key: String },
    Refund { intent: String, amount_minor: i64, reason: RefundReason, idempotency_key: String },
}

impl Action {
    pub fn intent(&self) -> &str {
        match self {
            Action::Capture { intent, .. } | Action::Release { intent, .. } | Action::Refund { intent, .. } => intent,
        }
    }
}

/// Everything still to do for `ledger` now that the booking is at `outcome`.
pub fn next_actions(ledger: &Ledger, outcome: Outcome) -> Vec<Action> {
    let holds = || ledger.intents.iter().filter(|i| i.status == IntentStatus::Authorized);
    let open = || ledger.intents.iter().filter(|i| matches!(i.status, IntentStatus::Open | IntentStatus::Failed));
    let capture = |id: &str| Action::Capture { intent: id.into(), idempotency_key: format!("capture-{id}") };
    let release = |id: &str| Action::Release { intent: id.into(), idempotency_key: format!("release-{id}") };
    match outcome {
        Outcome::Pending => vec![],
        Outcome::Confirmed | Outcome::Completed => holds().map(|i| capture(&i.id)).collect(),
        Outcome::Declined | Outcome::Expired => holds().chain(open()).map(|i| release(&i.id)).collect(),
        Outcome::Cancelled { by_client, minutes_before } => {
            let mut actions: Vec<Action> = holds().chain(open()).map(|i| release(&i.id)).collect();
            let (percent, reason) = if by_client {
                (ledger.terms.cancellation_policy.refund_percent(minutes_before), RefundReason::ClientCancelled)
            } else {
                (100, RefundReason::NotTheClients)
            };
            actions.extend(refunds(ledger, percent, reason));
            actions
        }
    }
}

/// The refunds that bring what was given back up to `percent` of what was captured,
/// taken from each captured intent in turn.
fn refunds(ledger: &Ledger, percent: u8, reason: RefundReason) -> Vec<Action> {
    let Some(rules) = CurrencyRules::of(ledger.schedule.total.currency.as_str()) else { return vec![] };
    let target = refund_amount(&rules, ledger.captured(), percent);
    let mut missing = (target - ledger.refunded()).max(0);
    let mut out = vec![];
    for i in ledger.intents.iter().filter(|i| i.captured_minor > i.refunded_minor) {
        if missing == 0 {
            break;
        }
        let amount = missing.min(i.captured_minor - i.refunded_minor);
        missing -= amount;
        out.push(Action::Refund {
            intent: i.id.clone(),
            amount_minor: amount,
            reason,
            // One refund per intent for a cancellation: a retry with the same key is the
            // same refund, never a second one.
            idempotency_key: format!("refund-{}-cancel", i.id),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::tests::{intent, ledger};
    use crate::ledger::{IntentReport, PaymentKind};
    use proptest::prelude::*;

    fn captured(total: i64, deposit: i64) -> Ledger {
        let mut l = ledger(total);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, deposit));
        l.report(&IntentReport {
            id: "pi_d".into(),
            status: IntentStatus::Succeeded,
            at: 1,
            captured_minor: deposit,
            failure: None,
            payment_method: None,
            charge: None,
        });
        l
    }

    fn authorized(total: i64, deposit: i64) -> Ledger {
        let mut l = ledger(total);
        l.add_intent(intent("pi_d", PaymentKind::Deposit, deposit));
        l.intents[0].status = IntentStatus::Authorized;
        l
    }

    #[test]
    fn confirm_captures_and_decline_releases() {
        let l = authorized(100_000, 30_000);
        assert_eq!(
            next_actions(&l, Outcome::Confirmed),
            vec![Action::Capture { intent: "pi_d".into(), idempotency_key: "capture-pi_d".into() }]
        );
        assert_eq!(
            next_actions(&l, Outcome::Declined),
            vec![Action::Release { intent: "pi_d".into(), idempotency_key: "release-pi_d".into() }]
        );
        assert!(next_actions(&l, Outcome::Pending).is_empty());
        assert!(next_actions(&captured(100_000, 30_000), Outcome::Confirmed).is_empty(), "nothing twice");
    }

    fn refunded_by(l: &Ledger, outcome: Outcome) -> i64 {
        next_actions(l, outcome)
            .iter()
            .map(|a| match a {
                Action::Refund { amount_minor, .. } => *amount_minor,
                _ => 0,
            })
            .sum()
    }

    #[test]
    fn each_default_tier_at_its_boundary() {
        let l = captured(100_000, 30_000);
        let client = |minutes| Outcome::Cancelled { by_client: true, minutes_before: minutes };
        assert_eq!(refunded_by(&l, client(168 * 60)), 30_000);
        assert_eq!(refunded_by(&l, client(168 * 60 - 1)), 15_000);
        assert_eq!(refunded_by(&l, client(48 * 60)), 15_000);
        assert_eq!(refunded_by(&l, client(48 * 60 - 1)), 0);
        assert_eq!(refunded_by(&l, Outcome::Cancelled { by_client: false, minutes_before: 10 }), 30_000);
    }

    #[test]
    fn a_cancelled_hold_is_released_not_refunded() {
        let l = authorized(100_000, 30_000);
        let actions = next_actions(&l, Outcome::Cancelled { by_client: true, minutes_before: 10 });
        assert_eq!(actions, vec![Action::Release { intent: "pi_d".into(), idempotency_key: "release-pi_d".into() }]);
    }

    #[test]
    fn a_partly_done_refund_asks_only_for_the_rest() {
        let mut l = captured(100_000, 30_000);
        l.report_refunded("pi_d", 10_000);
        assert_eq!(refunded_by(&l, Outcome::Cancelled { by_client: false, minutes_before: 0 }), 20_000);
        l.report_refunded("pi_d", 30_000);
        assert!(next_actions(&l, Outcome::Cancelled { by_client: false, minutes_before: 0 }).is_empty());
    }

    proptest! {
        #[test]
        fn refunds_never_exceed_the_capture(
            deposit in 50i64..1_000_000, balance in 0i64..1_000_000, minutes in -1000i64..300_000, by_client: bool
        ) {
            let mut l = captured(deposit + balance, deposit);
            if balance > 0 {
                l.add_intent(intent("pi_b", PaymentKind::Balance, balance));
                l.report(&IntentReport { id: "pi_b".into(), status: IntentStatus::Succeeded, at: 2,
                    captured_minor: balance, failure: None, payment_method: None, charge: None });
            }
            let outcome = Outcome::Cancelled { by_client, minutes_before: minutes };
            let total = refunded_by(&l, outcome);
            prop_assert!(total <= l.captured());
            if !by_client { prop_assert_eq!(total, l.captured()); }
            for a in next_actions(&l, outcome) {
                if let Action::Refund { intent, amount_minor, .. } = a {
                    let i = l.intent(&intent).unwrap();
                    prop_assert!(amount_minor > 0 && amount_minor <= i.captured_minor - i.refunded_minor);
                }
            }
        }
    }
}
