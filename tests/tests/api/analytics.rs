//! Booking analytics (GET /admin/analytics) against DynamoDB Local: real booking stream
//! records through aggregate-activity (redelivered, and in batches that repeat part
//! of an earlier one), then the admin's report read back from the aggregates, for the
//! platform and per city and specialization, as JSON and as CSV.

use crate::support::*;
use chrono::{DateTime, Duration, Utc};
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_store::{BookingWriter, DynamoStore};
use cm_tests::stream::{event, item_json, record, sequence_of};
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
        json!({"requested": 3, "confirmed": 1, "paid": 0, "completed": 1, "reviewed": 0,
               "confirmed_rate": 0.333, "paid_rate": 0.0, "completed_rate": 0.333, "reviewed_rate": 0.0})
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
    assert_eq!(
        lines[0],
        "period_start,requested,confirmed,declined,cancelled,expired,completed,booked_hours,paid,reviewed,\
         cancelled_by_client,cancelled_by_photographer,cancelled_by_platform,cancelled_while_pending,\
         cancelled_after_confirmation,cancelled_late,session_hours,available_hours,utilisation",
        "no money in the range: no currency columns"
    );
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

/// The items `pk`/`sk` as they stand now, as the next image of a stream record.
async fn snapshot(env: &TestEnv, pk: &str, sk: &str) -> Value {
    item_json(&env.dynamo, &env.table, pk, sk).await.expect("the item")
}

/// A stream record from each image to the next (the first an INSERT).
fn records_of(images: &[Value]) -> Vec<Value> {
    std::iter::once(record("INSERT", None, Some(&images[0])))
        .chain(images.windows(2).map(|w| record("MODIFY", Some(&w[0]), Some(&w[1]))))
        .collect()
}

/// Money through the real payment flow (the Stripe stand-in, settle-payments,
/// charge-balances, webhooks), the bookings' status changes through the API and a
/// review through the API; then the table's stream records of the ledgers, bookings
/// and review to aggregate-activity, redelivered and in overlapping batches.
#[tokio::test]
async fn revenue_and_refunds_are_counted_per_currency_and_the_funnel_reaches_paid_and_reviewed() {
    use crate::payments::world;
    let w = world().await.with_payouts().await;
    let env = &w.env;
    let admin = admin(env).await;
    let now = Utc::now();
    call(
        env.app,
        put_my_photographer_profile::handle,
        ApiEvent::new("PUT /photographers/me").bearer(&w.photographer.access).json(profile(
            "Asha",
            "Pune",
            &["portrait"],
            250_000,
            "INR",
        )),
    )
    .await
    .ok(200);

    // Pune portraits (the support booking's): one in rupees and one in yen, each paid
    // in full (the deposit on confirmation, the balance a week ahead); then the yen one
    // cancelled by its client a fortnight ahead: everything back.
    let inr = w.booking(14, 500_000, "INR").await;
    let jpy = w.booking(14, 10_001, "JPY").await;
    let (mut ledgers, mut bookings) = (Vec::new(), Vec::new());
    for b in [&inr, &jpy] {
        let pk = format!("BOOKING#{}", b.id);
        let mut booking_images = vec![snapshot(env, &pk, "BOOKING").await];
        w.deposit(b.id, "pm_card_visa").await;
        let mut ledger_images = vec![snapshot(env, &pk, "PAYMENTS").await];
        w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
        booking_images.push(snapshot(env, &pk, "BOOKING").await);
        w.settle().await;
        ledger_images.push(snapshot(env, &pk, "PAYMENTS").await);
        ledgers.push(ledger_images);
        bookings.push(booking_images);
    }
    let charger = charge_balances::Charger { app: cm_app::App::new(env.app.store.clone()), stripe: w.own_stripe() };
    assert_eq!(charger.charge_due(now + Duration::days(8)).await.unwrap().charged, 2, "both balances");
    w.s.deliver_new(env.app).await;
    for (images, b) in ledgers.iter_mut().zip([&inr, &jpy]) {
        images.push(snapshot(env, &format!("BOOKING#{}", b.id), "PAYMENTS").await);
    }
    w.status(&w.client.access, jpy.id, json!({"status": "cancelled", "reason": "Plans changed"})).await.ok(200);
    bookings[1].push(snapshot(env, &format!("BOOKING#{}", jpy.id), "BOOKING").await);
    w.settle().await;
    ledgers[1].push(snapshot(env, &format!("BOOKING#{}", jpy.id), "PAYMENTS").await);
    assert_eq!(w.state(inr.id).await, cm_payments::PaymentState::Paid);
    assert_eq!(w.state(jpy.id).await, cm_payments::PaymentState::Refunded);

    // A finished session, reviewed through the API.
    let done = booking(env, &w.client, &w.photographer, BookingStatus::Completed).await;
    let posted = call(
        env.app,
        create_review::handle,
        ApiEvent::new("POST /bookings/{id}/review")
            .path("id", done.id)
            .bearer(&w.client.access)
            .json(json!({"rating": 5, "text": "Lovely photos"})),
    )
    .await;
    posted.ok(201);
    // The rating itself follows from the review's analysis on the stream (score-sentiment);
    // here straight from the store, as that pass would leave it.
    env.app.store.add_photographer_rating(w.photographer.id.parse().unwrap(), 5, now).await.unwrap();
    let review = snapshot(env, &format!("BOOKING#{}", done.id), "REVIEW").await;

    let mut stream: Vec<Value> = Vec::new();
    for images in ledgers.iter().chain(&bookings) {
        stream.extend(records_of(images));
    }
    stream.push(record("INSERT", None, Some(&review)));
    deliver(env, stream.clone()).await;

    let (from, to) = (day(now - Duration::days(10)), day(now + Duration::days(10)));
    let read =
        || async { report(env, &admin.access, &[("from", from.as_str()), ("to", to.as_str())]).await.ok(200).clone() };
    let body = read().await;
    let totals = &body["totals"];
    assert_eq!(totals["revenue_minor"], json!({"INR": 500_000, "JPY": 10_001}), "{body}");
    assert_eq!(totals["refunds_minor"], json!({"JPY": 10_001}));
    assert_eq!(totals["net_minor"], json!({"INR": 500_000, "JPY": 0}));
    assert_eq!(
        body["funnel"],
        json!({"requested": 2, "confirmed": 2, "paid": 2, "completed": 0, "reviewed": 1,
               "confirmed_rate": 1.0, "paid_rate": 1.0, "completed_rate": 0.0, "reviewed_rate": 0.5})
    );
    assert_eq!(totals["cancelled"], 1);
    assert_eq!(
        totals["cancellations"],
        json!({"by_client": 1, "by_photographer": 0, "by_platform": 0,
               "while_pending": 0, "after_confirmation": 1, "late": 0}),
        "a fortnight ahead: outside the 48-hour window"
    );
    let series_inr: i64 =
        body["series"].as_array().unwrap().iter().map(|p| p["revenue_minor"]["INR"].as_i64().unwrap_or(0)).sum();
    assert_eq!(series_inr, 500_000, "the days add up to the totals");

    // The leaderboard: the photographer's bookings, money per currency, mean answer
    // time, and name and rating from their record.
    assert_eq!(body["leaderboard"].as_array().map(Vec::len), Some(1), "{body}");
    let leader = &body["leaderboard"][0];
    assert_eq!(leader["photographer_id"], json!(w.photographer.id));
    assert_eq!(leader["display_name"], "Asha");
    assert_eq!(leader["rating"], json!({"average": 5.0, "count": 1}));
    assert_eq!([&leader["requested"], &leader["confirmed"], &leader["cancelled"]], [&json!(2), &json!(2), &json!(1)]);
    assert_eq!(leader["revenue_minor"], totals["revenue_minor"]);
    assert_eq!(leader["refunds_minor"], totals["refunds_minor"]);
    assert!(
        leader["mean_confirm_minutes"].as_f64().is_some_and(|m| (0.0..5.0).contains(&m)),
        "confirmed at once: {leader}"
    );
    // Redelivered whole, and a bisected batch repeating part of it: nothing counts twice.
    deliver(env, stream.clone()).await;
    deliver(env, stream[2..6].to_vec()).await;
    assert_eq!(read().await, body);

    // The booking's series: its city and specialization, none of another's.
    let pune = report(env, &admin.access, &[("from", &from), ("to", &to), ("city", "pune")]).await;
    assert_eq!(pune.ok(200)["totals"]["revenue_minor"], totals["revenue_minor"]);
    let weddings = report(env, &admin.access, &[("from", &from), ("to", &to), ("specialization", "wedding")]).await;
    assert_eq!(weddings.ok(200)["totals"]["revenue_minor"], json!({}));
    assert_eq!(weddings.ok(200)["funnel"]["paid"], 0);

    // The CSV: a revenue and a refunds column per currency, in code order.
    let e = ApiEvent::new("GET /admin/analytics")
        .bearer(&admin.access)
        .query("from", &from)
        .query("to", &to)
        .query("granularity", "month")
        .header("accept", "text/csv");
    let csv = call(env.app, admin_get_analytics::handle, e).await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.text.split("\r\n").filter(|l| !l.is_empty()).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(
        header[header.len() - 4..],
        ["revenue_minor_INR", "refunds_minor_INR", "revenue_minor_JPY", "refunds_minor_JPY"]
    );
    let column = |name: &str| -> i64 {
        let i = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
        lines[1..].iter().map(|l| l.split(',').nth(i).unwrap().parse::<i64>().unwrap()).sum()
    };
    assert_eq!(
        [column("revenue_minor_INR"), column("refunds_minor_JPY"), column("paid"), column("reviewed")],
        [500_000, 10_001, 2, 1]
    );
    assert_eq!([column("cancelled_by_client"), column("cancelled_after_confirmation")], [1, 1]);

    // Only admins: not the photographer paid, nor the client who paid.
    report(env, &w.photographer.access, &[]).await.problem(403);
    report(env, &w.client.access, &[]).await.problem(403);
}

/// A ledger change that moves money is counted in its booking's series, so a ledger
/// without its booking is a broken record: reported for retry, not acknowledged. One
/// that moves no money needs no booking and passes.
#[tokio::test]
async fn a_ledger_without_its_booking_is_reported_and_one_moving_no_money_passes() {
    use crate::payments::world;
    let w = world().await.with_payouts().await;
    let env = &w.env;
    let b = w.booking(14, 500_000, "INR").await;
    let pk = format!("BOOKING#{}", b.id);
    w.deposit(b.id, "pm_card_visa").await;
    let authorised = snapshot(env, &pk, "PAYMENTS").await;
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    let captured = snapshot(env, &pk, "PAYMENTS").await;
    env.dynamo
        .delete_item()
        .table_name(&env.table)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(pk.clone()))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("BOOKING".into()))
        .send()
        .await
        .unwrap();
    let aggregator =
        aggregate_activity::Aggregator { app: cm_app::App::new(DynamoStore::new(env.dynamo.clone(), &env.table)) };
    let records = vec![record("INSERT", None, Some(&authorised)), record("MODIFY", Some(&authorised), Some(&captured))];
    let capture = sequence_of(&records[1]);
    let r =
        aggregate_activity::handle(&aggregator, lambda_runtime::LambdaEvent::new(event(records), Default::default()))
            .await
            .unwrap();
    let failed: Vec<_> = r.batch_item_failures.iter().filter_map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failed, [capture], "only the capture needs the booking");

    // Other items' records in the same batch go on (items are handled in parallel),
    // and only the first failure is reported: Lambda resumes there, and what came
    // after it is counted once however often it comes again.
    let other =
        booking_at(env, &w.client, &w.photographer, BookingStatus::Pending, Utc::now() + Duration::days(20)).await;
    let other_image = image(env, &other).await;
    let other_request = record("INSERT", None, Some(&other_image));
    let records = vec![record("MODIFY", Some(&authorised), Some(&captured)), other_request.clone()];
    let capture = sequence_of(&records[0]);
    for _ in 0..2 {
        let r = aggregate_activity::handle(
            &aggregator,
            lambda_runtime::LambdaEvent::new(event(records.clone()), Default::default()),
        )
        .await
        .unwrap();
        let failed: Vec<_> = r.batch_item_failures.iter().filter_map(|f| f.item_identifier.clone()).collect();
        assert_eq!(failed, std::slice::from_ref(&capture));
    }
    let admin = admin(env).await;
    // booking_at's request was made three days before its session.
    let (from, to) = (day(Utc::now()), day(Utc::now() + Duration::days(30)));
    let body = report(env, &admin.access, &[("from", &from), ("to", &to)]).await.ok(200).clone();
    assert_eq!(body["totals"]["requested"], 1, "the other booking's request, once: {body}");
}

async fn put_profile(env: &TestEnv, who: &Session, body: Value) {
    let e = ApiEvent::new("PUT /photographers/me").bearer(&who.access).json(body);
    call(env.app, put_my_photographer_profile::handle, e).await.ok(200);
}

async fn stats(env: &TestEnv, token: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/me/stats").bearer(token);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, get_my_photographer_stats::handle, e).await
}

/// A review's MODIFY record as score-sentiment's write leaves it: analysis version 1 and
/// the analysis of `text`.
fn analysed(review: &Value, text: &str) -> Value {
    let record = cm_reviews::SentimentRecord {
        analysis: cm_sentiment::analyze(text),
        analyzer: "builtin".into(),
        analyzed_at: Utc::now(),
    };
    let sentiment: serde_dynamo::AttributeValue = serde_dynamo::to_attribute_value(&record).unwrap();
    let mut after = review.clone();
    after["sentiment"] = serde_json::to_value(sentiment).unwrap();
    after["analysis_version"] = json!({"N": "1"});
    after["analysis_state"] = json!({"S": "analysed"});
    after
}

#[tokio::test]
async fn a_photographers_stats_come_from_their_own_series_with_their_hours_and_their_citys_rates() {
    let env = env().await;
    let client = register(&env, "client").await;
    let me = register(&env, "photographer").await;
    put_profile(&env, &me, profile("Asha", "Pune", &["portrait"], 250_000, "INR")).await;
    sample_hours(&env, &me).await;
    // Pune's other portrait photographers: ₹2,000 and ₹3,000 an hour; one charging in
    // dollars and one in Mumbai are not compared with.
    for (city, rate, currency) in
        [("Pune", 200_000, "INR"), ("pune", 300_000, "INR"), ("Pune", 9_000, "USD"), ("Mumbai", 1_000, "INR")]
    {
        let other = register(&env, "photographer").await;
        put_profile(&env, &other, profile("Other", city, &["portrait"], rate, currency)).await;
    }

    // Two requests: one confirmed (two hours on its session's day), one confirmed and
    // then cancelled (its hours given back).
    let now = Utc::now();
    let start = now + Duration::days(5);
    let (a, a0) = requested(&env, &client, &me, "Pune", "portrait", start).await;
    moved(&env, &a, &a0, BookingStatus::Confirmed, a.created_at + Duration::minutes(30)).await;
    let (b, b0) = requested(&env, &client, &me, "Pune", "portrait", start + Duration::days(1)).await;
    let (b, b1) = moved(&env, &b, &b0, BookingStatus::Confirmed, b.created_at + Duration::minutes(90)).await;
    moved(&env, &b, &b1, BookingStatus::Cancelled, b.created_at + Duration::hours(3)).await;

    // A completed session reviewed with two stars, then its analysis on the stream.
    let done = booking(&env, &client, &me, BookingStatus::Completed).await;
    call(
        env.app,
        create_review::handle,
        ApiEvent::new("POST /bookings/{id}/review")
            .path("id", done.id)
            .bearer(&client.access)
            .json(json!({"rating": 2, "text": "Late, rude and the photos were blurry."})),
    )
    .await
    .ok(201);
    let review = snapshot(&env, &format!("BOOKING#{}", done.id), "REVIEW").await;
    let after = analysed(&review, "Late, rude and the photos were blurry.");
    let stream = vec![record("INSERT", None, Some(&review)), record("MODIFY", Some(&review), Some(&after))];
    deliver(&env, stream.clone()).await;
    deliver(&env, stream).await;

    let (from, to) = (day(now - Duration::days(7)), day(now + Duration::days(14)));
    let body = stats(&env, &me.access, &[("from", &from), ("to", &to), ("granularity", "month")]).await.ok(200).clone();
    let totals = &body["totals"];
    assert_eq!(
        [&totals["requested"], &totals["confirmed"], &totals["cancelled"], &totals["reviewed"]],
        [&json!(2), &json!(2), &json!(1), &json!(1)],
        "{body}"
    );
    assert_eq!(totals["session_hours"], 2.0, "the cancelled session's hours were given back: {body}");
    assert_eq!(totals["mean_confirm_minutes"], 60.0, "30 and 90 minutes to confirm");
    assert_eq!(totals["rating_average"], 2.0);
    assert_eq!(totals["sentiment"]["analysed"], 1, "{body}");
    assert_eq!(totals["sentiment"]["negative"], 1);
    assert!(totals["sentiment"]["mean_score"].as_f64().is_some_and(|s| s < 0.0), "{body}");
    // The sample's hours: 9 hours each Monday and 12 each Saturday (Kolkata), the
    // December time off excluded; utilisation is the sessions' share of them.
    let available = totals["available_hours"].as_f64().unwrap();
    assert!((2.0 * 21.0..=4.0 * 21.0).contains(&available), "three weeks of 21 hours, give or take: {body}");
    let expected = (2.0 / available * 1000.0).round() / 1000.0;
    assert_eq!(totals["utilisation"].as_f64(), Some(expected));
    let sum: f64 = body["series"].as_array().unwrap().iter().map(|p| p["session_hours"].as_f64().unwrap()).sum();
    assert_eq!(sum, 2.0, "the months add up to the totals");
    assert_eq!(body["timezone"], "Asia/Kolkata");
    assert_eq!(
        body["rating"]["count"], 0,
        "the all-time rating follows the analysis (score-sentiment), not this stream"
    );
    assert_eq!(
        body["price_comparison"],
        json!([{"specialization": "portrait", "currency": "INR", "your_hourly_rate_minor": 250_000, "compared_with": 2,
                "median_hourly_rate_minor": 250_000, "difference_percent": 0.0, "percentile": 50.0}])
    );

    // Only their own: a client has no stats, a photographer without a profile gets 404,
    // and bad ranges are refused with the field named.
    stats(&env, &client.access, &[]).await.problem(403);
    let newcomer = register(&env, "photographer").await;
    stats(&env, &newcomer.access, &[]).await.problem(404);
    let bad = stats(&env, &me.access, &[("from", "2026-02-30")]).await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "from");
    stats(&env, &me.access, &[("from", "2020-01-01"), ("to", "2026-01-01")]).await.problem(400);
    stats(&env, &me.access, &[("granularity", "year")]).await.problem(400);
    // By default: the twelve weeks before today and the four after, by week.
    let default = stats(&env, &me.access, &[]).await;
    let d = default.ok(200);
    assert_eq!(d["granularity"], "week");
    assert_eq!(d["totals"]["session_hours"], 2.0, "{d}");
}

async fn capacity_snapshot(env: &TestEnv) -> snapshot_capacity::Summary {
    let app = cm_app::App::new(env.app.store.clone());
    snapshot_capacity::snapshot(&app).await.unwrap()
}

#[tokio::test]
async fn the_capacity_snapshot_gives_each_segment_its_working_hours_and_utilisation_follows() {
    let env = env().await;
    let admin = admin(&env).await;
    let client = register(&env, "client").await;
    // Two Pune photographers keeping the sample's hours (9 hours on Mondays, 12 on
    // Saturdays, Kolkata), one of portraits and weddings, one of portraits.
    let (asha, ravi) = (register(&env, "photographer").await, register(&env, "photographer").await);
    put_profile(&env, &asha, profile("Asha", "Pune", &["portrait", "wedding"], 250_000, "INR")).await;
    put_profile(&env, &ravi, profile("Ravi", "pune ", &["portrait"], 200_000, "INR")).await;
    sample_hours(&env, &asha).await;
    sample_hours(&env, &ravi).await;
    // A photographer without hours counts in nothing.
    let idle = register(&env, "photographer").await;
    put_profile(&env, &idle, profile("Idle", "Pune", &["event"], 100_000, "INR")).await;

    let first = capacity_snapshot(&env).await;
    assert_eq!((first.photographers, first.with_hours, first.unreadable_hours), (3, 2, 0));
    // ALL, Pune, portrait, wedding, Pune portrait, Pune wedding.
    assert_eq!((first.segments, first.writes, first.emptied), (6, 6 * 28, 0));

    let today = Utc::now().date_naive();
    let (from, to) = (today.to_string(), (today + chrono::Days::new(27)).to_string());
    let totals = |params: Vec<(&'static str, String)>| {
        let env = &env;
        let token = admin.access.clone();
        async move {
            let mut p: Vec<(&str, &str)> = vec![];
            for (k, v) in &params {
                p.push((k, v.as_str()));
            }
            report(env, &token, &p).await.ok(200)["totals"].clone()
        }
    };
    let range = || vec![("from", from.clone()), ("to", to.clone())];
    let all = totals(range()).await;
    let each = all["available_hours"].as_f64().unwrap() / 2.0;
    assert!((2.0 * 21.0..=4.0 * 21.0).contains(&each), "four weeks of 21 hours each, less any time off: {all}");
    let with = |k: &'static str, v: &str| {
        let mut r = range();
        r.push((k, v.to_string()));
        r
    };
    assert_eq!(totals(with("city", "PUNE")).await["available_hours"], all["available_hours"]);
    assert_eq!(totals(with("specialization", "portrait")).await["available_hours"], all["available_hours"]);
    assert_eq!(totals(with("specialization", "wedding")).await["available_hours"].as_f64(), Some(each), "Asha's only");
    assert_eq!(totals(with("specialization", "event")).await["available_hours"], 0.0, "the idle one keeps no hours");
    assert_eq!(all["utilisation"], 0.0, "nothing booked yet: {all}");

    // A confirmed two-hour Pune portrait session in the range: utilisation is its
    // share of the hours, in every series it belongs to.
    let (b, b0) = requested(&env, &client, &asha, "Pune", "portrait", Utc::now() + Duration::days(3)).await;
    moved(&env, &b, &b0, BookingStatus::Confirmed, b.created_at + Duration::minutes(10)).await;
    let all = totals(range()).await;
    assert_eq!(all["session_hours"], 2.0, "{all}");
    let expected = (2.0 / all["available_hours"].as_f64().unwrap() * 1000.0).round() / 1000.0;
    assert_eq!(all["utilisation"].as_f64(), Some(expected));

    // Run again: the same values (every write is a SET of the total).
    assert_eq!(capacity_snapshot(&env).await.writes, first.writes);
    assert_eq!(totals(range()).await, all);

    // Ravi moves to Mumbai; Asha stops shooting weddings: Pune weddings and Pune
    // lose hours, a segment nobody works in is zeroed, Mumbai gains Ravi's.
    put_profile(&env, &ravi, profile("Ravi", "Mumbai", &["portrait"], 200_000, "INR")).await;
    put_profile(&env, &asha, profile("Asha", "Pune", &["portrait"], 250_000, "INR")).await;
    let moved_on = capacity_snapshot(&env).await;
    assert_eq!(moved_on.emptied, 2, "wedding and Pune wedding: {moved_on:?}");
    assert_eq!(totals(with("specialization", "wedding")).await["available_hours"], 0.0);
    assert_eq!(totals(with("city", "Mumbai")).await["available_hours"].as_f64(), Some(each));
    assert_eq!(totals(with("city", "Pune")).await["available_hours"].as_f64(), Some(each));
    assert_eq!(totals(range()).await["available_hours"], all["available_hours"], "the platform keeps both");
}
