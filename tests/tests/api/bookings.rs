//! POST /bookings (answers, prices, rules, validation, idempotency) and reading
//! bookings back (GET /bookings/{id}, GET /bookings, GET /admin/bookings).
//!
//! The helpers at the top are shared with availability.rs, booking_lifecycle.rs and
//! booking_race.rs.

use crate::support::*;
use chrono::{DateTime, Days, NaiveDate, Utc};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

/// The UTC date `n` days from now. Tests take their dates once, at the start.
pub(crate) fn day(n: u64) -> NaiveDate {
    Utc::now().date_naive().checked_add_days(Days::new(n)).unwrap()
}

/// `date` at `hh:mm` UTC, as the API writes UTC instants.
pub(crate) fn utc(date: NaiveDate, hh: u32, mm: u32) -> String {
    format!("{date}T{hh:02}:{mm:02}:00Z")
}

pub(crate) fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("`{text}` is not RFC 3339: {e}")).with_timezone(&Utc)
}

/// The same intervals on every day of the week.
pub(crate) fn every_day(intervals: Value) -> Value {
    let mut weekly = serde_json::Map::new();
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        weekly.insert(d.into(), intervals.clone());
    }
    Value::Object(weekly)
}

/// UTC, 09:00–17:00 every day, defaults otherwise; `extra` replaces top-level keys.
pub(crate) fn availability_doc(extra: Value) -> Value {
    let mut doc = json!({"timezone": "UTC", "weekly": every_day(json!([{"start": "09:00", "end": "17:00"}]))});
    for (k, v) in extra.as_object().expect("an object of overrides") {
        doc[k] = v.clone();
    }
    doc
}

pub(crate) async fn put_availability(env: &TestEnv, token: &str, doc: Value) -> TestResponse {
    call(
        env.app,
        put_my_availability::handle,
        ApiEvent::new("PUT /photographers/me/availability").bearer(token).json(doc),
    )
    .await
}

/// Hourly rate of every test photographer: ₹2,500.00; the `basic` package is 120
/// minutes for twice that.
pub(crate) const HOURLY: i64 = 250_000;

/// A listed photographer with a profile and this availability.
pub(crate) async fn photographer(env: &TestEnv, availability: Value) -> Session {
    let p = photographer_with_profile(env, profile("Asha Lens", "Pune", &["portrait", "wedding"], HOURLY, "INR")).await;
    put_availability(env, &p.access, availability).await.ok(200);
    p
}

pub(crate) fn request(photographer_id: &str, start: &str, minutes: u32) -> Value {
    json!({"photographer_id": photographer_id, "event_type": "portrait", "start": start,
           "duration_minutes": minutes, "location": {"address": "1 MG Road", "city": "Pune"}})
}

pub(crate) async fn book(env: &TestEnv, token: &str, body: Value) -> TestResponse {
    call(env.app, create_booking::handle, ApiEvent::new("POST /bookings").bearer(token).json(body)).await
}

pub(crate) async fn book_with_key(env: &TestEnv, token: &str, key: &str, body: Value) -> TestResponse {
    call(
        env.app,
        create_booking::handle,
        ApiEvent::new("POST /bookings").bearer(token).header("Idempotency-Key", key).json(body),
    )
    .await
}

/// Books `minutes` at `start` and returns the new booking's id.
pub(crate) async fn booked(
    env: &TestEnv,
    client: &Session,
    photographer_id: &str,
    start: &str,
    minutes: u32,
) -> String {
    let r = book(env, &client.access, request(photographer_id, start, minutes)).await;
    r.ok(201)["id"].as_str().expect("booking id").to_string()
}

pub(crate) async fn set_status(
    env: &TestEnv,
    token: &str,
    id: &str,
    status: &str,
    reason: Option<&str>,
) -> TestResponse {
    let mut body = json!({"status": status});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    call(
        env.app,
        update_booking_status::handle,
        ApiEvent::new("PUT /bookings/{id}/status").path("id", id).bearer(token).json(body),
    )
    .await
}

pub(crate) async fn get_booking(env: &TestEnv, token: &str, id: &str) -> TestResponse {
    call(env.app, get_booking::handle, ApiEvent::new("GET /bookings/{id}").path("id", id).bearer(token)).await
}

pub(crate) async fn reschedule(env: &TestEnv, token: &str, id: &str, body: Value) -> TestResponse {
    call(
        env.app,
        reschedule_booking::handle,
        ApiEvent::new("POST /bookings/{id}/reschedule").path("id", id).bearer(token).json(body),
    )
    .await
}

pub(crate) async fn list_mine(env: &TestEnv, token: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /bookings").bearer(token);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, list_my_bookings::handle, e).await
}

pub(crate) async fn admin_list(env: &TestEnv, token: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /admin/bookings").bearer(token);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, admin_list_bookings::handle, e).await
}

pub(crate) fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|b| b["id"].as_str().unwrap().to_string()).collect()
}

/// Asserts a 409 booking-rule problem naming `code`, and returns its suggested starts.
#[track_caller]
pub(crate) fn rule_conflict(r: &TestResponse, code: &str) -> Vec<String> {
    let p = r.problem(409);
    assert_eq!(p["rule"], code, "wrong rule: {}", r.text);
    p["suggested_starts"]
        .as_array()
        .unwrap_or_else(|| panic!("no suggested_starts: {}", r.text))
        .iter()
        .map(|s| s["start"].as_str().expect("suggestion start").to_string())
        .collect()
}

/// Asserts a 409 transition problem with this `code`.
#[track_caller]
pub(crate) fn transition_conflict(r: &TestResponse, code: &str) {
    let p = r.problem(409);
    assert_eq!(p["code"], code, "wrong transition code: {}", r.text);
}

// ---------------------------------------------------------------------------------------
// POST /bookings
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn only_clients_book() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let other = photographer(&env, availability_doc(json!({}))).await;
    let body = request(&p.id, &utc(day(5), 10, 0), 60);
    book(&env, &p.access, body.clone()).await.problem(403);
    book(&env, &other.access, body.clone()).await.problem(403);
    call(env.app, create_booking::handle, ApiEvent::new("POST /bookings").json(body.clone())).await.problem(401);
    book(&env, "not-a-token", body.clone()).await.problem(401);
    let admin = admin(&env).await;
    book(&env, &admin.access, body).await.problem(403);
    let listed = list_mine(&env, &p.access, &[("as", "photographer")]).await;
    assert_eq!(listed.ok(200)["items"], json!([]), "refused requests booked nothing");
}

#[tokio::test]
async fn a_booking_is_created_pending_with_utc_and_local_times_and_an_hourly_price() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({"timezone": "Asia/Kolkata"}))).await;
    let c = register(&env, "client").await;
    let d = day(5);
    let before = Utc::now();
    let mut body = request(&p.id, &format!("{d}T10:00:00+05:30"), 90);
    body["notes"] = json!("  Golden hour, please  ");
    let r = book(&env, &c.access, body).await;
    let b = r.ok(201).clone();
    let id = b["id"].as_str().unwrap();
    assert_eq!(r.header("location"), Some(format!("/bookings/{id}").as_str()));
    assert_eq!(b["status"], "pending");
    assert_eq!(b["client_id"], c.id.as_str());
    assert_eq!(b["photographer_id"], p.id.as_str());
    assert_eq!(b["event_type"], "portrait");
    assert_eq!(b["package_id"], Value::Null);
    assert_eq!(b["start"], utc(d, 4, 30), "start in UTC");
    assert_eq!(b["end"], utc(d, 6, 0), "end in UTC");
    assert_eq!(b["duration_minutes"], 90);
    assert_eq!(
        b["local"],
        json!({"timezone": "Asia/Kolkata", "start": format!("{d}T10:00:00+05:30"), "end": format!("{d}T11:30:00+05:30")})
    );
    // 1.5 hours of ₹2,500.00.
    assert_eq!(b["price"], json!({"amount_minor": 375_000, "currency": "INR"}));
    assert_eq!(b["location"], json!({"address": "1 MG Road", "city": "Pune"}));
    assert_eq!(b["notes"], "Golden hour, please");
    assert_eq!(b["cancellation_window_hours"], 48);
    // Pending lapses 48 h after the request (the session is later than that).
    let expires = instant(b["expires_at"].as_str().unwrap());
    assert!(expires >= before + chrono::TimeDelta::hours(48) - chrono::TimeDelta::seconds(1), "{expires}");
    assert!(expires <= Utc::now() + chrono::TimeDelta::hours(48), "{expires}");
    let history = b["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "created");
    assert_eq!(history[0]["by"], c.id.as_str());
    assert_eq!(history[0]["actor"], "client");
    assert_eq!(history[0]["from"], Value::Null);
    assert_eq!(history[0]["to"], "pending");
    // What was answered is what is stored.
    assert_eq!(as_answered(get_booking(&env, &c.access, id).await.ok(200)), b);
}

#[tokio::test]
async fn a_package_booking_takes_the_package_duration_and_price() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let d = day(6);
    let mut body = request(&p.id, &utc(d, 9, 0), 0);
    body.as_object_mut().unwrap().remove("duration_minutes");
    body["package_id"] = json!("basic");
    let b = book(&env, &c.access, body.clone()).await.ok(201).clone();
    assert_eq!(b["package_id"], "basic");
    assert_eq!(b["duration_minutes"], 120);
    assert_eq!(b["end"], utc(d, 11, 0));
    assert_eq!(b["price"], json!({"amount_minor": 2 * HOURLY, "currency": "INR"}), "the package price, not hourly");
    // Giving the package's own duration is fine too.
    body["start"] = json!(utc(d, 13, 0));
    body["duration_minutes"] = json!(120);
    let b = book(&env, &c.access, body).await.ok(201).clone();
    assert_eq!(b["price"]["amount_minor"], 2 * HOURLY);
    // A quarter-hour multiple that is not whole hours is priced pro rata.
    let b = book(&env, &c.access, request(&p.id, &utc(d, 15, 30), 45)).await.ok(201).clone();
    assert_eq!(b["price"], json!({"amount_minor": HOURLY * 3 / 4, "currency": "INR"}));
}

#[tokio::test]
async fn invalid_booking_bodies_are_422_naming_the_field() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let start = utc(day(5), 10, 0);
    let base = request(&p.id, &start, 60);
    let fields_of = |r: TestResponse| {
        r.problem(422);
        r.error_fields()
    };

    let mut b = base.clone();
    b["package_id"] = json!("platinum");
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["package_id"], "unknown package");

    let mut b = base.clone();
    b["package_id"] = json!("basic"); // 120 minutes
    b["duration_minutes"] = json!(60);
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["duration_minutes"], "duration differs from package");

    let mut b = base.clone();
    b["start"] = json!(format!("{}T10:00:00", day(5)));
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["start"], "a start without an offset");

    let mut b = base.clone();
    b["event_type"] = json!("party");
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["event_type"]);

    let mut b = base.clone();
    b["duration_minutes"] = json!(50);
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["duration_minutes"], "not a quarter-hour multiple");

    let mut b = base.clone();
    b.as_object_mut().unwrap().remove("duration_minutes");
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["duration_minutes"], "neither duration nor package");

    let mut b = base.clone();
    b["photographer_id"] = json!(ulid::Ulid::new().to_string());
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["photographer_id"], "no such photographer");

    let mut b = base.clone();
    b["photographer_id"] = json!(c.id);
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["photographer_id"], "a client is not a photographer");

    let mut b = base.clone();
    b["location"] = json!({"address": " ", "city": "Pune"});
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["location.address"]);

    let mut b = base.clone();
    b["tip"] = json!(100);
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["tip"], "unknown fields are refused");

    let mut b = base.clone();
    b["event_type"] = json!("party");
    b["start"] = json!("soon");
    assert_eq!(fields_of(book(&env, &c.access, b).await), ["event_type", "start"], "every problem at once");

    assert_eq!(list_mine(&env, &c.access, &[]).await.ok(200)["items"], json!([]), "nothing was booked");
    // The valid body books.
    book(&env, &c.access, base).await.ok(201);
}

#[tokio::test]
async fn rule_conflicts_name_the_rule_and_suggest_starts_that_can_be_booked() {
    let env = env().await;
    let d1 = day(4);
    let d2 = day(5);
    let p = photographer(
        &env,
        availability_doc(json!({
            "time_off": [{"start": utc(d2, 10, 0), "end": utc(d2, 12, 0)}]
        })),
    )
    .await;
    let a = register(&env, "client").await;
    let b = register(&env, "client").await;
    booked(&env, &a, &p.id, &utc(d1, 10, 0), 60).await;
    let starts = |s: &[String]| s.iter().map(|t| instant(t)).collect::<Vec<_>>();
    let at = |d: NaiveDate, h: u32, m: u32| instant(&utc(d, h, m));

    // Overlap: 10:30 hits the 10:00–11:00 booking. Nearest free first, earlier on ties.
    let r = book(&env, &b.access, request(&p.id, &utc(d1, 10, 30), 60)).await;
    let overlap = rule_conflict(&r, "overlap");
    assert_eq!(starts(&overlap), [at(d1, 11, 0), at(d1, 11, 30), at(d1, 9, 0)], "{}", r.text);

    // Outside working hours (09–17): the nearest start is the day's last.
    let r = book(&env, &b.access, request(&p.id, &utc(d1, 18, 0), 60)).await;
    let outside = rule_conflict(&r, "outside_working_hours");
    assert_eq!(starts(&outside)[0], at(d1, 16, 0), "{}", r.text);

    // Off the 30-minute step.
    let r = book(&env, &b.access, request(&p.id, &utc(d1, 13, 15), 60)).await;
    let step = rule_conflict(&r, "not_on_slot_step");
    assert_eq!(starts(&step)[..2], [at(d1, 13, 0), at(d1, 13, 30)], "{}", r.text);

    // Time off 10:00–12:00 on d2: 09:00 (ends as it begins) and 12:00 are the nearest.
    let r = book(&env, &b.access, request(&p.id, &utc(d2, 10, 30), 60)).await;
    let away = rule_conflict(&r, "time_off");
    assert_eq!(starts(&away), [at(d2, 9, 0), at(d2, 12, 0), at(d2, 12, 30)], "{}", r.text);

    // Minimum notice (default one day): three hours from now is too soon, whatever the hour.
    let soon = (Utc::now() + chrono::TimeDelta::hours(3)).format("%Y-%m-%dT%H:00:00Z").to_string();
    let r = book(&env, &b.access, request(&p.id, &soon, 60)).await;
    let notice = rule_conflict(&r, "min_notice");
    assert!(!notice.is_empty(), "{}", r.text);
    for s in starts(&notice) {
        assert!(s >= Utc::now() + chrono::TimeDelta::hours(24) - chrono::TimeDelta::minutes(1), "{s} is too soon");
    }

    // Beyond the horizon (365 days by default).
    let r = book(&env, &b.access, request(&p.id, &utc(day(400), 10, 0), 60)).await;
    rule_conflict(&r, "too_far_ahead");

    // Every kind of suggestion is itself bookable (none of these overlap each other).
    for s in [&overlap[0], &outside[0], &step[0], &away[0], &notice[0]] {
        let r = book(&env, &b.access, request(&p.id, s, 60)).await;
        assert_eq!(r.status, 201, "suggested start {s} could not be booked: {}", r.text);
    }
}

#[tokio::test]
async fn the_daily_limit_is_a_409_that_suggests_another_day() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({"max_bookings_per_day": 1}))).await;
    let a = register(&env, "client").await;
    let b = register(&env, "client").await;
    let d = day(5);
    booked(&env, &a, &p.id, &utc(d, 9, 0), 60).await;
    // The public slots agree: nothing left that day.
    let slots_on = |date: NaiveDate| {
        let e = ApiEvent::new("GET /photographers/{id}/availability")
            .path("id", &p.id)
            .query("from", date)
            .query("to", date)
            .query("duration_minutes", 60);
        call(env.app, get_photographer_availability::handle, e)
    };
    assert_eq!(slots_on(d).await.ok(200)["slots"], json!([]), "a full day offers no slots");
    let r = book(&env, &b.access, request(&p.id, &utc(d, 14, 0), 60)).await;
    let suggestions = rule_conflict(&r, "daily_limit");
    assert!(!suggestions.is_empty(), "{}", r.text);
    for s in &suggestions {
        assert_ne!(instant(s).date_naive(), d, "the full day was suggested: {}", r.text);
    }
    book(&env, &b.access, request(&p.id, &suggestions[0], 60)).await.ok(201);
    // Cancelling the day's booking gives the day back.
    let first = ids(list_mine(&env, &a.access, &[]).await.ok(200))[0].clone();
    set_status(&env, &a.access, &first, "cancelled", Some("plans changed")).await.ok(200);
    assert_eq!(slots_on(d).await.ok(200)["slots"].as_array().unwrap().len(), 15, "the day is open again");
    book(&env, &b.access, request(&p.id, &utc(d, 14, 0), 60)).await.ok(201);
}

#[tokio::test]
async fn a_photographer_without_availability_cannot_be_booked() {
    let env = env().await;
    let p = photographer_with_profile(&env, profile("New", "Pune", &["portrait"], HOURLY, "INR")).await;
    let c = register(&env, "client").await;
    let r = book(&env, &c.access, request(&p.id, &utc(day(5), 10, 0), 60)).await;
    rule_conflict(&r, "outside_working_hours");
}

// ---------------------------------------------------------------------------------------
// Idempotency-Key
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_idempotency_key_and_body_replays_the_first_answer() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let body = request(&p.id, &utc(day(5), 10, 0), 60);
    let first = book_with_key(&env, &c.access, "retry-1", body.clone()).await;
    let first_body = first.ok(201).clone();
    let id = first_body["id"].as_str().unwrap().to_string();

    // Key order and whitespace do not make a retry "different".
    let reordered = format!(
        "{{\n  \"location\": {{\"city\": \"Pune\", \"address\": \"1 MG Road\"}},\n  \"start\": \"{}\",\n  \"duration_minutes\": 60,\n  \"event_type\": \"portrait\",  \"photographer_id\": \"{}\"\n}}",
        body["start"].as_str().unwrap(),
        p.id
    );
    assert_eq!(serde_json::from_str::<Value>(&reordered).unwrap(), body);
    for _ in 0..2 {
        let again = call(
            env.app,
            create_booking::handle,
            ApiEvent::new("POST /bookings")
                .bearer(&c.access)
                .header("Idempotency-Key", "retry-1")
                .header("content-type", "application/json")
                .raw_body(reordered.clone()),
        )
        .await;
        assert_eq!(again.ok(201), &first_body, "a replay answers exactly as the first time");
        assert_eq!(again.header("location"), Some(format!("/bookings/{id}").as_str()));
    }
    let mine = list_mine(&env, &c.access, &[]).await;
    assert_eq!(ids(mine.ok(200)), [id.as_str()], "only one booking exists");
    let theirs = list_mine(&env, &p.access, &[("as", "photographer")]).await;
    assert_eq!(ids(theirs.ok(200)), [id.as_str()]);

    // Same key, different body: refused, and nothing is booked.
    let other_body = request(&p.id, &utc(day(5), 14, 0), 60);
    let r = book_with_key(&env, &c.access, "retry-1", other_body.clone()).await;
    r.problem(422);
    assert_eq!(ids(list_mine(&env, &c.access, &[]).await.ok(200)), [id.as_str()]);

    // A different key is a different request: the same body now overlaps the first.
    let r = book_with_key(&env, &c.access, "retry-2", body.clone()).await;
    rule_conflict(&r, "overlap");
    let second = book_with_key(&env, &c.access, "retry-3", other_body).await;
    assert_ne!(second.ok(201)["id"], id.as_str());
    assert_eq!(list_mine(&env, &c.access, &[]).await.ok(200)["items"].as_array().unwrap().len(), 2);

    // Keys belong to their client: another client's "retry-1" is their own request.
    let c2 = register(&env, "client").await;
    let r = book_with_key(&env, &c2.access, "retry-1", request(&p.id, &utc(day(6), 10, 0), 60)).await;
    assert_ne!(r.ok(201)["id"], id.as_str());

    // A key must be usable as a header value.
    let r = book_with_key(&env, &c.access, &"k".repeat(300), request(&p.id, &utc(day(7), 10, 0), 60)).await;
    r.problem(400);
}

#[tokio::test]
async fn an_idempotent_refusal_is_not_stored() {
    // A request refused by a rule stored nothing under its key: once the slot frees up,
    // the same key and body book it.
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let a = register(&env, "client").await;
    let b = register(&env, "client").await;
    let start = utc(day(5), 10, 0);
    let held = booked(&env, &a, &p.id, &start, 60).await;
    let body = request(&p.id, &start, 60);
    rule_conflict(&book_with_key(&env, &b.access, "k-1", body.clone()).await, "overlap");
    set_status(&env, &a.access, &held, "cancelled", Some("sorry")).await.ok(200);
    let r = book_with_key(&env, &b.access, "k-1", body.clone()).await;
    let id = r.ok(201)["id"].clone();
    assert_eq!(book_with_key(&env, &b.access, "k-1", body).await.ok(201)["id"], id);
}

// ---------------------------------------------------------------------------------------
// Reading bookings
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_booking_is_visible_to_its_parties_and_admins_only() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let id = booked(&env, &c, &p.id, &utc(day(5), 10, 0), 60).await;
    let as_client = unnamed(get_booking(&env, &c.access, &id).await.ok(200));
    assert_eq!(as_client["id"], id.as_str());
    assert_eq!(unnamed(get_booking(&env, &p.access, &id).await.ok(200)), as_client);
    let admin = admin(&env).await;
    assert_eq!(unnamed(get_booking(&env, &admin.access, &id).await.ok(200)), as_client);

    // Anyone else: 404, exactly as for a booking that does not exist.
    let stranger = register(&env, "client").await;
    let other_photographer = photographer(&env, availability_doc(json!({}))).await;
    let missing = get_booking(&env, &c.access, &ulid::Ulid::new().to_string()).await;
    let missing_detail_kind = missing.problem(404)["type"].clone();
    for token in [&stranger.access, &other_photographer.access] {
        let r = get_booking(&env, token, &id).await;
        assert_eq!(r.problem(404)["type"], missing_detail_kind);
    }
    get_booking(&env, &c.access, "not-a-booking-id").await.problem(404);
    call(env.app, get_booking::handle, ApiEvent::new("GET /bookings/{id}").path("id", &id)).await.problem(401);
}

/// A booking's page without the other party's name, which differs by reader.
fn unnamed(page: &Value) -> Value {
    let mut v = page.clone();
    let members = v.as_object_mut().expect("a booking");
    members.remove("client_name");
    members.remove("photographer_name");
    v
}

#[tokio::test]
async fn a_booking_names_the_other_party_to_each_reader_and_nobody_once_deactivated() {
    let env = env().await;
    // Registered as "Test User": a client reads the profile's public display name.
    let p = photographer(&env, availability_doc(json!({}))).await;
    let email = unique_email("priya");
    let c = register_named(&env, "client", &email, "Priya Sharma").await;
    let admin = admin(&env).await;
    let id = booked(&env, &c, &p.id, &utc(day(5), 10, 0), 60).await;

    let mine = get_booking(&env, &c.access, &id).await.ok(200).clone();
    assert_eq!(mine["photographer_name"], "Asha Lens");
    assert!(mine.get("client_name").is_none(), "{mine}");
    let theirs = get_booking(&env, &p.access, &id).await.ok(200).clone();
    assert_eq!(theirs["client_name"], "Priya Sharma");
    assert!(theirs.get("photographer_name").is_none(), "{theirs}");
    let seen = get_booking(&env, &admin.access, &id).await.ok(200).clone();
    assert_eq!((&seen["client_name"], &seen["photographer_name"]), (&json!("Priya Sharma"), &json!("Asha Lens")));
    for page in [&mine, &theirs, &seen] {
        assert!(!page.to_string().contains('@'), "no email beside a name: {page}");
    }

    // A deactivated account is named by nobody; its booking still reads.
    use cm_store::UserWriter;
    env.app.store.set_user_active(c.id.parse().unwrap(), false, Utc::now()).await.unwrap();
    let theirs = get_booking(&env, &p.access, &id).await.ok(200).clone();
    assert_eq!(theirs["client_name"], Value::Null, "{theirs}");
    env.app.store.set_user_active(c.id.parse().unwrap(), true, Utc::now()).await.unwrap();
    // Deactivation ended the client's sessions: they sign in again.
    let c = session(login(&env, &email, PASSWORD).await.ok(200));
    env.app.store.set_user_active(p.id.parse().unwrap(), false, Utc::now()).await.unwrap();
    let mine = get_booking(&env, &c.access, &id).await.ok(200).clone();
    assert_eq!(mine["photographer_name"], Value::Null, "{mine}");
    assert_eq!(unnamed(&mine), unnamed(&seen), "the rest of the page is unchanged");
}

/// Five bookings for one client over five days; two of them confirmed.
async fn five_bookings(env: &TestEnv) -> (Session, Session, Vec<String>, Vec<NaiveDate>) {
    let p = photographer(env, availability_doc(json!({}))).await;
    let c = register(env, "client").await;
    let days: Vec<NaiveDate> = (3..8).map(day).collect();
    let mut ids = Vec::new();
    // Booked out of order: listings sort by start, not by creation.
    for i in [2usize, 0, 4, 1, 3] {
        ids.push((i, booked(env, &c, &p.id, &utc(days[i], 10, 0), 60).await));
    }
    ids.sort();
    let ids: Vec<String> = ids.into_iter().map(|(_, id)| id).collect();
    for id in [&ids[1], &ids[3]] {
        set_status(env, &p.access, id, "confirmed", None).await.ok(200);
    }
    (p, c, ids, days)
}

#[tokio::test]
async fn my_bookings_list_by_start_with_filters_and_cursor_pagination() {
    let env = env().await;
    let (p, c, all, days) = five_bookings(&env).await;

    // limit=2 over 5: 2 + 2 + 1, by start time, the last page without a cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("as", "client"), ("limit", "2")];
        if let Some(cur) = &cursor {
            params.push(("cursor", cur));
        }
        let page = list_mine(&env, &c.access, &params).await.ok(200).clone();
        pages += 1;
        let got = ids(&page);
        assert!(!got.is_empty() && got.len() <= 2, "{page}");
        seen.extend(got);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 5, "pagination does not end");
    }
    assert_eq!(seen, all, "every booking once, by start time");
    assert_eq!(pages, 3);

    // `as` defaults to the caller's role; the photographer sees the same five.
    assert_eq!(ids(list_mine(&env, &c.access, &[]).await.ok(200)), all);
    assert_eq!(ids(list_mine(&env, &p.access, &[("as", "photographer")]).await.ok(200)), all);
    assert_eq!(ids(list_mine(&env, &p.access, &[]).await.ok(200)), all);

    // Status filter, also across pages.
    let confirmed = list_mine(&env, &c.access, &[("status", "confirmed")]).await;
    assert_eq!(ids(confirmed.ok(200)), [all[1].clone(), all[3].clone()]);
    let pending = list_mine(&env, &p.access, &[("status", "pending"), ("limit", "2")]).await.ok(200).clone();
    assert_eq!(ids(&pending), [all[0].clone(), all[2].clone()]);
    let cur = pending["next_cursor"].as_str().expect("a second page of pending").to_string();
    let rest = list_mine(&env, &p.access, &[("status", "pending"), ("limit", "2"), ("cursor", &cur)]).await;
    assert_eq!(ids(rest.ok(200)), [all[4].clone()]);

    // from/to: dates or instants, `to` exclusive.
    let (from, to) = (days[1].to_string(), days[3].to_string());
    let r = list_mine(&env, &c.access, &[("from", &from), ("to", &to)]).await;
    assert_eq!(ids(r.ok(200)), [all[1].clone(), all[2].clone()]);
    let from = utc(days[3], 10, 0);
    let r = list_mine(&env, &c.access, &[("from", &from)]).await;
    assert_eq!(ids(r.ok(200)), [all[3].clone(), all[4].clone()]);
    let r = list_mine(&env, &c.access, &[("from", &days[0].to_string()), ("status", "confirmed"), ("to", &to)]).await;
    assert_eq!(ids(r.ok(200)), [all[1].clone()]);

    // Latest first: the newest of a range on the first page, and the cursor goes on
    // backwards (a photographer's recent sessions, when there are more than a page).
    let newest: Vec<String> = all.iter().rev().cloned().collect();
    assert_eq!(all_pages(&env, &p.access, &[("order", "desc"), ("limit", "2")], false).await, newest);
    let r = list_mine(&env, &p.access, &[("order", "desc"), ("to", &days[4].to_string()), ("limit", "2")]).await;
    assert_eq!(ids(r.ok(200)), [all[3].clone(), all[2].clone()], "the newest two before the 5th day");
    assert_eq!(
        all_pages(&env, &c.access, &[("order", "desc"), ("status", "pending"), ("limit", "1")], false).await,
        [all[4].clone(), all[2].clone(), all[0].clone()]
    );
    assert_eq!(ids(list_mine(&env, &c.access, &[("order", "asc")]).await.ok(200)), all);

    // Each booking names the other party, as its own page does: the client reads the
    // photographer's display name, the photographer the client's name, never their own.
    let theirs = list_mine(&env, &c.access, &[]).await.ok(200).clone();
    for b in theirs["items"].as_array().unwrap() {
        assert_eq!((&b["photographer_name"], b.get("client_name")), (&json!("Asha Lens"), None), "{b}");
    }
    let mine = list_mine(&env, &p.access, &[]).await.ok(200).clone();
    for b in mine["items"].as_array().unwrap() {
        assert_eq!((&b["client_name"], b.get("photographer_name")), (&json!("Test User"), None), "{b}");
    }

    // Someone else's listing is their own: empty.
    let stranger = register(&env, "client").await;
    assert_eq!(list_mine(&env, &stranger.access, &[]).await.ok(200)["items"], json!([]));
}

/// Follows `next_cursor` to the end and returns every id seen.
async fn all_pages(env: &TestEnv, token: &str, params: &[(&str, &str)], admin_listing: bool) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut q: Vec<(&str, &str)> = params.to_vec();
        if let Some(c) = &cursor {
            q.push(("cursor", c.as_str()));
        }
        let r = if admin_listing { admin_list(env, token, &q).await } else { list_mine(env, token, &q).await };
        let page = r.ok(200).clone();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return seen,
        }
    }
    panic!("pagination does not end");
}

#[tokio::test]
async fn a_status_filter_finds_matches_behind_many_that_do_not_match() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    // Twelve pending bookings, then one confirmed booking later than all of them.
    for n in 3..15 {
        booked(&env, &c, &p.id, &utc(day(n), 10, 0), 60).await;
    }
    let confirmed = booked(&env, &c, &p.id, &utc(day(15), 10, 0), 60).await;
    set_status(&env, &p.access, &confirmed, "confirmed", None).await.ok(200);
    let admin = admin(&env).await;

    // However small the page, following the cursors must reach it: a page may come back
    // short (even empty) with a cursor, but never end the listing early.
    for limit in ["1", "5"] {
        let q = [("status", "confirmed"), ("limit", limit)];
        assert_eq!(all_pages(&env, &c.access, &q, false).await, [confirmed.as_str()], "client, limit {limit}");
        assert_eq!(all_pages(&env, &p.access, &q, false).await, [confirmed.as_str()], "photographer, limit {limit}");
        assert_eq!(all_pages(&env, &admin.access, &q, true).await, [confirmed.as_str()], "admin, limit {limit}");
    }
    let pending = all_pages(&env, &c.access, &[("status", "pending"), ("limit", "5")], false).await;
    assert_eq!(pending.len(), 12);
}

#[tokio::test]
async fn my_bookings_refuse_bad_parameters() {
    let env = env().await;
    let (p, c, _, days) = five_bookings(&env).await;
    let bad = |r: TestResponse, field: &str| {
        r.problem(400);
        if !field.is_empty() {
            assert_eq!(r.error_fields(), [field], "{}", r.text);
        }
    };
    bad(list_mine(&env, &c.access, &[("status", "done")]).await, "status");
    bad(list_mine(&env, &c.access, &[("as", "admin")]).await, "as");
    bad(list_mine(&env, &c.access, &[("from", "yesterday")]).await, "from");
    bad(list_mine(&env, &c.access, &[("to", "2026-13-01")]).await, "to");
    bad(list_mine(&env, &c.access, &[("limit", "0")]).await, "limit");
    bad(list_mine(&env, &c.access, &[("limit", "101")]).await, "limit");
    bad(list_mine(&env, &c.access, &[("sort", "start")]).await, "sort");
    bad(list_mine(&env, &c.access, &[("order", "newest")]).await, "order");
    bad(list_mine(&env, &c.access, &[("from", &days[3].to_string()), ("to", &days[1].to_string())]).await, "to");
    bad(list_mine(&env, &c.access, &[("cursor", "garbage")]).await, "");
    // A cursor is bound to its listing: not valid with another filter, party or caller.
    let page = list_mine(&env, &c.access, &[("limit", "2")]).await.ok(200).clone();
    let cur = page["next_cursor"].as_str().unwrap().to_string();
    bad(list_mine(&env, &c.access, &[("limit", "2"), ("status", "pending"), ("cursor", &cur)]).await, "");
    bad(list_mine(&env, &c.access, &[("limit", "2"), ("order", "desc"), ("cursor", &cur)]).await, "");
    bad(list_mine(&env, &p.access, &[("limit", "2"), ("cursor", &cur)]).await, "");
    let other = register(&env, "client").await;
    bad(list_mine(&env, &other.access, &[("limit", "2"), ("cursor", &cur)]).await, "");
    // Clients have no photographer bookings; admins use the admin listing: both are a
    // role the request may not take (403), not a malformed request.
    list_mine(&env, &c.access, &[("as", "photographer")]).await.problem(403);
    let admin = admin(&env).await;
    list_mine(&env, &admin.access, &[]).await.problem(403);
    call(env.app, list_my_bookings::handle, ApiEvent::new("GET /bookings")).await.problem(401);
}

#[tokio::test]
async fn admins_list_every_booking_with_a_status_filter() {
    let env = env().await;
    let (p, c, all, _) = five_bookings(&env).await;
    // Another pair's booking is in the admin listing too.
    let p2 = photographer(&env, availability_doc(json!({}))).await;
    let c2 = register(&env, "client").await;
    let extra = booked(&env, &c2, &p2.id, &utc(day(9), 12, 0), 60).await;
    let admin = admin(&env).await;

    let everything = admin_list(&env, &admin.access, &[]).await;
    let mut expected = all.clone();
    expected.push(extra.clone());
    assert_eq!(ids(everything.ok(200)), expected, "by start time");
    let named = admin_list(&env, &admin.access, &[]).await.ok(200).clone();
    let named: Vec<(&Value, &Value)> =
        named["items"].as_array().unwrap().iter().map(|b| (&b["client_name"], &b["photographer_name"])).collect();
    assert_eq!(named.len(), 6);
    assert!(named.iter().all(|(c, p)| **c == json!("Test User") && **p == json!("Asha Lens")), "{named:?}");
    let latest: Vec<String> = expected.iter().rev().cloned().collect();
    assert_eq!(all_pages(&env, &admin.access, &[("order", "desc"), ("limit", "4")], true).await, latest);

    let confirmed = admin_list(&env, &admin.access, &[("status", "confirmed")]).await;
    assert_eq!(ids(confirmed.ok(200)), [all[1].clone(), all[3].clone()]);

    let first = admin_list(&env, &admin.access, &[("limit", "4")]).await.ok(200).clone();
    assert_eq!(ids(&first), all[..4]);
    let cur = first["next_cursor"].as_str().unwrap().to_string();
    let second = admin_list(&env, &admin.access, &[("limit", "4"), ("cursor", &cur)]).await;
    assert_eq!(ids(second.ok(200)), [all[4].clone(), extra]);

    for token in [&c.access, &p.access, &c2.access] {
        admin_list(&env, token, &[]).await.problem(403);
    }
    call(env.app, admin_list_bookings::handle, ApiEvent::new("GET /admin/bookings")).await.problem(401);
    admin_list(&env, &admin.access, &[("status", "done")]).await.problem(400);
    admin_list(&env, &admin.access, &[("as", "client")]).await.problem(400);
    admin_list(&env, &admin.access, &[("cursor", "x.y")]).await.problem(400);
}
