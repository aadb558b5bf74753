//! What real DynamoDB does and the emulators do not: transactions cancelled for a
//! conflict, throttling, items removed by TTL, answers lost after a commit. Each test
//! drives the real handlers through the fault-injecting proxy (tools/fault-proxy) with
//! an injected clock, and each names the problem of issue 17 it proves fixed.

use crate::bookings::{
    availability_doc, book, book_with_key, booked, day, photographer, request, reschedule, set_status, utc,
};
use crate::support::*;
use chrono::TimeDelta;
use cm_core::Clock;
use cm_store::{BookingReader, InsightsReader, UserReader};
use cm_tests::faulty::{Faulty, faulty};
use cm_tests::{ApiEvent, call};
use fault_proxy::{Action, Rule, Which};
use serde_json::{Value, json};

fn id_of(r: &cm_tests::TestResponse) -> String {
    r.ok(201)["id"].as_str().expect("an id").to_string()
}

// ---------------------------------------------------------------------------------------
// 1. Completing a booking after DynamoDB's TTL removed its lock blocks
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_booking_completes_after_ttl_has_removed_its_lock_blocks() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let id = booked(&w.env, &client, &p.id, &utc(day(3), 10, 0), 60).await;
    set_status(&w.env, &p.access, &id, "confirmed", None).await.ok(200);

    // Eight days after the session: the blocks' TTL (block time + 7 days) has passed
    // and DynamoDB's sweeper has deleted them.
    w.clock.advance(TimeDelta::days(11));
    let gone = cm_tests::ttl::expire_ttl(&w.env.dynamo, &w.env.table, w.clock.now()).await;
    assert!(gone.iter().any(|i| i["entity"].as_s().is_ok_and(|e| e == "slot_lock")), "the blocks expired");

    let done = set_status(&w.env, &p.access, &id, "completed", None).await;
    assert_eq!(done.ok(200)["status"], "completed", "{:?}", done.body);
    // The client can now review the session.
    let review = call(
        w.env.app,
        create_review::handle,
        ApiEvent::new("POST /bookings/{id}/review")
            .path("id", &id)
            .bearer(&client.access)
            .json(json!({"rating": 5, "text": "Lovely photos."})),
    )
    .await;
    review.ok(201);
}

#[tokio::test]
async fn an_admin_cancels_a_long_past_booking_whose_blocks_ttl_removed() {
    let w = faulty().await;
    let admin = admin(&w.env).await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let id = booked(&w.env, &client, &p.id, &utc(day(3), 10, 0), 60).await;
    set_status(&w.env, &p.access, &id, "confirmed", None).await.ok(200);
    w.clock.advance(TimeDelta::days(11));
    cm_tests::ttl::expire_ttl(&w.env.dynamo, &w.env.table, w.clock.now()).await;
    let r = set_status(&w.env, &admin.access, &id, "cancelled", Some("dispute settled")).await;
    assert_eq!(r.ok(200)["status"], "cancelled", "{:?}", r.body);
}

// ---------------------------------------------------------------------------------------
// 2. A review's analysis is never dropped on a transaction conflict
// ---------------------------------------------------------------------------------------

/// A completed booking of `client` with `p`, reviewed; returns the review's key.
async fn reviewed_booking(w: &Faulty, p: &Session, client: &Session, stars: u8) -> (String, String) {
    let id = booked(&w.env, client, &p.id, &utc(day(3), 10, 0), 60).await;
    set_status(&w.env, &p.access, &id, "confirmed", None).await.ok(200);
    w.clock.advance(TimeDelta::days(4));
    set_status(&w.env, &p.access, &id, "completed", None).await.ok(200);
    let text = if stars >= 4 { "Wonderful, stunning photos!" } else { "Late and the photos were blurry." };
    call(
        w.env.app,
        create_review::handle,
        ApiEvent::new("POST /bookings/{id}/review")
            .path("id", &id)
            .bearer(&client.access)
            .json(json!({"rating": stars, "text": text})),
    )
    .await
    .ok(201);
    (format!("BOOKING#{id}"), "REVIEW".to_string())
}

fn scorer(w: &Faulty) -> score_sentiment::Scorer<cm_store::DynamoStore> {
    score_sentiment::Scorer {
        app: cm_tests::faulty::app_like(w),
        analyzer: cm_analyzer::Analyzer::Embedded,
        sns: aws_sdk_sns::Client::new(&w.sdk),
        alerts_topic: None,
    }
}

async fn rating(w: &Faulty, p: &Session) -> Value {
    let r = call(w.env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &p.id)).await;
    r.ok(200)["rating"].clone()
}

#[tokio::test]
async fn a_conflicting_analysis_is_retried_and_one_that_keeps_conflicting_is_redelivered_not_dropped() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let (pk, sk) = reviewed_booking(&w, &p, &client, 4).await;
    let scorer = scorer(&w);
    let new = cm_tests::stream::item_json(&w.env.dynamo, &w.env.table, &pk, &sk).await.unwrap();
    let batch = cm_tests::stream::event(vec![cm_tests::stream::record("INSERT", None, Some(&new))]);

    // Another transaction holds the review (or the photographer) every time.
    let rule = w.proxy.add(
        Rule::on("TransactWriteItems").when_key_prefix("pk", "BOOKING#").inject(Action::CancelTransaction(Which::All)),
    );
    let resp = scorer.handle(lambda_runtime::LambdaEvent::new(batch.clone(), Default::default())).await.unwrap();
    assert_eq!(resp.batch_item_failures.len(), 1, "an analysis that did not commit must be retried by Lambda");
    assert!(w.proxy.fired(rule) > 1, "the store retried the conflict itself first");
    let stored = cm_tests::stream::item_json(&w.env.dynamo, &w.env.table, &pk, &sk).await.unwrap();
    assert_eq!(stored["analysis_state"]["S"], "pending");

    // The conflict clears after a couple of tries: the same delivery succeeds.
    w.proxy.remove(rule);
    w.proxy.add(
        Rule::on("TransactWriteItems")
            .when_key_prefix("pk", "BOOKING#")
            .first(2)
            .inject(Action::CancelTransaction(Which::Item(0))),
    );
    let resp = scorer.handle(lambda_runtime::LambdaEvent::new(batch.clone(), Default::default())).await.unwrap();
    assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    let stored = cm_tests::stream::item_json(&w.env.dynamo, &w.env.table, &pk, &sk).await.unwrap();
    assert_eq!(stored["analysis_state"]["S"], "done");
    assert_eq!(stored["analysis_version"]["N"], "1");
    assert_eq!(rating(&w, &p).await, json!({"average": 4.0, "count": 1}));
}

#[tokio::test]
async fn redelivered_bisected_and_conflicting_batches_analyse_every_review_exactly_once() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let scorer = scorer(&w);
    let aggregator = aggregate_activity::Aggregator { app: cm_tests::faulty::app_like(&w) };
    let mut keys = Vec::new();
    for i in 0..6u8 {
        let client = register(&w.env, "client").await;
        let id = booked(&w.env, &client, &p.id, &utc(day(3 + u64::from(i)), 10, 0), 60).await;
        set_status(&w.env, &p.access, &id, "confirmed", None).await.ok(200);
        keys.push((id, client));
    }
    w.clock.advance(TimeDelta::days(12));
    let mut records = Vec::new();
    let mut before = Vec::new();
    for (i, (id, client)) in keys.iter().enumerate() {
        set_status(&w.env, &p.access, id, "completed", None).await.ok(200);
        let body = json!({"rating": 1 + (i % 5), "text": "The photos were lovely."});
        call(
            w.env.app,
            create_review::handle,
            ApiEvent::new("POST /bookings/{id}/review").path("id", id).bearer(&client.access).json(body),
        )
        .await
        .ok(201);
        let item =
            cm_tests::stream::item_json(&w.env.dynamo, &w.env.table, &format!("BOOKING#{id}"), "REVIEW").await.unwrap();
        records.push(cm_tests::stream::record("INSERT", None, Some(&item)));
        before.push(item);
    }
    // Every analysis of this photographer writes their profile: they conflict with each
    // other, and here the first two attempts of each are cancelled as well.
    w.proxy.add(Rule::on("TransactWriteItems").nth(1).inject(Action::CancelTransaction(Which::All)));
    w.proxy.add(Rule::on("TransactWriteItems").nth(3).inject(Action::CancelTransaction(Which::Item(0))));
    let deliver = |batch: Vec<Value>| {
        let scorer = &scorer;
        async move {
            let ev = cm_tests::stream::event(batch);
            scorer.handle(lambda_runtime::LambdaEvent::new(ev, Default::default())).await.unwrap()
        }
    };
    // The whole batch, a bisected half that Lambda retries, the whole batch again.
    let (first, second) = records.split_at(3);
    assert!(deliver(records.clone()).await.batch_item_failures.is_empty());
    assert!(deliver(first.to_vec()).await.batch_item_failures.is_empty());
    assert!(deliver(second.to_vec()).await.batch_item_failures.is_empty());
    assert!(deliver(records.clone()).await.batch_item_failures.is_empty());

    let mut stars = 0;
    let mut modifies = Vec::new();
    for (i, (id, _)) in keys.iter().enumerate() {
        let after =
            cm_tests::stream::item_json(&w.env.dynamo, &w.env.table, &format!("BOOKING#{id}"), "REVIEW").await.unwrap();
        assert_eq!(after["analysis_state"]["S"], "done", "{id}");
        assert_eq!(after["analysis_version"]["N"], "1", "{id} analysed exactly once");
        stars += 1 + (i % 5);
        modifies.push(cm_tests::stream::record("MODIFY", Some(&before[i]), Some(&after)));
    }
    let average = (stars as f64 / 6.0 * 100.0).floor() / 100.0;
    assert_eq!(rating(&w, &p).await, json!({"average": average, "count": 6}));

    // The aggregator sees each analysis's MODIFY, redelivered too, under conflicts.
    w.proxy.clear_rules();
    w.proxy.add(Rule::on("TransactWriteItems").first(3).inject(Action::CancelTransaction(Which::Item(1))));
    for batch in [modifies.clone(), modifies[..2].to_vec(), modifies.clone()] {
        let ev = cm_tests::stream::event(batch);
        let r = aggregate_activity::handle(&aggregator, lambda_runtime::LambdaEvent::new(ev, Default::default()))
            .await
            .unwrap();
        assert!(r.batch_item_failures.is_empty(), "{r:?}");
    }
    let days = w.env.app.store.sentiment_days(day(0) - TimeDelta::days(1), day(30)).await.unwrap();
    let n: i64 = days.iter().map(|d| d.get("n_review")).sum();
    assert_eq!(n, 6, "each analysis counted once in the aggregates");
}

// ---------------------------------------------------------------------------------------
// 3. No false "daily limit reached"
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_conflict_is_retried_and_never_reported_as_the_daily_limit() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    // The first attempt of the booking's transaction is cancelled on its second item.
    let rule = w.proxy.add(
        Rule::on("TransactWriteItems")
            .when_key_prefix("pk", "BOOKING#")
            .first(1)
            .inject(Action::CancelTransaction(Which::Item(1))),
    );
    w.proxy.clear_log();
    let r = book(&w.env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    assert_eq!(w.proxy.fired(rule), 1);
    assert_eq!(w.proxy.count("TransactWriteItems"), 2, "retried once");
    // A photographer without a daily limit has no per-day counter to contend for.
    let day_items = cm_tests::faulty::items_with_prefix(&w, "DAY#").await;
    assert!(day_items.is_empty(), "{day_items:?}");
    // Another booking the same day, at another time: no limit, no conflict.
    let r = book(&w.env, &client.access, request(&p.id, &utc(day(3), 14, 0), 60)).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[tokio::test]
async fn with_a_daily_limit_a_conflict_on_the_counter_is_retried_and_the_limit_still_holds() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({"max_bookings_per_day": 2}))).await;
    let client = register(&w.env, "client").await;
    w.proxy.add(
        Rule::on("TransactWriteItems")
            .when_key_prefix("pk", "DAY#")
            .first(2)
            .inject(Action::CancelTransaction(Which::Item(1))),
    );
    book(&w.env, &client.access, request(&p.id, &utc(day(3), 9, 0), 60)).await.ok(201);
    book(&w.env, &client.access, request(&p.id, &utc(day(3), 11, 0), 60)).await.ok(201);
    let third = book(&w.env, &client.access, request(&p.id, &utc(day(3), 14, 0), 60)).await;
    let problem = third.problem(409);
    assert_eq!(problem["rule"], "daily_limit");
    assert!(problem["detail"].as_str().unwrap().contains("at most 2"), "{problem}");
}

#[tokio::test]
async fn a_conflict_that_persists_is_a_503_with_retry_after_not_an_overlap() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    w.proxy.add(Rule::on("TransactWriteItems").inject(Action::CancelTransaction(Which::Item(0))));
    w.proxy.clear_log();
    let r = book(&w.env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await;
    r.problem(503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(w.proxy.count("TransactWriteItems"), cm_store::retry::ATTEMPTS as usize);
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_a_503_not_a_500() {
    let w = faulty().await;
    let client = register(&w.env, "client").await;
    w.proxy.add(Rule::on("GetItem").inject(Action::Throttling));
    let r = call(w.env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&client.access)).await;
    r.problem(503);
    assert_eq!(r.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn a_booking_whose_answer_was_lost_after_the_commit_is_created_once() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    w.proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::DropAfterForward));
    let r = book(&w.env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await;
    assert_eq!(r.status, 201, "the SDK's retry reuses its ClientRequestToken: {:?}", r.body);
    let mine = crate::bookings::list_mine(&w.env, &client.access, &[]).await;
    assert_eq!(mine.ok(200)["items"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------
// 4. Reschedule re-quotes the price
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn rescheduling_to_a_longer_session_prices_it_like_a_new_booking() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let id = booked(&w.env, &client, &p.id, &utc(day(3), 9, 0), 60).await;
    let moved =
        reschedule(&w.env, &client.access, &id, json!({"start": utc(day(4), 9, 0), "duration_minutes": 480})).await;
    let b = moved.ok(200);
    assert_eq!(b["duration_minutes"], 480);
    assert_eq!(b["price"]["amount_minor"], 8 * crate::bookings::HOURLY, "eight hours at the hourly rate");
    // Moving it again without a new duration keeps the agreed price.
    let again = reschedule(&w.env, &client.access, &id, json!({"start": utc(day(5), 9, 0)})).await;
    assert_eq!(again.ok(200)["price"]["amount_minor"], 8 * crate::bookings::HOURLY);
}

#[tokio::test]
async fn a_package_keeps_its_duration_when_rescheduled() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let mut body = request(&p.id, &utc(day(3), 9, 0), 120);
    body["package_id"] = json!("basic");
    let r = book(&w.env, &client.access, body).await;
    let id = id_of(&r);
    let price = r.body["price"]["amount_minor"].clone();
    let longer =
        reschedule(&w.env, &client.access, &id, json!({"start": utc(day(4), 9, 0), "duration_minutes": 600})).await;
    assert_eq!(longer.problem(422)["errors"][0]["field"], "duration_minutes");
    let moved = reschedule(&w.env, &client.access, &id, json!({"start": utc(day(4), 9, 0)})).await;
    let b = moved.ok(200);
    assert_eq!((b["duration_minutes"].clone(), b["price"]["amount_minor"].clone()), (json!(120), price));
}

// ---------------------------------------------------------------------------------------
// 5. Sign-in: no account enumeration, no lock-out from elsewhere, no spraying
// ---------------------------------------------------------------------------------------

async fn login_from(w: &Faulty, email: &str, password: &str, ip: &str) -> cm_tests::TestResponse {
    call(
        w.env.app,
        auth_login::handle,
        ApiEvent::new("POST /auth/login").from_ip(ip).json(json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn unknown_and_known_emails_answer_alike_lockout_included() {
    let w = faulty().await;
    let known = unique_email("known");
    register_as(&w.env, "client", &known).await;
    let unknown = unique_email("nobody");
    let statuses = |email: String| {
        let w = &w;
        async move {
            let mut out = Vec::new();
            for _ in 0..6 {
                out.push(login_from(w, &email, "wrong password!", "198.51.100.7").await.status);
            }
            out
        }
    };
    let a = statuses(known.clone()).await;
    let b = statuses(unknown.clone()).await;
    assert_eq!(a, [401, 401, 401, 401, 429, 429]);
    assert_eq!(a, b, "an unknown email is throttled exactly like a real one");

    // And it costs the same reads.
    w.proxy.clear_log();
    login_from(&w, &known, "wrong password!", "198.51.100.8").await;
    let known_reads = w.proxy.count("GetItem");
    w.proxy.clear_log();
    login_from(&w, &unknown, "wrong password!", "198.51.100.9").await;
    assert_eq!(w.proxy.count("GetItem"), known_reads, "the same reads for a real and an unknown account");
}

#[tokio::test]
async fn an_attacker_elsewhere_cannot_lock_the_real_user_out() {
    let w = faulty().await;
    let email = unique_email("victim");
    register_as(&w.env, "client", &email).await;
    for _ in 0..8 {
        login_from(&w, &email, "guessing…", "192.0.2.66").await;
    }
    assert_eq!(login_from(&w, &email, "guessing…", "192.0.2.66").await.status, 429);
    let real = login_from(&w, &email, PASSWORD, "198.51.100.20").await;
    assert_eq!(real.status, 200, "{:?}", real.body);
}

#[tokio::test]
async fn spraying_one_password_across_many_accounts_is_throttled() {
    let w = faulty().await;
    let mut statuses = Vec::new();
    for i in 0..32 {
        statuses.push(login_from(&w, &format!("sprayed{i}@example.com"), "Summer2026!", "192.0.2.99").await.status);
    }
    // The 30th failure from one source locks it, whatever the accounts.
    assert!(statuses[..29].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[29..].iter().all(|s| *s == 429), "one source, many accounts: {statuses:?}");
    // The lock-out passes with time: the right password then works from there.
    let email = unique_email("office");
    register_as(&w.env, "client", &email).await;
    assert_eq!(login_from(&w, &email, PASSWORD, "192.0.2.99").await.status, 429);
    w.clock.advance(TimeDelta::hours(2));
    assert_eq!(login_from(&w, &email, PASSWORD, "192.0.2.99").await.status, 200);
}

// ---------------------------------------------------------------------------------------
// 6. One secret per purpose
// ---------------------------------------------------------------------------------------

#[test]
fn only_functions_that_verify_tokens_hold_the_token_key() {
    let t = cm_tests::template::load();
    let functions = cm_tests::template::functions(&t);
    assert!(!functions.is_empty());
    for f in functions {
        let source = std::fs::read_to_string(
            cm_tests::template::repo_root().join("functions").join(&f.binary).join("src/lib.rs"),
        )
        .unwrap();
        // `authenticate` for HTTP callers; `verify_token` for the WebSocket handshake,
        // which has no HTTP request (ws-connect).
        let uses_tokens = source.contains("authenticate")
            || source.contains("start_session")
            || source.contains("session_body")
            || source.contains("verify_token")
            || source.contains(".tokens()");
        // Signing cursors for a client, directly or through cm_app's listing helper
        // (`list_bookings(app, …)`); paging the store internally needs no key.
        let uses_cursors = source.contains("cursors()") || source.contains("list_bookings(app");
        let vars = &f.properties["Environment"]["Variables"];
        assert_eq!(
            vars["TOKEN_KEYS_SECRET_ARN"].is_null(),
            !uses_tokens,
            "{}: the token key iff it verifies or signs tokens",
            f.binary
        );
        assert_eq!(vars["CURSOR_KEY_SECRET_ARN"].is_null(), !uses_cursors, "{}: the cursor key iff it pages", f.binary);
        // Sealing or opening a price quote (`cm_app::quotes`).
        let uses_quotes = source.contains("quotes::seal(") || source.contains("quotes::open(");
        assert_eq!(
            vars["QUOTE_KEY_SECRET_ARN"].is_null(),
            !uses_quotes,
            "{}: the quote key iff it issues or honours quotes",
            f.binary
        );
    }
    for stack in cm_tests::template::stacks().stacks {
        let text = std::fs::read_to_string(cm_tests::template::repo_root().join(&stack.path)).unwrap();
        assert!(!text.contains("JWT_SECRET"), "{}: one secret for everything is gone", stack.path.display());
    }
}

#[tokio::test]
async fn tokens_signed_with_the_previous_key_still_work_during_a_rotation() {
    use cm_accounts::tokens::{AccessTokens, KeySet};
    let w = faulty().await;
    let client = register(&w.env, "client").await;
    let header = jsonwebtoken::decode_header(&client.access).unwrap();
    assert_eq!(header.kid.as_deref(), Some("test-1"), "every token names its key");
    // The keys rotate: a new current key, the old one kept as previous.
    let rotating = KeySet::parse(
        r#"{"current": {"kid": "test-2", "secret": "a-new-secret-that-is-also-long-enough-1234"},
            "previous": {"kid": "test-1", "secret": "test-secret-that-is-at-least-32-bytes-long"}}"#,
    )
    .unwrap();
    let app = cm_tests::faulty::app_like(&w).with_tokens(AccessTokens::new(
        &rotating,
        chrono::Duration::minutes(15),
        chrono::Duration::days(30),
    ));
    let app: &'static _ = Box::leak(Box::new(app));
    call(app, get_me::handle, ApiEvent::new("GET /me").bearer(&client.access)).await.ok(200);
    // Once the previous key is dropped, its tokens stop working.
    let rotated =
        KeySet::parse(r#"{"kid": "test-2", "secret": "a-new-secret-that-is-also-long-enough-1234"}"#).unwrap();
    let app = cm_tests::faulty::app_like(&w).with_tokens(AccessTokens::new(
        &rotated,
        chrono::Duration::minutes(15),
        chrono::Duration::days(30),
    ));
    let app: &'static _ = Box::leak(Box::new(app));
    call(app, get_me::handle, ApiEvent::new("GET /me").bearer(&client.access)).await.problem(401);
}

// ---------------------------------------------------------------------------------------
// 7. The smaller ones
// ---------------------------------------------------------------------------------------

async fn refresh(w: &Faulty, token: &str) -> cm_tests::TestResponse {
    call(w.env.app, auth_refresh::handle, ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": token})))
        .await
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_do_not_lose_the_session() {
    let w = faulty().await;
    let s = register(&w.env, "client").await;
    let (a, b) = tokio::join!(refresh(&w, &s.refresh), refresh(&w, &s.refresh));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one rotates, the other is told it was superseded");
    let winner = if a.status == 200 { a } else { b };
    let next = session(winner.ok(200));
    refresh(&w, &next.refresh).await.ok(200);
    // Long after, the old token coming back is a copy: the family is revoked.
    w.clock.advance(TimeDelta::minutes(5));
    refresh(&w, &s.refresh).await.problem(401);
}

#[tokio::test]
async fn deactivation_ends_sessions_for_good() {
    let w = faulty().await;
    let admin = admin(&w.env).await;
    let s = register(&w.env, "client").await;
    let patch = |active: bool| {
        call(
            w.env.app,
            admin_update_user::handle,
            ApiEvent::new("PATCH /admin/users/{id}")
                .path("id", &s.id)
                .bearer(&admin.access)
                .json(json!({"active": active})),
        )
    };
    patch(false).await.ok(200);
    w.clock.advance(TimeDelta::seconds(1));
    patch(true).await.ok(200);
    refresh(&w, &s.refresh).await.problem(401);
    // Signing in again works.
    let email = w.env.app.store.get_user(s.id.parse().unwrap()).await.unwrap().unwrap().email;
    login(&w.env, &email, PASSWORD).await.ok(200);
}

#[tokio::test]
async fn deactivating_a_photographer_is_one_transaction_with_their_listings() {
    let w = faulty().await;
    let admin = admin(&w.env).await;
    let p = photographer_with_profile(&w.env, profile("Ravi", "Mysuru", &["wedding"], 100_000, "INR")).await;
    let listed = || async {
        let r =
            call(w.env.app, search_photographers::handle, ApiEvent::new("GET /photographers").query("city", "Mysuru"))
                .await;
        r.ok(200)["items"].as_array().unwrap().len()
    };
    assert_eq!(listed().await, 1);
    // The listing change fails: the account must not end up half deactivated.
    let rule = w.proxy.add(Rule::on("TransactWriteItems").inject(Action::InternalServerError));
    w.proxy.clear_log();
    let r = call(
        w.env.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}").path("id", &p.id).bearer(&admin.access).json(json!({"active": false})),
    )
    .await;
    assert_eq!(r.status, 500);
    w.proxy.remove(rule);
    let user = w.env.app.store.get_user(p.id.parse().unwrap()).await.unwrap().unwrap();
    assert!(user.active, "nothing changed when the transaction failed");
    assert_eq!(w.proxy.count("UpdateItem"), 0, "no separate write of the account");
    call(
        w.env.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}").path("id", &p.id).bearer(&admin.access).json(json!({"active": false})),
    )
    .await
    .ok(200);
    assert_eq!(listed().await, 0);
}

#[tokio::test]
async fn the_expiry_sweep_is_not_stalled_by_items_it_cannot_expire() {
    use aws_sdk_dynamodb::types::AttributeValue as Av;
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let id = booked(&w.env, &client, &p.id, &utc(day(3), 10, 0), 60).await;
    // More unreadable pending items than a page, all due before the real one.
    for i in 0..60 {
        w.env
            .dynamo
            .put_item()
            .table_name(&w.env.table)
            .item("pk", Av::S(format!("BOOKING#CORRUPT{i:03}")))
            .item("sk", Av::S("BOOKING".into()))
            .item("entity", Av::S("booking".into()))
            .item("gsi4pk", Av::S("PENDING".into()))
            .item("gsi4sk", Av::S(format!("2000-01-01T00:00:00Z#{i:03}")))
            .item("status", Av::S("pending".into()))
            .send()
            .await
            .unwrap();
    }
    w.clock.advance(TimeDelta::days(3));
    let summary = expire_bookings::expire_due(w.env.app, w.clock.now()).await.unwrap();
    assert_eq!((summary.expired, summary.unreadable), (1, 60));
    let b = w.env.app.store.get_booking(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(b.status, cm_booking::BookingStatus::Expired);
}

/// More due requests than a page, swept with a page's writes in flight together: every
/// one is expired exactly once in one run, each freeing its own slot.
#[tokio::test]
async fn one_sweep_expires_more_than_a_page_of_due_requests() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let mut ids = Vec::new();
    for i in 0..60u64 {
        let start = utc(day(3 + i / 4), 9 + 2 * (i % 4) as u32, 0);
        ids.push(booked(&w.env, &client, &p.id, &start, 60).await);
    }
    w.clock.advance(TimeDelta::days(3));
    let summary = expire_bookings::expire_due(w.env.app, w.clock.now()).await.unwrap();
    assert_eq!((summary.expired, summary.skipped, summary.unreadable), (60, 0, 0));
    for id in &ids {
        let b = w.env.app.store.get_booking(id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(b.status, cm_booking::BookingStatus::Expired, "{id}");
    }
    let again = expire_bookings::expire_due(w.env.app, w.clock.now()).await.unwrap();
    assert_eq!((again.expired, again.skipped), (0, 0), "nothing is left pending to expire twice");
}

#[tokio::test]
async fn an_admin_alert_survives_a_crash_between_its_steps() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let (pk, sk) = reviewed_booking(&w, &p, &client, 1).await;
    let topic = aws_sdk_sns::Client::new(&w.sdk)
        .create_topic()
        .name(format!("alerts-{}", w.env.table))
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let scorer = score_sentiment::Scorer { alerts_topic: Some(topic.clone()), ..scorer(&w) };
    let new = cm_tests::stream::item_json(&w.env.dynamo, &w.env.table, &pk, &sk).await.unwrap();
    let batch = cm_tests::stream::event(vec![cm_tests::stream::record("INSERT", None, Some(&new))]);
    // The function dies as it clears the alert flag: the write lands, no answer comes.
    w.proxy.add(
        Rule::on("UpdateItem")
            .when(|req| req.to_string().contains("alert_pending"))
            .first(3)
            .inject(Action::DropAfterForward),
    );
    let first = scorer.handle(lambda_runtime::LambdaEvent::new(batch.clone(), Default::default())).await.unwrap();
    assert_eq!(first.batch_item_failures.len(), 1, "the record is retried");
    w.proxy.clear_rules();
    let again = scorer.handle(lambda_runtime::LambdaEvent::new(batch, Default::default())).await.unwrap();
    assert!(again.batch_item_failures.is_empty());
    assert_eq!(cm_tests::moto::sns_messages(&topic).await.len(), 1, "sent once, not lost and not twice");
}

#[tokio::test]
async fn a_reply_and_its_edit_are_one_write_each() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let (pk, _) = reviewed_booking(&w, &p, &client, 5).await;
    let id = pk.trim_start_matches("BOOKING#").to_string();
    let reply = |text: &str| {
        call(
            w.env.app,
            reply_to_review::handle,
            ApiEvent::new("PUT /reviews/{id}/reply").path("id", &id).bearer(&p.access).json(json!({"text": text})),
        )
    };
    let first = reply("Thank you!").await.ok(200)["reply"].clone();
    w.clock.advance(TimeDelta::hours(1));
    w.proxy.clear_log();
    let edited = reply("Thank you so much!").await.ok(200)["reply"].clone();
    assert_eq!(w.proxy.count("UpdateItem"), 1, "one write, not a write and a fix-up");
    assert_eq!(edited["created_at"], first["created_at"], "an edit keeps the time of the first reply");
    assert_ne!(edited["updated_at"], first["updated_at"]);
}

#[tokio::test]
async fn an_expired_idempotency_key_is_not_replayed() {
    let w = faulty().await;
    let p = photographer(&w.env, availability_doc(json!({}))).await;
    let client = register(&w.env, "client").await;
    let first = book_with_key(&w.env, &client.access, "k-1", request(&p.id, &utc(day(3), 10, 0), 60)).await;
    let first_id = id_of(&first);
    // A day and more later (the key's TTL has passed, the sweeper has not run), the
    // client reuses the key for another booking: it is a new request.
    w.clock.advance(TimeDelta::hours(25));
    let second = book_with_key(&w.env, &client.access, "k-1", request(&p.id, &utc(day(5), 10, 0), 60)).await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_ne!(id_of(&second), first_id);
    assert!(second.header("idempotent-replayed").is_none());
}
