//! Problems shared by the functions that call the payment provider.

use cm_http::Problem;

/// The provider did not answer (or failed on its side). Every call carries an
/// idempotency key, so retrying the same request cannot charge twice.
pub fn provider_unavailable() -> Problem {
    Problem::new(
        503,
        "payment-provider-unavailable",
        "Payment provider unavailable",
        "the payment provider did not answer; nothing was charged twice — retry in a moment",
    )
    .with_header("retry-after", "5".to_string())
}

/// The provider refused a request of ours: our fault, never the client's; logged.
pub fn provider_error() -> Problem {
    Problem::new(
        502,
        "payment-provider-error",
        "Payment provider error",
        "the payment provider refused the request; it has been logged",
    )
}

/// The card was declined (`code` is the provider's decline code).
pub fn declined(code: &str, message: &str) -> Problem {
    Problem::new(402, "payment-declined", "Payment declined", message.to_string())
        .with_extension("decline_code", serde_json::Value::String(code.to_string()))
}
