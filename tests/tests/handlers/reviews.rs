//! Reviews (`POST /bookings/{id}/review`) and replies (`PUT /reviews/{id}/reply`):
//! only the booking's client reviews, once, after the session; only the reviewed
//! photographer replies.

use crate::support::*;
use chrono::TimeDelta;
use cm_accounts::account::Role;
use cm_core::BookingId;
use cm_tests::{ApiEvent, TestResponse, call};
use serde_json::json;

async fn review(w: &World, who: &Person, id: BookingId, rating: u8, text: &str) -> TestResponse {
    call(
        w.app,
        create_review::handle,
        ApiEvent::new("POST /bookings/{id}/review")
            .path("id", id)
            .bearer(&w.token(who))
            .json(json!({"rating": rating, "text": text})),
    )
    .await
}

async fn reply(w: &World, who: &Person, id: BookingId, text: &str) -> TestResponse {
    call(
        w.app,
        reply_to_review::handle,
        ApiEvent::new("PUT /reviews/{id}/reply").path("id", id).bearer(&w.token(who)).json(json!({"text": text})),
    )
    .await
}

/// A booking of `c` with `p`, confirmed, and the clock just past its end.
async fn finished_session(w: &World, c: &Person, p: &Person) -> BookingId {
    let id = w.booked(c, p, at(3, 10, 0), 60).await;
    w.set_status(p, id, "confirmed", None).await.ok(200);
    w.clock.set(at(3, 11, 0));
    id
}

const TEXT: &str = "Lovely photos, very patient with the kids.";

#[tokio::test]
async fn only_the_bookings_client_reviews_and_only_a_completed_session() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let stranger = w.person(Role::Client).await;
    let admin = w.person(Role::Admin).await;
    let id = finished_session(&w, &c, &p).await;

    let r = review(&w, &c, id, 5, TEXT).await;
    assert_eq!(problem_type(&r, 409), "review-not-yet", "confirmed is not completed");
    w.set_status(&p, id, "completed", None).await.ok(200);

    assert_eq!(problem_type(&review(&w, &p, id, 5, TEXT).await, 403), "forbidden", "the photographer");
    assert_eq!(problem_type(&review(&w, &admin, id, 5, TEXT).await, 403), "forbidden", "an admin");
    assert_eq!(problem_type(&review(&w, &stranger, id, 5, TEXT).await, 404), "not-found", "a stranger");
    assert_eq!(w.store().reviews.count(), 0);

    let r = review(&w, &c, id, 4, TEXT).await;
    assert_eq!(r.header("location"), Some(format!("/photographers/{}/reviews", p.id()).as_str()));
    let stored = w.store().reviews.get(id).unwrap();
    assert_eq!((stored.client_id, stored.photographer_id, stored.rating), (c.id(), p.id(), 4));
    assert_eq!(stored.text, TEXT);
}

#[tokio::test]
async fn a_booking_is_reviewed_once() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = finished_session(&w, &c, &p).await;
    w.set_status(&p, id, "completed", None).await.ok(200);
    review(&w, &c, id, 5, TEXT).await.ok(201);
    let r = review(&w, &c, id, 1, "Changed my mind entirely about this one.").await;
    assert_eq!(problem_type(&r, 409), "already-reviewed");
    let stored = w.store().reviews.get(id).unwrap();
    assert_eq!((stored.rating, stored.text.as_str()), (5, TEXT), "the first review stands");
}

#[tokio::test]
async fn only_the_reviewed_photographer_replies_and_an_edit_keeps_the_first_time() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let other = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let id = finished_session(&w, &c, &p).await;
    w.set_status(&p, id, "completed", None).await.ok(200);
    review(&w, &c, id, 5, TEXT).await.ok(201);

    assert_eq!(problem_type(&reply(&w, &other, id, "Thanks!").await, 403), "forbidden");
    assert_eq!(problem_type(&reply(&w, &c, id, "Thanks!").await, 403), "forbidden", "clients do not reply");
    assert!(w.store().reviews.get(id).unwrap().reply.is_none());
    assert_eq!(problem_type(&reply(&w, &p, BookingId::new(), "Thanks!").await, 404), "not-found");

    let first_at = w.now();
    assert_eq!(reply(&w, &p, id, "Thank you!").await.ok(200)["reply"]["text"], "Thank you!");
    w.advance(TimeDelta::hours(2));
    reply(&w, &p, id, "Thank you so much!").await.ok(200);
    let stored = w.store().reviews.get(id).unwrap().reply.unwrap();
    assert_eq!(stored.text, "Thank you so much!");
    assert_eq!((stored.created_at, stored.updated_at), (first_at, w.now()));
}
