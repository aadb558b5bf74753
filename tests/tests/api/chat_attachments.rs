//! Files shared in a booking's chat: a ticket (create-chat-attachment), the browser's
//! form POST to S3 (moto), process-upload on S3's notification, `send_message` with the
//! attachment over a real WebSocket, and the history's links, followed as a browser
//! follows them.

use crate::support::{Session, admin, booking, register};
use cm_booking::BookingStatus;
use cm_chat::attachment::{AttachmentRequest, MAX_PER_ROOM};
use cm_chat::{AttachmentId, Message, MessageId, Room};
use cm_core::BookingId;
use cm_core::Clock;
use cm_media::objects::chat_incoming_key;
use cm_store::attachments::{Admitted, Attachments};
use cm_store::chat::{ChatReader, ChatWriter, Sent};
use cm_tests::images::{gps_tags, jpeg_with_exif, pdf, plain_png};
use cm_tests::media::{Media, http_get, media_in, post_form, s3_event};
use cm_tests::realtime::{ChatWorld, Socket, connect, next, send, until, world};
use cm_tests::{ApiEvent, TestResponse, call};
use process_upload::Outcome;
use serde_json::{Value, json};

struct Room2 {
    w: ChatWorld,
    m: Media,
    client: Session,
    photographer: Session,
    booking: BookingId,
}

async fn room() -> Room2 {
    let w = world().await;
    let m = media_in(&w.env, w.rt.chat.clone(), w.media).await;
    let client = register(&w.env, "client").await;
    let photographer = register(&w.env, "photographer").await;
    let b = booking(&w.env, &client, &photographer, BookingStatus::Confirmed).await;
    Room2 { w, m, client, photographer, booking: b.id }
}

impl Room2 {
    async fn ticket(&self, who: &Session, body: Value) -> TestResponse {
        let (chat, signer) = (&self.w.rt.chat, self.m.signer);
        call(
            self.w.env.app,
            move |app, req| create_chat_attachment::handle(app, chat, signer, req),
            ApiEvent::new("POST /bookings/{id}/attachments").bearer(&who.access).path("id", self.booking).json(body),
        )
        .await
    }

    /// `who` asks for a ticket for `file`, posts it as a browser does and S3 tells
    /// process-upload: the attachment's id and what processing made of it.
    async fn share(&self, who: &Session, name: &str, content_type: &str, file: &[u8]) -> (String, Outcome) {
        let body = json!({"filename": name, "content_type": content_type, "size_bytes": file.len()});
        let ticket = self.ticket(who, body).await.ok(201).clone();
        let id = ticket["attachment"]["id"].as_str().unwrap().to_string();
        assert_eq!(post_form(&ticket["upload"], file, content_type).await, 204, "moto took the form POST");
        let key = chat_incoming_key(self.booking, &id);
        let event = s3_event(&self.m.bucket, &key, file.len());
        (id, self.m.processor.record(&event.payload.records[0]).await.unwrap())
    }

    async fn history(&self, who: &Session) -> TestResponse {
        let (chat, bucket) = (&self.w.rt.chat, self.m.bucket());
        call(
            self.w.env.app,
            move |app, req| list_booking_messages::handle(app, chat, bucket, req),
            ApiEvent::new("GET /bookings/{id}/messages").bearer(&who.access).path("id", self.booking),
        )
        .await
    }

    fn chat_room(&self) -> Room {
        Room { booking_id: self.booking, client: uid(&self.client), photographer: uid(&self.photographer) }
    }
}

fn uid(s: &Session) -> cm_core::UserId {
    s.id.parse().unwrap()
}

fn with_file(booking: BookingId, client_id: &str, attachment: &str, text: Option<&str>) -> Value {
    let mut f = json!({"action": "send_message", "booking_id": booking.to_string(), "client_id": client_id,
        "attachment_id": attachment});
    if let Some(t) = text {
        f["text"] = t.into();
    }
    f
}

/// The answer to a send: `sent`, or the error frame.
async fn answer(s: &mut Socket) -> Value {
    loop {
        let f = next(s).await;
        if f["type"] == "sent" || f["type"] == "error" {
            return f;
        }
    }
}

#[tokio::test]
async fn a_shared_photo_reaches_the_other_side_without_its_location_and_only_through_links() {
    let r = room().await;
    let mut client = connect(&r.w, &r.client.access).await.unwrap();
    let mut photographer = connect(&r.w, &r.photographer.access).await.unwrap();
    let photo = jpeg_with_exif(1200, 800, 1);
    assert!(gps_tags(&photo).is_some(), "the upload carries a location");
    let (id, outcome) = r.share(&r.client, "mood board.jpg", "image/jpeg", &photo).await;
    assert_eq!(outcome, Outcome::Ready);
    // The uploader hears when it is ready to send.
    let (settled, _) = until(&mut client, "attachment").await;
    assert_eq!((&settled["attachment"]["id"], &settled["attachment"]["status"]), (&json!(id), &json!("ready")));

    send(&mut client, with_file(r.booking, "c-1", &id, Some("  like this?  "))).await;
    let sent = answer(&mut client).await;
    assert_eq!(sent["type"], "sent", "{sent}");
    let a = &sent["message"]["attachment"];
    assert_eq!(
        (&sent["message"]["text"], &a["id"], &a["kind"], &a["content_type"], &a["filename"]),
        (&json!("like this?"), &json!(id), &json!("image"), &json!("image/jpeg"), &json!("mood board.jpg"))
    );
    assert_eq!((a["width"].as_u64(), a["height"].as_u64()), (Some(1200), Some(800)), "{a}");
    assert!(a.get("links").is_none(), "the sender has the file already");
    let (pushed, before) = until(&mut photographer, "message").await;
    assert!(before.iter().all(|f| f["type"] != "attachment"), "a draft is nobody else's business: {before:?}");
    let mut without_links = pushed["message"].clone();
    let live = without_links["attachment"].as_object_mut().unwrap().remove("links").expect("links come with it");
    assert_eq!(without_links, sent["message"]);
    let (status, headers, _) = http_get(live["view"].as_str().unwrap()).await;
    assert_eq!((status, headers.get("content-type").map(String::as_str)), (200, Some("image/jpeg")));

    let history = r.history(&r.photographer).await;
    let page = history.ok(200);
    let links = &page["items"][0]["attachment"]["links"];
    let (status, headers, body) = http_get(links["view"].as_str().unwrap()).await;
    assert_eq!((status, headers.get("content-type").map(String::as_str)), (200, Some("image/jpeg")));
    assert_eq!(gps_tags(&body), None, "the shared photo says nothing of where it was taken");
    let (status, _, thumb) = http_get(links["thumbnail"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(thumb.len() < body.len(), "the thumbnail is the small one");
    let (_, headers, _) = http_get(links["download"].as_str().unwrap()).await;
    assert_eq!(headers.get("content-disposition").map(String::as_str), Some("attachment; filename=\"mood board.jpg\""));
    // The objects are private: without a signature, nothing.
    let bare = links["view"].as_str().unwrap().split('?').next().unwrap();
    assert_eq!(http_get(bare).await.0, 403);
    // The room list shows it for what it is.
    let last = r.w.rt.chat.room_of(uid(&r.photographer), r.booking).await.unwrap().unwrap().last_message.unwrap();
    assert_eq!(last.preview, "like this?");
}

#[tokio::test]
async fn a_pdf_is_kept_byte_for_byte_and_a_file_that_is_not_what_it_claims_is_refused() {
    let r = room().await;
    let mut photographer = connect(&r.w, &r.photographer.access).await.unwrap();
    let contract = pdf("Contract: 6 hours, 2 photographers");
    let (id, outcome) = r.share(&r.photographer, "contract.pdf", "application/pdf", &contract).await;
    assert_eq!(outcome, Outcome::Ready);
    send(&mut photographer, with_file(r.booking, "p-1", &id, None)).await;
    let sent = answer(&mut photographer).await;
    assert_eq!((&sent["type"], &sent["message"]["text"]), (&json!("sent"), &json!("")), "no words needed: {sent}");
    let summary = r.w.rt.chat.room_of(uid(&r.client), r.booking).await.unwrap().unwrap();
    assert_eq!(summary.last_message.unwrap().preview, "📎 contract.pdf");
    let page = r.history(&r.client).await.ok(200).clone();
    let shown = &page["items"][0]["attachment"];
    assert!(shown["links"].get("thumbnail").is_none(), "a document has no thumbnail");
    let (status, headers, body) = http_get(shown["links"]["view"].as_str().unwrap()).await;
    assert_eq!((status, headers.get("content-type").map(String::as_str)), (200, Some("application/pdf")));
    assert_eq!(body, contract);

    // A PNG posted as a PDF (S3 checks the declared type, not the bytes).
    let (id, outcome) = r.share(&r.photographer, "invoice.pdf", "application/pdf", &plain_png(40, 40)).await;
    assert_eq!(outcome, Outcome::Rejected("not_a_pdf".into()));
    let settled = loop {
        let (f, _) = until(&mut photographer, "attachment").await;
        if f["attachment"]["id"] == json!(id) {
            break f;
        }
    };
    assert_eq!(
        (&settled["attachment"]["status"], &settled["attachment"]["rejection"]["code"]),
        (&json!("rejected"), &json!("not_a_pdf"))
    );
    send(&mut photographer, with_file(r.booking, "p-2", &id, Some("invoice"))).await;
    let refused = answer(&mut photographer).await;
    assert_eq!((&refused["status"], &refused["code"]), (&json!(409), &json!("conflict")), "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("PDF"), "{refused}");
    // A truncated PDF.
    let (_, outcome) = r.share(&r.photographer, "cut.pdf", "application/pdf", &contract[..contract.len() - 20]).await;
    assert_eq!(outcome, Outcome::Rejected("not_a_pdf".into()));
    assert_eq!(r.history(&r.client).await.ok(200)["items"].as_array().unwrap().len(), 1, "nothing refused was sent");
}

#[tokio::test]
async fn an_attachment_goes_out_once_from_its_uploader_when_it_is_ready() {
    let r = room().await;
    let mut client = connect(&r.w, &r.client.access).await.unwrap();
    let mut photographer = connect(&r.w, &r.photographer.access).await.unwrap();
    let list = pdf("Shot list");
    let body = json!({"filename": "shots.pdf", "content_type": "application/pdf", "size_bytes": list.len()});
    let ticket = r.ticket(&r.client, body).await.ok(201).clone();
    let id = ticket["attachment"]["id"].as_str().unwrap().to_string();
    assert_eq!(ticket["attachment"]["status"], "pending");

    // Not uploaded yet: try again in a second.
    send(&mut client, with_file(r.booking, "c-1", &id, None)).await;
    let early = answer(&mut client).await;
    assert_eq!((&early["status"], &early["retry_after_secs"]), (&json!(409), &json!(1)), "{early}");

    assert_eq!(post_form(&ticket["upload"], &list, "application/pdf").await, 204);
    let key = chat_incoming_key(r.booking, &id);
    let event = s3_event(&r.m.bucket, &key, list.len());
    assert_eq!(r.m.processor.record(&event.payload.records[0]).await.unwrap(), Outcome::Ready);
    // S3 delivers again: nothing changes, the upload is gone.
    let again = r.m.processor.record(&event.payload.records[0]).await.unwrap();
    assert_eq!(again, Outcome::AlreadySettled(cm_media::ItemStatus::Ready));
    assert!(!r.m.keys().await.iter().any(|k| k.starts_with("incoming/")), "{:?}", r.m.keys().await);

    // Someone else's file is not theirs to send, and looks like no file at all.
    send(&mut photographer, with_file(r.booking, "p-1", &id, Some("mine now"))).await;
    let theirs = answer(&mut photographer).await;
    assert_eq!((&theirs["status"], &theirs["code"]), (&json!(404), &json!("not-found")), "{theirs}");

    send(&mut client, with_file(r.booking, "c-1", &id, Some("the list"))).await;
    let first = answer(&mut client).await;
    assert_eq!((&first["type"], &first["duplicate"]), (&json!("sent"), &json!(false)), "{first}");
    // The same send retried is the same message; another message cannot take the file.
    send(&mut client, with_file(r.booking, "c-1", &id, Some("the list"))).await;
    let retried = answer(&mut client).await;
    assert_eq!((&retried["duplicate"], &retried["message"]["id"]), (&json!(true), &first["message"]["id"]));
    send(&mut client, with_file(r.booking, "c-2", &id, Some("again"))).await;
    let taken = answer(&mut client).await;
    assert_eq!((&taken["status"], &taken["code"]), (&json!(409), &json!("conflict")), "{taken}");
    assert_eq!(r.history(&r.photographer).await.ok(200)["items"].as_array().unwrap().len(), 1);
}

/// Two sends racing for one attachment (two tabs): the message transaction claims the
/// attachment, so exactly one message is stored.
#[tokio::test]
async fn sends_racing_for_one_attachment_store_one_message() {
    let r = room().await;
    let (id, outcome) = r.share(&r.client, "a.pdf", "application/pdf", &pdf("a")).await;
    assert_eq!(outcome, Outcome::Ready);
    let chat = &r.w.rt.chat;
    let room = r.chat_room();
    let now = chrono::Utc::now();
    let file = chat.attachment(r.booking, id.parse().unwrap(), now).await.unwrap().unwrap();
    let reference = file.attachable_by(room.client, room.booking_id).unwrap();
    let sends = (0..6).map(|i| {
        let m = Message {
            id: MessageId::at(now + chrono::TimeDelta::milliseconds(i)),
            booking_id: room.booking_id,
            sender_id: room.client,
            client_id: format!("tab-{i}"),
            text: String::new(),
            attachment: Some(reference.clone()),
            sent_at: now,
        };
        async move { chat.send_message(&room, &m).await.unwrap() }
    });
    let results = futures::future::join_all(sends).await;
    let stored = results.iter().filter(|s| matches!(s, Sent::Stored(_))).count();
    let taken = results.iter().filter(|s| matches!(s, Sent::AttachmentTaken)).count();
    assert_eq!((stored, taken), (1, 5), "{results:?}");
    let claimed = chat.attachment(r.booking, file.id, now).await.unwrap().unwrap();
    let winner = results.iter().find_map(|s| if let Sent::Stored(m) = s { Some(m.id) } else { None });
    assert_eq!(claimed.message_id, winner);
}

#[tokio::test]
async fn tickets_are_for_the_two_participants_and_bad_ones_say_why() {
    let r = room().await;
    let ok = json!({"filename": "a.pdf", "content_type": "application/pdf", "size_bytes": 10});
    let stranger = register(&r.w.env, "client").await;
    r.ticket(&stranger, ok.clone()).await.problem(404);
    let boss = admin(&r.w.env).await;
    r.ticket(&boss, ok.clone()).await.problem(403);
    let bad = r
        .ticket(&r.client, json!({"filename": "../x.exe", "content_type": "application/x-msdownload", "size_bytes": 0}))
        .await;
    let p = bad.problem(422);
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["filename", "content_type", "size_bytes"]);
    let mut unknown = ok.clone();
    unknown["caption"] = "x".into();
    let p = r.ticket(&r.client, unknown).await.problem(422).clone();
    assert_eq!(p["errors"][0]["field"], "caption", "a typo must not pass silently");
    let too_big = json!({"filename": "a.pdf", "content_type": "application/pdf", "size_bytes": 20 * 1024 * 1024 + 1});
    r.ticket(&r.client, too_big).await.problem(422);
    // More bytes than announced (S3's policy refuses them; moto does not, so they are
    // put directly, as a policy that failed would let them in) are refused all the same.
    let ticket = r.ticket(&r.client, ok).await.ok(201).clone();
    let id = ticket["attachment"]["id"].as_str().unwrap();
    let key = chat_incoming_key(r.booking, id);
    r.m.put(&key, &pdf("far more than ten bytes")).await;
    let outcome = r.m.processor.record(&s3_event(&r.m.bucket, &key, 100).payload.records[0]).await.unwrap();
    assert_eq!(outcome, Outcome::Rejected("too_large".into()));
    assert!(r.m.keys().await.is_empty(), "neither the upload nor anything made of it is kept");
}

#[tokio::test]
async fn racing_tickets_never_overshoot_the_rooms_quota() {
    let r = room().await;
    let chat = &r.w.rt.chat;
    let now = chrono::Utc::now();
    let request = AttachmentRequest::parse("a.pdf", "application/pdf", 10).unwrap();
    for _ in 0..MAX_PER_ROOM - 2 {
        let a = request.pending(AttachmentId::new(), r.booking, uid(&r.client), now);
        assert_eq!(chat.add_attachment(&a).await.unwrap(), Admitted::Added);
    }
    let racing = (0..6).map(|_| {
        let a = request.pending(AttachmentId::new(), r.booking, uid(&r.client), now);
        async move { chat.add_attachment(&a).await.unwrap() }
    });
    let results = futures::future::join_all(racing).await;
    assert_eq!(results.iter().filter(|a| **a == Admitted::Added).count(), 2, "{results:?}");
    let full =
        r.ticket(&r.client, json!({"filename": "b.pdf", "content_type": "application/pdf", "size_bytes": 10})).await;
    let p = full.problem(409);
    assert!(p["detail"].as_str().unwrap().contains(&MAX_PER_ROOM.to_string()), "{p}");
}

/// A draft never sent: reads stop seeing it when its retention ends, and DynamoDB's TTL
/// deletion (a REMOVE by the service, on the chat stream) takes its objects with it.
#[tokio::test]
async fn a_draft_never_sent_is_forgotten_with_its_objects() {
    let r = room().await;
    let (id, outcome) = r.share(&r.client, "idea.jpg", "image/jpeg", &jpeg_with_exif(800, 600, 1)).await;
    assert_eq!(outcome, Outcome::Ready);
    let objects = r.m.keys().await;
    assert_eq!(objects.len(), 2, "{objects:?}");
    let item = cm_tests::stream::item_json(
        &r.w.env.dynamo,
        &r.w.chat_table,
        &format!("ROOM#{}", r.booking),
        &format!("ATTACH#{id}"),
    )
    .await
    .expect("the draft");

    // Past its retention, before DynamoDB gets round to deleting it: gone for readers
    // (send_message reads it this way). Sockets and tokens do not last that long, so
    // the store is asked directly.
    let chat = &r.w.rt.chat;
    let id: AttachmentId = id.parse().unwrap();
    let created = chat.attachment(r.booking, id, r.w.clock.now()).await.unwrap().expect("kept").created_at;
    let later = created + cm_chat::attachment::UNSENT_RETENTION;
    assert!(chat.attachment(r.booking, id, later - chrono::TimeDelta::seconds(1)).await.unwrap().is_some());
    assert!(chat.attachment(r.booking, id, later).await.unwrap().is_none());

    let remove = |by_ttl: bool| {
        let mut rec = cm_tests::stream::record("REMOVE", Some(&item), None);
        if by_ttl {
            rec["userIdentity"] = json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
        }
        lambda_runtime::LambdaEvent::new(cm_tests::stream::event(vec![rec]), Default::default())
    };
    // Something else deleting it (nothing does today) is not a reason to drop files.
    let answer = deliver_chat::handle(r.w.rt, r.w.media, remove(false)).await.unwrap();
    assert!(answer.batch_item_failures.is_empty());
    assert_eq!(r.m.keys().await, objects);
    for _ in 0..2 {
        // Redelivered: deleting what is already gone is no failure.
        let answer = deliver_chat::handle(r.w.rt, r.w.media, remove(true)).await.unwrap();
        assert!(answer.batch_item_failures.is_empty());
        assert!(r.m.keys().await.is_empty(), "{:?}", r.m.keys().await);
    }
}
