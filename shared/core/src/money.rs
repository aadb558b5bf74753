//! Money is an integer count of the currency's minor unit plus its ISO 4217 code.
//! Never a float: rounding errors in prices, deposits and refunds are real money.

use crate::FieldErrors;
use serde::{Deserialize, Serialize};

/// ISO 4217 codes in active use. A short list beats a regex: "ABC" is well-formed but
/// no payment provider will take it.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SYP", "SZL",
    "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND",
    "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
];

/// Upper bound on any single price: 10^12 minor units (ten billion in a two-decimal
/// currency). Keeps sums of many prices far from i64 overflow.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if ISO_4217.binary_search(&s.as_str()).is_ok() {
            Ok(Self(s))
        } else {
            Err(format!("`{s}` is not an ISO 4217 currency code (e.g. INR, USD, EUR)"))
        }
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

/// The wire form before validation, so one bad field does not hide the others.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    pub amount_minor: i64,
    pub currency: String,
}

impl MoneyInput {
    /// A price: strictly positive, bounded, in a real currency.
    pub fn into_price(self) -> Result<Money, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.amount_minor <= 0 {
            errors.add("amount_minor", "must be greater than zero (integer minor units, e.g. paise or cents)");
        } else if self.amount_minor > MAX_AMOUNT_MINOR {
            errors.add("amount_minor", format!("must be at most {MAX_AMOUNT_MINOR}"));
        }
        let currency = Currency::try_from(self.currency).map_err(|m| errors.add("currency", m)).ok();
        match currency {
            Some(currency) if errors.is_empty() => Ok(Money { amount_minor: self.amount_minor, currency }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn code_list_is_sorted_for_binary_search() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn rejects_fake_and_lowercase_currencies() {
        assert!(Currency::try_from("INR".to_string()).is_ok());
        assert!(Currency::try_from("inr".to_string()).is_err());
        assert!(Currency::try_from("ABC".to_string()).is_err());
    }

    #[test]
    fn reports_every_bad_field() {
        let err = MoneyInput { amount_minor: 0, currency: "XXX".into() }.into_price().unwrap_err();
        let fields: Vec<_> = err.iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["amount_minor", "currency"]);
    }

    proptest! {
        #[test]
        fn valid_prices_are_positive_and_bounded(amount in any::<i64>()) {
            let r = MoneyInput { amount_minor: amount, currency: "USD".into() }.into_price();
            prop_assert_eq!(r.is_ok(), amount > 0 && amount <= MAX_AMOUNT_MINOR);
        }
    }
}
