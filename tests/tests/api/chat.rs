//! Chat per booking over the WebSocket API: real WebSocket clients against the gateway
//! on loopback (tools/ws-gateway) with the template's routes, the real handlers, the
//! chat table's real stream driving deliver-chat, and the management API through the
//! real SDK.

use crate::support::{Session, admin, booking, register};
use cm_booking::BookingStatus;
use cm_chat::{Message, MessageId, Room};
use cm_core::Clock;
use cm_store::chat::{ChatReader, ChatWriter, Connection, Connections, Sent};
use cm_tests::realtime::{ChatWorld, Socket, connect, next, next_within, send, send_text, until, world};
use cm_tests::{ApiEvent, call};
use serde_json::{Value, json};
use std::time::Duration;

const QUIET: Duration = Duration::from_millis(600);

struct Pair {
    client: Session,
    photographer: Session,
    booking: String,
}

async fn pair(w: &ChatWorld) -> Pair {
    let client = register(&w.env, "client").await;
    let photographer = register(&w.env, "photographer").await;
    let b = booking(&w.env, &client, &photographer, BookingStatus::Confirmed).await;
    Pair { client, photographer, booking: b.id.to_string() }
}

fn say(booking: &str, client_id: &str, text: &str) -> Value {
    json!({"action": "send_message", "booking_id": booking, "client_id": client_id, "text": text})
}

/// Sends and returns the `sent` answer. The functions' clock moves on a millisecond
/// first: message ids order a chat by their instant, and a frozen clock would give
/// every message the same one.
async fn sent(w: &ChatWorld, s: &mut Socket, booking: &str, client_id: &str, text: &str) -> Value {
    w.clock.advance(chrono::TimeDelta::milliseconds(1));
    send(s, say(booking, client_id, text)).await;
    let (answer, _) = until(s, "sent").await;
    answer
}

/// Frames until `n` chat messages have arrived, then whatever else comes before the
/// socket stays quiet (a duplicate would).
async fn messages(s: &mut Socket, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.iter().filter(|f: &&Value| f["type"] == "message").count() < n {
        out.push(next(s).await);
    }
    out.extend(drain(s).await);
    out
}

/// Every frame that arrives until the socket stays quiet.
async fn drain(s: &mut Socket) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(f) = next_within(s, QUIET).await {
        out.push(f);
    }
    out
}

fn texts_of(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "message")
        .map(|f| f["message"]["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn two_participants_chat_in_order_exactly_once_on_every_tab() {
    let w = world().await;
    let p = pair(&w).await;
    let mut client_tab = connect(&w, &p.client.access).await.expect("client connects");
    let mut client_phone = connect(&w, &p.client.access).await.expect("a second socket of the same user");
    let mut photographer = connect(&w, &p.photographer.access).await.expect("photographer connects");

    let mut ids = Vec::new();
    // What reaches the sending tab between its answers.
    let mut at_tab = Vec::new();
    for (i, text) in
        ["Hi! Looking forward to Saturday.", "Can we start at the lake?", "<b>bold</b> stays text"].iter().enumerate()
    {
        w.clock.advance(chrono::TimeDelta::milliseconds(1));
        send(&mut client_tab, say(&p.booking, &format!("c-{i}"), text)).await;
        let (answer, pushed) = until(&mut client_tab, "sent").await;
        at_tab.extend(pushed);
        assert_eq!(answer["duplicate"], false, "{answer}");
        assert_eq!(answer["message"]["text"], *text, "text is stored as written, markup included");
        assert_eq!(answer["message"]["sender_id"], p.client.id.as_str());
        ids.push(answer["message"]["id"].as_str().unwrap().to_string());
    }
    let expected: Vec<String> =
        ["Hi! Looking forward to Saturday.", "Can we start at the lake?", "<b>bold</b> stays text"]
            .map(String::from)
            .to_vec();
    let at_photographer = messages(&mut photographer, 3).await;
    assert_eq!(texts_of(&at_photographer), expected, "in order, each once: {at_photographer:?}");
    let at_phone = messages(&mut client_phone, 3).await;
    assert_eq!(texts_of(&at_phone), expected, "the sender's other socket sees the chat too");
    let pushed_so_far = texts_of(&at_tab).len();
    at_tab.extend(messages(&mut client_tab, 3 - pushed_so_far).await);
    assert_eq!(texts_of(&at_tab), expected, "the sending tab gets each pushed once as well");
    let pushed_ids: Vec<&str> = at_photographer.iter().filter_map(|f| f["message"]["id"].as_str()).collect();
    assert_eq!(pushed_ids, ids.iter().map(String::as_str).collect::<Vec<_>>());

    // And back.
    sent(&w, &mut photographer, &p.booking, "p-1", "Lake at 7 works. Golden hour is at 7:40.").await;
    for s in [&mut client_tab, &mut client_phone] {
        let frames = messages(s, 1).await;
        assert_eq!(texts_of(&frames), ["Lake at 7 works. Golden hour is at 7:40."]);
    }
}

#[tokio::test]
async fn typing_is_relayed_rate_limited_and_read_receipts_reach_the_other_side() {
    let w = world().await;
    let p = pair(&w).await;
    let mut client = connect(&w, &p.client.access).await.unwrap();
    let mut photographer = connect(&w, &p.photographer.access).await.unwrap();

    send(&mut client, json!({"action": "typing", "booking_id": p.booking})).await;
    let f = next(&mut photographer).await;
    assert_eq!((f["type"].as_str(), f["user_id"].as_str()), (Some("typing"), Some(p.client.id.as_str())), "{f}");
    assert_eq!(f["booking_id"], p.booking.as_str());
    // A second indicator inside 3 seconds is not relayed; after them it is.
    send(&mut client, json!({"action": "typing", "booking_id": p.booking})).await;
    assert_eq!(next_within(&mut photographer, QUIET).await, None);
    w.clock.advance(chrono::TimeDelta::seconds(3));
    send(&mut client, json!({"action": "typing", "booking_id": p.booking})).await;
    assert_eq!(next(&mut photographer).await["type"], "typing");
    assert!(drain(&mut client).await.is_empty(), "typing is not echoed to the typist");

    let first = sent(&w, &mut client, &p.booking, "c-1", "first").await["message"]["id"].as_str().unwrap().to_string();
    let second =
        sent(&w, &mut client, &p.booking, "c-2", "second").await["message"]["id"].as_str().unwrap().to_string();
    drain(&mut photographer).await;
    drain(&mut client).await;

    let mut photographer_phone = connect(&w, &p.photographer.access).await.unwrap();
    send(&mut photographer, json!({"action": "mark_read", "booking_id": p.booking, "message_id": first})).await;
    let (marked, _) = until(&mut photographer, "marked").await;
    assert_eq!(marked["unread"], 1, "one message after the mark: {marked}");
    let (receipt, _) = until(&mut client, "read").await;
    assert_eq!(receipt["user_id"], p.photographer.id.as_str());
    assert_eq!(receipt["message_id"], first.as_str());
    // The reader's every socket follows (deliver-chat, from the mark's change): the
    // phone's count drops as the tab's did, and the tab gets the same news again.
    assert_eq!(until(&mut photographer_phone, "marked").await.0, marked);
    assert_eq!(until(&mut photographer, "marked").await.0, marked);

    send(&mut photographer, json!({"action": "mark_read", "booking_id": p.booking, "message_id": second})).await;
    assert_eq!(until(&mut photographer, "marked").await.0["unread"], 0);
    assert_eq!(until(&mut client, "read").await.0["message_id"], second.as_str());
    assert_eq!(until(&mut photographer_phone, "marked").await.0["unread"], 0);
    assert_eq!(until(&mut photographer, "marked").await.0["unread"], 0);
    // A mark never moves back, and moving it nowhere sends no receipt and no news.
    send(&mut photographer, json!({"action": "mark_read", "booking_id": p.booking, "message_id": first})).await;
    assert_eq!(until(&mut photographer, "marked").await.0["unread"], 0);
    assert!(drain(&mut client).await.iter().all(|f| f["type"] != "read"));
    assert!(drain(&mut photographer_phone).await.is_empty());
    assert!(drain(&mut photographer).await.is_empty());
}

#[tokio::test]
async fn connecting_needs_a_valid_token_of_an_active_account() {
    let w = world().await;
    let p = pair(&w).await;
    // No token at all, a forged one, and a real one sent only as a header browsers
    // cannot set: each refused at the handshake.
    let mut req =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(w.gateway.ws_url()).unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {}", p.client.access).parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status().as_u16(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    assert_eq!(connect(&w, "not-a-token").await.err(), Some(401));
    let forged = format!("{}x", p.client.access);
    assert_eq!(connect(&w, &forged).await.err(), Some(401));
    // ?token= works for clients that cannot set subprotocols.
    let (_, response) = tokio_tungstenite::connect_async(format!("{}?token={}", w.gateway.ws_url(), p.client.access))
        .await
        .expect("a token in the query string is accepted");
    assert!(response.headers().get("sec-websocket-protocol").is_none());

    let admin = admin(&w.env).await;
    call(
        w.env.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}")
            .path("id", &p.client.id)
            .bearer(&admin.access)
            .json(json!({"active": false})),
    )
    .await
    .ok(200);
    assert_eq!(connect(&w, &p.client.access).await.err(), Some(401), "a deactivated account cannot connect");
}

#[tokio::test]
async fn only_the_bookings_parties_write_in_its_chat_and_admins_only_read() {
    let w = world().await;
    let p = pair(&w).await;
    let stranger = register(&w.env, "client").await;
    let other_photographer = register(&w.env, "photographer").await;
    let admin = admin(&w.env).await;
    for s in [&stranger, &other_photographer] {
        let mut socket = connect(&w, &s.access).await.expect("anyone signed in may connect");
        send(&mut socket, say(&p.booking, "x-1", "let me in")).await;
        let f = next(&mut socket).await;
        assert_eq!((f["type"].as_str(), f["status"].as_u64()), (Some("error"), Some(404)), "{f}");
        assert_eq!(f["client_id"], "x-1");
        send(&mut socket, json!({"action": "typing", "booking_id": p.booking})).await;
        assert_eq!(next(&mut socket).await["status"], 404);
    }
    let mut a = connect(&w, &admin.access).await.unwrap();
    send(&mut a, say(&p.booking, "a-1", "admin here")).await;
    assert_eq!(next(&mut a).await["status"], 403);

    let mut client = connect(&w, &p.client.access).await.unwrap();
    sent(&w, &mut client, &p.booking, "c-1", "hello").await;
    let history =
        |who: &Session| ApiEvent::new("GET /bookings/{id}/messages").path("id", &p.booking).bearer(&who.access);
    let chat = &w.rt.chat;
    let bucket = cm_tests::media::signing_only().await;
    let list = move |app, req| list_booking_messages::handle(app, chat, bucket, req);
    let r = call(w.env.app, list, history(&stranger)).await;
    r.problem(404);
    let r = call(w.env.app, list, history(&admin)).await;
    let texts: Vec<&str> = r.ok(200)["items"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["hello"], "nothing the outsiders sent was stored");
}

#[tokio::test]
async fn bad_frames_get_error_frames_and_the_socket_stays_open() {
    let w = world().await;
    let p = pair(&w).await;
    let mut s = connect(&w, &p.client.access).await.unwrap();
    send_text(&mut s, "this is not json").await;
    let f = next(&mut s).await;
    assert_eq!(
        (f["type"].as_str(), f["code"].as_str(), f["status"].as_u64()),
        (Some("error"), Some("bad-frame"), Some(400))
    );
    send(&mut s, json!({"action": "dance"})).await;
    assert_eq!(next(&mut s).await["code"], "unknown-action");
    send(&mut s, json!({"text": "no action"})).await;
    assert_eq!(next(&mut s).await["code"], "bad-frame");
    send(&mut s, json!({"action": "send_message", "booking_id": "nope", "client_id": "a b", "text": "", "x": 1})).await;
    let f = next(&mut s).await;
    assert_eq!(f["code"], "validation");
    let fields: Vec<&str> = f["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["booking_id", "client_id", "text", "x"]);
    send(&mut s, say(&p.booking, "long", &"x".repeat(cm_chat::message::MAX_TEXT_CHARS + 1))).await;
    assert_eq!(next(&mut s).await["errors"][0]["field"], "text");
    send(&mut s, json!({"action": "mark_read", "booking_id": p.booking, "message_id": MessageId::at(chrono::Utc::now()).to_string()})).await;
    assert_eq!(next(&mut s).await["status"], 404, "a mark needs a message of this chat");
    send(&mut s, json!({"action": "ping"})).await;
    assert_eq!(next(&mut s).await["type"], "pong", "the socket is still usable");
}

#[tokio::test]
async fn a_retried_send_is_stored_once_and_answered_with_the_first_message() {
    let w = world().await;
    let p = pair(&w).await;
    let mut client = connect(&w, &p.client.access).await.unwrap();
    let mut photographer = connect(&w, &p.photographer.access).await.unwrap();
    let first = sent(&w, &mut client, &p.booking, "retry-me", "once").await;
    let again = sent(&w, &mut client, &p.booking, "retry-me", "once").await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["message"]["id"], first["message"]["id"]);
    assert_eq!(texts_of(&messages(&mut photographer, 1).await), ["once"]);
    let (messages, _) = w.rt.chat.messages(p.booking.parse().unwrap(), None, 10).await.unwrap();
    assert_eq!(messages.len(), 1);
}

#[tokio::test]
async fn each_connection_may_send_twenty_messages_in_ten_seconds() {
    let w = world().await;
    let p = pair(&w).await;
    let mut client = connect(&w, &p.client.access).await.unwrap();
    // The clock stands still: all of these fall in one window.
    for i in 0..cm_chat::rate::MESSAGES.per_window {
        let a = sent(&w, &mut client, &p.booking, &format!("m{i}"), "hi").await;
        assert_eq!(a["type"], "sent");
    }
    send(&mut client, say(&p.booking, "m-over", "one too many")).await;
    let (refused, _) = until(&mut client, "error").await;
    assert_eq!((refused["status"].as_u64(), refused["code"].as_str()), (Some(429), Some("rate-limited")), "{refused}");
    assert!(refused["retry_after_secs"].as_i64().unwrap() >= 1);
    w.clock.advance(chrono::TimeDelta::seconds(10));
    assert_eq!(sent(&w, &mut client, &p.booking, "m-next", "and again").await["type"], "sent");
}

#[tokio::test]
async fn a_socket_closed_without_its_disconnect_is_removed_at_the_next_push() {
    let w = world().await;
    let p = pair(&w).await;
    let photographer_id = p.photographer.id.parse().unwrap();
    // A connection whose $disconnect never arrived: its socket is gone from the gateway.
    let now = w.clock.now();
    let lost = Connection {
        id: "LostConnXYZ=".into(),
        user_id: photographer_id,
        admin: false,
        connected_at: now,
        expires_at: now + cm_store::chat::CONNECTION_LIFETIME,
        messages: None,
        typing: None,
    };
    w.rt.chat.open_connection(&lost).await.unwrap();
    let mut live = connect(&w, &p.photographer.access).await.unwrap();
    let mut client = connect(&w, &p.client.access).await.unwrap();
    sent(&w, &mut client, &p.booking, "c-1", "are you there?").await;
    assert_eq!(texts_of(&messages(&mut live, 1).await), ["are you there?"], "the live socket still gets it");
    let ids: Vec<String> =
        w.rt.chat.connections_of(photographer_id, w.clock.now()).await.unwrap().into_iter().map(|c| c.id).collect();
    assert!(!ids.contains(&lost.id), "the gone connection was deleted: {ids:?}");
    assert_eq!(ids.len(), 1);
    // A socket that closes normally is forgotten by $disconnect.
    live.close(None).await.unwrap();
    let mut left = 1;
    for _ in 0..50 {
        left = w.rt.chat.connections_of(photographer_id, w.clock.now()).await.unwrap().len();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0);
}

#[tokio::test]
async fn a_message_sent_while_the_other_side_is_offline_waits_in_history_and_counts_unread() {
    let w = world().await;
    let p = pair(&w).await;
    let mut client = connect(&w, &p.client.access).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        let m = sent(&w, &mut client, &p.booking, &format!("c{i}"), &format!("message {i}")).await;
        ids.push(m["message"]["id"].as_str().unwrap().to_string());
    }
    let chat = &w.rt.chat;
    let chats = |app, req| list_chats::handle(app, chat, req);
    let r = call(w.env.app, chats, ApiEvent::new("GET /chats").bearer(&p.photographer.access)).await;
    let room = &r.ok(200)["items"][0];
    assert_eq!(room["booking_id"], p.booking.as_str());
    assert_eq!(room["unread"], 5, "{room}");
    assert_eq!(room["with"]["id"], p.client.id.as_str());
    assert_eq!(room["last_message"]["preview"], "message 4");
    let r = call(w.env.app, chats, ApiEvent::new("GET /chats").bearer(&p.client.access)).await;
    assert_eq!(r.ok(200)["items"][0]["unread"], 0, "your own messages are not unread");

    // History: newest first, paged with `before`.
    let history = |before: Option<&str>| {
        let e = ApiEvent::new("GET /bookings/{id}/messages")
            .path("id", &p.booking)
            .bearer(&p.photographer.access)
            .query("limit", 2);
        match before {
            Some(b) => e.query("before", b),
            None => e,
        }
    };
    let bucket = cm_tests::media::signing_only().await;
    let list = move |app, req| list_booking_messages::handle(app, chat, bucket, req);
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let r = call(w.env.app, list, history(before.as_deref())).await;
        let page = r.ok(200).clone();
        seen.extend(page["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()));
        match page["next_before"].as_str() {
            Some(b) => before = Some(b.to_string()),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    call(w.env.app, list, history(Some("not-an-id"))).await.problem(400);

    // Back online: reading clears the count.
    let mut photographer = connect(&w, &p.photographer.access).await.unwrap();
    send(&mut photographer, json!({"action": "mark_read", "booking_id": p.booking, "message_id": ids[4]})).await;
    assert_eq!(until(&mut photographer, "marked").await.0["unread"], 0);
    let r = call(w.env.app, chats, ApiEvent::new("GET /chats").bearer(&p.photographer.access)).await;
    assert_eq!(r.ok(200)["items"][0]["unread"], 0);
    assert_eq!(r.ok(200)["items"][0]["read_upto"], ids[4].as_str());
    let r = call(w.env.app, list, history(None)).await;
    assert_eq!(r.ok(200)["read_upto"][&p.photographer.id], ids[4].as_str());
}

/// Messages arriving while the recipient marks the room read: the unread count ends
/// exactly at the number of the other side's messages after the final mark, however
/// the writes interleave (a mark computed before a message landed must not erase it).
#[tokio::test]
async fn unread_counts_stay_exact_while_messages_and_read_marks_race() {
    let w = world().await;
    let p = pair(&w).await;
    let room = Room {
        booking_id: p.booking.parse().unwrap(),
        client: p.client.id.parse().unwrap(),
        photographer: p.photographer.id.parse().unwrap(),
    };
    let chat = &w.rt.chat;
    let message = |i: usize| Message {
        id: MessageId::at(chrono::Utc::now()),
        booking_id: room.booking_id,
        sender_id: room.client,
        client_id: format!("race-{i}"),
        text: format!("m{i}"),
        attachment: None,
        sent_at: chrono::Utc::now(),
    };
    let Sent::Stored(seed) = chat.send_message(&room, &message(0)).await.unwrap() else { panic!() };
    let sends = (1..=24).map(|i| async move { chat.send_message(&room, &message(i)).await.map(|_| ()) });
    let marks = (0..12u64).map(|i| async move {
        tokio::time::sleep(Duration::from_millis(3 * i)).await;
        let (latest, _) = chat.messages(room.booking_id, None, 1).await?;
        chat.mark_read(&room, room.photographer, latest.first().map_or(seed.id, |m| m.id)).await.map(|_| ())
    });
    let (a, b) = futures::join!(futures::future::join_all(sends), futures::future::join_all(marks));
    assert!(a.iter().chain(b.iter()).all(Result::is_ok), "{a:?} {b:?}");
    let mine = chat.room_of(room.photographer, room.booking_id).await.unwrap().unwrap();
    let (all, _) = chat.messages(room.booking_id, None, 100).await.unwrap();
    let after_mark = all.iter().filter(|m| mine.read_upto.is_none_or(|r| m.id > r)).count();
    assert_eq!(mine.unread as usize, after_mark, "unread {} but {after_mark} messages after the mark", mine.unread);
}

/// A message's id is made when it is sent, before its transaction commits; one that
/// commits after the reader has marked a later message read is read by position: it is
/// in the history, but neither unread nor the room's last message.
#[tokio::test]
async fn a_message_that_commits_behind_the_read_mark_is_not_unread() {
    let w = world().await;
    let p = pair(&w).await;
    let room = Room {
        booking_id: p.booking.parse().unwrap(),
        client: p.client.id.parse().unwrap(),
        photographer: p.photographer.id.parse().unwrap(),
    };
    let chat = &w.rt.chat;
    let now = chrono::Utc::now();
    let at = |ms: i64, client_id: &str, text: &str| Message {
        id: MessageId::at(now + chrono::TimeDelta::milliseconds(ms)),
        booking_id: room.booking_id,
        sender_id: room.client,
        client_id: client_id.into(),
        text: text.into(),
        attachment: None,
        sent_at: now + chrono::TimeDelta::milliseconds(ms),
    };
    let (slow, fast) = (at(0, "slow", "sent first, committed last"), at(5, "fast", "sent second"));
    assert!(matches!(chat.send_message(&room, &fast).await.unwrap(), Sent::Stored(_)));
    chat.mark_read(&room, room.photographer, fast.id).await.unwrap();
    assert!(matches!(chat.send_message(&room, &slow).await.unwrap(), Sent::Stored(_)));
    let mine = chat.room_of(room.photographer, room.booking_id).await.unwrap().unwrap();
    assert_eq!((mine.unread, mine.read_upto), (0, Some(fast.id)), "behind the mark: read");
    assert_eq!(mine.last_message.map(|l| l.id), Some(fast.id), "and not the last message");
    let (all, _) = chat.messages(room.booking_id, None, 10).await.unwrap();
    assert_eq!(all.iter().map(|m| m.id).collect::<Vec<_>>(), vec![fast.id, slow.id], "but in the history");
    // A message after the mark still counts.
    let later = at(10, "later", "after the mark");
    assert!(matches!(chat.send_message(&room, &later).await.unwrap(), Sent::Stored(_)));
    assert_eq!(chat.room_of(room.photographer, room.booking_id).await.unwrap().unwrap().unread, 1);
}

// ---------------------------------------------------------------------------------------
// Faults DynamoDB Local never produces (tools/fault-proxy)
// ---------------------------------------------------------------------------------------

/// The chat table behind the fault-injecting proxy: `store` goes through it, `env.dynamo`
/// reads around it.
struct FaultyChat {
    env: cm_tests::TestEnv,
    proxy: fault_proxy::FaultProxy,
    store: cm_store::chat::ChatStore,
    table: String,
    room: Room,
}

async fn faulty_chat() -> FaultyChat {
    let env = cm_tests::env().await;
    let table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    cm_tests::aws::create_table(&env.dynamo, &table, "ChatTable").await;
    let proxy = fault_proxy::FaultProxy::start(cm_tests::servers::dynamodb());
    let sdk = cm_tests::moto::sdk_config().await;
    let conf = aws_sdk_dynamodb::config::Builder::from(&sdk).endpoint_url(proxy.url()).build();
    let store = cm_store::chat::ChatStore::new(aws_sdk_dynamodb::Client::from_conf(conf), &table);
    let room = Room {
        booking_id: cm_core::BookingId::new(),
        client: cm_core::UserId::new(),
        photographer: cm_core::UserId::new(),
    };
    FaultyChat { env, proxy, store, table, room }
}

fn from_client(room: &Room, client_id: &str, text: &str) -> Message {
    let now = chrono::Utc::now();
    Message {
        id: MessageId::at(now),
        booking_id: room.booking_id,
        sender_id: room.client,
        client_id: client_id.into(),
        text: text.into(),
        attachment: None,
        sent_at: now,
    }
}

/// Every message item of the room, read around the proxy.
async fn stored_messages(w: &FaultyChat) -> usize {
    let out = w
        .env
        .dynamo
        .query()
        .table_name(&w.table)
        .key_condition_expression("pk = :p AND begins_with(sk, :m)")
        .expression_attribute_values(
            ":p",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("ROOM#{}", w.room.booking_id)),
        )
        .expression_attribute_values(":m", aws_sdk_dynamodb::types::AttributeValue::S("MSG#".into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.items.unwrap_or_default().len()
}

async fn unread_of_photographer(w: &FaultyChat) -> u32 {
    use cm_store::chat::ChatReader;
    let direct = cm_store::chat::ChatStore::new(w.env.dynamo.clone(), &w.table);
    direct.room_of(w.room.photographer, w.room.booking_id).await.unwrap().map_or(0, |r| r.unread)
}

#[tokio::test]
async fn a_send_cancelled_by_transaction_conflicts_is_retried_and_stored_once() {
    use fault_proxy::{Action, Rule, Which};
    let w = faulty_chat().await;
    let rule = w.proxy.add(Rule::on("TransactWriteItems").first(2).inject(Action::CancelTransaction(Which::Item(3))));
    let sent = w.store.send_message(&w.room, &from_client(&w.room, "c-1", "hello")).await.unwrap();
    assert!(matches!(sent, Sent::Stored(_)), "{sent:?}");
    assert_eq!(w.proxy.fired(rule), 2, "both conflicts were met and retried");
    assert_eq!(stored_messages(&w).await, 1);
    assert_eq!(unread_of_photographer(&w).await, 1);
}

/// The transaction commits but its answer is lost: the SDK's retry carries the same
/// ClientRequestToken, and whether DynamoDB answers it as done or the retry meets its
/// own marker, the message exists once and is counted once.
#[tokio::test]
async fn a_send_whose_answer_is_lost_is_stored_and_counted_once() {
    use fault_proxy::{Action, Rule};
    let w = faulty_chat().await;
    w.proxy.add(Rule::on("TransactWriteItems").first(1).inject(Action::DropAfterForward));
    let m = from_client(&w.room, "c-lost", "are you there?");
    let sent = w.store.send_message(&w.room, &m).await.unwrap();
    let stored = match sent {
        Sent::Stored(s) | Sent::Duplicate(s) => s,
        Sent::AttachmentTaken => panic!("no attachment was sent"),
    };
    assert_eq!(stored.id, m.id, "the answer is the message that was written");
    assert_eq!(stored_messages(&w).await, 1);
    assert_eq!(unread_of_photographer(&w).await, 1);
}

/// Throttled past the store's retries: nothing is written, the caller is told to try
/// again, and the retry with the same client id stores the message once.
#[tokio::test]
async fn a_throttled_send_writes_nothing_and_its_retry_stores_once() {
    use fault_proxy::{Action, Rule};
    let w = faulty_chat().await;
    let rule = w.proxy.add(Rule::on("TransactWriteItems").always().inject(Action::Throttling));
    let m = from_client(&w.room, "c-throttled", "hello");
    let e = w.store.send_message(&w.room, &m).await.unwrap_err();
    assert!(e.is_transient(), "{e}");
    assert_eq!(stored_messages(&w).await, 0);
    w.proxy.remove(rule);
    assert!(matches!(w.store.send_message(&w.room, &m).await.unwrap(), Sent::Stored(_)));
    assert!(matches!(w.store.send_message(&w.room, &m).await.unwrap(), Sent::Duplicate(_)));
    assert_eq!(stored_messages(&w).await, 1);
    assert_eq!(unread_of_photographer(&w).await, 1);
}

/// A read mark's update meets a transaction working on the member item: it is tried
/// again, not given up on.
#[tokio::test]
async fn a_read_mark_meeting_a_transaction_conflict_is_retried() {
    use fault_proxy::{Action, Rule};
    let w = faulty_chat().await;
    let Sent::Stored(m) = w.store.send_message(&w.room, &from_client(&w.room, "c-1", "one")).await.unwrap() else {
        panic!("stored")
    };
    let rule = w.proxy.add(Rule::on("UpdateItem").first(2).inject(Action::TransactionConflictException));
    let marked = w.store.mark_read(&w.room, w.room.photographer, m.id).await.unwrap();
    assert_eq!(marked, cm_store::chat::Marked::Unread(0));
    assert!(w.proxy.fired(rule) >= 1);
    assert_eq!(unread_of_photographer(&w).await, 0);
}

/// DynamoDB deletes an expired connection only within days: until then it is still in
/// reads, and must count as gone (a socket API Gateway has closed long since).
#[tokio::test]
async fn a_connection_past_its_lifetime_is_gone_before_ttl_deletes_it() {
    let w = world().await;
    let p = pair(&w).await;
    let photographer_id = p.photographer.id.parse().unwrap();
    let now = w.clock.now();
    let stale = Connection {
        id: "StaleConnAbCd0=".into(),
        user_id: photographer_id,
        admin: false,
        connected_at: now - chrono::TimeDelta::hours(3),
        expires_at: now - chrono::TimeDelta::minutes(55),
        messages: None,
        typing: None,
    };
    w.rt.chat.open_connection(&stale).await.unwrap();
    assert_eq!(w.rt.chat.connection(&stale.id, now).await.unwrap(), None);
    assert!(w.rt.chat.connections_of(photographer_id, now).await.unwrap().is_empty());

    let mut s = connect(&w, &p.photographer.access).await.unwrap();
    send(&mut s, json!({"action": "ping"})).await;
    assert_eq!(next(&mut s).await["type"], "pong");
    w.clock.advance(cm_store::chat::CONNECTION_LIFETIME + chrono::TimeDelta::minutes(1));
    send(&mut s, json!({"action": "ping"})).await;
    let f = next(&mut s).await;
    assert_eq!((f["status"].as_u64(), f["code"].as_str()), (Some(401), Some("unauthorized")), "{f}");
}
