//! Calendar feeds (PUT/DELETE /me/calendar-feed, GET /calendar/{token}.ics) against
//! DynamoDB Local, each feed parsed back as a calendar app would, with the independent
//! `icalendar` crate.

use crate::support::*;
use cm_booking::BookingStatus;
use cm_store::BookingWriter;
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use icalendar::{Component, EventStatus};
use serde_json::Value;

async fn new_feed(env: &TestEnv, who: &Session) -> Value {
    call(env.app, put_my_calendar_feed::handle, ApiEvent::new("PUT /me/calendar-feed").bearer(&who.access))
        .await
        .ok(200)
        .clone()
}

async fn fetch(env: &TestEnv, file: &str) -> TestResponse {
    call(env.app, get_calendar_feed::handle, ApiEvent::new("GET /calendar/{file}").path("file", file)).await
}

fn events(text: &str) -> Vec<icalendar::Event> {
    let calendar: icalendar::Calendar = text.parse().unwrap_or_else(|e| panic!("not a calendar: {e}\n{text}"));
    calendar.components.iter().filter_map(|c| c.as_event().cloned()).collect()
}

#[tokio::test]
async fn a_feed_holds_the_owners_bookings_with_their_invite_uids() {
    let env = env().await;
    let photographer = register(&env, "photographer").await;
    let (client, other) = (register(&env, "client").await, register(&env, "client").await);
    let confirmed = booking(&env, &client, &photographer, BookingStatus::Confirmed).await;
    let pending = booking(&env, &other, &photographer, BookingStatus::Pending).await;
    // Cancelled after the fact: the feed strikes it out instead of dropping it.
    let mut cancelled = pending.clone();
    cancelled.status = BookingStatus::Cancelled;
    cancelled.version += 1;
    cancelled.sequence += 1;
    env.app.store.update_booking_status(&pending, &cancelled).await.unwrap();

    let feed = new_feed(&env, &photographer).await;
    let r = fetch(&env, feed["file"].as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/calendar; charset=utf-8"));
    let mut got: Vec<(String, Option<EventStatus>, Option<u32>)> =
        events(&r.text).iter().map(|e| (e.get_uid().unwrap().to_string(), e.get_status(), e.get_sequence())).collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want = vec![
        (cm_notify::booking_uid(&confirmed.id.to_string()), Some(EventStatus::Confirmed), Some(confirmed.sequence)),
        (cm_notify::booking_uid(&cancelled.id.to_string()), Some(EventStatus::Cancelled), Some(cancelled.sequence)),
    ];
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want);

    // A client's feed holds only their own booking.
    let theirs = new_feed(&env, &client).await;
    let r = fetch(&env, theirs["file"].as_str().unwrap()).await;
    let uids: Vec<String> = events(&r.text).iter().map(|e| e.get_uid().unwrap().to_string()).collect();
    assert_eq!(uids, [cm_notify::booking_uid(&confirmed.id.to_string())]);
}

#[tokio::test]
async fn rotating_and_revoking_close_the_old_address() {
    let env = env().await;
    let client = register(&env, "client").await;
    let first = new_feed(&env, &client).await;
    let file = first["file"].as_str().unwrap().to_string();
    assert_eq!(file.len(), 43 + ".ics".len());
    assert_eq!(fetch(&env, &file).await.status, 200);

    let second = new_feed(&env, &client).await;
    let rotated = second["file"].as_str().unwrap().to_string();
    assert_ne!(rotated, file);
    fetch(&env, &file).await.problem(404);
    assert_eq!(fetch(&env, &rotated).await.status, 200);

    let r = call(
        env.app,
        delete_my_calendar_feed::handle,
        ApiEvent::new("DELETE /me/calendar-feed").bearer(&client.access),
    )
    .await;
    assert_eq!(r.status, 204);
    fetch(&env, &rotated).await.problem(404);
    // Revoking again changes nothing.
    let r = call(
        env.app,
        delete_my_calendar_feed::handle,
        ApiEvent::new("DELETE /me/calendar-feed").bearer(&client.access),
    )
    .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn only_a_live_token_of_an_active_account_opens_a_feed() {
    let env = env().await;
    let client = register(&env, "client").await;
    let feed = new_feed(&env, &client).await;
    let file = feed["file"].as_str().unwrap().to_string();
    let token = file.trim_end_matches(".ics");
    for wrong in [
        token.to_string(),                                 // no .ics
        format!("{}.ics", &token[1..]),                    // too short
        format!("{}A.ics", &token[1..]),                   // one character changed
        format!("{}+.ics", &token[1..]),                   // not base64url
        format!("{}.ics", cm_accounts::feed::new_token()), // someone else's shape, nobody's token
    ] {
        fetch(&env, &wrong).await.problem(404);
    }
    assert_eq!(fetch(&env, &file).await.status, 200);

    // Deactivated: the address stops working; reactivated: it works again.
    let id: cm_core::UserId = client.id.parse().unwrap();
    cm_store::UserWriter::set_user_active(&env.app.store, id, false, chrono::Utc::now()).await.unwrap();
    fetch(&env, &file).await.problem(404);
    cm_store::UserWriter::set_user_active(&env.app.store, id, true, chrono::Utc::now()).await.unwrap();
    assert_eq!(fetch(&env, &file).await.status, 200);

    // Admins have no bookings to subscribe to; nobody without a token gets an address.
    let admin = admin(&env).await;
    call(env.app, put_my_calendar_feed::handle, ApiEvent::new("PUT /me/calendar-feed").bearer(&admin.access))
        .await
        .problem(403);
    call(env.app, put_my_calendar_feed::handle, ApiEvent::new("PUT /me/calendar-feed")).await.problem(401);
    call(env.app, delete_my_calendar_feed::handle, ApiEvent::new("DELETE /me/calendar-feed")).await.problem(401);
}

/// Two rotations at once: exactly one address survives, and it is one of the two
/// answers (the loser retries on a fresh read, so both answer 200, but the earlier
/// winner's address is replaced by the later one).
#[tokio::test]
async fn concurrent_rotations_leave_exactly_one_working_address() {
    let env = env().await;
    let client = register(&env, "client").await;
    let (a, b) = tokio::join!(new_feed(&env, &client), new_feed(&env, &client));
    let (a, b) = (a["file"].as_str().unwrap().to_string(), b["file"].as_str().unwrap().to_string());
    let working: Vec<bool> = [fetch(&env, &a).await.status == 200, fetch(&env, &b).await.status == 200].into();
    assert_eq!(working.iter().filter(|w| **w).count(), 1, "{working:?}");
}
