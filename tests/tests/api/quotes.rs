//! Price quotes against DynamoDB Local: GET /photographers/{id}/quote with dynamic
//! pricing off (the plain rate) and on (the stored demand forecast, the photographer's
//! week and their bounds), and POST /bookings charging exactly a quote's price, refusing
//! altered, foreign, expired and mismatched quotes (422) without booking anything.

use crate::bookings::{HOURLY, availability_doc, book, day, photographer, request};
use crate::support::*;
use chrono::{Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use cm_booking::analytics::{DemandForecast, DemandPoint, Segment};
use cm_catalog::photographer::Specialization;
use cm_http::SealKey;
use cm_store::{DemandForecasts, DynamoStore};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};
use std::sync::Arc;

async fn quote(app: &'static cm_app::App<DynamoStore>, id: &str, q: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/{id}/quote").path("id", id);
    for (k, v) in q {
        e = e.query(k, v);
    }
    call(app, get_photographer_quote::handle, e).await
}

/// The first Saturday at least 14 days from now, and its 10:00 UTC.
fn saturday() -> (NaiveDate, String) {
    let d = (14..21).map(day).find(|d| d.weekday() == Weekday::Sat).unwrap();
    (d, format!("{d}T10:00:00Z"))
}

/// Pune portraits forecast for 90 days from today: 2 a weekday, 4 a Sunday, 6 a
/// Saturday, against a normal of 2 a day.
async fn forecast_busy_weekends(env: &TestEnv) {
    let today = Utc::now().date_naive();
    let points = (0..90)
        .map(|i| {
            let date = today + Days::new(i);
            let forecast = match date.weekday() {
                Weekday::Sat => 6.0,
                Weekday::Sun => 4.0,
                _ => 2.0,
            };
            DemandPoint { date, forecast, lower: forecast / 2.0, upper: forecast * 2.0 }
        })
        .collect();
    let segment = Segment::new(Some("Pune"), Some(Specialization::Portrait));
    let f = DemandForecast {
        city: segment.city.clone(),
        specialization: segment.specialization,
        as_of: today - Days::new(1),
        generated_at: Utc::now(),
        model: "mstl".into(),
        backtest: None,
        history_requests: 730,
        normal_daily: Some(2.0),
        points,
    };
    env.app.store.put_forecast(&f).await.unwrap();
}

async fn pricing(env: &TestEnv, p: &Session, settings: Value) {
    let mut doc = profile("Asha Lens", "Pune", &["portrait", "wedding"], HOURLY, "INR");
    doc["dynamic_pricing"] = settings;
    call(
        env.app,
        put_my_photographer_profile::handle,
        ApiEvent::new("PUT /photographers/me").bearer(&p.access).json(doc),
    )
    .await
    .ok(200);
}

fn with_quote(mut body: Value, quote_id: &str) -> Value {
    body["quote_id"] = json!(quote_id);
    body
}

fn multiplier(q: &Value, factor: &str) -> f64 {
    let f = q["factors"].as_array().unwrap().iter().find(|f| f["factor"] == factor).unwrap();
    f["multiplier"].as_f64().unwrap()
}

#[tokio::test]
async fn with_dynamic_pricing_off_a_quote_is_the_plain_rate_and_books_at_it() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let client = register(&env, "client").await;
    let (_, start) = saturday();
    let q = quote(env.app, &p.id, &[("start", &start), ("duration_minutes", "90")]).await.ok(200).clone();
    assert_eq!(q["price"], json!({"amount_minor": 375_000, "currency": "INR"}), "1.5 h at ₹2,500.00");
    assert_eq!(q["base_price"], q["price"]);
    assert_eq!((q["dynamic_pricing"].clone(), q["factors"].clone()), (json!(false), json!([])));
    assert_eq!(q["event_type"], "portrait", "the photographer's first specialization by default");
    let package = quote(env.app, &p.id, &[("start", &start), ("package_id", "basic")]).await.ok(200).clone();
    assert_eq!(
        (package["price"]["amount_minor"].clone(), package["duration_minutes"].clone()),
        (json!(500_000), json!(120))
    );

    let body = with_quote(request(&p.id, &start, 90), q["quote_id"].as_str().unwrap());
    let booked = book(&env, &client.access, body).await.ok(201).clone();
    assert_eq!(booked["price"], q["price"]);
}

#[tokio::test]
async fn a_dynamic_quote_explains_its_factors_and_the_booking_is_charged_exactly_that() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    pricing(&env, &p, json!({"enabled": true, "floor_percent": 80, "ceiling_percent": 150})).await;
    forecast_busy_weekends(&env).await;
    let client = register(&env, "client").await;
    let (date, start) = saturday();

    let q = quote(env.app, &p.id, &[("start", &start), ("duration_minutes", "120")]).await.ok(200).clone();
    assert_eq!(q["dynamic_pricing"], true);
    // The week: five days of 2, a Saturday of 6, a Sunday of 4 = 2.86 a day against a
    // normal of 2 (1.43^0.3); the Saturday draws 2.1× its week, held at +15 %.
    assert_eq!(multiplier(&q, "demand"), 1.113, "{q}");
    assert_eq!(multiplier(&q, "weekday"), 1.15);
    assert_eq!(multiplier(&q, "lead_time"), 1.0, "two weeks ahead");
    assert_eq!(multiplier(&q, "utilisation"), 0.95, "an empty week");
    assert_eq!(multiplier(&q, "rating"), 1.0, "no reviews");
    let reasons: Vec<&str> = q["factors"].as_array().unwrap().iter().map(|f| f["reason"].as_str().unwrap()).collect();
    let monday = date.week(Weekday::Mon).first_day();
    assert_eq!(
        reasons[0],
        format!(
            "forecast demand for portrait sessions in Pune in the week of {} is 1.43× the past year's daily average",
            monday.format("%-d %B %Y")
        )
    );
    assert_eq!(reasons[3], "the photographer's week is 0 % booked");
    assert_eq!(q["forecast"]["series"], "portrait sessions in Pune");
    // ₹5,000.00 × 1.113 × 1.15 × 0.95 = ₹6,079.84, rounded to whole rupees.
    assert_eq!(q["price"], json!({"amount_minor": 608_000, "currency": "INR"}));
    assert_eq!(
        q["bounds"],
        json!({"floor": {"amount_minor": 400_000, "currency": "INR"},
                                   "ceiling": {"amount_minor": 750_000, "currency": "INR"}})
    );
    assert_eq!(q["limit"], Value::Null);

    // Without a quote there is no agreed price to charge.
    let plain = book(&env, &client.access, request(&p.id, &start, 120)).await;
    assert_eq!(plain.problem(422)["errors"][0]["field"], "quote_id", "{}", plain.text);

    let booked = book(&env, &client.access, with_quote(request(&p.id, &start, 120), q["quote_id"].as_str().unwrap()))
        .await
        .ok(201)
        .clone();
    assert_eq!(booked["price"], q["price"]);

    // Booked now: the same photographer's next quote that week sees a fuller week.
    let sunday = format!("{}T10:00:00Z", date + Days::new(1));
    let after = quote(env.app, &p.id, &[("start", &sunday), ("duration_minutes", "120")]).await.ok(200).clone();
    let factor = after["factors"].as_array().unwrap().iter().find(|f| f["factor"] == "utilisation").unwrap().clone();
    assert_eq!(factor["reason"], "the photographer's week is 4 % booked", "2 h of 56: {after}");
}

#[tokio::test]
async fn the_photographers_ceiling_holds_a_surge() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    pricing(&env, &p, json!({"enabled": true, "floor_percent": 100, "ceiling_percent": 105})).await;
    forecast_busy_weekends(&env).await;
    let (_, start) = saturday();
    let q = quote(env.app, &p.id, &[("start", &start), ("package_id", "basic")]).await.ok(200).clone();
    assert_eq!(q["limit"], "ceiling", "{q}");
    assert_eq!(q["price"]["amount_minor"], 525_000);
    assert!(q["multiplier"].as_f64().unwrap() > 1.05);
}

#[tokio::test]
async fn altered_foreign_expired_and_mismatched_quotes_are_refused_and_book_nothing() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let client = register(&env, "client").await;
    let (_, start) = saturday();
    let q = quote(env.app, &p.id, &[("start", &start), ("duration_minutes", "120")]).await.ok(200).clone();
    let id = q["quote_id"].as_str().unwrap().to_string();

    // The price inside changed, keeping the tag.
    let (payload, tag) = id.split_once('.').unwrap();
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut terms: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    terms["price"]["amount_minor"] = json!(100);
    let altered = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&terms).unwrap()));
    let r = book(&env, &client.access, with_quote(request(&p.id, &start, 120), &altered)).await;
    assert_eq!(r.problem(422)["type"].as_str().unwrap().rsplit('/').next(), Some("quote-invalid"), "{}", r.text);

    // Sealed with another key: not ours.
    let other =
        SealKey::new(b"another-key-that-is-at-least-32-bytes-long", "k").unwrap().seal("quote/v1", &terms).unwrap();
    let r = book(&env, &client.access, with_quote(request(&p.id, &start, 120), &other)).await;
    assert_eq!(r.status, 422, "{}", r.text);

    // Issued 31 minutes ago.
    let clock = cm_core::ManualClock::new(Utc::now() - TimeDelta::minutes(31));
    let past: &'static _ = Box::leak(Box::new(cm_tests::aws::app(env.app.store.clone()).with_clock(Arc::new(clock))));
    let old = quote(past, &p.id, &[("start", &start), ("duration_minutes", "120")]).await.ok(200).clone();
    let r =
        book(&env, &client.access, with_quote(request(&p.id, &start, 120), old["quote_id"].as_str().unwrap())).await;
    assert_eq!(r.problem(422)["type"].as_str().unwrap().rsplit('/').next(), Some("quote-expired"), "{}", r.text);

    // For another length, another hour.
    let r = book(&env, &client.access, with_quote(request(&p.id, &start, 180), &id)).await;
    assert_eq!(r.problem(422)["detail"], "the quote is for another duration; ask for a quote for this session");
    let later = start.replace("T10:00", "T12:00");
    let r = book(&env, &client.access, with_quote(request(&p.id, &later, 120), &id)).await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "quote_id");

    // Nothing was booked: the slot is still free at the real quote.
    let booked = book(&env, &client.access, with_quote(request(&p.id, &start, 120), &id)).await.ok(201).clone();
    assert_eq!(booked["price"]["amount_minor"], 500_000);
}

#[tokio::test]
async fn bad_quote_requests_get_clear_errors() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let (_, start) = saturday();
    let yesterday = (Utc::now() - TimeDelta::days(1)).to_rfc3339();
    let far = (Utc::now() + TimeDelta::days(800)).to_rfc3339();
    for (q, field) in [
        (vec![("duration_minutes", "60")], "start"),
        (vec![("start", "tomorrow"), ("duration_minutes", "60")], "start"),
        (vec![("start", "2026-12-26T10:00:00"), ("duration_minutes", "60")], "start"),
        (vec![("start", yesterday.as_str()), ("duration_minutes", "60")], "start"),
        (vec![("start", far.as_str()), ("duration_minutes", "60")], "start"),
        (vec![("start", start.as_str()), ("duration_minutes", "7")], "duration_minutes"),
        (vec![("start", start.as_str()), ("duration_minutes", "sixty")], "duration_minutes"),
        (vec![("start", start.as_str())], "duration_minutes"),
        (vec![("start", start.as_str()), ("package_id", "gold")], "package_id"),
        (vec![("start", start.as_str()), ("duration_minutes", "60"), ("event_type", "astronaut")], "event_type"),
    ] {
        let r = quote(env.app, &p.id, &q).await;
        let problem = r.problem(400);
        assert_eq!(problem["errors"][0]["field"], field, "{q:?}: {}", r.text);
    }
    let r = quote(env.app, &p.id, &[("start", &start), ("duration_minutes", "60"), ("surge", "1")]).await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "surge");
    let nobody = cm_core::UserId::new().to_string();
    quote(env.app, &nobody, &[("start", &start), ("duration_minutes", "60")]).await.problem(404);
    quote(env.app, "not-an-id", &[("start", &start), ("duration_minutes", "60")]).await.problem(404);
}

async fn preview(env: &TestEnv, token: &str, q: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/me/pricing-preview").bearer(token);
    for (k, v) in q {
        e = e.query(k, v);
    }
    call(env.app, preview_my_pricing::handle, e).await
}

#[tokio::test]
async fn photographers_preview_dynamic_pricing_before_turning_it_on() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    forecast_busy_weekends(&env).await;
    let (_, start) = saturday();
    let asked =
        [("start", start.as_str()), ("duration_minutes", "120"), ("floor_percent", "80"), ("ceiling_percent", "150")];
    let r = preview(&env, &p.access, &asked).await.ok(200).clone();
    // Off on the profile, priced as if on: the same price the quote gives once it is on.
    assert_eq!(r["dynamic_pricing"], true);
    assert!(r.get("quote_id").is_none() && r.get("expires_at").is_none(), "nothing sealed: {r}");
    assert_eq!(r["price"]["amount_minor"], 608_000, "{r}");
    let plain = quote(env.app, &p.id, &[("start", &start), ("duration_minutes", "120")]).await.ok(200).clone();
    assert_eq!(plain["price"]["amount_minor"], 500_000, "the public still gets the plain rate");
    pricing(&env, &p, json!({"enabled": true, "floor_percent": 80, "ceiling_percent": 150})).await;
    let on = quote(env.app, &p.id, &[("start", &start), ("duration_minutes", "120")]).await.ok(200).clone();
    assert_eq!(on["price"], r["price"]);
    // Without bounds, the saved ones.
    let saved = preview(&env, &p.access, &[("start", &start), ("duration_minutes", "120")]).await.ok(200).clone();
    assert_eq!(saved["bounds"], on["bounds"]);

    let tight = [("start", start.as_str()), ("duration_minutes", "120"), ("ceiling_percent", "101")];
    assert_eq!(preview(&env, &p.access, &tight).await.ok(200)["limit"], "ceiling");
    for (name, value) in
        [("floor_percent", "49"), ("floor_percent", "101"), ("ceiling_percent", "99"), ("ceiling_percent", "x")]
    {
        let r =
            preview(&env, &p.access, &[("start", start.as_str()), ("duration_minutes", "120"), (name, value)]).await;
        assert_eq!(r.problem(400)["errors"][0]["field"], name, "{name}={value}");
    }
    let client = register(&env, "client").await;
    assert_eq!(preview(&env, &client.access, &asked).await.status, 403);
    let call_anonymous =
        call(env.app, preview_my_pricing::handle, ApiEvent::new("GET /photographers/me/pricing-preview")).await;
    assert_eq!(call_anonymous.status, 401);
    let newcomer = register(&env, "photographer").await;
    preview(&env, &newcomer.access, &asked).await.problem(404);
}
