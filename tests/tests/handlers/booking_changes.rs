//! Status changes (`PUT /bookings/{id}/status`) and reschedules
//! (`POST /bookings/{id}/reschedule`): who may make them, when, what they cost, and
//! what happens to the slot.

use crate::support::*;
use chrono::TimeDelta;
use cm_accounts::account::Role;
use cm_booking::BookingStatus;
use cm_core::BookingId;
use cm_tests::fakes::BookingWrite;
use cm_tests::{ApiEvent, TestResponse, call};
use serde_json::{Value, json};

#[track_caller]
fn transition_refused(r: &TestResponse, code: &str) {
    assert_eq!(problem_type(r, 409), format!("booking-transition/{}", code.replace('_', "-")));
    assert_eq!(r.body["code"], code);
}

/// Runs `body` against `path` as `token` just before the next booking write.
fn concurrently(w: &World, route: &'static str, id: BookingId, token: String, body: Value, expect: u16) {
    let app = w.app;
    w.store().bookings.interleave(move || async move {
        let e = ApiEvent::new(route).path("id", id).bearer(&token).json(body);
        let r = match route {
            "PUT /bookings/{id}/status" => call(app, update_booking_status::handle, e).await,
            _ => call(app, reschedule_booking::handle, e).await,
        };
        r.ok(expect);
    });
}

// ---------------------------------------------------------------------------------------
// Status changes
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn only_the_photographer_confirms_or_declines() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let admin = w.person(Role::Admin).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;

    for who in [&c, &admin] {
        for status in ["confirmed", "declined"] {
            assert_eq!(problem_type(&w.set_status(who, id, status, None).await, 403), "forbidden");
        }
    }
    assert_eq!(w.store().bookings.get(id).unwrap().version, 1, "refusals write nothing");

    let r = w.set_status(&p, id, "confirmed", None).await;
    assert_eq!(r.ok(200)["status"], "confirmed");
    let stored = w.store().bookings.get(id).unwrap();
    assert_eq!((stored.status, stored.version), (BookingStatus::Confirmed, 2));
    assert_eq!(w.store().bookings.slots_of(p.id()).len(), 4, "a confirmed booking keeps its slot");
    assert_eq!(
        w.store().bookings.writes().last(),
        Some(&BookingWrite::StatusChanged {
            id,
            from: BookingStatus::Pending,
            to: BookingStatus::Confirmed,
            version: 2
        })
    );
}

#[tokio::test]
async fn declining_frees_the_slot_and_the_day_for_someone_else() {
    let w = World::new();
    let p = w.photographer(availability(json!({"max_bookings_per_day": 1}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let id = w.booked(&c1, &p, at(3, 10, 0), 60).await;
    let r = w.set_status(&p, id, "declined", Some("  fully booked  ")).await;
    assert_eq!(r.ok(200)["status"], "declined");
    assert_eq!(w.store().bookings.get(id).unwrap().history.last().unwrap().reason.as_deref(), Some("fully booked"));
    assert!(w.store().bookings.slots_of(p.id()).is_empty());
    assert_eq!(w.store().bookings.day_count(p.id(), at(3, 10, 0).date_naive()), Some(0));
    w.booked(&c2, &p, at(3, 10, 0), 60).await;
}

#[tokio::test]
async fn cancelling_needs_a_reason() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    for reason in [None, Some("   ")] {
        let r = w.set_status(&c, id, "cancelled", reason).await;
        r.problem(422);
        assert_eq!(r.error_fields(), ["reason"]);
    }
    assert_eq!(w.store().bookings.get(id).unwrap().status, BookingStatus::Pending);
    w.set_status(&c, id, "cancelled", Some("plans changed")).await.ok(200);
}

#[tokio::test]
async fn the_cancellation_window_binds_the_client_once_the_booking_is_confirmed() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await; // 48 h window
    let c = w.person(Role::Client).await;
    let early = w.booked(&c, &p, at(3, 10, 0), 60).await;
    let late = w.booked(&c, &p, at(3, 13, 0), 60).await;
    let pending = w.booked(&c, &p, at(3, 15, 0), 60).await;
    w.set_status(&p, early, "confirmed", None).await.ok(200);
    w.set_status(&p, late, "confirmed", None).await.ok(200);

    // 49 hours before: outside the window.
    w.clock.set(at(3, 10, 0) - TimeDelta::hours(49));
    w.set_status(&c, early, "cancelled", Some("plans changed")).await.ok(200);

    // 47 hours before: inside. The client is held to it; the photographer is not; a
    // request the photographer never confirmed can still be withdrawn.
    w.clock.set(at(3, 13, 0) - TimeDelta::hours(47));
    transition_refused(&w.set_status(&c, late, "cancelled", Some("plans changed")).await, "inside_cancellation_window");
    assert_eq!(w.store().bookings.get(late).unwrap().status, BookingStatus::Confirmed);
    w.set_status(&p, late, "cancelled", Some("ill")).await.ok(200);
    w.set_status(&c, pending, "cancelled", Some("plans changed")).await.ok(200);
    assert!(w.store().bookings.slots_of(p.id()).is_empty());
}

#[tokio::test]
async fn only_the_photographer_completes_and_only_after_the_end() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    w.set_status(&p, id, "confirmed", None).await.ok(200);
    transition_refused(&w.set_status(&p, id, "completed", None).await, "too_early");

    w.clock.set(at(3, 11, 0));
    assert_eq!(problem_type(&w.set_status(&c, id, "completed", None).await, 403), "forbidden");
    w.set_status(&p, id, "completed", None).await.ok(200);
    assert_eq!(w.store().bookings.get(id).unwrap().status, BookingStatus::Completed);
    transition_refused(&w.set_status(&p, id, "cancelled", Some("oops")).await, "illegal_transition");
}

#[tokio::test]
async fn a_decided_or_lapsed_request_cannot_be_decided_again() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let declined = w.booked(&c, &p, at(5, 10, 0), 60).await;
    let lapsed = w.booked(&c, &p, at(5, 13, 0), 60).await;
    w.set_status(&p, declined, "declined", None).await.ok(200);
    transition_refused(&w.set_status(&p, declined, "confirmed", None).await, "illegal_transition");

    // 48 hours after the request nobody answered it: lapsed, even before the sweep.
    w.advance(TimeDelta::hours(48));
    transition_refused(&w.set_status(&p, lapsed, "confirmed", None).await, "too_late");
    assert_eq!(w.store().bookings.get(lapsed).unwrap().status, BookingStatus::Pending);
}

#[tokio::test]
async fn a_status_change_that_lost_a_race_is_409_and_writes_nothing() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    // The client cancels between the photographer's read and write.
    concurrently(&w, "PUT /bookings/{id}/status", id, w.token(&c), json!({"status": "cancelled", "reason": "x"}), 200);
    let r = w.set_status(&p, id, "confirmed", None).await;
    assert_eq!(problem_type(&r, 409), "booking-changed");
    let stored = w.store().bookings.get(id).unwrap();
    assert_eq!((stored.status, stored.version), (BookingStatus::Cancelled, 2));
    assert!(w.store().bookings.slots_of(p.id()).is_empty());
    assert_eq!(w.store().bookings.writes().len(), 2, "the creation and the cancellation only");
}

// ---------------------------------------------------------------------------------------
// Reschedules
// ---------------------------------------------------------------------------------------

fn price(body: &Value) -> i64 {
    body["price"]["amount_minor"].as_i64().unwrap()
}

#[tokio::test]
async fn a_new_duration_is_priced_hourly_and_the_slot_and_day_move() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    let r = w.reschedule(&c, id, json!({"start": rfc(at(4, 11, 0)), "duration_minutes": 90})).await;
    let body = r.ok(200);
    assert_eq!((body["duration_minutes"].as_i64(), price(body)), (Some(90), 375_000));
    assert_eq!(instant(&body["end"]), at(4, 12, 30));

    let slots = w.store().bookings.slots_of(p.id());
    let first = at(4, 11, 0).timestamp() / 900;
    assert_eq!(slots.keys().copied().collect::<Vec<_>>(), (first..first + 6).collect::<Vec<_>>());
    assert!(slots.values().all(|h| *h == id));
    // No daily limit, so no per-day counter to move (it would only make unrelated
    // bookings of the day contend for one item).
    assert_eq!(w.store().bookings.day_count(p.id(), at(3, 0, 0).date_naive()), None);
    assert_eq!(w.store().bookings.day_count(p.id(), at(4, 0, 0).date_naive()), None);
    assert!(matches!(w.store().bookings.writes().last(), Some(BookingWrite::Rescheduled { version: 2, .. })));
}

#[tokio::test]
async fn the_same_duration_keeps_the_agreed_price_and_a_new_one_uses_todays_rate() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    w.put_profile(&p, 300_000).await.ok(200);

    let r = w.reschedule(&c, id, json!({"start": rfc(at(3, 11, 0))})).await;
    assert_eq!(price(r.ok(200)), HOURLY);
    let r = w.reschedule(&c, id, json!({"start": rfc(at(3, 12, 0)), "duration_minutes": 60})).await;
    assert_eq!(price(r.ok(200)), HOURLY, "naming the same duration is not a new duration");
    let r = w.reschedule(&c, id, json!({"start": rfc(at(3, 13, 0)), "duration_minutes": 90})).await;
    assert_eq!(price(r.ok(200)), 450_000);
}

#[tokio::test]
async fn a_package_booking_keeps_the_packages_duration_and_price() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let mut body = request(&p, at(3, 10, 0), 120);
    body["package_id"] = json!("basic");
    let id: BookingId = w.book(&c, body).await.ok(201)["id"].as_str().unwrap().parse().unwrap();
    w.put_profile(&p, 300_000).await.ok(200);

    let r = w.reschedule(&c, id, json!({"start": rfc(at(4, 10, 0))})).await;
    let moved = r.ok(200);
    assert_eq!((moved["duration_minutes"].as_i64(), price(moved)), (Some(120), PACKAGE_PRICE));
    let r = w.reschedule(&c, id, json!({"start": rfc(at(4, 13, 0)), "duration_minutes": 60})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["duration_minutes"]);
    assert_eq!(w.store().bookings.get(id).unwrap().start, at(4, 10, 0));
}

#[tokio::test]
async fn a_clients_move_asks_the_photographer_again_and_the_photographers_does_not() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(5, 10, 0), 60).await;
    w.set_status(&p, id, "confirmed", None).await.ok(200);

    w.advance(TimeDelta::days(1));
    let r = w.reschedule(&p, id, json!({"start": rfc(at(5, 11, 0))})).await;
    assert_eq!(r.ok(200)["status"], "confirmed");

    let r = w.reschedule(&c, id, json!({"start": rfc(at(5, 12, 0))})).await;
    let body = r.ok(200);
    assert_eq!(body["status"], "pending");
    assert_eq!(instant(&body["expires_at"]), w.now() + TimeDelta::hours(48), "a fresh expiry");
    let stored = w.store().bookings.get(id).unwrap();
    assert_eq!((stored.status, stored.requested_at), (BookingStatus::Pending, w.now()));
    // And the photographer can confirm the new time.
    w.set_status(&p, id, "confirmed", None).await.ok(200);
}

#[tokio::test]
async fn a_move_may_overlap_its_own_old_time_but_not_another_booking() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    let other = w.booked(&c, &p, at(3, 12, 0), 60).await;

    let r = w.reschedule(&c, id, json!({"start": rfc(at(3, 11, 30))})).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/overlap");
    assert_eq!(w.store().bookings.get(id).unwrap().start, at(3, 10, 0));

    w.reschedule(&c, id, json!({"start": rfc(at(3, 10, 30))})).await.ok(200);
    let slots = w.store().bookings.slots_of(p.id());
    let mine: Vec<i64> = slots.iter().filter(|(_, h)| **h == id).map(|(b, _)| *b).collect();
    let first = at(3, 10, 30).timestamp() / 900;
    assert_eq!(mine, (first..first + 4).collect::<Vec<_>>());
    assert_eq!(slots.values().filter(|h| **h == other).count(), 4);
}

#[tokio::test]
async fn a_reschedule_that_lost_a_race_changes_nothing() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let (c, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    let before = w.store().bookings.slots_of(p.id());

    // The photographer confirms between the client's read and write: stale.
    concurrently(&w, "PUT /bookings/{id}/status", id, w.token(&p), json!({"status": "confirmed"}), 200);
    let r = w.reschedule(&c, id, json!({"start": rfc(at(4, 10, 0))})).await;
    assert_eq!(problem_type(&r, 409), "booking-changed");
    let stored = w.store().bookings.get(id).unwrap();
    assert_eq!((stored.status, stored.start), (BookingStatus::Confirmed, at(3, 10, 0)));
    assert_eq!(w.store().bookings.slots_of(p.id()), before);

    // Someone else takes the new time between the read and the write: an overlap.
    let app = w.app;
    let (token, body) = (w.token(&c2), request(&p, at(4, 14, 0), 60));
    w.store().bookings.interleave(move || async move {
        call(app, create_booking::handle, ApiEvent::new("POST /bookings").bearer(&token).json(body)).await.ok(201);
    });
    let r = w.reschedule(&p, id, json!({"start": rfc(at(4, 14, 0))})).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/overlap");
    assert_eq!(w.store().bookings.get(id).unwrap().start, at(3, 10, 0));
    assert!(before.iter().all(|(b, h)| w.store().bookings.slots_of(p.id()).get(b) == Some(h)), "the old slot is kept");
}

#[tokio::test]
async fn a_move_to_a_full_day_is_refused() {
    let w = World::new();
    let p = w.photographer(availability(json!({"max_bookings_per_day": 1}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let id = w.booked(&c1, &p, at(3, 10, 0), 60).await;
    w.booked(&c2, &p, at(4, 10, 0), 60).await;
    let r = w.reschedule(&c1, id, json!({"start": rfc(at(4, 14, 0))})).await;
    assert_eq!(problem_type(&r, 409), "booking-rule/daily-limit");
    // Within its own day the limit is no obstacle.
    w.reschedule(&c1, id, json!({"start": rfc(at(3, 14, 0))})).await.ok(200);
    assert_eq!(w.store().bookings.day_count(p.id(), at(3, 0, 0).date_naive()), Some(1));
}

#[tokio::test]
async fn finished_or_started_bookings_cannot_move() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let declined = w.booked(&c, &p, at(3, 10, 0), 60).await;
    let confirmed = w.booked(&c, &p, at(3, 13, 0), 60).await;
    w.set_status(&p, declined, "declined", None).await.ok(200);
    w.set_status(&p, confirmed, "confirmed", None).await.ok(200);
    transition_refused(&w.reschedule(&p, declined, json!({"start": rfc(at(4, 10, 0))})).await, "not_reschedulable");

    w.clock.set(at(3, 13, 0));
    transition_refused(&w.reschedule(&p, confirmed, json!({"start": rfc(at(5, 10, 0))})).await, "too_late");
}
