//! `POST /bookings`: prices, rules with suggestions, races lost at write time, the
//! daily limit, and the Idempotency-Key protocol.

use crate::support::*;
use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::account::Role;
use cm_core::BookingId;
use cm_tests::fakes::BookingWrite;
use cm_tests::{ApiEvent, call};
use serde_json::{Value, json};

fn id_of(body: &Value) -> BookingId {
    body["id"].as_str().unwrap().parse().unwrap()
}

/// Runs `body` as `token`'s booking request just before the next booking write: a
/// concurrent request that commits between the handler's reads and its write.
fn book_concurrently(w: &World, token: String, key: Option<&str>, body: Value, expect: u16) {
    let app = w.app;
    let key = key.map(String::from);
    w.store().bookings.interleave(move || async move {
        let mut e = ApiEvent::new("POST /bookings").bearer(&token).json(body);
        if let Some(k) = key {
            e = e.header("Idempotency-Key", k);
        }
        call(app, create_booking::handle, e).await.ok(expect);
    });
}

#[tokio::test]
async fn a_booking_is_priced_pro_rata_and_holds_its_blocks_and_day() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let r = w.book(&c, request(&p, at(3, 10, 0), 90)).await;
    let body = r.ok(201).clone();
    let id = id_of(&body);
    assert_eq!(r.header("location"), Some(format!("/bookings/{id}").as_str()));
    assert_eq!(body["status"], "pending");
    assert_eq!(body["price"], json!({"amount_minor": 375_000, "currency": "INR"}));
    assert_eq!(instant(&body["expires_at"]), w.now() + TimeDelta::hours(48));

    let stored = w.store().bookings.get(id).unwrap();
    assert_eq!((stored.client_id, stored.photographer_id, stored.version), (c.id(), p.id(), 1));
    let slots = w.store().bookings.slots_of(p.id());
    assert_eq!(slots.len(), 6, "90 minutes are six 15-minute blocks");
    assert!(slots.values().all(|holder| *holder == id));
    assert_eq!(slots.keys().next().copied(), Some(at(3, 10, 0).timestamp() / 900));
    assert_eq!(w.store().bookings.day_count(p.id(), at(3, 10, 0).date_naive()), None, "no limit, no counter");
    assert_eq!(w.store().bookings.writes(), [BookingWrite::Created { id, idempotency_key: None }]);
}

#[tokio::test]
async fn a_package_brings_its_own_duration_and_price() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let mut body = request(&p, at(3, 10, 0), 0);
    body.as_object_mut().unwrap().remove("duration_minutes");
    body["package_id"] = json!("basic");
    let b = w.book(&c, body.clone()).await.ok(201).clone();
    assert_eq!(b["duration_minutes"], 120);
    assert_eq!(b["price"]["amount_minor"], PACKAGE_PRICE);
    assert_eq!(instant(&b["end"]), at(3, 12, 0));

    body["start"] = json!(rfc(at(4, 10, 0)));
    body["duration_minutes"] = json!(60);
    let r = w.book(&c, body).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["duration_minutes"]);
    assert_eq!(w.store().bookings.all().len(), 1);
}

#[tokio::test]
async fn a_broken_rule_is_409_with_starts_that_would_work() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;

    let r = w.book(&c, request(&p, at(3, 18, 0), 60)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/outside-working-hours");
    assert_eq!(r.body["rule"], "outside_working_hours");
    let s = suggestions(&r);
    assert!(!s.is_empty(), "{}", r.text);
    for start in s {
        let (from, to) =
            (start.date_naive().and_hms_opt(9, 0, 0).unwrap(), start.date_naive().and_hms_opt(16, 0, 0).unwrap());
        assert!(start.naive_utc() >= from && start.naive_utc() <= to, "{start} is outside 09:00-17:00 for 60 minutes");
        assert!(start >= w.now() + TimeDelta::hours(24), "{start} is inside the notice period");
    }

    let r = w.book(&c, request(&p, at(0, 14, 0), 60)).await;
    assert_eq!(r.body["rule"], "min_notice", "{}", r.text);

    assert!(w.store().bookings.all().is_empty());
}

/// No suggested session overlaps `[from, to)`.
fn clear_of(s: &[DateTime<Utc>], minutes: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    s.iter().all(|start| *start + TimeDelta::minutes(minutes) <= from || *start >= to)
}

#[tokio::test]
async fn an_overlap_is_refused_with_suggestions_around_the_taken_time() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let first = w.booked(&c1, &p, at(3, 10, 0), 60).await;
    let r = w.book(&c2, request(&p, at(3, 10, 30), 60)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/overlap");
    let s = suggestions(&r);
    assert!(!s.is_empty());
    assert!(clear_of(&s, 60, at(3, 10, 0), at(3, 11, 0)), "{s:?}");
    assert_eq!(w.store().bookings.all().len(), 1);
    assert!(w.store().bookings.slots_of(p.id()).values().all(|h| *h == first));
}

#[tokio::test]
async fn an_overlap_lost_at_write_time_is_409_with_what_is_still_free() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    // c1's request for the same hour commits after c2's handler has checked the rules.
    book_concurrently(&w, w.token(&c1), None, request(&p, at(3, 10, 0), 60), 201);
    let r = w.book(&c2, request(&p, at(3, 10, 0), 60)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/overlap");
    let s = suggestions(&r);
    assert!(!s.is_empty());
    assert!(clear_of(&s, 60, at(3, 10, 0), at(3, 11, 0)), "suggestions are read after the loss: {s:?}");

    let all = w.store().bookings.all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].client_id, c1.id());
    assert_eq!(w.store().bookings.slots_of(p.id()).len(), 4);
    assert_eq!(w.store().bookings.day_count(p.id(), at(3, 10, 0).date_naive()), None, "no limit, no counter");
}

#[tokio::test]
async fn the_daily_limit_holds_at_the_rules_and_at_write_time() {
    let w = World::new();
    let p = w.photographer(availability(json!({"max_bookings_per_day": 1}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let day = at(3, 10, 0).date_naive();

    // Seen by the rules: another time the same day is refused, other days are offered.
    w.booked(&c1, &p, at(3, 10, 0), 60).await;
    let r = w.book(&c2, request(&p, at(3, 14, 0), 60)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/daily-limit");
    assert_eq!(r.body["rule"], "daily_limit");
    let s = suggestions(&r);
    assert!(!s.is_empty() && s.iter().all(|s| s.date_naive() != day), "{}", r.text);

    // Lost at write time: the day filled up between the read and the write.
    let day5 = at(5, 10, 0).date_naive();
    book_concurrently(&w, w.token(&c1), None, request(&p, at(5, 10, 0), 60), 201);
    let r = w.book(&c2, request(&p, at(5, 14, 0), 60)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/daily-limit");
    assert!(r.body["detail"].as_str().unwrap().contains(&day5.to_string()), "{}", r.text);
    assert_eq!(w.store().bookings.day_count(p.id(), day5), Some(1));
    assert!(w.store().bookings.all().iter().all(|b| b.client_id == c1.id()));
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_first_answer_and_another_body_is_422() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let body = request(&p, at(3, 10, 0), 60);
    let first = w.book_with_key(&c, "key-1", body.clone()).await;
    assert_eq!(first.header("idempotent-replayed"), None);
    let id = id_of(first.ok(201));

    let again = w.book_with_key(&c, "key-1", body.clone()).await;
    assert_eq!(again.ok(201), first.ok(201), "the same answer, byte for byte");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("location"), Some(format!("/bookings/{id}").as_str()));
    assert_eq!(w.store().bookings.all().len(), 1);

    let mut other = body.clone();
    other["start"] = json!(rfc(at(4, 10, 0)));
    let r = w.book_with_key(&c, "key-1", other).await;
    assert_eq!(problem_type(&r, 422), "idempotency-key-reused");
    assert_eq!(w.store().bookings.all().len(), 1);
    assert_eq!(w.store().bookings.writes(), [BookingWrite::Created { id, idempotency_key: Some("key-1".into()) }]);
}

#[tokio::test]
async fn a_key_belongs_to_its_client_and_never_replays_someone_elses_answer() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let body = request(&p, at(3, 10, 0), 60);
    w.book_with_key(&c1, "shared-key", body.clone()).await.ok(201);
    let r = w.book_with_key(&c2, "shared-key", body).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/overlap", "c2's own request, judged on its own");
    assert!(w.store().bookings.idempotent_answer(c2.id(), "shared-key").is_none());
}

#[tokio::test]
async fn a_request_whose_key_is_being_written_by_another_is_409_in_progress() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    w.store().bookings.hold_in_flight(c.id(), "key-2");
    let r = w.book_with_key(&c, "key-2", request(&p, at(3, 10, 0), 60)).await;
    assert_eq!(problem_type(&r, 409), "idempotent-request-in-progress");
    assert!(w.store().bookings.all().is_empty());
    assert!(w.store().bookings.slots_of(p.id()).is_empty(), "nothing of the losing transaction remains");
    assert_eq!(w.store().bookings.day_count(p.id(), at(3, 10, 0).date_naive()), None);
}

#[tokio::test]
async fn a_retry_that_loses_to_its_own_first_attempt_gets_that_attempts_answer() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let body = request(&p, at(3, 10, 0), 60);
    // The first attempt commits while the retry is between its reads and its write.
    book_concurrently(&w, w.token(&c), Some("key-3"), body.clone(), 201);
    let r = w.book_with_key(&c, "key-3", body).await;
    assert_eq!(r.header("idempotent-replayed"), Some("true"), "{}", r.text);
    let all = w.store().bookings.all();
    assert_eq!(all.len(), 1);
    assert_eq!(id_of(r.ok(201)), all[0].id);
}

#[tokio::test]
async fn an_unlisted_photographer_or_one_without_availability_cannot_be_booked() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let no_hours = w.person(Role::Photographer).await;
    w.put_profile(&no_hours, HOURLY).await.ok(200);
    let c = w.person(Role::Client).await;

    let r = w.book(&c, request(&no_hours, at(3, 10, 0), 60)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/outside-working-hours");

    w.store().photographers.set_listed(p.id(), false, w.now());
    let r = w.book(&c, request(&p, at(3, 10, 0), 60)).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["photographer_id"]);
    assert!(w.store().bookings.all().is_empty());
}

/// `request` at a place with coordinates: Pune's centre, or about 30 km north of it
/// (0.27° of latitude: 61 minutes at the default 30 km/h).
fn located(p: &Person, start: DateTime<Utc>, minutes: u32, far: bool) -> Value {
    let mut body = request(p, start, minutes);
    let lat = if far { 18.79 } else { 18.52 };
    body["location"] = json!({"address": "Shoot", "city": "Pune", "lat": lat, "lon": 73.85});
    body
}

#[tokio::test]
async fn travel_time_is_checked_against_the_day_as_it_is_when_written() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let date = at(3, 9, 0).date_naive();

    // Seen by the rules: 10:00 end to 10:30 leaves 30 of the 61 minutes needed.
    w.book(&c1, located(&p, at(3, 9, 0), 60, false)).await.ok(201);
    let r = w.book(&c2, located(&p, at(3, 10, 30), 60, true)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/travel-time");
    assert_eq!(r.body["rule"], "travel_time");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("61 minutes") && detail.contains("30.0 km") && detail.contains("earlier"), "{detail}");
    let s = suggestions(&r);
    assert!(!s.is_empty(), "{}", r.text);
    for start in &s {
        let from_first = *start - at(3, 10, 0);
        assert!(start.date_naive() != date || from_first >= TimeDelta::minutes(61), "{start} is not reachable");
    }
    assert_eq!(w.store().bookings.all().len(), 1);

    // Lost at write time: a far-away booking joins the day between the handler's read of
    // the day and its write. The write is refused (the day's version moved), the day is
    // read again, and the rule now names the newcomer.
    book_concurrently(&w, w.token(&c1), None, located(&p, at(3, 13, 0), 60, true), 201);
    let r = w.book(&c2, located(&p, at(3, 14, 0), 60, false)).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/travel-time", "{}", r.text);
    assert!(r.body["detail"].as_str().unwrap().contains("earlier booking at"), "{}", r.text);
    let all = w.store().bookings.all();
    assert_eq!(all.len(), 2, "only c1's bookings: {all:?}");
    assert!(all.iter().all(|b| b.client_id == c1.id()));

    // A concurrent booking elsewhere that leaves room changes the version but not the
    // answer: the retry succeeds.
    book_concurrently(&w, w.token(&c1), None, located(&p, at(3, 16, 0), 60, true), 201);
    w.book(&c2, located(&p, at(3, 11, 30), 30, true)).await.ok(201);
    let places = w.store().bookings.day_places_of(p.id(), date);
    assert_eq!(places.len(), 4, "{places:?}");

    // No coordinates: nothing to travel from or to; only the blocks apply.
    w.book(&c2, request(&p, at(3, 12, 0), 30)).await.ok(201);
}

/// Busy time from the photographer's external calendars takes its time (409 overlap,
/// and never suggested), but it is not a booking: with a limit of one booking a day, a
/// day with busy time still takes its one booking.
#[tokio::test]
async fn external_busy_time_is_taken_but_not_counted_against_the_daily_limit() {
    let w = World::new();
    let p = w.photographer(availability(json!({"max_bookings_per_day": 1}))).await;
    let c = w.person(Role::Client).await;
    let busy = |from, to| cm_calsync::BusyInterval { start: from, end: to };
    w.store().busy.set(p.id(), vec![busy(at(3, 9, 0), at(3, 12, 0)), busy(at(3, 16, 0), at(3, 17, 0))]);

    let r = w.book(&c, request(&p, at(3, 11, 0), 60)).await;
    assert_eq!(r.problem(409)["rule"], "overlap", "{}", r.text);
    let suggested: Vec<DateTime<Utc>> =
        r.body["suggested_starts"].as_array().unwrap().iter().map(|s| instant(&s["start"])).collect();
    assert!(!suggested.is_empty());
    for start in &suggested {
        let end = *start + TimeDelta::minutes(60);
        assert!(end <= at(3, 9, 0) || *start >= at(3, 12, 0), "{start} overlaps the busy morning");
        assert!(end <= at(3, 16, 0) || *start >= at(3, 17, 0), "{start} overlaps the busy evening");
    }
    assert!(!r.text.contains("busy"), "nothing says why: {}", r.text);
    w.book(&c, request(&p, at(3, 13, 0), 60)).await.ok(201);
    assert_eq!(w.book(&c, request(&p, at(3, 14, 30), 60)).await.problem(409)["rule"], "daily_limit");
}
