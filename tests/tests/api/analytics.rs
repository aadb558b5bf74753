//! Booking analytics (GET /admin/analytics) against DynamoDB Local: real booking stream
//! records through aggregate-activity (redelivered, and in batches that repeat part
//! of an earlier one), then the admin's report read back from the aggregates, for the
//! platform and per city and specialization, as JSON and as CSV.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_store::{BookingWriter, DynamoStore};
use cm_tests::stream::{event, item_json, record};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};

async fn deliver(env: &TestEnv, records: Vec<Value>) {
    let aggregator =
        aggregate_activity::Aggregator { app: cm_app::App::new(DynamoStore::new(env.dynamo.clone(), &env.table)) };
    let r =
        aggregate_activity::handle(&aggregator, lambda_runtime::LambdaEvent::new(event(records), Default::default()))
            .await
            .unwrap();
    assert!(r.batch_item_failures.is_empty(), "{:?}", r.batch_item_failures);
}

async fn image(env: &TestEnv, b: &Booking) -> Value {
    item_json(&env.dynamo, &env.table, &format!("BOOKING#{}", b.id), "BOOKING").await.expect("the booking item")
}

/// A new booking in `city` for `event_type`, requested `lead` before its start, and
/// its INSERT record (delivered twice: a redelivery).
async fn requested(
    env: &TestEnv,
    client: &Session,
    photographer: &Session,
    city: &str,
    event_type: &str,
    start: DateTime<Utc>,
) -> (Booking, Value) {
    let mut b = booking_at(env, client, photographer, BookingStatus::Pending, start).await;
    // booking_at writes Pune portraits; rewrite the item as this test's booking.
    b.location.city = city.into();
    b.event_type = event_type.into();
    b.updated_at = b.created_at;
    let mut item: serde_json::Map<String, Value> = serde_json::from_value(image(env, &b).await).expect("an item");
    item.insert("location".into(), json!({"M": {"address": {"S": "1 Main St"}, "city": {"S": city}}}));
    item.insert("event_type".into(), json!({"S": event_type}));
    item.insert("updated_at".into(), json!({"S": b.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)}));
    let item: serde_dynamo::Item = serde_json::from_value(Value::Object(item.clone())).unwrap();
    env.dynamo.put_item().table_name(&env.table).set_item(Some(item.into())).send().await.unwrap();
    let inserted = image(env, &b).await;
    deliver(env, vec![record("INSERT", None, Some(&inserted))]).await;
    deliver(env, vec![record("INSERT", None, Some(&inserted))]).await;
    (b, inserted)
}

/// `b` moved to `to` at `at` through the store, and its MODIFY record delivered twice.
async fn moved(env: &TestEnv, b: &Booking, before: &Value, to: BookingStatus, at: DateTime<Utc>) -> (Booking, Value) {
    let mut next = b.clone();
    next.status = to;
    next.version += 1;
    next.updated_at = at;
    next.history.push(cm_booking::booking::HistoryEntry {
        at,
        by: None,
        actor: cm_booking::Actor::System,
        action: cm_booking::booking::HistoryAction::StatusChanged,
        from: Some(b.status),
        to,
        reason: None,
        previous_start: None,
        new_start: None,
    });
    if to != BookingStatus::Confirmed {
        next.lock_blocks.clear();
    }
    env.app.store.update_booking_status(b, &next).await.unwrap();
    let after = image(env, &next).await;
    deliver(env, vec![record("MODIFY", Some(before), Some(&after))]).await;
    deliver(env, vec![record("MODIFY", Some(before), Some(&after))]).await;
    (next, after)
}

async fn report(env: &TestEnv, token: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /admin/analytics").bearer(token);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, admin_get_analytics::handle, e).await
}

fn day(at: DateTime<Utc>) -> String {
    at.date_naive().to_string()
}

#[tokio::test]
async fn each_booking_change_is_counted_once_in_every_series_it_belongs_to() {
    let env = env().await;
    let admin = admin(&env).await;
    let client = register(&env, "client").await;
    let photographer = register(&env, "photographer").await;
    let now = Utc::now();
    // booking_at requests three days before the session: these requests are made from now on.
    let start = now + Duration::days(3);

    // Lisbon weddings: one confirmed then completed, one declined; a Porto portrait that expires.
    let (a, a0) = requested(&env, &client, &photographer, "Lisbon", "wedding", start).await;
    let (a, a1) = moved(&env, &a, &a0, BookingStatus::Confirmed, a.created_at + Duration::hours(5)).await;
    moved(&env, &a, &a1, BookingStatus::Completed, a.created_at + Duration::hours(6)).await;
    let (b, b0) = requested(&env, &client, &photographer, "  lisbon ", "wedding", start + Duration::days(1)).await;
    moved(&env, &b, &b0, BookingStatus::Declined, b.created_at + Duration::hours(1)).await;
    let (c, c0) = requested(&env, &client, &photographer, "Porto", "portrait", start + Duration::days(2)).await;
    // A batch that repeats what an earlier one delivered (bisection) adds nothing more.
    let (_, c1) = moved(&env, &c, &c0, BookingStatus::Expired, c.created_at + Duration::hours(2)).await;
    deliver(&env, vec![record("INSERT", None, Some(&c0)), record("MODIFY", Some(&c0), Some(&c1))]).await;

    let (from, to) = (day(now - Duration::days(10)), day(now + Duration::days(10)));
    let body = report(&env, &admin.access, &[("from", &from), ("to", &to)]).await.ok(200).clone();
    let totals = &body["totals"];
    assert_eq!(
        [&totals["requested"], &totals["confirmed"], &totals["declined"], &totals["expired"], &totals["completed"]],
        [&json!(3), &json!(1), &json!(1), &json!(1), &json!(1)],
        "{body}"
    );
    assert_eq!(totals["cancelled"], 0);
    assert_eq!(totals["booked_hours"], 2.0, "the confirmed booking's two hours, kept when completed");
    assert_eq!(
        body["funnel"],
        json!({"requested": 3, "confirmed": 1, "completed": 1, "confirmed_rate": 0.333, "completed_rate": 0.333})
    );
    // booking_at requests three days ahead of the session.
    assert_eq!(body["lead_time"]["from_1_to_7d"], 3, "{body}");
    assert_eq!(body["lead_time"]["mean_days"], 3.0);
    assert_eq!(body["series"].as_array().unwrap().len(), 21, "one period a day, empty days included");
    let requested: i64 = body["series"].as_array().unwrap().iter().map(|p| p["requested"].as_i64().unwrap()).sum();
    assert_eq!(requested, 3);
    assert_eq!(
        body["top_cities"],
        json!([{"name": "lisbon", "requested": 2, "confirmed": 1, "completed": 1},
               {"name": "porto", "requested": 1, "confirmed": 0, "completed": 0}])
    );
    assert_eq!(body["top_specializations"][0]["name"], "wedding");

    // One series per segment: a city (as search compares cities), a specialization, both.
    let lisbon = report(&env, &admin.access, &[("from", &from), ("to", &to), ("city", "LISBON")]).await;
    assert_eq!(lisbon.ok(200)["totals"]["requested"], 2);
    assert_eq!(lisbon.ok(200)["filter"], json!({"city": "lisbon", "specialization": null}));
    let portraits = report(&env, &admin.access, &[("from", &from), ("to", &to), ("specialization", "portrait")]).await;
    assert_eq!(portraits.ok(200)["totals"]["expired"], 1);
    let both = [("from", from.as_str()), ("to", to.as_str()), ("city", "Porto"), ("specialization", "wedding")];
    assert_eq!(report(&env, &admin.access, &both).await.ok(200)["totals"]["requested"], 0);

    // Weeks and months add up to the same totals.
    for g in ["week", "month"] {
        let r = report(&env, &admin.access, &[("from", &from), ("to", &to), ("granularity", g)]).await;
        let body = r.ok(200);
        let periods = body["series"].as_array().unwrap();
        assert_eq!(periods[0]["start"], json!(from), "the first period is clipped to the range");
        let sum: i64 = periods.iter().map(|p| p["requested"].as_i64().unwrap()).sum();
        assert_eq!(sum, 3, "{g}: {body}");
    }
}

#[tokio::test]
async fn the_series_comes_as_csv_when_asked_for() {
    let env = env().await;
    let admin = admin(&env).await;
    let client = register(&env, "client").await;
    let photographer = register(&env, "photographer").await;
    let now = Utc::now();
    requested(&env, &client, &photographer, "Lisbon", "wedding", now + Duration::days(5)).await;
    let (from, to) = (day(now - Duration::days(6)), day(now));
    let e = ApiEvent::new("GET /admin/analytics")
        .bearer(&admin.access)
        .query("from", &from)
        .query("to", &to)
        .header("accept", "text/csv, application/json;q=0.5");
    let r = call(env.app, admin_get_analytics::handle, e).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.header("content-disposition").unwrap_or_default().contains(&format!("bookings-{from}-{to}-day.csv")));
    let text = r.text.clone();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "period_start,requested,confirmed,declined,cancelled,expired,completed,booked_hours");
    assert_eq!(lines.len(), 1 + 7, "a header and a row per day: {text}");
    // The request was made three days before its session, i.e. two days from now: outside
    // this range, so every row counts nothing but the booking's day is a row of its own.
    let requested: i64 = lines[1..].iter().map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(requested, 0);
    let later = report(&env, &admin.access, &[("from", &day(now)), ("to", &day(now + Duration::days(5)))]).await;
    assert_eq!(later.ok(200)["totals"]["requested"], 1);
}

#[tokio::test]
async fn only_admins_read_analytics_and_bad_queries_are_refused() {
    let env = env().await;
    let admin = admin(&env).await;
    let client = register(&env, "client").await;
    assert_eq!(call(env.app, admin_get_analytics::handle, ApiEvent::new("GET /admin/analytics")).await.status, 401);
    assert_eq!(report(&env, &client.access, &[]).await.status, 403);
    for (params, field) in [
        (vec![("from", "2026-02-01"), ("to", "2026-01-01")], "to"),
        (vec![("from", "2020-01-01"), ("to", "2026-01-01")], "to"),
        (vec![("from", "yesterday")], "from"),
        (vec![("granularity", "hour")], "granularity"),
        (vec![("specialization", "astronaut")], "specialization"),
        (vec![("city", "x".repeat(101).as_str())], "city"),
        (vec![("colour", "blue")], "colour"),
    ] {
        let r = report(&env, &admin.access, &params).await;
        r.problem(400);
        assert!(r.error_fields().iter().any(|f| f == field), "{params:?}: {}", r.body);
    }
    // No parameters: the last 30 days, by day.
    let body = report(&env, &admin.access, &[]).await.ok(200).clone();
    assert_eq!(body["series"].as_array().unwrap().len(), 30);
    assert_eq!(body["granularity"], "day");
}
