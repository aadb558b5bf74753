//! Concurrency: many requests for overlapping time at once, and conflicting status
//! changes at once. The guarantee comes from DynamoDB transactions (lock blocks and a
//! version compare-and-set), so these run truly in parallel on several threads, with
//! every DynamoDB request reaching DynamoDB Local as it is made.

use crate::bookings::{
    availability_doc, book, book_with_key, booked, day, get_booking, ids, list_mine, photographer, request, reschedule,
    rule_conflict, set_status, utc,
};
use crate::support::*;
use cm_tests::TestResponse;
use futures::future::join_all;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_overlapping_requests_give_exactly_one_booking() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let mut clients = Vec::new();
    for _ in 0..5 {
        clients.push(register(&env, "client").await);
    }
    let d = day(7);
    // Different starts and lengths, all covering 11:00–11:15, so every pair overlaps.
    let starts = [utc(d, 10, 0), utc(d, 10, 30), utc(d, 11, 0)];
    let minutes = [90, 120, 150, 180];
    let attempts = (0..50).map(|i| {
        let client = &clients[i % clients.len()];
        let body = request(&p.id, &starts[i % starts.len()], minutes[i % minutes.len()]);
        book(&env, &client.access, body)
    });
    let answers: Vec<TestResponse> = join_all(attempts).await;

    let winners: Vec<&TestResponse> = answers.iter().filter(|r| r.status == 201).collect();
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(winners.len(), 1, "exactly one booking is created: {statuses:?}");
    for r in answers.iter().filter(|r| r.status != 201) {
        rule_conflict(r, "overlap");
    }
    let winner = winners[0].body["id"].as_str().unwrap().to_string();

    let theirs = list_mine(&env, &p.access, &[("as", "photographer")]).await.ok(200).clone();
    assert_eq!(ids(&theirs), [winner.as_str()], "the photographer has exactly one booking");
    assert_eq!(theirs["items"][0]["status"], "pending");
    let pending = list_mine(&env, &p.access, &[("as", "photographer"), ("status", "pending")]).await;
    assert_eq!(ids(pending.ok(200)), [winner]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_confirm_and_decline_have_exactly_one_winner() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let start = utc(day(5), 10, 0);
    let id = booked(&env, &c, &p.id, &start, 60).await;

    let changes = (0..40).map(|i| {
        let (status, reason) = if i % 2 == 0 { ("confirmed", None) } else { ("declined", Some("busy")) };
        let id = id.clone();
        let env = &env;
        let token = p.access.clone();
        async move { (status, set_status(env, &token, &id, status, reason).await) }
    });
    let answers = join_all(changes).await;
    let winners: Vec<&str> = answers.iter().filter(|(_, r)| r.status == 200).map(|(s, _)| *s).collect();
    let statuses: Vec<u16> = answers.iter().map(|(_, r)| r.status).collect();
    assert_eq!(winners.len(), 1, "exactly one change wins: {statuses:?}");
    for (_, r) in answers.iter().filter(|(_, r)| r.status != 200) {
        r.problem(409);
    }

    let b = get_booking(&env, &c.access, &id).await.ok(200).clone();
    assert_eq!(b["status"], winners[0], "the stored status is the winner's");
    let history = b["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "one change recorded: {history:?}");
    assert_eq!(history[1]["to"], winners[0]);

    // The slot is held exactly when the winner was a confirmation.
    let other = register(&env, "client").await;
    let r = book(&env, &other.access, request(&p.id, &start, 60)).await;
    if winners[0] == "confirmed" {
        rule_conflict(&r, "overlap");
    } else {
        r.ok(201);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_with_one_idempotency_key_create_one_booking() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let body = request(&p.id, &utc(day(5), 10, 0), 60);
    let answers: Vec<TestResponse> =
        join_all((0..25).map(|_| book_with_key(&env, &c.access, "double-click", body.clone()))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    // A retry is the same request: it gets the first answer, never a conflict with itself.
    let refused: Vec<&str> = answers.iter().filter(|r| r.status != 201).map(|r| r.text.as_str()).collect();
    assert!(refused.is_empty(), "every retry answers 201, got {statuses:?}: {refused:?}");
    let first = &answers[0].body;
    assert!(answers.iter().all(|r| &r.body == first), "every retry answers the same booking");
    assert_eq!(list_mine(&env, &c.access, &[]).await.ok(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reschedule_racing_new_bookings_for_the_same_slot_has_one_winner_and_moves_whole_or_not_at_all() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let d = day(6);
    let (old_start, target) = (utc(d, 10, 0), utc(d, 14, 0));
    let id = booked(&env, &c, &p.id, &old_start, 60).await;
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(register(&env, "client").await);
    }

    let moving = reschedule(&env, &c.access, &id, json!({"start": target}));
    let booking = join_all((0..15).map(|i| book(&env, &others[i % others.len()].access, request(&p.id, &target, 60))));
    let (moved, booked_answers) = futures::join!(moving, booking);

    let created = booked_answers.iter().filter(|r| r.status == 201).count();
    for r in booked_answers.iter().filter(|r| r.status != 201) {
        rule_conflict(r, "overlap");
    }
    let b = get_booking(&env, &c.access, &id).await.ok(200).clone();
    let third = register(&env, "client").await;
    if moved.status == 200 {
        assert_eq!(created, 0, "the slot went to the reschedule and to a new booking");
        assert_eq!(b["start"], target.as_str());
        // The old slot was released in the same step.
        book(&env, &third.access, request(&p.id, &old_start, 60)).await.ok(201);
    } else {
        rule_conflict(&moved, "overlap");
        assert_eq!(created, 1, "one new booking got the slot");
        assert_eq!(b["start"], old_start.as_str(), "the booking did not move");
        assert_eq!(b["history"].as_array().unwrap().len(), 1);
        // Its old slot is still held.
        rule_conflict(&book(&env, &third.access, request(&p.id, &old_start, 60)).await, "overlap");
    }
    let all = list_mine(&env, &p.access, &[("as", "photographer"), ("from", &target), ("to", &utc(d, 15, 0))]).await;
    assert_eq!(ids(all.ok(200)).len(), 1, "one booking at the contested time");
}
