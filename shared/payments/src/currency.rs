//! Currencies as Stripe charges them: how many minor units make a major one, which
//! amounts it accepts, and the smallest charge. The platform stores prices in ISO 4217
//! minor units already (`cm_core::money`); this is what decides whether such an amount
//! can be charged at all.
//!
//! Sources: Stripe's "Supported currencies" page (zero-decimal and three-decimal lists,
//! special cases) and "Minimum and maximum charge amounts". Currencies without a fixed
//! minimum there are charged against the equivalent of USD 0.50 at the day's rate, which
//! only Stripe knows; for those Stripe's own `amount_too_small` answer is the check.

use cm_core::money::Money;
use std::fmt;

/// How Stripe takes amounts in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyRules {
    pub code: &'static str,
    /// Minor units per major unit as a power of ten: 0 (JPY), 2 (USD) or 3 (KWD).
    pub exponent: u8,
    /// Every charge must be a multiple of this many minor units: 10 for three-decimal
    /// currencies (Stripe requires the last digit to be 0), 100 for HUF (whole forints).
    pub step: i64,
    /// Stripe's documented minimum charge, in minor units, where it publishes one.
    pub minimum: Option<i64>,
}

const fn two(code: &'static str, minimum: Option<i64>) -> CurrencyRules {
    CurrencyRules { code, exponent: 2, step: 1, minimum }
}

const fn zero(code: &'static str, minimum: Option<i64>) -> CurrencyRules {
    CurrencyRules { code, exponent: 0, step: 1, minimum }
}

const fn three(code: &'static str) -> CurrencyRules {
    CurrencyRules { code, exponent: 3, step: 10, minimum: None }
}

/// Sorted by code for binary search. Not every ISO code is here: ISK, UGX and TWD have
/// representation rules that changed over time, and a currency left out answers a clear
/// "not supported" rather than risk a wrong amount.
const RULES: &[CurrencyRules] = &[
    two("AED", Some(200)),
    two("AUD", Some(50)),
    two("BGN", Some(100)),
    three("BHD"),
    zero("BIF", None),
    two("BRL", Some(50)),
    two("CAD", Some(50)),
    two("CHF", Some(50)),
    zero("CLP", None),
    two("CZK", Some(1500)),
    zero("DJF", None),
    two("DKK", Some(250)),
    two("EUR", Some(50)),
    two("GBP", Some(30)),
    zero("GNF", None),
    two("HKD", Some(400)),
    CurrencyRules { code: "HUF", exponent: 2, step: 100, minimum: Some(17500) },
    two("INR", Some(50)),
    three("JOD"),
    zero("JPY", Some(50)),
    zero("KMF", None),
    zero("KRW", None),
    three("KWD"),
    zero("MGA", None),
    two("MXN", Some(1000)),
    two("MYR", Some(200)),
    two("NOK", Some(300)),
    two("NZD", Some(50)),
    three("OMR"),
    two("PLN", Some(200)),
    zero("PYG", None),
    two("RON", Some(200)),
    zero("RWF", None),
    two("SEK", Some(300)),
    two("SGD", Some(50)),
    two("THB", Some(1000)),
    three("TND"),
    two("USD", Some(50)),
    zero("VND", None),
    zero("VUV", None),
    zero("XAF", None),
    zero("XOF", None),
    zero("XPF", None),
];

/// Stripe's largest single charge in minor units (an 8-digit amount for most
/// currencies: 999,999.99 USD).
pub const MAX_CHARGE_MINOR: i64 = 99_999_999;

impl CurrencyRules {
    pub fn of(currency: &str) -> Option<CurrencyRules> {
        RULES.binary_search_by(|r| r.code.cmp(currency)).ok().map(|i| RULES[i])
    }

    /// Every currency the platform takes payments in.
    pub fn all() -> impl Iterator<Item = &'static CurrencyRules> {
        RULES.iter()
    }

    /// The code as Stripe's API spells it.
    pub fn stripe_code(&self) -> String {
        self.code.to_ascii_lowercase()
    }

    /// `amount` rounded down to a chargeable multiple.
    pub fn floor(&self, amount: i64) -> i64 {
        amount - amount.rem_euclid(self.step)
    }

    /// `amount` rounded up to a chargeable multiple.
    pub fn ceil(&self, amount: i64) -> i64 {
        let r = amount.rem_euclid(self.step);
        if r == 0 { amount } else { amount + (self.step - r) }
    }

    /// Whether Stripe would take a charge of exactly `amount`.
    pub fn check(&self, amount: i64) -> Result<(), ChargeError> {
        if amount <= 0 {
            return Err(ChargeError::NotPositive);
        }
        if amount % self.step != 0 {
            return Err(ChargeError::NotAMultiple { currency: self.code, step: self.step });
        }
        if let Some(min) = self.minimum
            && amount < min
        {
            return Err(ChargeError::BelowMinimum { currency: self.code, minimum: min, exponent: self.exponent });
        }
        if amount > MAX_CHARGE_MINOR {
            return Err(ChargeError::AboveMaximum { currency: self.code });
        }
        Ok(())
    }

    /// `amount` minor units as a human reads it ("12.50", "5000", "1.250").
    pub fn display(&self, amount: i64) -> String {
        let sign = if amount < 0 { "-" } else { "" };
        let a = amount.unsigned_abs();
        if self.exponent == 0 {
            return format!("{sign}{a}");
        }
        let unit = 10u64.pow(u32::from(self.exponent));
        format!("{sign}{}.{:0width$}", a / unit, a % unit, width = usize::from(self.exponent))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChargeError {
    #[error("payments in {0} are not supported (Stripe's rules for it are not ones the platform handles)")]
    Unsupported(String),
    #[error("nothing to charge")]
    NotPositive,
    #[error("{currency} amounts must be a multiple of {step} minor units")]
    NotAMultiple { currency: &'static str, step: i64 },
    #[error("the amount is below Stripe's minimum charge of {} {currency}", Minimum(*minimum, *exponent))]
    BelowMinimum { currency: &'static str, minimum: i64, exponent: u8 },
    #[error("the amount is above Stripe's largest single charge in {currency}")]
    AboveMaximum { currency: &'static str },
}

struct Minimum(i64, u8);

impl fmt::Display for Minimum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules = CurrencyRules { code: "", exponent: self.1, step: 1, minimum: None };
        f.write_str(&rules.display(self.0))
    }
}

/// The rules of a price's currency, or why it cannot be charged.
pub fn rules_for(money: &Money) -> Result<CurrencyRules, ChargeError> {
    CurrencyRules::of(money.currency.as_str()).ok_or_else(|| ChargeError::Unsupported(money.currency.as_str().into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_table_is_sorted_and_codes_are_iso() {
        assert!(RULES.windows(2).all(|w| w[0].code < w[1].code));
        for r in RULES {
            assert!(cm_core::money::Currency::try_from(r.code.to_string()).is_ok(), "{}", r.code);
        }
    }

    #[test]
    fn zero_and_three_decimal_currencies() {
        let jpy = CurrencyRules::of("JPY").unwrap();
        assert_eq!((jpy.exponent, jpy.step), (0, 1));
        assert_eq!(jpy.display(5000), "5000");
        assert!(jpy.check(49).is_err());
        assert!(jpy.check(50).is_ok());
        let kwd = CurrencyRules::of("KWD").unwrap();
        assert_eq!(kwd.display(1250), "1.250");
        assert_eq!(kwd.check(1255), Err(ChargeError::NotAMultiple { currency: "KWD", step: 10 }));
        assert!(kwd.check(1250).is_ok());
        assert_eq!((kwd.floor(1255), kwd.ceil(1251), kwd.ceil(1250)), (1250, 1260, 1250));
        assert_eq!(CurrencyRules::of("INR").unwrap().display(123456), "1234.56");
        assert!(CurrencyRules::of("ISK").is_none());
    }

    #[test]
    fn minimums_at_their_boundary() {
        let gbp = CurrencyRules::of("GBP").unwrap();
        assert_eq!(gbp.check(29), Err(ChargeError::BelowMinimum { currency: "GBP", minimum: 30, exponent: 2 }));
        assert!(gbp.check(30).is_ok());
        let msg = CurrencyRules::of("USD").unwrap().check(49).unwrap_err().to_string();
        assert!(msg.contains("0.50 USD"), "{msg}");
        let huf = CurrencyRules::of("HUF").unwrap();
        assert!(huf.check(17550).is_err(), "whole forints only");
        assert!(huf.check(17500).is_ok());
    }

    proptest! {
        #[test]
        fn floor_and_ceil_bracket_the_amount(amount in 0i64..10_000_000, i in 0usize..RULES.len()) {
            let r = RULES[i];
            let (lo, hi) = (r.floor(amount), r.ceil(amount));
            prop_assert!(lo <= amount && amount <= hi);
            prop_assert_eq!(lo % r.step, 0);
            prop_assert_eq!(hi % r.step, 0);
            prop_assert_eq!(hi - lo, if amount % r.step == 0 { 0 } else { r.step });
        }
    }
}
