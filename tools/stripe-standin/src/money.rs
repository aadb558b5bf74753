//! Stripe's currency rules for charges: which currencies exist, how many decimals the
//! smallest unit has, and the documented minimum charge amounts
//! (<https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts>).

/// Currencies without a minor unit: `amount=500` JPY is ¥500.
const ZERO_DECIMAL: &[&str] =
    &["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

/// Three-decimal currencies: Stripe requires the last digit to be 0.
const THREE_DECIMAL: &[&str] = &["bhd", "jod", "kwd", "omr", "tnd"];

/// Presentment currencies Stripe accepts for card payments.
const SUPPORTED: &[&str] = &[
    "usd", "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt", "bgn", "bhd",
    "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf", "chf", "clp", "cny", "cop", "crc",
    "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb", "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf",
    "gtq", "gyd", "hkd", "hnl", "htg", "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr",
    "kmf", "krw", "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk", "mnt",
    "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr", "nzd", "omr", "pab", "pen",
    "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub", "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp",
    "sle", "sos", "srd", "std", "szl", "thb", "tjs", "tnd", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "uyu",
    "uzs", "vnd", "vuv", "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
];

/// Minimum charge amounts in the smallest unit, from Stripe's table.
const MINIMUMS: &[(&str, i64)] = &[
    ("usd", 50),
    ("aed", 200),
    ("aud", 50),
    ("bgn", 100),
    ("brl", 50),
    ("cad", 50),
    ("chf", 50),
    ("czk", 1500),
    ("dkk", 250),
    ("eur", 50),
    ("gbp", 30),
    ("hkd", 400),
    ("huf", 17500),
    ("inr", 50),
    ("jpy", 50),
    ("mxn", 1000),
    ("myr", 200),
    ("nok", 300),
    ("nzd", 50),
    ("pln", 200),
    ("ron", 200),
    ("sek", 300),
    ("sgd", 50),
    ("thb", 1000),
];

/// Stripe's ceiling for a single charge (eight digits in the smallest unit).
pub const MAX_AMOUNT: i64 = 99_999_999;

pub fn supported(currency: &str) -> bool {
    SUPPORTED.contains(&currency)
}

pub fn decimals(currency: &str) -> u32 {
    if ZERO_DECIMAL.contains(&currency) {
        0
    } else if THREE_DECIMAL.contains(&currency) {
        3
    } else {
        2
    }
}

/// Minimum in the smallest unit; currencies outside Stripe's table only need a positive
/// amount here (Stripe converts them to a USD 0.50 equivalent, which needs FX rates).
pub fn minimum(currency: &str) -> i64 {
    MINIMUMS.iter().find(|(c, _)| *c == currency).map(|(_, m)| *m).unwrap_or(1)
}

/// `1234` usd → `12.34`, `500` jpy → `500`, `1230` kwd → `1.230`.
pub fn display(amount: i64, currency: &str) -> String {
    let d = decimals(currency);
    if d == 0 {
        return amount.to_string();
    }
    let unit = 10i64.pow(d);
    format!(
        "{}{}.{:0width$}",
        if amount < 0 { "-" } else { "" },
        amount.abs() / unit,
        amount.abs() % unit,
        width = d as usize
    )
}

/// Why an amount is refused for a charge in this currency, as Stripe words it.
pub enum AmountError {
    TooSmall(String),
    TooLarge(String),
    /// Three-decimal currencies must end in 0.
    Invalid(String),
}

pub fn check_charge_amount(amount: i64, currency: &str) -> Result<(), AmountError> {
    let min = minimum(currency);
    if amount < min {
        return Err(AmountError::TooSmall(format!("Amount must be at least {} {}", display(min, currency), currency)));
    }
    if amount > MAX_AMOUNT {
        return Err(AmountError::TooLarge(format!(
            "Amount must be no more than {} {}",
            display(MAX_AMOUNT, currency),
            currency
        )));
    }
    if decimals(currency) == 3 && amount % 10 != 0 {
        return Err(AmountError::Invalid(format!(
            "Invalid amount: {amount}. For {}, amounts must be in multiples of 10 (the last digit of the three-decimal amount must be 0).",
            currency.to_uppercase()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_follows_decimals() {
        assert_eq!(display(50, "usd"), "0.50");
        assert_eq!(display(500, "jpy"), "500");
        assert_eq!(display(1230, "kwd"), "1.230");
    }

    #[test]
    fn charge_amount_rules() {
        assert!(check_charge_amount(50, "usd").is_ok());
        assert!(matches!(check_charge_amount(49, "usd"), Err(AmountError::TooSmall(_))));
        assert!(matches!(check_charge_amount(29, "gbp"), Err(AmountError::TooSmall(_))));
        assert!(check_charge_amount(50, "jpy").is_ok());
        assert!(matches!(check_charge_amount(1235, "kwd"), Err(AmountError::Invalid(_))));
        assert!(check_charge_amount(1230, "kwd").is_ok());
        assert!(matches!(check_charge_amount(MAX_AMOUNT + 1, "usd"), Err(AmountError::TooLarge(_))));
    }
}
