//! The booking lifecycle: PUT /bookings/{id}/status, the expiry sweep, and
//! POST /bookings/{id}/reschedule.

use crate::bookings::{
    availability_doc, book, booked, day, get_booking, instant, photographer, put_availability, request, reschedule,
    rule_conflict, set_status, transition_conflict, utc,
};
use crate::support::*;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, TimeDelta, Utc};
use cm_core::BookingId;
use cm_store::{BookingReader, BookingWriter};
use cm_tests::{ApiEvent, TestEnv, call, env};
use serde_json::{Value, json};

/// One history entry, checked field by field; `at` must lie in `[after, now]`.
#[track_caller]
#[allow(clippy::too_many_arguments)]
fn assert_entry(
    e: &Value,
    after: DateTime<Utc>,
    by: Option<&str>,
    actor: &str,
    action: &str,
    from: Option<&str>,
    to: &str,
    reason: Option<&str>,
) {
    let at = instant(e["at"].as_str().unwrap_or_else(|| panic!("entry without `at`: {e}")));
    assert!(at >= after - TimeDelta::seconds(1) && at <= Utc::now(), "`at` {at} is not when it happened: {e}");
    assert_eq!(e["by"], by.map_or(Value::Null, |b| json!(b)), "by: {e}");
    assert_eq!(e["actor"], actor, "actor: {e}");
    assert_eq!(e["action"], action, "action: {e}");
    assert_eq!(e["from"], from.map_or(Value::Null, |f| json!(f)), "from: {e}");
    assert_eq!(e["to"], to, "to: {e}");
    assert_eq!(
        e.get("reason").cloned().unwrap_or(Value::Null),
        reason.map_or(Value::Null, |r| json!(r)),
        "reason: {e}"
    );
}

fn history(b: &Value) -> &Vec<Value> {
    b["history"].as_array().unwrap_or_else(|| panic!("no history: {b}"))
}

fn booking_id(id: &str) -> BookingId {
    id.parse().expect("a booking id")
}

/// Moves a stored booking's session into the past, straight through the store. The API
/// rightly refuses to create a session that has already ended (minimum notice), and a
/// test cannot wait for one to end; everything else stays exactly as the API left it.
async fn move_session_into_the_past(env: &TestEnv, id: &str) {
    let old = env.app.store.get_booking(booking_id(id)).await.unwrap().expect("stored booking");
    let mut new = old.clone();
    let now = Utc::now();
    new.start = now - TimeDelta::hours(3);
    new.end = now - TimeDelta::hours(2);
    new.version += 1;
    env.app.store.update_booking_status(&old, &new).await.expect("time travel");
}

/// Makes a pending booking look requested 49 hours ago (so due for expiry an hour ago),
/// straight through the store, for the scheduled handler that only looks at "now".
async fn make_overdue(env: &TestEnv, id: &str) {
    let old = env.app.store.get_booking(booking_id(id)).await.unwrap().expect("stored booking");
    let mut new = old.clone();
    let now = Utc::now();
    new.requested_at = now - TimeDelta::hours(49);
    new.expires_at = now - TimeDelta::hours(1);
    new.version += 1;
    env.app.store.update_booking_status(&old, &new).await.expect("time travel");
}

// ---------------------------------------------------------------------------------------
// PUT /bookings/{id}/status
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn photographer_confirms_then_completes_after_the_end_and_history_records_each_step() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let t0 = Utc::now();
    let id = booked(&env, &c, &p.id, &utc(day(5), 10, 0), 60).await;

    let confirmed = set_status(&env, &p.access, &id, "confirmed", None).await.ok(200).clone();
    assert_eq!(confirmed["status"], "confirmed");
    assert!(confirmed.get("expires_at").is_none(), "only pending bookings expire: {confirmed}");
    assert_eq!(confirmed["sequence"], 1);
    let h = history(&confirmed);
    assert_eq!(h.len(), 2);
    assert_entry(&h[0], t0, Some(&c.id), "client", "created", None, "pending", None);
    assert_entry(&h[1], t0, Some(&p.id), "photographer", "status_changed", Some("pending"), "confirmed", None);
    assert_eq!(as_answered(get_booking(&env, &c.access, &id).await.ok(200)), confirmed, "stored as answered");

    // Not before the session has ended.
    transition_conflict(&set_status(&env, &p.access, &id, "completed", None).await, "too_early");
    move_session_into_the_past(&env, &id).await;
    // Once the session is over, neither party can cancel it any more.
    transition_conflict(&set_status(&env, &c.access, &id, "cancelled", Some("no show")).await, "too_late");
    transition_conflict(&set_status(&env, &p.access, &id, "cancelled", Some("no show")).await, "too_late");
    // Only the photographer completes.
    set_status(&env, &c.access, &id, "completed", None).await.problem(403);
    let done = set_status(&env, &p.access, &id, "completed", None).await.ok(200).clone();
    assert_eq!(done["status"], "completed");
    let h = history(&done);
    assert_eq!(h.len(), 3);
    assert_entry(&h[2], t0, Some(&p.id), "photographer", "status_changed", Some("confirmed"), "completed", None);

    // Completed is final.
    for (token, status) in [(&p.access, "confirmed"), (&p.access, "cancelled"), (&c.access, "cancelled")] {
        let r = set_status(&env, token, &id, status, Some("too late")).await;
        transition_conflict(&r, "illegal_transition");
    }
    let r = reschedule(&env, &c.access, &id, json!({"start": utc(day(8), 10, 0)})).await;
    transition_conflict(&r, "not_reschedulable");
    assert_eq!(as_answered(get_booking(&env, &p.access, &id).await.ok(200)), done);
}

#[tokio::test]
async fn declining_frees_the_slot_at_once() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let start = utc(day(5), 10, 0);
    let t0 = Utc::now();
    let id = booked(&env, &c, &p.id, &start, 60).await;
    rule_conflict(&book(&env, &other.access, request(&p.id, &start, 60)).await, "overlap");

    let declined =
        set_status(&env, &p.access, &id, "declined", Some("  Fully booked that week  ")).await.ok(200).clone();
    assert_eq!(declined["status"], "declined");
    let h = history(&declined);
    assert_entry(
        &h[1],
        t0,
        Some(&p.id),
        "photographer",
        "status_changed",
        Some("pending"),
        "declined",
        Some("Fully booked that week"),
    );
    // The same slot, at once.
    book(&env, &other.access, request(&p.id, &start, 60)).await.ok(201);
    // A declined booking stays declined.
    transition_conflict(&set_status(&env, &p.access, &id, "confirmed", None).await, "illegal_transition");
    transition_conflict(&set_status(&env, &p.access, &id, "declined", None).await, "illegal_transition");
    transition_conflict(&set_status(&env, &c.access, &id, "cancelled", Some("x")).await, "illegal_transition");
}

#[tokio::test]
async fn either_party_cancels_with_a_reason_and_the_slot_is_free_at_once() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let (a_start, b_start, c_start) = (utc(day(6), 10, 0), utc(day(6), 13, 0), utc(day(7), 10, 0));
    let t0 = Utc::now();
    let a = booked(&env, &c, &p.id, &a_start, 60).await;
    let b = booked(&env, &c, &p.id, &b_start, 60).await;
    let third = booked(&env, &c, &p.id, &c_start, 60).await;

    // A reason is required; blank is none.
    for reason in [None, Some("   ")] {
        let r = set_status(&env, &c.access, &a, "cancelled", reason).await;
        r.problem(422);
        assert_eq!(r.error_fields(), ["reason"]);
    }
    let r = set_status(&env, &c.access, &a, "cancelled", Some(&"x".repeat(501))).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["reason"]);
    assert_eq!(get_booking(&env, &c.access, &a).await.ok(200)["status"], "pending");

    // The client withdraws a pending request.
    let cancelled = set_status(&env, &c.access, &a, "cancelled", Some("Wedding postponed")).await.ok(200).clone();
    assert_eq!(cancelled["status"], "cancelled");
    assert_entry(
        &history(&cancelled)[1],
        t0,
        Some(&c.id),
        "client",
        "status_changed",
        Some("pending"),
        "cancelled",
        Some("Wedding postponed"),
    );
    book(&env, &other.access, request(&p.id, &a_start, 60)).await.ok(201);

    // The photographer cancels a confirmed booking.
    set_status(&env, &p.access, &b, "confirmed", None).await.ok(200);
    let cancelled = set_status(&env, &p.access, &b, "cancelled", Some("Equipment stolen")).await.ok(200).clone();
    let h = history(&cancelled);
    assert_eq!(h.len(), 3);
    assert_entry(
        &h[2],
        t0,
        Some(&p.id),
        "photographer",
        "status_changed",
        Some("confirmed"),
        "cancelled",
        Some("Equipment stolen"),
    );
    book(&env, &other.access, request(&p.id, &b_start, 60)).await.ok(201);

    // An admin may cancel (disputes), with a reason.
    let admin = admin(&env).await;
    set_status(&env, &admin.access, &third, "cancelled", None).await.problem(422);
    let by_admin = set_status(&env, &admin.access, &third, "cancelled", Some("Dispute resolved")).await.ok(200).clone();
    assert_entry(
        &history(&by_admin)[1],
        t0,
        Some(&admin.id),
        "admin",
        "status_changed",
        Some("pending"),
        "cancelled",
        Some("Dispute resolved"),
    );
    book(&env, &other.access, request(&p.id, &c_start, 60)).await.ok(201);

    // Cancelled twice is not a thing.
    transition_conflict(&set_status(&env, &c.access, &a, "cancelled", Some("again")).await, "illegal_transition");
}

#[tokio::test]
async fn illegal_transitions_are_409_and_the_wrong_actor_is_403() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let id = booked(&env, &c, &p.id, &utc(day(5), 10, 0), 60).await;
    let admin = admin(&env).await;

    // Only the photographer confirms or declines; only the system expires.
    for (token, status) in [
        (&c.access, "confirmed"),
        (&c.access, "declined"),
        (&admin.access, "confirmed"),
        (&admin.access, "declined"),
        (&p.access, "expired"),
        (&c.access, "expired"),
    ] {
        set_status(&env, token, &id, status, Some("because")).await.problem(403);
    }
    // Edges that do not exist.
    transition_conflict(&set_status(&env, &p.access, &id, "completed", None).await, "illegal_transition");
    transition_conflict(&set_status(&env, &p.access, &id, "pending", None).await, "illegal_transition");
    // Not a status at all.
    set_status(&env, &p.access, &id, "done", None).await.problem(422);
    let r = call(
        env.app,
        update_booking_status::handle,
        ApiEvent::new("PUT /bookings/{id}/status")
            .path("id", &id)
            .bearer(&p.access)
            .json(json!({"status": "confirmed", "note": "x"})),
    )
    .await;
    r.problem(422);

    // Strangers cannot tell the booking exists; no token is 401.
    let stranger = register(&env, "client").await;
    set_status(&env, &stranger.access, &id, "cancelled", Some("mine now")).await.problem(404);
    let other_p = photographer(&env, availability_doc(json!({}))).await;
    set_status(&env, &other_p.access, &id, "confirmed", None).await.problem(404);
    set_status(&env, &p.access, &ulid::Ulid::new().to_string(), "confirmed", None).await.problem(404);
    call(
        env.app,
        update_booking_status::handle,
        ApiEvent::new("PUT /bookings/{id}/status").path("id", &id).json(json!({"status": "confirmed"})),
    )
    .await
    .problem(401);

    // None of that changed anything.
    let b = get_booking(&env, &c.access, &id).await.ok(200).clone();
    assert_eq!(b["status"], "pending");
    assert_eq!(history(&b).len(), 1);

    // Confirmed cannot be confirmed, declined or expired again.
    set_status(&env, &p.access, &id, "confirmed", None).await.ok(200);
    transition_conflict(&set_status(&env, &p.access, &id, "confirmed", None).await, "illegal_transition");
    transition_conflict(&set_status(&env, &p.access, &id, "declined", None).await, "illegal_transition");
    transition_conflict(&set_status(&env, &p.access, &id, "pending", None).await, "illegal_transition");
}

#[tokio::test]
async fn clients_cannot_cancel_a_confirmed_booking_inside_the_cancellation_window() {
    let env = env().await;
    // A week's window; sessions three days out are inside it, ten days out are not.
    let p = photographer(&env, availability_doc(json!({"cancellation_window_hours": 168}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let soon = utc(day(3), 10, 0);
    let confirmed_soon = booked(&env, &c, &p.id, &soon, 60).await;
    let pending_soon = booked(&env, &c, &p.id, &utc(day(3), 13, 0), 60).await;
    let confirmed_later = booked(&env, &c, &p.id, &utc(day(10), 10, 0), 60).await;
    for id in [&confirmed_soon, &confirmed_later] {
        let b = set_status(&env, &p.access, id, "confirmed", None).await.ok(200).clone();
        assert_eq!(b["cancellation_window_hours"], 168);
    }

    let r = set_status(&env, &c.access, &confirmed_soon, "cancelled", Some("changed my mind")).await;
    transition_conflict(&r, "inside_cancellation_window");
    // The window is the one the booking was made under: relaxing it later changes nothing.
    put_availability(&env, &p.access, availability_doc(json!({"cancellation_window_hours": 0}))).await.ok(200);
    let r = set_status(&env, &c.access, &confirmed_soon, "cancelled", Some("changed my mind")).await;
    transition_conflict(&r, "inside_cancellation_window");
    // Nor can the client move it instead.
    let r = reschedule(&env, &c.access, &confirmed_soon, json!({"start": utc(day(12), 10, 0)})).await;
    transition_conflict(&r, "inside_cancellation_window");
    let still = get_booking(&env, &c.access, &confirmed_soon).await.ok(200).clone();
    assert_eq!(still["status"], "confirmed");
    assert_eq!(still["start"], soon.as_str());
    rule_conflict(&book(&env, &other.access, request(&p.id, &soon, 60)).await, "overlap");

    // A still-pending request may be withdrawn; outside the window, confirmed may be too.
    set_status(&env, &c.access, &pending_soon, "cancelled", Some("found someone else")).await.ok(200);
    set_status(&env, &c.access, &confirmed_later, "cancelled", Some("moving abroad")).await.ok(200);
    // The photographer may cancel inside the window.
    set_status(&env, &p.access, &confirmed_soon, "cancelled", Some("ill")).await.ok(200);
    book(&env, &other.access, request(&p.id, &soon, 60)).await.ok(201);
}

// ---------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_expiry_sweep_expires_due_pending_bookings_frees_their_slots_and_is_idempotent() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let pending_start = utc(day(10), 10, 0);
    let t0 = Utc::now();
    let pending = booked(&env, &c, &p.id, &pending_start, 60).await;
    let confirmed = booked(&env, &c, &p.id, &utc(day(10), 13, 0), 60).await;
    set_status(&env, &p.access, &confirmed, "confirmed", None).await.ok(200);
    let confirmed_before = get_booking(&env, &c.access, &confirmed).await.ok(200).clone();
    let pending_before = get_booking(&env, &c.access, &pending).await.ok(200).clone();
    let expires_at = instant(pending_before["expires_at"].as_str().unwrap());

    // Nothing is due yet, nor a second before the expiry.
    let none = expire_bookings::Summary { expired: 0, skipped: 0, unreadable: 0 };
    assert_eq!(expire_bookings::expire_due(env.app, Utc::now()).await.unwrap(), none);
    let just_before = expires_at - TimeDelta::seconds(1);
    assert_eq!(expire_bookings::expire_due(env.app, just_before).await.unwrap(), none);
    assert_eq!(get_booking(&env, &c.access, &pending).await.ok(200), &pending_before);

    // An hour after the 48 h expiry.
    let later = t0 + TimeDelta::hours(49);
    let summary = expire_bookings::expire_due(env.app, later).await.unwrap();
    assert_eq!(summary, expire_bookings::Summary { expired: 1, skipped: 0, unreadable: 0 });
    let expired = get_booking(&env, &c.access, &pending).await.ok(200).clone();
    assert_eq!(expired["status"], "expired");
    assert!(expired.get("expires_at").is_none());
    let h = history(&expired);
    assert_eq!(h.len(), 2);
    assert_eq!(h[1]["by"], Value::Null);
    assert_eq!(h[1]["actor"], "system");
    assert_eq!(h[1]["action"], "status_changed");
    assert_eq!(h[1]["from"], "pending");
    assert_eq!(h[1]["to"], "expired");
    assert_eq!(instant(h[1]["at"].as_str().unwrap()), later, "recorded at the sweep's time");
    assert_eq!(get_booking(&env, &c.access, &confirmed).await.ok(200), &confirmed_before, "confirmed is untouched");

    // Running it again changes nothing more.
    assert_eq!(expire_bookings::expire_due(env.app, later).await.unwrap(), none);
    assert_eq!(get_booking(&env, &c.access, &pending).await.ok(200), &expired);
    assert_eq!(get_booking(&env, &c.access, &confirmed).await.ok(200), &confirmed_before);

    // An expired booking is final, and its slot is free at once.
    transition_conflict(&set_status(&env, &p.access, &pending, "confirmed", None).await, "illegal_transition");
    book(&env, &other.access, request(&p.id, &pending_start, 60)).await.ok(201);
}

fn scheduled_event(time: DateTime<Utc>) -> lambda_runtime::LambdaEvent<EventBridgeEvent<Value>> {
    let event: EventBridgeEvent<Value> = serde_json::from_value(json!({
        "version": "0", "id": ulid::Ulid::new().to_string(), "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": time.to_rfc3339(),
        "region": "ap-south-1", "resources": [], "detail": {}
    }))
    .expect("an EventBridge event");
    lambda_runtime::LambdaEvent::new(event, Default::default())
}

#[tokio::test]
async fn the_scheduled_handler_expires_what_was_due_at_its_time_and_never_later() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let overdue_start = utc(day(10), 10, 0);
    let overdue = booked(&env, &c, &p.id, &overdue_start, 60).await;
    let fresh = booked(&env, &c, &p.id, &utc(day(10), 13, 0), 60).await;
    make_overdue(&env, &overdue).await;

    // A run scheduled before the booking was due does nothing.
    let r = expire_bookings::handle(env.app, scheduled_event(Utc::now() - TimeDelta::hours(2))).await.unwrap();
    assert_eq!(r, expire_bookings::Summary { expired: 0, skipped: 0, unreadable: 0 });
    // A run scheduled far in the future is treated as now: the fresh booking stays pending.
    let r = expire_bookings::handle(env.app, scheduled_event(Utc::now() + TimeDelta::days(30))).await.unwrap();
    assert_eq!(r, expire_bookings::Summary { expired: 1, skipped: 0, unreadable: 0 });
    assert_eq!(get_booking(&env, &c.access, &overdue).await.ok(200)["status"], "expired");
    assert_eq!(get_booking(&env, &c.access, &fresh).await.ok(200)["status"], "pending");
    // A lapsed request cannot be confirmed even if the sweep had not run yet; here it has.
    book(&env, &other.access, request(&p.id, &overdue_start, 60)).await.ok(201);
    let r = expire_bookings::handle(env.app, scheduled_event(Utc::now())).await.unwrap();
    assert_eq!(r, expire_bookings::Summary { expired: 0, skipped: 0, unreadable: 0 });
}

#[tokio::test]
async fn a_lapsed_request_cannot_be_confirmed_before_the_sweep_runs() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let id = booked(&env, &c, &p.id, &utc(day(10), 10, 0), 60).await;
    make_overdue(&env, &id).await;
    transition_conflict(&set_status(&env, &p.access, &id, "confirmed", None).await, "too_late");
    transition_conflict(&set_status(&env, &p.access, &id, "declined", None).await, "too_late");
    assert_eq!(get_booking(&env, &c.access, &id).await.ok(200)["status"], "pending");
}

// ---------------------------------------------------------------------------------------
// POST /bookings/{id}/reschedule
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_client_reschedule_moves_the_booking_atomically_and_returns_it_to_pending() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let d = day(6);
    let (old_start, new_start) = (utc(d, 10, 0), utc(d, 14, 0));
    let t0 = Utc::now();
    let id = booked(&env, &c, &p.id, &old_start, 60).await;
    let confirmed = set_status(&env, &p.access, &id, "confirmed", None).await.ok(200).clone();

    let moved = reschedule(&env, &c.access, &id, json!({"start": new_start})).await.ok(200).clone();
    assert_eq!(moved["id"], id.as_str());
    assert_eq!(moved["status"], "pending", "the photographer must confirm the new time");
    assert_eq!(moved["start"], new_start.as_str());
    assert_eq!(moved["end"], utc(d, 15, 0));
    assert_eq!(moved["duration_minutes"], 60);
    assert_eq!(moved["price"], confirmed["price"]);
    assert!(moved["sequence"].as_u64().unwrap() > confirmed["sequence"].as_u64().unwrap());
    let expires = instant(moved["expires_at"].as_str().expect("pending again, so it expires again"));
    assert!(expires > t0 + TimeDelta::hours(47), "expiry restarts from the reschedule: {expires}");
    let h = history(&moved);
    assert_eq!(h.len(), 3);
    assert_entry(&h[2], t0, Some(&c.id), "client", "rescheduled", Some("confirmed"), "pending", None);
    assert_eq!(instant(h[2]["previous_start"].as_str().unwrap()), instant(&old_start));
    assert_eq!(instant(h[2]["new_start"].as_str().unwrap()), instant(&new_start));
    assert_eq!(as_answered(get_booking(&env, &p.access, &id).await.ok(200)), moved, "stored as answered");

    // The new slot is taken and the old one is free, at once.
    rule_conflict(&book(&env, &other.access, request(&p.id, &utc(d, 14, 30), 60)).await, "overlap");
    book(&env, &other.access, request(&p.id, &old_start, 60)).await.ok(201);
    // And it can be confirmed again.
    assert_eq!(set_status(&env, &p.access, &id, "confirmed", None).await.ok(200)["status"], "confirmed");
}

#[tokio::test]
async fn a_photographer_reschedule_keeps_the_status() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let d = day(6);
    let t0 = Utc::now();
    let confirmed = booked(&env, &c, &p.id, &utc(d, 10, 0), 60).await;
    set_status(&env, &p.access, &confirmed, "confirmed", None).await.ok(200);
    let pending = booked(&env, &c, &p.id, &utc(d, 12, 0), 60).await;

    let moved = reschedule(&env, &p.access, &confirmed, json!({"start": utc(day(7), 9, 0)})).await.ok(200).clone();
    assert_eq!(moved["status"], "confirmed");
    let h = history(&moved);
    assert_entry(&h[2], t0, Some(&p.id), "photographer", "rescheduled", Some("confirmed"), "confirmed", None);
    assert_eq!(instant(h[2]["previous_start"].as_str().unwrap()), instant(&utc(d, 10, 0)));
    assert_eq!(instant(h[2]["new_start"].as_str().unwrap()), instant(&utc(day(7), 9, 0)));

    let moved = reschedule(&env, &p.access, &pending, json!({"start": utc(d, 15, 0), "duration_minutes": 90}))
        .await
        .ok(200)
        .clone();
    assert_eq!(moved["status"], "pending");
    assert_eq!(moved["end"], utc(d, 16, 30));
    assert_eq!(moved["duration_minutes"], 90);
}

#[tokio::test]
async fn a_reschedule_onto_another_booking_is_409_and_changes_nothing() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let d = day(6);
    let a = booked(&env, &c, &p.id, &utc(d, 10, 0), 60).await;
    let b = booked(&env, &other, &p.id, &utc(d, 13, 0), 60).await;
    let a_before = get_booking(&env, &c.access, &a).await.ok(200).clone();
    let b_before = get_booking(&env, &other.access, &b).await.ok(200).clone();

    for actor in [&c.access, &p.access] {
        let r = reschedule(&env, actor, &a, json!({"start": utc(d, 12, 30)})).await;
        let suggestions = rule_conflict(&r, "overlap");
        assert!(!suggestions.is_empty(), "{}", r.text);
        let r = reschedule(&env, actor, &a, json!({"start": utc(d, 13, 0), "duration_minutes": 30})).await;
        rule_conflict(&r, "overlap");
    }
    // Other rules apply to the new time too.
    rule_conflict(&reschedule(&env, &c.access, &a, json!({"start": utc(d, 20, 0)})).await, "outside_working_hours");
    rule_conflict(&reschedule(&env, &c.access, &a, json!({"start": utc(d, 10, 15)})).await, "not_on_slot_step");

    assert_eq!(get_booking(&env, &c.access, &a).await.ok(200), &a_before, "unchanged");
    assert_eq!(get_booking(&env, &other.access, &b).await.ok(200), &b_before, "unchanged");
    // The old slot is still held.
    let third = register(&env, "client").await;
    rule_conflict(&book(&env, &third.access, request(&p.id, &utc(d, 10, 0), 60)).await, "overlap");
}

#[tokio::test]
async fn a_reschedule_overlapping_its_own_time_frees_exactly_what_it_left() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let d = day(6);
    let id = booked(&env, &c, &p.id, &utc(d, 10, 0), 60).await;
    // 10:00–11:00 → 10:30–12:00: its own blocks do not count against it.
    let moved = reschedule(&env, &c.access, &id, json!({"start": utc(d, 10, 30), "duration_minutes": 90}))
        .await
        .ok(200)
        .clone();
    assert_eq!(moved["end"], utc(d, 12, 0));
    // 10:00–10:30 was released; 10:30–12:00 is held.
    book(&env, &other.access, request(&p.id, &utc(d, 9, 30), 60)).await.ok(201);
    rule_conflict(&book(&env, &other.access, request(&p.id, &utc(d, 11, 30), 30)).await, "overlap");
    book(&env, &other.access, request(&p.id, &utc(d, 12, 0), 30)).await.ok(201);
}

#[tokio::test]
async fn a_reschedule_respects_the_daily_limit_of_the_new_day_only() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({"max_bookings_per_day": 1}))).await;
    let c = register(&env, "client").await;
    let other = register(&env, "client").await;
    let (d1, d2, d3) = (day(6), day(7), day(8));
    let id = booked(&env, &c, &p.id, &utc(d1, 10, 0), 60).await;
    booked(&env, &other, &p.id, &utc(d2, 10, 0), 60).await;
    let before = get_booking(&env, &c.access, &id).await.ok(200).clone();

    // d2 is full.
    rule_conflict(&reschedule(&env, &c.access, &id, json!({"start": utc(d2, 14, 0)})).await, "daily_limit");
    assert_eq!(get_booking(&env, &c.access, &id).await.ok(200), &before);
    // Within its own day the booking does not count against itself.
    reschedule(&env, &c.access, &id, json!({"start": utc(d1, 14, 0)})).await.ok(200);
    // Moving to another day gives the old day back and takes the new one.
    reschedule(&env, &c.access, &id, json!({"start": utc(d3, 10, 0)})).await.ok(200);
    book(&env, &other.access, request(&p.id, &utc(d1, 9, 0), 60)).await.ok(201);
    rule_conflict(&book(&env, &other.access, request(&p.id, &utc(d3, 15, 0), 60)).await, "daily_limit");
}

#[tokio::test]
async fn reschedule_requests_are_validated_and_only_for_the_parties() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let id = booked(&env, &c, &p.id, &utc(day(6), 10, 0), 60).await;
    let before = get_booking(&env, &c.access, &id).await.ok(200).clone();

    let r = reschedule(&env, &c.access, &id, json!({"start": format!("{}T12:00:00", day(6))})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["start"]);
    let r = reschedule(&env, &c.access, &id, json!({"start": "later", "duration_minutes": 7})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["start", "duration_minutes"]);
    reschedule(&env, &c.access, &id, json!({"start": utc(day(6), 12, 0), "why": "x"})).await.problem(422);

    let stranger = register(&env, "client").await;
    reschedule(&env, &stranger.access, &id, json!({"start": utc(day(6), 12, 0)})).await.problem(404);
    let admin = admin(&env).await;
    reschedule(&env, &admin.access, &id, json!({"start": utc(day(6), 12, 0)})).await.problem(403);
    // Too soon for the minimum notice.
    let soon = (Utc::now() + TimeDelta::hours(2)).format("%Y-%m-%dT%H:00:00Z").to_string();
    rule_conflict(&reschedule(&env, &c.access, &id, json!({"start": soon})).await, "min_notice");
    assert_eq!(get_booking(&env, &c.access, &id).await.ok(200), &before);

    // Cancelled bookings stay where they were.
    set_status(&env, &c.access, &id, "cancelled", Some("no longer needed")).await.ok(200);
    let r = reschedule(&env, &c.access, &id, json!({"start": utc(day(6), 12, 0)})).await;
    transition_conflict(&r, "not_reschedulable");
}
