//! Prices as people quote them: a dynamic price is rounded to a whole unit of its
//! currency (₹12,400, not ₹12,387.46), or to a tenth or hundredth of one when the price is
//! so small that a whole unit would move it more than 1 %; always a multiple of the
//! smallest amount the currency can be charged in (10 for three-decimal currencies, whole
//! forints). The step depends on the base price only, never on the demand, so rounding
//! keeps prices monotonic in demand.

use cm_core::money::Money;
use cm_payments::CurrencyRules;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rounding {
    /// Prices are multiples of this many minor units when the bounds allow.
    pub step: i64,
    /// The smallest chargeable step of the currency: the fallback when the floor and
    /// ceiling are closer together than `step`.
    pub currency_step: i64,
}

impl Rounding {
    pub fn for_price(base: &Money) -> Rounding {
        let rules = CurrencyRules::of(base.currency.as_str());
        let exponent = rules.map_or(2, |r| u32::from(r.exponent));
        let currency_step = rules.map_or(1, |r| r.step).max(1);
        let mut step = 10i64.pow(exponent);
        while step > 1 && step.saturating_mul(100) > base.amount_minor {
            step /= 10;
        }
        // Both are powers of ten, so the larger is a multiple of the smaller.
        Rounding { step: step.max(currency_step), currency_step }
    }
}

fn ceil_to(x: i128, step: i128) -> i128 {
    (x + step - 1).div_euclid(step) * step
}

fn floor_to(x: i128, step: i128) -> i128 {
    x.div_euclid(step) * step
}

/// `amount` rounded half up to `rounding.step`, kept within `[lo, hi]`; to the currency's
/// step when no multiple of `rounding.step` lies within; `None` when neither does.
/// Monotonic in `amount` for fixed bounds.
pub fn round_within(amount: i128, lo: i128, hi: i128, rounding: Rounding) -> Option<i128> {
    [rounding.step, rounding.currency_step].into_iter().map(i128::from).find_map(|step| {
        let (lo, hi) = (ceil_to(lo, step), floor_to(hi, step));
        (lo <= hi).then(|| floor_to(amount + step / 2, step).clamp(lo, hi))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(amount: i64, currency: &str) -> Money {
        serde_json::from_value(serde_json::json!({"amount_minor": amount, "currency": currency})).unwrap()
    }

    #[test]
    fn steps_are_whole_units_unless_the_price_is_small() {
        assert_eq!(Rounding::for_price(&money(1_250_000, "INR")).step, 100);
        assert_eq!(Rounding::for_price(&money(5_000, "USD")).step, 10, "$50: to the dime");
        assert_eq!(Rounding::for_price(&money(99, "USD")).step, 1);
        assert_eq!(Rounding::for_price(&money(50_000, "JPY")).step, 1, "yen have no minor unit");
        assert_eq!(Rounding::for_price(&money(1_000_000, "KWD")).step, 1000);
        assert_eq!(Rounding::for_price(&money(1_500, "KWD")).step, 10, "three decimals charge in tens");
        assert_eq!(Rounding::for_price(&money(5, "KWD")).currency_step, 10);
    }

    #[test]
    fn rounding_stays_within_the_bounds() {
        let r = Rounding { step: 100, currency_step: 1 };
        assert_eq!(round_within(12_387, 0, 20_000, r), Some(12_400));
        assert_eq!(round_within(12_350, 0, 20_000, r), Some(12_400), "half up");
        assert_eq!(round_within(12_349, 0, 20_000, r), Some(12_300));
        assert_eq!(round_within(12_387, 0, 12_390, r), Some(12_300), "the ceiling rounds down");
        assert_eq!(round_within(12_310, 12_310, 12_390, r), Some(12_310), "no whole unit between: the minor unit");
        let three = Rounding { step: 10, currency_step: 10 };
        assert_eq!(round_within(12_345, 12_341, 12_349, three), None, "no chargeable amount between");
    }

    proptest! {
        #[test]
        fn rounded_prices_are_monotonic_chargeable_and_bounded(
            a in 0i128..10_000_000, b in 0i128..10_000_000, lo in 0i128..5_000_000, width in 0i128..5_000_000,
            step_exp in 0u32..4, currency_exp in 0u32..3,
        ) {
            let currency_step = 10i64.pow(currency_exp);
            let r = Rounding { step: 10i64.pow(step_exp).max(currency_step), currency_step };
            let hi = lo + width;
            let (x, y) = (a.min(b), a.max(b));
            match (round_within(x, lo, hi, r), round_within(y, lo, hi, r)) {
                (Some(px), Some(py)) => {
                    prop_assert!(px <= py);
                    prop_assert!(lo <= px && py <= hi);
                    prop_assert_eq!(px % i128::from(currency_step), 0);
                }
                (None, None) => prop_assert!(hi - lo < i128::from(currency_step)),
                _ => prop_assert!(false, "whether a bound admits a price cannot depend on the amount"),
            }
        }
    }
}
