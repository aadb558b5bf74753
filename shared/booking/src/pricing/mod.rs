//! What a session costs: a package's own duration and price, or the hourly rate pro
//! rata (the base price). Creation and reschedule quote through here, so a moved booking
//! is priced exactly as a new one would be. Photographers who opt in have the base price
//! moved by demand ([`dynamic`]), and clients book at a sealed quote ([`offer`]).

pub mod dynamic;
pub mod offer;
mod round;

pub use dynamic::{DynamicPrice, Factor, FactorName, Limit, PricingInputs, dynamic_price};
pub use offer::{QUOTE_VALIDITY, QuoteRefusal, QuoteTerms};
pub use round::{Rounding, round_within};

use crate::BookingDuration;
use cm_catalog::photographer::PhotographerProfile;
use cm_core::FieldErrors;
use cm_core::money::Money;

/// What a session comes to with a photographer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub duration: BookingDuration,
    pub price: Money,
}

/// The duration and price of a session with this photographer: a package's own
/// duration and price, or the hourly rate pro rata (rounded half up to the minor unit)
/// for `duration`. Creation and reschedule both quote here, so a moved booking costs
/// what a new booking of that length would.
pub fn quote(
    profile: &PhotographerProfile,
    package_id: Option<&str>,
    duration: Option<BookingDuration>,
) -> Result<Quote, FieldErrors> {
    match package_id {
        Some(pid) => {
            let Some(pkg) = profile.package(pid) else {
                return Err(FieldErrors::single("package_id", "this photographer offers no such package"));
            };
            let Some(pkg_duration) = BookingDuration::from_minutes(pkg.duration_minutes) else {
                return Err(FieldErrors::single("package_id", "this package's duration cannot be booked"));
            };
            match duration {
                Some(d) if d != pkg_duration => Err(FieldErrors::single(
                    "duration_minutes",
                    format!(
                        "the `{pid}` package lasts {} minutes; omit duration_minutes or match it",
                        pkg_duration.minutes()
                    ),
                )),
                _ => Ok(Quote { duration: pkg_duration, price: pkg.price.clone() }),
            }
        }
        None => {
            let duration =
                duration.ok_or_else(|| FieldErrors::single("duration_minutes", "is required without a package"))?;
            Ok(Quote { duration, price: hourly_price(&profile.hourly_rate, duration.minutes()) })
        }
    }
}

pub fn hourly_price(rate: &Money, minutes: u32) -> Money {
    let amount = (i128::from(rate.amount_minor) * i128::from(minutes) + 30) / 60;
    Money { amount_minor: i64::try_from(amount).unwrap_or(i64::MAX), currency: rate.currency.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(amount: i64) -> Money {
        serde_json::from_value(serde_json::json!({"amount_minor": amount, "currency": "INR"})).unwrap()
    }

    #[test]
    fn hourly_prices_round_half_up_in_integers() {
        assert_eq!(hourly_price(&money(250000), 120).amount_minor, 500000);
        assert_eq!(hourly_price(&money(100), 45).amount_minor, 75);
        assert_eq!(hourly_price(&money(1), 30).amount_minor, 1); // 0.5 rounds up
        assert_eq!(hourly_price(&money(1), 15).amount_minor, 0); // 0.25 rounds down
    }

    proptest! {
        #[test]
        fn pro_rata_price_is_monotonic_and_exact_on_hours(rate in 1i64..10_000_000, quarters in 1u32..40) {
            let p = hourly_price(&money(rate), quarters * 15).amount_minor;
            let q = hourly_price(&money(rate), (quarters + 1) * 15).amount_minor;
            prop_assert!(q >= p);
            if quarters % 4 == 0 { prop_assert_eq!(p, rate * i64::from(quarters / 4)); }
        }
    }
}
