//! Phone verification (POST /me/phone/verification, .../confirm) against DynamoDB
//! Local, with the code read back from the text moto recorded, and texts about bookings
//! (notify-booking-change) going only to verified numbers that want them.

use crate::support::*;
use chrono::TimeDelta;
use cm_core::ManualClock;
use cm_tests::moto::{sms_to, unique_phone};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};
use std::sync::Arc;

/// One texter per test binary (its client pool is shared by the tests).
pub(crate) async fn texter_ready() -> &'static cm_sms::Texter {
    static TEXTER: tokio::sync::OnceCell<cm_sms::Texter> = tokio::sync::OnceCell::const_new();
    TEXTER.get_or_init(|| async { cm_sms::Texter::new(&cm_tests::moto::sdk_config().await, None) }).await
}

async fn start(env: &TestEnv, who: &Session, body: Value) -> TestResponse {
    let texter = texter_ready().await;
    call(
        env.app,
        move |app, req| start_phone_verification::handle(app, texter, req),
        ApiEvent::new("POST /me/phone/verification").bearer(&who.access).json(body),
    )
    .await
}

async fn confirm(env: &TestEnv, who: &Session, code: &str) -> TestResponse {
    call(
        env.app,
        confirm_phone_verification::handle,
        ApiEvent::new("POST /me/phone/verification/confirm").bearer(&who.access).json(json!({"code": code})),
    )
    .await
}

/// The code in the last text to `phone`.
async fn last_code(phone: &str) -> String {
    let texts = sms_to(phone).await;
    let last = texts.last().unwrap_or_else(|| panic!("no text to {phone}"));
    last.get(..6)
        .filter(|c| c.chars().all(|d| d.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in {last:?}"))
        .into()
}

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

/// An environment whose clock the test moves.
fn clocked(base: TestEnv) -> (TestEnv, ManualClock) {
    let clock = ManualClock::starting_now();
    let app = cm_tests::moto::app(base.app.store.clone()).with_clock(Arc::new(clock.clone()));
    (TestEnv { app: Box::leak(Box::new(app)), dynamo: base.dynamo, table: base.table }, clock)
}

/// Verifies a fresh number for `who` through the API; returns it.
pub(crate) async fn verify_phone(env: &TestEnv, who: &Session) -> String {
    let phone = unique_phone(false);
    start(env, who, json!({"phone": phone})).await.ok(202);
    let me = confirm(env, who, &last_code(&phone).await).await;
    assert_eq!(me.ok(200)["phone_verified"], true, "{}", me.text);
    phone
}

#[tokio::test]
async fn a_texted_code_verifies_the_number_once() {
    let env = env().await;
    let client = register(&env, "client").await;
    let phone = unique_phone(false);
    // Typed the way people do: spaces and dashes go, the stored form is E.164.
    let spaced = format!("{} {}-{}", &phone[..3], &phone[3..7], &phone[7..]);
    let r = start(&env, &client, json!({"phone": spaced})).await;
    let body = r.ok(202);
    assert_eq!(body["phone"], phone.as_str());
    let texts = sms_to(&phone).await;
    assert_eq!(texts.len(), 1);
    assert!(texts[0].ends_with("is your Capture Moments code. It expires in 10 minutes. Never share it."), "{texts:?}");
    let code = last_code(&phone).await;

    let r = confirm(&env, &client, &wrong(&code)).await;
    let p = r.problem(422);
    assert_eq!(p["tries_left"], 4);
    assert_eq!(p["errors"][0]["field"], "code", "{p}");

    let me = confirm(&env, &client, &format!("{} {}", &code[..3], &code[3..])).await;
    let me = me.ok(200);
    assert_eq!((me["phone"].as_str(), me["phone_verified"].as_bool()), (Some(phone.as_str()), Some(true)));
    let r = call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&client.access)).await;
    assert_eq!(r.ok(200)["phone_verified"], true);

    // Used up: the same code again finds nothing waiting.
    confirm(&env, &client, &code).await.problem(409);
}

#[tokio::test]
async fn a_code_expires_and_too_many_wrong_tries_lock_it() {
    let (env, clock) = clocked(env().await);
    let client = register(&env, "client").await;
    let phone = unique_phone(false);
    start(&env, &client, json!({"phone": phone})).await.ok(202);
    let code = last_code(&phone).await;
    clock.advance(cm_accounts::phone::CODE_LIFETIME);
    confirm(&env, &client, &code).await.problem(410);

    start(&env, &client, json!({"phone": phone})).await.ok(202);
    let code = last_code(&phone).await;
    for left in (0..cm_accounts::phone::MAX_WRONG).rev() {
        assert_eq!(confirm(&env, &client, &wrong(&code)).await.problem(422)["tries_left"], left);
    }
    // Locked: even the right code fails until a new one is asked for.
    confirm(&env, &client, &code).await.problem(429);
    let r = call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&client.access)).await;
    assert_eq!(r.ok(200)["phone_verified"], false);
}

#[tokio::test]
async fn sends_are_limited_and_a_new_code_replaces_the_old() {
    let (env, clock) = clocked(env().await);
    let client = register(&env, "client").await;
    let phone = unique_phone(false);
    start(&env, &client, json!({"phone": phone})).await.ok(202);
    let first = last_code(&phone).await;
    let r = start(&env, &client, json!({"phone": phone})).await;
    r.problem(429);
    assert_eq!(r.header("retry-after"), Some("60"));
    assert_eq!(sms_to(&phone).await.len(), 1, "a refused send texts nothing");

    for _ in 0..4 {
        clock.advance(cm_accounts::phone::RESEND_AFTER);
        start(&env, &client, json!({"phone": phone})).await.ok(202);
    }
    let newest = last_code(&phone).await;
    clock.advance(cm_accounts::phone::RESEND_AFTER);
    let r = start(&env, &client, json!({"phone": phone})).await;
    r.problem(429);
    let wait: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(
        wait,
        (TimeDelta::hours(1) - cm_accounts::phone::RESEND_AFTER * 5).num_seconds(),
        "until the first send leaves the hour"
    );
    assert_eq!(sms_to(&phone).await.len(), 5);

    if first != newest {
        confirm(&env, &client, &first).await.problem(422);
    }
    confirm(&env, &client, &newest).await.ok(200);
}

#[tokio::test]
async fn a_number_that_replied_stop_is_refused_and_bad_input_is_422() {
    let env = env().await;
    let client = register(&env, "client").await;
    let stopped = unique_phone(true);
    let r = start(&env, &client, json!({"phone": stopped})).await;
    let p = r.problem(422);
    assert_eq!(p["errors"][0]["field"], "phone", "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("STOP"), "{p}");
    assert!(sms_to(&stopped).await.is_empty());

    for body in [
        json!({"phone": "12345"}),
        json!({"phone": "+0123456789"}),
        json!({}),
        json!({"phone": "+447700900123", "x": 1}),
    ] {
        let r = start(&env, &client, body.clone()).await;
        assert!(matches!(r.status, 400 | 422), "{body}: {} {}", r.status, r.text);
    }
    for code in ["12345", "abcdef", "1234567"] {
        confirm(&env, &client, code).await.problem(422);
    }
    confirm(&env, &client, "123456").await.problem(409);
    let r = call(
        env.app,
        confirm_phone_verification::handle,
        ApiEvent::new("POST /me/phone/verification/confirm").json(json!({"code": "123456"})),
    )
    .await;
    r.problem(401);
}

#[tokio::test]
async fn saving_the_same_number_keeps_it_verified_and_a_new_one_does_not() {
    let env = env().await;
    let client = register(&env, "client").await;
    let phone = verify_phone(&env, &client).await;
    let patch =
        |body: Value| call(env.app, update_me::handle, ApiEvent::new("PATCH /me").bearer(&client.access).json(body));
    let me = patch(json!({"phone": phone, "name": "Asha R"})).await;
    assert_eq!(me.ok(200)["phone_verified"], true);
    let me = patch(json!({"phone": unique_phone(false)})).await;
    assert_eq!(me.ok(200)["phone_verified"], false);
}

/// Verifies a fresh number for `who` and turns texts on for `events`; returns the number.
pub(crate) async fn wants_texts(env: &TestEnv, who: &Session, events: Value) -> String {
    let phone = verify_phone(env, who).await;
    call(
        env.app,
        update_me::handle,
        ApiEvent::new("PATCH /me").bearer(&who.access).json(json!({
            "notification_preferences": {"email": true, "sms": true, "push": true, "sms_events": events}
        })),
    )
    .await
    .ok(200);
    phone
}
