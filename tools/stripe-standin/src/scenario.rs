//! One pass through every flow that produces the event types the platform handles; the
//! fixture generator and the tests run it against a fresh stand-in.

use serde_json::{Value, json};

use crate::raw::Raw;

/// The event types the platform's webhook handles, one fixture each.
pub const FIXTURE_TYPES: &[&str] = &[
    "payment_intent.created",
    "payment_intent.amount_capturable_updated",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "charge.succeeded",
    "charge.captured",
    "charge.refunded",
    "refund.created",
    "charge.dispute.created",
    "charge.dispute.closed",
    "account.updated",
];

fn ok(reply: crate::raw::Reply, what: &str) -> Result<Value, String> {
    if reply.status == 200 { Ok(reply.body) } else { Err(format!("{what}: {} {}", reply.status, reply.body)) }
}

pub async fn run(raw: &Raw) -> Result<(), String> {
    // A photographer onboards.
    let account = ok(
        raw.api(
            "POST",
            "/v1/accounts",
            &[
                ("type", "express"),
                ("country", "DE"),
                ("email", "photographer@example.com"),
                ("capabilities[card_payments][requested]", "true"),
                ("capabilities[transfers][requested]", "true"),
                ("metadata[photographer_id]", "ph_1"),
            ],
            None,
        )
        .await?,
        "create account",
    )?;
    let acct = account["id"].as_str().unwrap_or_default().to_string();
    ok(
        raw.control("POST", &format!("/standin/accounts/{acct}/onboarding"), Some(&json!({"outcome": "complete"})))
            .await?,
        "onboarding",
    )?;
    let customer = ok(
        raw.api("POST", "/v1/customers", &[("email", "client@example.com"), ("metadata[user_id]", "u_1")], None)
            .await?,
        "create customer",
    )?;
    let cus = customer["id"].as_str().unwrap_or_default().to_string();
    // A deposit authorized, then captured, partly refunded and disputed.
    let pi = ok(
        raw.api(
            "POST",
            "/v1/payment_intents",
            &[
                ("amount", "15000"),
                ("currency", "eur"),
                ("customer", &cus),
                ("capture_method", "manual"),
                ("confirm", "true"),
                ("payment_method", "pm_card_visa"),
                ("setup_future_usage", "off_session"),
                ("transfer_data[destination]", &acct),
                ("application_fee_amount", "1500"),
                ("metadata[booking_id]", "bk_1"),
                ("description", "Booking bk_1 deposit"),
            ],
            Some("fixture-deposit"),
        )
        .await?,
        "create payment intent",
    )?;
    let pi_id = pi["id"].as_str().unwrap_or_default().to_string();
    ok(raw.api("POST", &format!("/v1/payment_intents/{pi_id}/capture"), &[], None).await?, "capture")?;
    ok(
        raw.api(
            "POST",
            "/v1/refunds",
            &[
                ("payment_intent", &pi_id),
                ("amount", "5000"),
                ("reason", "requested_by_customer"),
                ("reverse_transfer", "true"),
                ("refund_application_fee", "true"),
            ],
            None,
        )
        .await?,
        "refund",
    )?;
    let dispute = ok(
        raw.control(
            "POST",
            "/standin/disputes",
            Some(&json!({"payment_intent": pi_id, "reason": "product_not_received"})),
        )
        .await?,
        "open dispute",
    )?;
    ok(
        raw.control(
            "POST",
            &format!("/standin/disputes/{}/close", dispute["id"].as_str().unwrap_or_default()),
            Some(&json!({"status": "won"})),
        )
        .await?,
        "close dispute",
    )?;
    // A declined card, a card that needs 3-D Secure, and an abandoned payment.
    let declined = raw
        .api(
            "POST",
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("confirm", "true"),
                ("payment_method", "pm_card_chargeDeclined"),
            ],
            None,
        )
        .await?;
    if declined.status != 402 {
        return Err(format!("decline: {} {}", declined.status, declined.body));
    }
    let action = ok(
        raw.api(
            "POST",
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "eur"),
                ("confirm", "true"),
                ("payment_method", "pm_card_authenticationRequired"),
                ("return_url", "http://127.0.0.1/return"),
            ],
            None,
        )
        .await?,
        "3ds",
    )?;
    ok(
        raw.api(
            "POST",
            &format!("/v1/payment_intents/{}/cancel", action["id"].as_str().unwrap_or_default()),
            &[("cancellation_reason", "abandoned")],
            None,
        )
        .await?,
        "cancel",
    )?;
    Ok(())
}
