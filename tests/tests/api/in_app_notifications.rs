//! In-app notifications: kept by notify-booking-change in the chat table (its own tests
//! in notifications.rs and payments.rs show what is kept), listed and marked read over
//! HTTP, and pushed live by deliver-chat from the chat table's real stream to the
//! owner's sockets through the gateway on loopback.

use crate::support::{Session, register};
use chrono::{DateTime, TimeDelta, Utc};
use cm_booking::BookingStatus;
use cm_chat::{Notice, NoticeId};
use cm_store::chat::ChatStore;
use cm_store::notices::Inbox;
use cm_tests::realtime::{connect, next_within, until, world};
use cm_tests::{ApiEvent, TestEnv, call, env};
use serde_json::{Value, json};
use std::time::Duration;

async fn inbox(env: &TestEnv) -> ChatStore {
    let table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    cm_tests::aws::create_table(&env.dynamo, &table, "ChatTable").await;
    ChatStore::new(env.dynamo.clone(), table)
}

/// `n` notices for `who`, a minute apart, oldest first.
async fn kept(inbox: &ChatStore, who: &Session, n: usize, from: DateTime<Utc>) -> Vec<NoticeId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let at = from + TimeDelta::minutes(i64::try_from(i).unwrap());
        let notice = Notice::new(who.id.parse().unwrap(), &format!("test:{i}"), at, "booking_confirmed", "Hi", None);
        assert!(inbox.add_notice(&notice).await.unwrap(), "kept the first time");
        assert!(!inbox.add_notice(&notice).await.unwrap(), "and never twice");
        ids.push(notice.id);
    }
    ids
}

async fn list(env: &TestEnv, inbox: &ChatStore, who: &Session, query: &[(&str, &str)]) -> cm_tests::TestResponse {
    let mut e = ApiEvent::new("GET /notifications").bearer(&who.access);
    for (k, v) in query {
        e = e.query(k, v);
    }
    call(env.app, |app, req| list_notifications::handle(app, inbox, req), e).await
}

async fn mark(env: &TestEnv, inbox: &ChatStore, who: &Session, body: Value) -> cm_tests::TestResponse {
    let e = ApiEvent::new("POST /notifications/read").bearer(&who.access).json(body);
    call(env.app, |app, req| mark_notifications_read::handle(app, inbox, req), e).await
}

fn ids_of(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_string()).collect()
}

fn read_flags(page: &Value) -> Vec<bool> {
    page["items"].as_array().unwrap().iter().map(|n| n["read"].as_bool().unwrap()).collect()
}

#[tokio::test]
async fn the_bell_lists_newest_first_pages_back_and_counts_unread() {
    let env = env().await;
    let inbox = inbox(&env).await;
    let me = register(&env, "client").await;
    let someone = register(&env, "client").await;
    let ids = kept(&inbox, &me, 5, Utc::now() - TimeDelta::hours(1)).await;
    kept(&inbox, &someone, 2, Utc::now() - TimeDelta::hours(1)).await;

    let r = list(&env, &inbox, &me, &[("limit", "2")]).await;
    let page = r.ok(200).clone();
    let newest: Vec<String> = ids.iter().rev().map(ToString::to_string).collect();
    assert_eq!(ids_of(&page), newest[..2], "{page}");
    assert_eq!((page["unread"].as_u64(), page["unread_capped"].as_bool()), (Some(5), Some(false)));
    assert_eq!(page["items"][0]["kind"], "booking_confirmed");
    let before = page["next_before"].as_str().unwrap().to_string();
    let r = list(&env, &inbox, &me, &[("limit", "2"), ("before", &before)]).await;
    let page = r.ok(200).clone();
    assert_eq!(ids_of(&page), newest[2..4]);
    let before = page["next_before"].as_str().unwrap().to_string();
    let r = list(&env, &inbox, &me, &[("limit", "2"), ("before", &before)]).await;
    let page = r.ok(200).clone();
    assert_eq!(ids_of(&page), newest[4..]);
    assert!(page.get("next_before").is_none(), "the oldest page says so: {page}");

    // Someone else's list holds only theirs.
    assert_eq!(ids_of(list(&env, &inbox, &someone, &[]).await.ok(200)).len(), 2);
    // A new account has an empty bell.
    let fresh = register(&env, "photographer").await;
    let page = list(&env, &inbox, &fresh, &[]).await.ok(200).clone();
    assert_eq!((page["items"].as_array().map(Vec::len), page["unread"].as_u64()), (Some(0), Some(0)));
}

#[tokio::test]
async fn marking_read_by_id_and_up_to_a_notice_never_moves_back_and_touches_only_ones_own() {
    let env = env().await;
    let inbox = inbox(&env).await;
    let me = register(&env, "client").await;
    let someone = register(&env, "photographer").await;
    let ids = kept(&inbox, &me, 5, Utc::now() - TimeDelta::hours(1)).await;
    let theirs = kept(&inbox, &someone, 1, Utc::now() - TimeDelta::hours(1)).await;

    // Opening one: only that one is read.
    let r = mark(&env, &inbox, &me, json!({"ids": [ids[3].to_string()]})).await;
    assert_eq!(*r.ok(200), json!({"unread": 4, "unread_capped": false}));
    assert_eq!(read_flags(list(&env, &inbox, &me, &[]).await.ok(200)), [false, true, false, false, false]);

    // "Mark all read" up to the third: the first three are read, the fourth still is.
    let r = mark(&env, &inbox, &me, json!({"up_to": ids[2].to_string()})).await;
    assert_eq!(r.ok(200)["unread"], 1);
    assert_eq!(read_flags(list(&env, &inbox, &me, &[]).await.ok(200)), [false, true, true, true, true]);
    // An older tab sending an older mark does not move it back.
    let r = mark(&env, &inbox, &me, json!({"up_to": ids[0].to_string()})).await;
    assert_eq!(r.ok(200)["unread"], 1);

    // A stranger's notice is no notice of mine: 404 naming it, and nothing is marked,
    // not even my own one beside it.
    let r = mark(&env, &inbox, &me, json!({"ids": [ids[4].to_string(), theirs[0].to_string()]})).await;
    let problem = r.problem(404);
    assert_eq!(problem["errors"][0]["field"], "ids[1]", "{problem}");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1);
    assert_eq!(list(&env, &inbox, &me, &[]).await.ok(200)["unread"], 1);
    assert_eq!(list(&env, &inbox, &someone, &[]).await.ok(200)["unread"], 1, "theirs untouched");
    let r = mark(&env, &inbox, &me, json!({"up_to": theirs[0].to_string()})).await;
    assert_eq!(r.problem(404)["errors"][0]["field"], "up_to");
    assert_eq!(list(&env, &inbox, &someone, &[]).await.ok(200)["unread"], 1);

    // Marking twice is harmless.
    for _ in 0..2 {
        let r = mark(&env, &inbox, &me, json!({"ids": [ids[4].to_string()]})).await;
        assert_eq!(r.ok(200)["unread"], 0);
    }
}

#[tokio::test]
async fn the_unread_count_stops_at_ninety_nine() {
    let env = env().await;
    let inbox = inbox(&env).await;
    let me = register(&env, "client").await;
    kept(&inbox, &me, 101, Utc::now() - TimeDelta::days(1)).await;
    let page = list(&env, &inbox, &me, &[("limit", "1")]).await.ok(200).clone();
    assert_eq!((page["unread"].as_u64(), page["unread_capped"].as_bool()), (Some(99), Some(true)), "{page}");
}

#[tokio::test]
async fn bad_requests_get_problems_naming_the_field() {
    let env = env().await;
    let inbox = inbox(&env).await;
    let me = register(&env, "client").await;
    let ids = kept(&inbox, &me, 1, Utc::now()).await;

    let r = call(env.app, |app, req| list_notifications::handle(app, &inbox, req), ApiEvent::new("GET /notifications"))
        .await;
    r.problem(401);
    let r = call(
        env.app,
        |app, req| mark_notifications_read::handle(app, &inbox, req),
        ApiEvent::new("POST /notifications/read").json(json!({"up_to": ids[0].to_string()})),
    )
    .await;
    r.problem(401);
    for (query, field) in [(("before", "nope"), "before"), (("limit", "0"), "limit"), (("page", "2"), "page")] {
        let p = list(&env, &inbox, &me, &[query]).await.problem(400).clone();
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{query:?}: {p}");
    }
    let id = ids[0].to_string();
    for (body, field) in [
        (json!({}), "up_to"),
        (json!({"up_to": id, "ids": [id]}), "up_to"),
        (json!({"up_to": "01"}), "up_to"),
        (json!({"ids": []}), "ids"),
        (json!({"ids": [id, "x"]}), "ids[1]"),
        (json!({"ids": vec![id.clone(); 101]}), "ids"),
        (json!({"up_to": id, "everything": true}), "everything"),
    ] {
        let p = mark(&env, &inbox, &me, body.clone()).await.problem(422).clone();
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{body}: {p}");
    }
    assert_eq!(list(&env, &inbox, &me, &[]).await.ok(200)["unread"], 1, "nothing was marked");
    let r = call(
        env.app,
        |app, req| mark_notifications_read::handle(app, &inbox, req),
        ApiEvent::new("POST /notifications/read")
            .bearer(&me.access)
            .header("content-type", "application/x-www-form-urlencoded")
            .raw_body("up_to=x"),
    )
    .await;
    r.problem(415);
}

/// A booking change through the real notifier: its notices land in the chat table, the
/// table's stream drives deliver-chat, and every socket of each recipient gets a
/// `notification` frame, once; nobody else's socket does.
#[tokio::test]
async fn a_booking_change_reaches_the_recipients_open_sockets_live() {
    use cm_tests::stream::{event, item_json, record};
    let w = world().await;
    let (notifier, _) = crate::notifications::notifier_keeping(&w.env, &w.chat_table).await;
    let client = register(&w.env, "client").await;
    let photographer = register(&w.env, "photographer").await;
    let stranger = register(&w.env, "client").await;
    let mut client_tab = connect(&w, &client.access).await.unwrap();
    let mut client_phone = connect(&w, &client.access).await.unwrap();
    let mut photographer_tab = connect(&w, &photographer.access).await.unwrap();
    let mut stranger_tab = connect(&w, &stranger.access).await.unwrap();

    let b = crate::support::booking_at(
        &w.env,
        &client,
        &photographer,
        BookingStatus::Pending,
        Utc::now() + TimeDelta::days(10),
    )
    .await;
    let item = item_json(&w.env.dynamo, &w.env.table, &format!("BOOKING#{}", b.id), "BOOKING").await.unwrap();
    let deliver = || async {
        let resp = notify_booking_change::handle(
            notifier,
            lambda_runtime::LambdaEvent::new(event(vec![record("INSERT", None, Some(&item))]), Default::default()),
        )
        .await
        .unwrap();
        assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    };
    deliver().await;
    deliver().await; // redelivered: kept once, pushed once

    for s in [&mut client_tab, &mut client_phone, &mut photographer_tab] {
        let (frame, _) = until(s, "notification").await;
        let n = &frame["notification"];
        assert_eq!(n["kind"], "booking_created", "{frame}");
        assert_eq!(n["booking_id"], b.id.to_string());
        assert_eq!(n["read"], false);
        assert_eq!(n["link"], format!("/bookings/{}", b.id));
        assert!(n["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert_eq!(next_within(s, Duration::from_millis(800)).await, None, "once");
    }
    assert_eq!(next_within(&mut stranger_tab, Duration::from_millis(300)).await, None, "not to others");

    // What arrived live is what the bell lists.
    let page = list(&w.env, &w.rt.chat, &client, &[]).await.ok(200).clone();
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["unread"], 1);
}

/// Reading on one tab reaches the others: marking up to a notice, or one on its own,
/// is pushed to every socket of its owner (deliver-chat, from the chat table's stream),
/// and to nobody else; marking what is already read pushes nothing.
#[tokio::test]
async fn reading_notifications_on_one_tab_reaches_the_others() {
    let w = world().await;
    let (me, other) = (register(&w.env, "client").await, register(&w.env, "client").await);
    let mut laptop = connect(&w, &me.access).await.unwrap();
    let mut phone = connect(&w, &me.access).await.unwrap();
    let mut theirs = connect(&w, &other.access).await.unwrap();
    let ids = kept(&w.rt.chat, &me, 3, Utc::now() - TimeDelta::minutes(10)).await;
    for s in [&mut laptop, &mut phone] {
        for _ in 0..3 {
            until(s, "notification").await;
        }
    }

    mark(&w.env, &w.rt.chat, &me, json!({"ids": [ids[2].to_string()]})).await.ok(200);
    for s in [&mut laptop, &mut phone] {
        let (f, _) = until(s, "notifications_read").await;
        assert_eq!(f, json!({"type": "notifications_read", "ids": [ids[2].to_string()]}));
    }
    mark(&w.env, &w.rt.chat, &me, json!({"up_to": ids[1].to_string()})).await.ok(200);
    for s in [&mut laptop, &mut phone] {
        let (f, _) = until(s, "notifications_read").await;
        assert_eq!(f, json!({"type": "notifications_read", "up_to": ids[1].to_string()}));
    }
    // Already read, and a mark that does not move: nothing new to say.
    mark(&w.env, &w.rt.chat, &me, json!({"ids": [ids[2].to_string()]})).await.ok(200);
    mark(&w.env, &w.rt.chat, &me, json!({"up_to": ids[0].to_string()})).await.ok(200);
    assert_eq!(next_within(&mut phone, Duration::from_millis(800)).await, None);
    assert_eq!(next_within(&mut theirs, Duration::from_millis(300)).await, None, "nobody else hears of it");
}
