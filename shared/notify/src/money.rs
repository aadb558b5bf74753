//! Money display from integer minor units. Floats never enter the computation: an `f64`
//! cannot represent most decimal fractions, and a rounding slip on a price is a support
//! ticket.

/// Number of minor-unit digits for an ISO 4217 code.
///
/// Only the exceptions are listed: every active code not named here has two decimals, so an
/// unrecognised but well-formed code is shown with two as well.
pub fn currency_exponent(code: &str) -> u32 {
    match normalise_code(code).as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// Formats an amount for people, e.g. `₹1,50,000.00`, `$1,234.56`, `¥5,000`, `CHF 12.50`.
///
/// Currencies with a widely understood symbol get it; the rest are prefixed with their code
/// so nothing is ambiguous. Rupees use Indian digit grouping (lakh, crore) because that is
/// how INR amounts are read by the people paying them.
pub fn format_money(amount_minor: i64, currency: &str) -> String {
    let code = normalise_code(currency);
    let exponent = currency_exponent(&code);
    // unsigned_abs keeps i64::MIN representable; negating it would overflow.
    let magnitude = amount_minor.unsigned_abs();
    let divisor = 10u64.pow(exponent);
    let major = magnitude / divisor;
    let minor = magnitude % divisor;

    let mut digits = if code == "INR" { group_indian(major) } else { group_thousands(major) };
    if exponent > 0 {
        digits.push('.');
        digits.push_str(&format!("{minor:0width$}", width = exponent as usize));
    }

    let sign = if amount_minor < 0 { "-" } else { "" };
    match symbol(&code) {
        Some(symbol) => format!("{sign}{symbol}{digits}"),
        None if code.is_empty() => format!("{sign}{digits}"),
        None => format!("{sign}{code} {digits}"),
    }
}

fn normalise_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

fn symbol(code: &str) -> Option<&'static str> {
    match code {
        "INR" => Some("₹"),
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

fn group_thousands(value: u64) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len() + raw.len() / 3);
    for (i, ch) in raw.chars().enumerate() {
        if i > 0 && (raw.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Last three digits, then groups of two: 1,23,45,678.
fn group_indian(value: u64) -> String {
    let raw = value.to_string();
    if raw.len() <= 3 {
        return raw;
    }
    let (head, tail) = raw.split_at(raw.len() - 3);
    let mut out = String::with_capacity(raw.len() + raw.len() / 2);
    for (i, ch) in head.chars().enumerate() {
        if i > 0 && (head.len() - i).is_multiple_of(2) {
            out.push(',');
        }
        out.push(ch);
    }
    out.push(',');
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_decimal_currencies() {
        assert_eq!(format_money(123_456, "USD"), "$1,234.56");
        assert_eq!(format_money(5, "USD"), "$0.05");
        assert_eq!(format_money(0, "EUR"), "€0.00");
        assert_eq!(format_money(99_999, "GBP"), "£999.99");
        assert_eq!(format_money(100_000_000, "EUR"), "€1,000,000.00");
    }

    #[test]
    fn rupees_use_indian_grouping() {
        assert_eq!(format_money(2_500_000, "INR"), "₹25,000.00");
        assert_eq!(format_money(15_000_000, "INR"), "₹1,50,000.00");
        assert_eq!(format_money(1_234_567_890, "INR"), "₹1,23,45,678.90");
        assert_eq!(format_money(99_900, "INR"), "₹999.00");
    }

    #[test]
    fn zero_and_three_decimal_currencies() {
        assert_eq!(format_money(5_000, "JPY"), "¥5,000");
        assert_eq!(format_money(7, "JPY"), "¥7");
        assert_eq!(format_money(1_234, "KWD"), "KWD 1.234");
        assert_eq!(format_money(5, "BHD"), "BHD 0.005");
        assert_eq!(format_money(1_500_000, "KRW"), "KRW 1,500,000");
    }

    #[test]
    fn codes_are_normalised_and_unknown_codes_default_to_two_decimals() {
        assert_eq!(format_money(1_250, " usd "), "$12.50");
        assert_eq!(format_money(1_250, "chf"), "CHF 12.50");
        assert_eq!(format_money(1_250, ""), "12.50");
    }

    #[test]
    fn negative_amounts_and_extremes_do_not_panic() {
        assert_eq!(format_money(-199, "USD"), "-$1.99");
        assert_eq!(format_money(i64::MIN, "USD"), "-$92,233,720,368,547,758.08");
        assert_eq!(format_money(i64::MAX, "JPY"), "¥9,223,372,036,854,775,807");
    }

    fn strip_grouping(formatted: &str) -> String {
        formatted.chars().filter(|c| c.is_ascii_digit() || *c == '-').collect()
    }

    proptest! {
        /// The displayed digits are exactly the minor-unit amount: grouping and the decimal
        /// point move nothing.
        #[test]
        fn digits_round_trip(amount in any::<i64>(), code in prop::sample::select(vec!["USD", "INR", "JPY", "KWD", "EUR"])) {
            let shown = format_money(amount, code);
            let digits = strip_grouping(&shown);
            let exponent = currency_exponent(code);
            let magnitude = amount.unsigned_abs();
            let expected_digits = if exponent == 0 {
                magnitude.to_string()
            } else {
                let divisor = 10u64.pow(exponent);
                format!("{}{:0w$}", magnitude / divisor, magnitude % divisor, w = exponent as usize)
            };
            let sign = if amount < 0 { "-" } else { "" };
            prop_assert_eq!(digits, format!("{sign}{expected_digits}"));
        }
    }
}
