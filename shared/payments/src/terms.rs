//! What a booking will cost and when: the deposit taken when it is requested, the
//! balance due before the session, and the platform's commission on each. Frozen into
//! the booking when it is requested.

use crate::currency::{ChargeError, CurrencyRules};
use crate::policy::CancellationPolicy;
use cm_core::FieldErrors;
use cm_core::money::Money;
use serde::{Deserialize, Serialize};

pub const DEFAULT_DEPOSIT_PERCENT: u8 = 30;
/// The balance is charged this many days before the session unless the platform is
/// configured otherwise.
pub const DEFAULT_BALANCE_DUE_DAYS: u32 = 7;
pub const MAX_BALANCE_DUE_DAYS: u32 = 60;
/// Off-session balance charges tried (one a day) before the client is left to pay it
/// themselves.
pub const MAX_BALANCE_ATTEMPTS: u32 = 3;
/// The platform's commission in basis points of each charge (10% unless configured).
pub const DEFAULT_COMMISSION_BPS: u32 = 1000;
pub const MAX_COMMISSION_BPS: u32 = 5000;

/// What the platform sets per stage (not per photographer): its commission and when
/// balances fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformTerms {
    pub commission_bps: u32,
    pub balance_due_days: u32,
}

impl Default for PlatformTerms {
    fn default() -> Self {
        PlatformTerms { commission_bps: DEFAULT_COMMISSION_BPS, balance_due_days: DEFAULT_BALANCE_DUE_DAYS }
    }
}

/// The money terms a booking was made under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    /// Share of the price paid up front; 100 when the package demands full prepayment.
    pub deposit_percent: u8,
    pub cancellation_policy: CancellationPolicy,
    pub commission_bps: u32,
    pub balance_due_days: u32,
}

impl Default for PaymentTerms {
    fn default() -> Self {
        PaymentTerms {
            deposit_percent: DEFAULT_DEPOSIT_PERCENT,
            cancellation_policy: CancellationPolicy::default(),
            commission_bps: DEFAULT_COMMISSION_BPS,
            balance_due_days: DEFAULT_BALANCE_DUE_DAYS,
        }
    }
}

/// A photographer's deposit share as they set it on their profile.
pub fn check_deposit_percent(errors: &mut FieldErrors, field: &str, value: i64) -> Option<u8> {
    match u8::try_from(value) {
        Ok(p) if (1..=100).contains(&p) => Some(p),
        _ => {
            errors.add(field, "must be 1 to 100 (percent of the price paid when the booking is requested)");
            None
        }
    }
}

/// What is charged when: `deposit + balance == total`, each a chargeable multiple of
/// the currency's step. A zero balance means the whole price is paid up front.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub total: Money,
    pub deposit_minor: i64,
    pub balance_minor: i64,
}

impl PaymentTerms {
    /// Splits `price` into deposit and balance. The deposit is rounded up to the
    /// currency's step (a client never owes a balance smaller than the rounding), and a
    /// balance Stripe could not charge on its own (below the minimum) is folded into the
    /// deposit rather than left unpayable.
    pub fn schedule(&self, price: &Money) -> Result<Schedule, ChargeError> {
        let rules = crate::currency::rules_for(price)?;
        rules.check(price.amount_minor)?;
        let exact = i128::from(price.amount_minor) * i128::from(self.deposit_percent.min(100));
        let raw = i64::try_from((exact + 99) / 100).unwrap_or(price.amount_minor);
        let mut deposit = rules.ceil(raw).min(price.amount_minor);
        let mut balance = price.amount_minor - deposit;
        if balance > 0 && rules.check(balance).is_err() {
            deposit = price.amount_minor;
            balance = 0;
        }
        if deposit > 0 && balance > 0 && rules.check(deposit).is_err() {
            deposit = price.amount_minor;
            balance = 0;
        }
        Ok(Schedule { total: price.clone(), deposit_minor: deposit, balance_minor: balance })
    }

    /// The platform's commission on a charge of `amount`: rounded half up to the minor
    /// unit, never more than the charge itself.
    pub fn application_fee(&self, amount: i64) -> i64 {
        fee(amount, self.commission_bps)
    }
}

pub fn fee(amount: i64, bps: u32) -> i64 {
    if amount <= 0 {
        return 0;
    }
    let f = (i128::from(amount) * i128::from(bps.min(10_000)) + 5_000) / 10_000;
    i64::try_from(f).unwrap_or(amount).clamp(0, amount)
}

/// The fee returned with a refund of `refund` out of a charge of `charged` whose fee was
/// `charged_fee`: in proportion, rounded down, so across any sequence of refunds the
/// platform never returns more fee than it took (the last refund returns the rest).
pub fn fee_refund(charged: i64, charged_fee: i64, already_refunded: i64, refund: i64) -> i64 {
    if charged <= 0 || refund <= 0 {
        return 0;
    }
    let after = (already_refunded + refund).min(charged);
    let share = |r: i64| i64::try_from(i128::from(charged_fee) * i128::from(r) / i128::from(charged)).unwrap_or(0);
    if after == charged { charged_fee - share(already_refunded) } else { share(after) - share(already_refunded) }
}

/// What a client gets back of `paid` at `percent`: rounded down to the currency's step,
/// so a refund never exceeds what the policy grants.
pub fn refund_amount(rules: &CurrencyRules, paid: i64, percent: u8) -> i64 {
    if paid <= 0 {
        return 0;
    }
    let raw = i64::try_from(i128::from(paid) * i128::from(percent.min(100)) / 100).unwrap_or(0);
    if percent >= 100 { paid } else { rules.floor(raw).clamp(0, paid) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(amount: i64, currency: &str) -> Money {
        serde_json::from_value(serde_json::json!({"amount_minor": amount, "currency": currency})).unwrap()
    }

    fn terms(pct: u8) -> PaymentTerms {
        PaymentTerms { deposit_percent: pct, ..PaymentTerms::default() }
    }

    #[test]
    fn thirty_percent_of_an_inr_price() {
        let s = terms(30).schedule(&money(1_500_000, "INR")).unwrap();
        assert_eq!((s.deposit_minor, s.balance_minor), (450_000, 1_050_000));
    }

    #[test]
    fn zero_decimal_deposits_round_up_to_whole_yen() {
        let s = terms(30).schedule(&money(10_001, "JPY")).unwrap();
        assert_eq!((s.deposit_minor, s.balance_minor), (3_001, 7_000));
    }

    #[test]
    fn three_decimal_deposits_keep_the_last_digit_zero() {
        let s = terms(33).schedule(&money(100_000, "KWD")).unwrap();
        assert_eq!(s.deposit_minor % 10, 0);
        assert_eq!(s.balance_minor % 10, 0);
        assert_eq!(s.deposit_minor + s.balance_minor, 100_000);
        assert!(terms(30).schedule(&money(100_005, "KWD")).is_err(), "a price Stripe cannot take at all");
    }

    #[test]
    fn a_balance_below_the_minimum_is_paid_with_the_deposit() {
        // 99% of 0.60 GBP leaves 0.01, which Stripe would refuse to charge on its own.
        let s = terms(99).schedule(&money(60, "GBP")).unwrap();
        assert_eq!((s.deposit_minor, s.balance_minor), (60, 0));
        assert!(matches!(terms(30).schedule(&money(20, "GBP")), Err(ChargeError::BelowMinimum { .. })));
    }

    #[test]
    fn full_prepayment_has_no_balance() {
        let s = terms(100).schedule(&money(12_345, "USD")).unwrap();
        assert_eq!((s.deposit_minor, s.balance_minor), (12_345, 0));
    }

    #[test]
    fn fees_round_half_up_and_never_exceed_the_charge() {
        assert_eq!(fee(450_000, 1000), 45_000);
        assert_eq!(fee(5, 1000), 1); // 0.5 rounds up
        assert_eq!(fee(4, 1000), 0);
        assert_eq!(fee(100, 10_000), 100);
        assert_eq!(fee(100, 20_000), 100);
    }

    #[test]
    fn policy_refunds_round_down_to_the_step() {
        let kwd = CurrencyRules::of("KWD").unwrap();
        assert_eq!(refund_amount(&kwd, 1_250, 50), 620);
        let inr = CurrencyRules::of("INR").unwrap();
        assert_eq!(refund_amount(&inr, 450_001, 50), 225_000);
        assert_eq!(refund_amount(&inr, 450_001, 100), 450_001);
        assert_eq!(refund_amount(&inr, 450_001, 0), 0);
    }

    proptest! {
        #[test]
        fn the_schedule_adds_up_exactly(amount in 1i64..99_999_999, pct in 1u8..=100, i in 0usize..43) {
            let rules = CurrencyRules::all().nth(i % CurrencyRules::all().count()).unwrap();
            let price = money(rules.ceil(amount.max(rules.minimum.unwrap_or(1))), rules.code);
            prop_assume!(price.amount_minor <= crate::currency::MAX_CHARGE_MINOR);
            let s = terms(pct).schedule(&price).unwrap();
            prop_assert_eq!(s.deposit_minor + s.balance_minor, price.amount_minor);
            prop_assert!(rules.check(s.deposit_minor).is_ok());
            prop_assert!(s.balance_minor == 0 || rules.check(s.balance_minor).is_ok());
            // The deposit is at least the percentage asked for.
            prop_assert!(i128::from(s.deposit_minor) * 100 >= i128::from(price.amount_minor) * i128::from(pct));
        }

        #[test]
        fn fee_and_payout_add_up(amount in 0i64..1_000_000_000_000, bps in 0u32..=10_000) {
            let f = fee(amount, bps);
            prop_assert!(0 <= f && f <= amount);
            prop_assert_eq!(f + (amount - f), amount);
        }

        #[test]
        fn fee_refunds_never_return_more_than_was_taken(
            charged in 1i64..10_000_000, bps in 0u32..=5000, cuts in proptest::collection::vec(1i64..5_000_000, 1..6)
        ) {
            let taken = fee(charged, bps);
            let (mut refunded, mut returned) = (0i64, 0i64);
            for cut in cuts {
                let r = cut.min(charged - refunded);
                if r <= 0 { break; }
                let back = fee_refund(charged, taken, refunded, r);
                prop_assert!(back >= 0);
                refunded += r;
                returned += back;
                prop_assert!(returned <= taken);
            }
            if refunded == charged { prop_assert_eq!(returned, taken); }
        }

        #[test]
        fn refunds_never_exceed_what_was_paid(paid in 0i64..10_000_000, pct in 0u8..=100, i in 0usize..43) {
            let rules = CurrencyRules::all().nth(i % CurrencyRules::all().count()).unwrap();
            let r = refund_amount(rules, paid, pct);
            prop_assert!(0 <= r && r <= paid);
            prop_assert!(i128::from(r) * 100 <= i128::from(paid) * i128::from(pct));
        }
    }
}
