//! Whether a client may start a payment of a kind for a booking now, and for how much.

use crate::ledger::{Intent, IntentStatus, Ledger, PaymentKind};
use crate::terms::Schedule;

/// Where the booking stands, as paying for it cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Requested, waiting for the photographer.
    Pending,
    Confirmed,
    /// Declined, cancelled, expired or completed: nothing more to pay.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRuleError {
    #[error("this booking takes no more payments")]
    Closed,
    #[error("the {0} is already paid or authorised")]
    AlreadyPaid(PaymentKind),
    #[error("the whole price is paid up front for this booking: pay `full` instead of a deposit")]
    NoDeposit,
    #[error("a deposit or full payment was already started for this booking")]
    OtherKindStarted,
    #[error("the balance is charged once the photographer has confirmed and the deposit is taken")]
    BalanceNotYet,
    #[error("nothing is left to pay")]
    NothingDue,
}

/// What to do for a payment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<'a> {
    /// An intent of this kind is still waiting for the client: hand it out again.
    Resume(&'a Intent),
    /// Create a new intent for this amount (the n-th attempt of the kind).
    Create { amount_minor: i64, attempt: u32 },
}

fn live_waiting(ledger: Option<&Ledger>, kind: PaymentKind) -> Option<&Intent> {
    ledger?.live(kind).filter(|i| matches!(i.status, IntentStatus::Open | IntentStatus::Failed))
}

fn settled(ledger: Option<&Ledger>, kind: PaymentKind) -> bool {
    ledger.is_some_and(|l| {
        l.intents
            .iter()
            .any(|i| i.kind == kind && matches!(i.status, IntentStatus::Authorized | IntentStatus::Succeeded))
    })
}

pub fn decide<'a>(
    kind: PaymentKind,
    stage: Stage,
    schedule: &Schedule,
    ledger: Option<&'a Ledger>,
) -> Result<Decision<'a>, PaymentRuleError> {
    if stage == Stage::Closed {
        return Err(PaymentRuleError::Closed);
    }
    if settled(ledger, kind) {
        return Err(PaymentRuleError::AlreadyPaid(kind));
    }
    let attempt = ledger.map_or(1, |l| l.next_attempt(kind));
    let amount = match kind {
        PaymentKind::Deposit | PaymentKind::Full => {
            let other = if kind == PaymentKind::Deposit { PaymentKind::Full } else { PaymentKind::Deposit };
            if settled(ledger, other) || live_waiting(ledger, other).is_some() {
                return Err(PaymentRuleError::OtherKindStarted);
            }
            if kind == PaymentKind::Deposit && schedule.balance_minor == 0 {
                return Err(PaymentRuleError::NoDeposit);
            }
            if kind == PaymentKind::Deposit { schedule.deposit_minor } else { schedule.total.amount_minor }
        }
        PaymentKind::Balance => {
            let deposit_taken = ledger
                .is_some_and(|l| l.intents.iter().any(|i| i.kind == PaymentKind::Deposit && i.captured_minor > 0));
            if stage != Stage::Confirmed || !deposit_taken {
                return Err(PaymentRuleError::BalanceNotYet);
            }
            let due = ledger.map_or(0, Ledger::due);
            if due == 0 {
                return Err(PaymentRuleError::NothingDue);
            }
            due
        }
    };
    if let Some(waiting) = live_waiting(ledger, kind)
        && waiting.amount_minor == amount
    {
        return Ok(Decision::Resume(waiting));
    }
    Ok(Decision::Create { amount_minor: amount, attempt })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::tests::{intent, ledger};

    #[test]
    fn a_deposit_then_the_balance() {
        let l = ledger(100_000);
        let s = l.schedule.clone();
        assert_eq!(
            decide(PaymentKind::Deposit, Stage::Pending, &s, None),
            Ok(Decision::Create { amount_minor: 30_000, attempt: 1 })
        );
        assert_eq!(decide(PaymentKind::Balance, Stage::Pending, &s, None), Err(PaymentRuleError::BalanceNotYet));
        let mut paid = l.clone();
        let mut d = intent("pi_d", PaymentKind::Deposit, 30_000);
        d.status = IntentStatus::Succeeded;
        d.captured_minor = 30_000;
        paid.intents.push(d);
        assert_eq!(
            decide(PaymentKind::Deposit, Stage::Confirmed, &s, Some(&paid)),
            Err(PaymentRuleError::AlreadyPaid(PaymentKind::Deposit))
        );
        assert_eq!(
            decide(PaymentKind::Balance, Stage::Confirmed, &s, Some(&paid)),
            Ok(Decision::Create { amount_minor: 70_000, attempt: 1 })
        );
        assert_eq!(
            decide(PaymentKind::Full, Stage::Confirmed, &s, Some(&paid)),
            Err(PaymentRuleError::OtherKindStarted)
        );
    }

    #[test]
    fn a_waiting_intent_is_handed_out_again_and_a_cancelled_one_replaced() {
        let mut l = ledger(100_000);
        let s = l.schedule.clone();
        l.intents.push(intent("pi_1", PaymentKind::Deposit, 30_000));
        assert!(
            matches!(decide(PaymentKind::Deposit, Stage::Pending, &s, Some(&l)), Ok(Decision::Resume(i)) if i.id == "pi_1")
        );
        l.intents[0].status = IntentStatus::Canceled;
        assert_eq!(
            decide(PaymentKind::Deposit, Stage::Pending, &s, Some(&l)),
            Ok(Decision::Create { amount_minor: 30_000, attempt: 2 })
        );
    }

    #[test]
    fn closed_bookings_and_full_prepayment() {
        let l = ledger(100_000);
        assert_eq!(decide(PaymentKind::Full, Stage::Closed, &l.schedule, None), Err(PaymentRuleError::Closed));
        let mut all_up_front = l.schedule.clone();
        all_up_front.deposit_minor = 100_000;
        all_up_front.balance_minor = 0;
        assert_eq!(decide(PaymentKind::Deposit, Stage::Pending, &all_up_front, None), Err(PaymentRuleError::NoDeposit));
        assert_eq!(
            decide(PaymentKind::Full, Stage::Pending, &all_up_front, None),
            Ok(Decision::Create { amount_minor: 100_000, attempt: 1 })
        );
    }
}
