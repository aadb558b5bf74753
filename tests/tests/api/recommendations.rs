//! Recommendations (GET /recommendations) against DynamoDB Local: candidates read from
//! the geo cells of the point, features kept by aggregate-activity from real booking
//! stream records (each counted once under redelivery), co-booking lists refreshed by
//! refresh-co-booking, and the client's own history. The ranking itself is unit- and
//! property-tested in cm-catalog; here, that every signal reaches it from the table.

use crate::support::*;
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_store::{BookingWriter, DynamoStore, FeatureWriter, RecommendationReader};
use cm_tests::stream::{event, item_json, record};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Each test its own patch of map, far from every other test's photographers.
fn area() -> (f64, f64) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) as f64;
    let salt = (std::process::id() % 50) as f64;
    (-30.0 - salt * 0.2, 20.0 + n * 2.0)
}

async fn based_at(env: &TestEnv, name: &str, specs: &[&str], at: (f64, f64), hourly_minor: i64) -> Session {
    let mut doc = profile(name, "Somewhere", specs, hourly_minor, "INR");
    doc["lat"] = json!(at.0);
    doc["lon"] = json!(at.1);
    doc["service_radius_km"] = json!(40);
    photographer_with_profile(env, doc).await
}

async fn recommend(env: &TestEnv, token: Option<&str>, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /recommendations");
    for (k, v) in params {
        e = e.query(k, v);
    }
    if let Some(t) = token {
        e = e.bearer(t);
    }
    call(env.app, get_recommendations::handle, e).await
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["photographer"]["display_name"].as_str().unwrap().to_string())
        .collect()
}

fn reasons_of(body: &Value, name: &str) -> Vec<String> {
    let item = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["photographer"]["display_name"] == name)
        .unwrap_or_else(|| panic!("{name} not recommended: {body}"));
    item["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

fn text_of(body: &Value, name: &str, code: &str) -> String {
    let item = body["items"].as_array().unwrap().iter().find(|i| i["photographer"]["display_name"] == name).unwrap();
    let r = item["reasons"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap();
    r["text"].as_str().unwrap().to_string()
}

fn store(env: &TestEnv) -> DynamoStore {
    DynamoStore::new(env.dynamo.clone(), &env.table)
}

/// Delivers one stream record of a booking's change to aggregate-activity, `times`
/// times (a redelivery repeats it exactly).
async fn deliver(env: &TestEnv, name: &str, old: Option<&Value>, new: Option<&Value>, times: usize) {
    let aggregator = aggregate_activity::Aggregator { app: cm_app::App::new(store(env)) };
    let rec = record(name, old, new);
    for _ in 0..times {
        let ev = event(vec![rec.clone()]);
        let r = aggregate_activity::handle(&aggregator, lambda_runtime::LambdaEvent::new(ev, Default::default()))
            .await
            .unwrap();
        assert!(r.batch_item_failures.is_empty(), "{:?}", r.batch_item_failures);
    }
}

async fn booking_image(env: &TestEnv, b: &Booking) -> Value {
    item_json(&env.dynamo, &env.table, &format!("BOOKING#{}", b.id), "BOOKING").await.expect("the booking item")
}

/// A booking by `client` of `photographer` created and then moved to `to`, written
/// through the store and delivered to aggregate-activity as the stream would: the
/// INSERT, then the MODIFY (twice: redelivered).
async fn booked(
    env: &TestEnv,
    client: &Session,
    photographer: &Session,
    to: BookingStatus,
    answer_minutes: i64,
) -> Booking {
    booked_at(env, client, photographer, to, answer_minutes, chrono::Utc::now() - chrono::Duration::days(1)).await
}

async fn booked_at(
    env: &TestEnv,
    client: &Session,
    photographer: &Session,
    to: BookingStatus,
    answer_minutes: i64,
    start: chrono::DateTime<chrono::Utc>,
) -> Booking {
    let pending = booking_at(env, client, photographer, BookingStatus::Pending, start).await;
    let inserted = booking_image(env, &pending).await;
    deliver(env, "INSERT", None, Some(&inserted), 2).await;
    if to == BookingStatus::Pending {
        return pending;
    }
    let mut next = pending.clone();
    next.status = to;
    next.version += 1;
    next.updated_at = pending.requested_at + chrono::Duration::minutes(answer_minutes);
    if to != BookingStatus::Confirmed {
        next.lock_blocks.clear();
    }
    env.app.store.update_booking_status(&pending, &next).await.unwrap();
    let modified = booking_image(env, &next).await;
    deliver(env, "MODIFY", Some(&inserted), Some(&modified), 2).await;
    next
}

#[tokio::test]
async fn nearby_photographers_are_ranked_with_their_reasons() {
    let env = env().await;
    let here = area();
    based_at(&env, "Wedding Near", &["wedding", "portrait"], (here.0 + 0.02, here.1), 300_000).await;
    based_at(&env, "Portrait Near", &["portrait"], (here.0 + 0.01, here.1), 150_000).await;
    based_at(&env, "Wedding Far", &["wedding"], (here.0 + 3.0, here.1), 300_000).await;
    let (lat, lon) = (here.0.to_string(), here.1.to_string());

    let body = recommend(
        &env,
        None,
        &[("event_type", "wedding"), ("lat", &lat), ("lon", &lon), ("budget_minor", "3000000"), ("currency", "INR")],
    )
    .await
    .ok(200)
    .clone();
    assert_eq!(names(&body), ["Wedding Near", "Portrait Near"], "the far one does not serve the point: {body}");
    assert_eq!(body["personalized"], json!(false));
    let reasons = reasons_of(&body, "Wedding Near");
    for code in ["specialist", "within_budget", "distance", "new_photographer"] {
        assert!(reasons.contains(&code.to_string()), "{code} missing: {reasons:?}");
    }
    assert_eq!(text_of(&body, "Wedding Near", "distance"), "2.2 km away");
    let first = &body["items"][0];
    assert!(first["score"].as_f64().unwrap() > body["items"][1]["score"].as_f64().unwrap());
    assert!((first["distance_km"].as_f64().unwrap() - 2.2).abs() < 0.05);

    // A budget below the wedding quote (8 h × ₹3,000) takes "within budget" away.
    let tight = recommend(
        &env,
        None,
        &[("event_type", "wedding"), ("lat", &lat), ("lon", &lon), ("budget_minor", "1000000"), ("currency", "INR")],
    )
    .await
    .ok(200)
    .clone();
    assert!(!reasons_of(&tight, "Wedding Near").contains(&"within_budget".to_string()));

    // limit bounds the answer.
    let one = recommend(&env, None, &[("lat", &lat), ("lon", &lon), ("limit", "1")]).await.ok(200).clone();
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_requests_are_refused_with_what_is_wrong() {
    let env = env().await;
    // Yesterday in UTC is still today somewhere; the day before is past everywhere.
    let past = (chrono::Utc::now().date_naive() - chrono::Days::new(2)).to_string();
    for (params, field) in [
        (vec![("lat", "12.9")], "lon"),
        (vec![("lon", "77.6")], "lat"),
        (vec![("lat", "91"), ("lon", "0")], "lat"),
        (vec![("budget_minor", "500000")], "currency"),
        (vec![("currency", "INR")], "budget_minor"),
        (vec![("budget_minor", "0"), ("currency", "INR")], "budget_minor"),
        (vec![("currency", "XXQ"), ("budget_minor", "5")], "currency"),
        (vec![("event_type", "party")], "event_type"),
        (vec![("date", past.as_str())], "date"),
        (vec![("date", "2026-13-01")], "date"),
        (vec![("languages", "en,not a tag")], "languages"),
        (vec![("limit", "51")], "limit"),
        (vec![("radius_km", "5")], "radius_km"),
    ] {
        let p = recommend(&env, None, &params).await.problem(400).clone();
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, [field], "{params:?}: {p}");
    }
    recommend(&env, Some("not-a-token"), &[]).await.problem(401);
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    recommend(&env, None, &[("date", yesterday.as_str())]).await.ok(200);
}

#[tokio::test]
async fn the_booking_stream_keeps_days_answers_and_clients_once() {
    let env = env().await;
    let here = area();
    let ana = based_at(&env, "Ana Weddings", &["wedding"], here, 200_000).await;
    sample_hours(&env, &ana).await;
    let client = register(&env, "client").await;
    let photographer: cm_core::UserId = ana.id.parse().unwrap();

    // Pending, on a working day ahead: the day is held, nothing is answered yet.
    let hours = hours_of(&env, &ana).await;
    let today = chrono::Utc::now().date_naive();
    let busy = (10..40).map(|d| today + chrono::Days::new(d)).find(|d| hours.works_on(*d)).expect("a working day");
    let start = busy.and_hms_opt(6, 0, 0).unwrap().and_utc();
    let pending = booked_at(&env, &client, &ana, BookingStatus::Pending, 0, start).await;
    assert_eq!(pending.local_date, busy);
    let rows = store(&env).feature_rows(&[photographer], Some(pending.local_date)).await.unwrap();
    let row = &rows[&photographer];
    assert!(row.booked_on_date);
    assert_eq!((row.features.response.total(), row.features.clients), (0, 0));

    // Confirmed 90 minutes after the request; delivered twice, counted once.
    let other = register(&env, "client").await;
    let confirmed = booked(&env, &other, &ana, BookingStatus::Confirmed, 90).await;
    let rows = store(&env).feature_rows(&[photographer], Some(confirmed.local_date)).await.unwrap();
    let f = &rows[&photographer].features;
    assert_eq!(f.response.total(), 1);
    assert_eq!(f.response.median_minutes(), Some(120));
    assert_eq!(f.clients, 1);

    // Declined: answered too, and it holds no day.
    let declined = booked(&env, &client, &ana, BookingStatus::Declined, 20).await;
    let rows = store(&env).feature_rows(&[photographer], Some(declined.local_date)).await.unwrap();
    assert_eq!(rows[&photographer].features.response.total(), 2);
    assert_eq!(rows[&photographer].features.clients, 1, "a declined request makes no client");

    // Completed: counted once (delivered three times), and its day is released.
    let before = booking_image(&env, &confirmed).await;
    let mut done = confirmed.clone();
    done.status = BookingStatus::Completed;
    done.version += 1;
    done.lock_blocks.clear();
    env.app.store.update_booking_status(&confirmed, &done).await.unwrap();
    let after = booking_image(&env, &done).await;
    let rows = store(&env).feature_rows(&[photographer], Some(confirmed.local_date)).await.unwrap();
    assert!(rows[&photographer].booked_on_date, "held until the stream says otherwise");
    deliver(&env, "MODIFY", Some(&before), Some(&after), 3).await;
    let rows = store(&env).feature_rows(&[photographer], Some(confirmed.local_date)).await.unwrap();
    assert_eq!(rows[&photographer].features.completed_bookings, 1);
    assert!(!rows[&photographer].booked_on_date);

    // Through the endpoint: the day Ana is booked reads "not available", the next day
    // she works reads "free"; her answers (20 and 90 minutes) read as within the hour.
    let (lat, lon) = (here.0.to_string(), here.1.to_string());
    let body =
        recommend(&env, None, &[("lat", &lat), ("lon", &lon), ("date", &busy.to_string())]).await.ok(200).clone();
    assert_eq!(text_of(&body, "Ana Weddings", "busy_on_date"), format!("Not available on {busy}"));
    let free = (1..30).map(|d| busy + chrono::Days::new(d)).find(|d| hours.works_on(*d)).unwrap();
    let body =
        recommend(&env, None, &[("lat", &lat), ("lon", &lon), ("date", &free.to_string())]).await.ok(200).clone();
    assert_eq!(text_of(&body, "Ana Weddings", "free_on_date"), format!("Free on {free}"));
    assert_eq!(text_of(&body, "Ana Weddings", "quick_replies"), "Usually replies within an hour");
}

/// The photographer's working hours, validated.
async fn hours_of(env: &TestEnv, photographer: &Session) -> cm_booking::Availability {
    let id: cm_core::UserId = photographer.id.parse().unwrap();
    let doc = cm_store::AvailabilityReader::get_availability(&env.app.store, id).await.unwrap().unwrap();
    doc.validate().unwrap()
}

#[tokio::test]
async fn co_booking_and_history_personalise_the_answer() {
    let env = env().await;
    let here = area();
    let ana = based_at(&env, "Ana Weddings", &["wedding"], here, 200_000).await;
    let bea = based_at(&env, "Bea Weddings", &["wedding"], (here.0 + 0.01, here.1), 200_000).await;
    let cid = based_at(&env, "Cid Weddings", &["wedding"], (here.0 + 0.02, here.1), 200_000).await;
    // Two clients booked both Ana and Bea: a co-booking pair of two.
    for _ in 0..2 {
        let c = register(&env, "client").await;
        booked(&env, &c, &ana, BookingStatus::Confirmed, 30).await;
        booked(&env, &c, &bea, BookingStatus::Confirmed, 30).await;
    }
    let app = cm_app::App::new(store(&env));
    // The pass runs until it has been through every photographer of the table.
    let mut finished = false;
    for _ in 0..1000 {
        if refresh_co_booking::refresh(&app, 5).await.unwrap().pass_finished {
            finished = true;
            break;
        }
    }
    assert!(finished);
    let (a, b): (cm_core::UserId, cm_core::UserId) = (ana.id.parse().unwrap(), bea.id.parse().unwrap());
    let rows = store(&env).feature_rows(&[a, b], None).await.unwrap();
    assert_eq!(rows[&a].features.clients, 2);
    let co = &rows[&a].features.co_booked;
    assert_eq!(co.len(), 1, "{co:?}");
    assert_eq!((co[0].photographer, co[0].shared_clients, co[0].their_clients), (b, 2, 2));

    // A new client who booked Ana (and left no review) gets her as booked before, and
    // Bea as co-booked with her; Cid has neither.
    let me = register(&env, "client").await;
    booked(&env, &me, &ana, BookingStatus::Confirmed, 30).await;
    let (lat, lon) = (here.0.to_string(), here.1.to_string());
    let body = recommend(&env, Some(&me.access), &[("lat", &lat), ("lon", &lon), ("event_type", "wedding")])
        .await
        .ok(200)
        .clone();
    assert_eq!(body["personalized"], json!(true));
    assert!(reasons_of(&body, "Ana Weddings").contains(&"booked_before".to_string()), "{body}");
    assert_eq!(text_of(&body, "Bea Weddings", "co_booked"), "Clients who booked Ana Weddings also booked");
    assert!(!reasons_of(&body, "Cid Weddings").contains(&"co_booked".to_string()));
    let order = names(&body);
    let pos = |n: &str| order.iter().position(|x| x == n).unwrap();
    assert!(pos("Bea Weddings") < pos("Cid Weddings"), "co-booking lifts Bea over the otherwise equal Cid: {order:?}");
    let _ = cid;

    // The same request anonymously: not personalised, no history reasons.
    let anon = recommend(&env, None, &[("lat", &lat), ("lon", &lon), ("event_type", "wedding")]).await.ok(200).clone();
    assert_eq!(anon["personalized"], json!(false));
    assert!(!reasons_of(&anon, "Ana Weddings").contains(&"booked_before".to_string()));
}

/// One client's first bookings with many photographers, committed at once: the head
/// version makes each addition see the others, so every pair is counted exactly once
/// (without it, two additions reading the same list would each miss the other).
#[tokio::test]
async fn concurrent_first_bookings_of_one_client_count_every_pair() {
    let env = env().await;
    let s = store(&env);
    let client = cm_core::UserId::new();
    let photographers: Vec<cm_core::UserId> = (0..8).map(|_| cm_core::UserId::new()).collect();
    let now = chrono::Utc::now();
    // A record whose addition stayed contended through the store's retries is
    // reported failed and redelivered by Lambda: so here, tried again.
    let add = |p: cm_core::UserId| {
        let s = &s;
        async move {
            loop {
                match s.add_client(client, p, now).await {
                    Err(cm_store::StoreError::Contended(_)) => continue,
                    other => return other,
                }
            }
        }
    };
    for r in futures::future::join_all(photographers.iter().map(|p| add(*p))).await {
        assert_eq!(r.unwrap(), cm_store::reviews::Applied::Applied);
    }
    // Again: all already counted.
    for p in &photographers {
        assert_eq!(s.add_client(client, *p, now).await.unwrap(), cm_store::reviews::Applied::AlreadyApplied);
    }
    for p in &photographers {
        let pairs = cm_store::CoBookingStore::co_booking_pairs(&s, *p).await.unwrap();
        assert_eq!(pairs.len(), photographers.len() - 1, "{p}: {pairs:?}");
        assert!(pairs.iter().all(|c| c.shared_clients == 1), "{pairs:?}");
    }
}

/// Bookings made before the stream kept booked days are invisible to "free on your
/// date" until `backfill-booked-days` writes them; it writes each once, however often
/// it runs, and leaves bookings that hold no slot out.
#[tokio::test]
async fn the_backfill_writes_the_booked_days_of_earlier_bookings() {
    let env = env().await;
    let here = area();
    let ana = based_at(&env, "Ana Weddings", &["wedding"], here, 200_000).await;
    let client = register(&env, "client").await;
    let day = chrono::Utc::now() + chrono::Duration::days(12);
    // Written straight to the table, never seen by the stream consumer.
    let held = booking_at(&env, &client, &ana, BookingStatus::Confirmed, day).await;
    let gone = booking_at(&env, &client, &ana, BookingStatus::Cancelled, day + chrono::Duration::days(1)).await;
    let id: cm_core::UserId = ana.id.parse().unwrap();
    let s = store(&env);
    let booked = |date| {
        let s = s.clone();
        async move { s.feature_rows(&[id], Some(date)).await.unwrap()[&id].booked_on_date }
    };
    assert!(!booked(held.local_date).await);
    let (from, to) = (chrono::Utc::now() - chrono::Duration::days(1), chrono::Utc::now() + chrono::Duration::days(731));
    for _ in 0..2 {
        assert_eq!(s.backfill_booked_days(id, from, to).await.unwrap(), 1);
    }
    assert!(booked(held.local_date).await);
    assert!(!booked(gone.local_date).await);
}
