//! notify-booking-change: booking items written by the real booking handlers, wrapped in
//! the stream records Lambda delivers, through the real handler, against moto's SES v2
//! and SNS. What was sent is read back from moto and parsed with independent parsers
//! (mail-parser for the MIME message, icalendar for the invite).

use crate::support::{Session, session, unique_email};
use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;
use cm_app::App;
use cm_store::notices::Inbox;
use cm_store::{BookingReader, BookingWriter, Claims, DynamoStore, PhoneVerifications, UserWriter};
use cm_tests::stream::{event, item_json, record, sequence_of};
use cm_tests::{ApiEvent, TestEnv, call, env};
use icalendar::Component;
use mail_parser::{MessageParser, MimeHeaders};
use notify_booking_change::{Change, Config, Notifier, classify, handle};
use serde_json::{Value, json};

const FROM: &str = "bookings@capturemoments.app";
const PHOTOGRAPHER_TZ: &str = "Asia/Kolkata";
const CLIENT_TZ: &str = "America/New_York";

struct Person {
    session: Session,
    email: String,
    tz: &'static str,
}

struct World {
    env: TestEnv,
    notifier: &'static Notifier<DynamoStore>,
    topic_arn: String,
    photographer: Person,
    client: Person,
}

/// A notifier wired to this test's table, a chat table of its own (for in-app notices)
/// and its own platform topic.
pub(crate) async fn notifier(env: &TestEnv) -> (&'static Notifier<DynamoStore>, String) {
    let chat_table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    cm_tests::aws::create_table(&env.dynamo, &chat_table, "ChatTable").await;
    notifier_keeping(env, &chat_table).await
}

/// A notifier that keeps its in-app notices in `chat_table`.
pub(crate) async fn notifier_keeping(env: &TestEnv, chat_table: &str) -> (&'static Notifier<DynamoStore>, String) {
    let sdk = cm_tests::moto::sdk_config().await;
    // moto (like SES) refuses mail from an unverified identity. Tests run in parallel
    // against one moto, so the identity may already exist: either way it is verified.
    let _ = aws_sdk_sesv2::Client::new(&sdk).create_email_identity().email_identity(FROM).send().await;
    let topic_arn = aws_sdk_sns::Client::new(&sdk)
        .create_topic()
        .name(format!("platform-{}", ulid::Ulid::new().to_string().to_lowercase()))
        .send()
        .await
        .expect("create topic")
        .topic_arn
        .expect("topic arn");
    let app = App::new(DynamoStore::new(env.dynamo.clone(), &env.table));
    let config =
        Config { from_email: FROM.into(), topic_arn: topic_arn.clone(), sms_sender_id: Some("CaptureMmts".into()) };
    let inbox = cm_store::chat::ChatStore::new(env.dynamo.clone(), chat_table);
    (Box::leak(Box::new(Notifier::new(app, inbox, &sdk, config))), topic_arn)
}

async fn person(env: &TestEnv, role: &str, name: &str, tz: &'static str) -> Person {
    let email = unique_email(role);
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register").json(
            json!({"email": email, "password": crate::support::PASSWORD, "name": name, "role": role, "timezone": tz}),
        ),
    )
    .await;
    Person { session: session(r.ok(201)), email, tz }
}

/// A photographer in Kolkata with a profile and the sample availability, and a client
/// in New York: every session falls on different local clock times for the two.
async fn world() -> World {
    let env = env().await;
    let (notifier, topic_arn) = notifier(&env).await;
    let photographer = person(&env, "photographer", "Ravi Kumar", PHOTOGRAPHER_TZ).await;
    crate::support::open_for_bookings(&env, &photographer.session, "Ravi Kumar Studio").await;
    let client = person(&env, "client", "Asha Rao", CLIENT_TZ).await;
    World { env, notifier, topic_arn, photographer, client }
}

impl World {
    /// Bookable 2-hour starts, a week or more ahead (outside any cancellation window).
    async fn slots(&self) -> Vec<String> {
        let from = Utc::now().date_naive().checked_add_days(Days::new(8)).unwrap();
        let to = from.checked_add_days(Days::new(20)).unwrap();
        let r = call(
            self.env.app,
            get_photographer_availability::handle,
            ApiEvent::new("GET /photographers/{id}/availability")
                .path("id", &self.photographer.session.id)
                .query("from", from)
                .query("to", to)
                .query("duration_minutes", 120)
                .query("tz", PHOTOGRAPHER_TZ),
        )
        .await;
        let slots: Vec<String> =
            r.ok(200)["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect();
        assert!(slots.len() >= 2, "the sample availability offers slots: {}", r.text);
        slots
    }

    /// A start a day or more after `slots[0]`: a second booking that cannot overlap it.
    fn another_day(slots: &[String]) -> String {
        let first = DateTime::parse_from_rfc3339(&slots[0]).unwrap();
        slots
            .iter()
            .find(|s| DateTime::parse_from_rfc3339(s).unwrap() - first >= chrono::TimeDelta::days(1))
            .expect("a slot on another day")
            .clone()
    }

    async fn book(&self, start: &str) -> String {
        let r = call(
            self.env.app,
            create_booking::handle,
            ApiEvent::new("POST /bookings").bearer(&self.client.session.access).json(json!({
                "photographer_id": self.photographer.session.id, "package_id": "basic", "event_type": "wedding",
                "start": start, "location": {"address": "Taj Krishna, Banjara Hills", "city": "Hyderabad"}
            })),
        )
        .await;
        r.ok(201)["id"].as_str().unwrap().to_string()
    }

    async fn set_status(&self, who: &Session, id: &str, status: &str, reason: Option<&str>) {
        let mut body = json!({"status": status});
        if let Some(r) = reason {
            body["reason"] = json!(r);
        }
        call(
            self.env.app,
            update_booking_status::handle,
            ApiEvent::new("PUT /bookings/{id}/status").path("id", id).bearer(&who.access).json(body),
        )
        .await
        .ok(200);
    }

    async fn reschedule(&self, who: &Session, id: &str, start: &str) {
        call(
            self.env.app,
            reschedule_booking::handle,
            ApiEvent::new("POST /bookings/{id}/reschedule")
                .path("id", id)
                .bearer(&who.access)
                .json(json!({"start": start})),
        )
        .await
        .ok(200);
    }

    /// The booking item as it is stored now, as DynamoDB JSON (a stream image).
    async fn item(&self, id: &str) -> Value {
        item_json(&self.env.dynamo, &self.env.table, &format!("BOOKING#{id}"), "BOOKING").await.expect("booking item")
    }

    /// Runs a batch through the handler; the sequence numbers it reported as failed.
    async fn deliver(&self, records: Vec<Value>) -> Vec<String> {
        let resp = handle(self.notifier, lambda_runtime::LambdaEvent::new(event(records), Default::default()))
            .await
            .expect("the handler answers");
        resp.batch_item_failures.iter().map(|f| f.item_identifier.clone().expect("an item identifier")).collect()
    }

    async fn sent(&self) -> Sent {
        Sent::now().await
    }
}

/// A booking created, then each change, with the item captured after every step.
struct Story {
    id: String,
    items: Vec<Value>,
}

impl Story {
    fn insert(&self) -> Value {
        record("INSERT", None, Some(&self.items[0]))
    }
    /// The MODIFY record of step `i` (1-based change after creation).
    fn modify(&self, i: usize) -> Value {
        record("MODIFY", Some(&self.items[i - 1]), Some(&self.items[i]))
    }
    fn sequence(&self, i: usize) -> i64 {
        self.items[i]["sequence"]["N"].as_str().unwrap().parse().unwrap()
    }
    fn start(&self, i: usize) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(self.items[i]["start"]["S"].as_str().unwrap()).unwrap().with_timezone(&Utc)
    }
}

// ---------------------------------------------------------------------------------------
// What moto received
// ---------------------------------------------------------------------------------------

/// A sent email, parsed.
#[derive(Debug)]
pub(crate) struct Mail {
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
    /// The MIME layout: multipart/mixed holding multipart/alternative (text, html).
    well_formed: bool,
    /// `(content type, method parameter, filename, body)` of the calendar attachment.
    ics: Option<(String, Option<String>, Option<String>, String)>,
}

impl Mail {
    fn calendar(&self) -> icalendar::Calendar {
        let (_, _, _, body) = self.ics.as_ref().unwrap_or_else(|| panic!("no invite in {:?}", self.subject));
        body.parse::<icalendar::Calendar>().unwrap_or_else(|e| panic!("icalendar cannot parse the invite: {e}\n{body}"))
    }

    fn method(&self) -> Option<String> {
        self.ics.as_ref().and_then(|(_, m, _, _)| m.clone())
    }
}

fn parse_mail(raw: &str) -> Mail {
    let m = MessageParser::default().parse(raw.as_bytes()).unwrap_or_else(|| panic!("not a MIME message:\n{raw}"));
    let is = |p: &mail_parser::MessagePart<'_>, t: &str, s: &str| p.is_content_type(t, s);
    let well_formed = is(&m.parts[0], "multipart", "mixed")
        && m.parts.iter().any(|p| is(p, "multipart", "alternative"))
        && m.text_body_count() == 1
        && m.html_body_count() == 1;
    let ics = m.attachments().find(|a| a.is_content_type("text", "calendar")).map(|a| {
        let ct = a.content_type().unwrap();
        (
            format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()),
            ct.attribute("method").map(String::from),
            a.attachment_name().map(String::from),
            String::from_utf8_lossy(a.contents()).into_owned(),
        )
    });
    Mail {
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).unwrap_or_default().into_owned(),
        html: m.body_html(0).unwrap_or_default().into_owned(),
        well_formed,
        ics,
    }
}

/// moto's recorded state (`/moto-api/data.json`). moto builds that document while other
/// requests keep writing, and may fail it with a 500 when its state changes half-way:
/// ask again.
async fn moto_state() -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = cm_tests::moto::endpoint_url().trim_start_matches("http://").to_string();
    for attempt in 1..=10u64 {
        let mut stream = tokio::net::TcpStream::connect(&host).await.expect("connect to moto");
        let request = format!("GET /moto-api/data.json HTTP/1.0\r\nHost: {host}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n")
            && (head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"))
            && let Ok(state) = serde_json::from_str(body)
        {
            return state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
    }
    panic!("moto's data.json kept failing");
}

/// What moto had received at one moment: read once, then asked several questions
/// (moto's data.json holds every message of the run, so each read is not cheap).
pub(crate) struct Sent {
    state: Value,
}

impl Sent {
    pub(crate) async fn now() -> Sent {
        Sent { state: moto_state().await }
    }

    /// Every email SES accepted for `address`, oldest first.
    pub(crate) fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.state["ses"]["RawMessage"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["destinations"].as_array().into_iter().flatten().any(|d| d.as_str() == Some(address)))
            .map(|m| parse_mail(m["raw_data"].as_str().unwrap_or_default()))
            .collect()
    }

    /// What was published to one topic, oldest first: moto's `sent_notifications`
    /// entries `[id, message, subject, attributes, group]`. moto may list a topic twice.
    pub(crate) fn sns(&self, topic_arn: &str) -> Vec<Value> {
        let topics = self.state["sns"]["Topic"].as_array().into_iter().flatten();
        let topic = topics
            .filter(|t| t["arn"].as_str() == Some(topic_arn))
            .max_by_key(|t| t["sent_notifications"].as_array().map_or(0, Vec::len));
        topic.and_then(|t| t["sent_notifications"].as_array().cloned()).unwrap_or_default()
    }
}

/// SNS message attribute `name` of a moto `sent_notifications` entry.
pub(crate) fn attribute<'a>(notification: &'a Value, name: &str) -> Option<&'a str> {
    notification[3][name]["Value"].as_str()
}

fn body(notification: &Value) -> Value {
    serde_json::from_str(notification[1].as_str().unwrap()).unwrap()
}

/// `Sat 5 Dec 2026, 08:00` in `tz`: how an email shows an instant to someone there.
fn local(at: DateTime<Utc>, tz: &str) -> String {
    at.with_timezone(&tz.parse::<Tz>().unwrap()).format("%a %-d %b %Y, %H:%M").to_string()
}

#[track_caller]
fn assert_invite(mail: &Mail, method: &str, booking_id: &str, sequence: i64, start: DateTime<Utc>) {
    let (content_type, param, filename, _) = mail.ics.as_ref().expect("an invite");
    assert_eq!(content_type, "text/calendar");
    assert_eq!(param.as_deref(), Some(method), "the MIME part's method parameter");
    assert_eq!(filename.as_deref(), Some(format!("booking-{booking_id}.ics").as_str()));
    let calendar = mail.calendar();
    let method_prop = calendar.properties.iter().find(|p| p.key() == "METHOD").map(|p| p.value().to_string());
    assert_eq!(method_prop.as_deref(), Some(method));
    let events: Vec<&icalendar::Event> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 1);
    let e = events[0];
    assert_eq!(e.get_uid(), Some(cm_notify::booking_uid(booking_id).as_str()), "one UID per booking, always");
    assert_eq!(e.get_sequence(), Some(sequence as u32), "SEQUENCE is the booking's");
    match e.get_start() {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t))) => assert_eq!(t, start),
        other => panic!("DTSTART should be a UTC time, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_confirmation_emails_both_people_in_their_own_zones_with_an_invite_and_publishes_it() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let created = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let story = Story { id: id.clone(), items: vec![created, w.item(&id).await] };
    assert_eq!(story.items[1]["status"]["S"], "confirmed");

    assert!(w.deliver(vec![story.modify(1)]).await.is_empty());

    let sent = w.sent().await;
    let start = story.start(1);
    for (person, other_tz, subject) in [
        (&w.client, PHOTOGRAPHER_TZ, "Booking confirmed: Wedding shoot with Ravi Kumar"),
        (&w.photographer, CLIENT_TZ, "You confirmed: Wedding shoot for Asha Rao"),
    ] {
        let mails = sent.mails_to(&person.email);
        assert_eq!(mails.len(), 1, "one email for {}", person.email);
        let mail = &mails[0];
        assert!(mail.well_formed, "multipart/mixed(multipart/alternative(text, html), invite): {mail:?}");
        assert!(mail.subject.starts_with(subject), "{}", mail.subject);
        // The session in the recipient's own zone, in both bodies, and not in the other's.
        let when = local(start, person.tz);
        assert!(mail.text.contains(&when), "text should show {when} ({}):\n{}", person.tz, mail.text);
        assert!(mail.text.contains(&format!("({})", person.tz)), "{}", mail.text);
        assert!(mail.html.contains(&when), "html should show {when}:\n{}", mail.html);
        assert!(!mail.text.contains(&format!("({other_tz})")), "{}", mail.text);
        assert_ne!(local(start, person.tz), local(start, other_tz), "the zones must differ for this to mean anything");
        assert_invite(mail, "REQUEST", &id, story.sequence(1), start);
    }

    let sent = sent.sns(&w.topic_arn);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(attribute(&sent[0], "event"), Some("confirmed"));
    assert_eq!(attribute(&sent[0], "booking_id"), Some(id.as_str()));
    assert_eq!(attribute(&sent[0], "photographer_id"), Some(w.photographer.session.id.as_str()));
    assert_eq!(sent[0][3]["event"]["Type"], "String");
    let message = body(&sent[0]);
    assert_eq!(message["event"], "confirmed");
    assert_eq!(message["client_id"], w.client.session.id.as_str());
    assert_eq!(message["sequence"], story.sequence(1));
    assert!(message.get("email").is_none() && !sent[0][1].as_str().unwrap().contains(&w.client.email));
}

#[tokio::test]
async fn an_invite_keeps_its_uid_through_reschedule_and_cancellation_while_sequence_rises() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let mut items = vec![w.item(&id).await];
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    items.push(w.item(&id).await);
    // A different day, so the move is unmistakable.
    w.reschedule(&w.photographer.session, &id, &World::another_day(&slots)).await;
    items.push(w.item(&id).await);
    w.set_status(&w.client.session, &id, "cancelled", Some("Venue changed the date")).await;
    items.push(w.item(&id).await);
    let story = Story { id: id.clone(), items };

    let batch = vec![story.insert(), story.modify(1), story.modify(2), story.modify(3)];
    assert!(w.deliver(batch).await.is_empty());

    let sent = w.sent().await;
    for person in [&w.client, &w.photographer] {
        let mails = sent.mails_to(&person.email);
        assert_eq!(mails.len(), 4, "created, confirmed, rescheduled, cancelled: {mails:?}");
        let methods: Vec<_> = mails.iter().map(|m| m.method().unwrap_or_default()).collect();
        assert_eq!(methods, ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]);
        for (i, mail) in mails.iter().enumerate() {
            assert!(mail.well_formed, "{mail:?}");
            assert_invite(mail, &methods[i], &story.id, story.sequence(i), story.start(i));
        }
        let sequences: Vec<i64> = (0..4).map(|i| story.sequence(i)).collect();
        assert!(sequences.windows(2).all(|p| p[0] < p[1]), "SEQUENCE rises with every change: {sequences:?}");
        // The reschedule says where it moved from, in the recipient's zone.
        assert!(mails[2].text.contains(&local(story.start(1), person.tz)), "{}", mails[2].text);
        assert!(mails[2].text.contains(&local(story.start(2), person.tz)), "{}", mails[2].text);
        assert!(mails[3].text.contains("Venue changed the date"), "{}", mails[3].text);
        let status = mails[3].calendar().components.iter().find_map(|c| c.as_event()).unwrap().get_status();
        assert_eq!(status, Some(icalendar::EventStatus::Cancelled));
    }
    assert!(sent.mails_to(&w.client.email)[3].subject.starts_with("You cancelled"));
    assert!(sent.mails_to(&w.photographer.email)[3].subject.starts_with("Booking cancelled by Asha Rao"));

    let events: Vec<_> = sent.sns(&w.topic_arn).iter().map(|n| attribute(n, "event").unwrap().to_string()).collect();
    assert_eq!(events, ["created", "confirmed", "rescheduled", "cancelled"]);
}

#[tokio::test]
async fn redelivering_a_batch_sends_nothing_twice() {
    let w = world().await;
    let slots = w.slots().await;
    let a = w.book(&slots[0]).await;
    let a_created = w.item(&a).await;
    w.set_status(&w.photographer.session, &a, "declined", Some("Fully booked that weekend")).await;
    let a_declined = w.item(&a).await;
    let b = w.book(&World::another_day(&slots)).await;
    let b_created = w.item(&b).await;
    let batch = vec![
        record("INSERT", None, Some(&a_created)),
        record("MODIFY", Some(&a_created), Some(&a_declined)),
        record("INSERT", None, Some(&b_created)),
    ];

    assert!(w.deliver(batch.clone()).await.is_empty());
    let sent = w.sent().await;
    let client_once = sent.mails_to(&w.client.email).len();
    let photographer_once = sent.mails_to(&w.photographer.email).len();
    let sns_once = sent.sns(&w.topic_arn).len();
    // created ×2 (both), declined ×1 (client only), second booking created ×2.
    assert_eq!((client_once, photographer_once, sns_once), (3, 2, 3));

    // Lambda redelivers the whole batch (a retry, a timeout, a shard rebalance).
    assert!(w.deliver(batch.clone()).await.is_empty());
    assert!(w.deliver(batch).await.is_empty());
    let sent = w.sent().await;
    assert_eq!(sent.mails_to(&w.client.email).len(), client_once);
    assert_eq!(sent.mails_to(&w.photographer.email).len(), photographer_once);
    assert_eq!(sent.sns(&w.topic_arn).len(), sns_once);
}

/// An image that is not a booking any more: a status this code does not know.
fn poisoned(item: &Value) -> Value {
    let mut bad = item.clone();
    bad["status"] = json!({"S": "teleported"});
    bad
}

#[tokio::test]
async fn a_poison_record_is_reported_without_holding_back_the_rest_of_the_batch() {
    let w = world().await;
    let slots = w.slots().await;
    let a = w.book(&slots[0]).await;
    let a_created = w.item(&a).await;
    let b = w.book(&World::another_day(&slots)).await;
    let b_created = w.item(&b).await;
    w.set_status(&w.photographer.session, &a, "confirmed", None).await;
    let a_confirmed = w.item(&a).await;

    let poison = record("INSERT", None, Some(&poisoned(&b_created)));
    let batch = vec![
        record("INSERT", None, Some(&a_created)),
        poison.clone(),
        record("MODIFY", Some(&a_created), Some(&a_confirmed)),
    ];
    let failed = w.deliver(batch).await;

    assert_eq!(failed, [sequence_of(&poison)], "only the poison record is reported");
    // Booking A: created and confirmed, both people, both published.
    let sent = w.sent().await;
    assert_eq!(sent.mails_to(&w.client.email).len(), 2);
    assert_eq!(sent.mails_to(&w.photographer.email).len(), 2);
    let sent = sent.sns(&w.topic_arn);
    let ids: Vec<_> = sent.iter().map(|n| attribute(n, "booking_id").unwrap()).collect();
    assert_eq!(ids, [a.as_str(), a.as_str()], "nothing was sent for the poison record");
}

#[tokio::test]
async fn after_a_failure_the_same_bookings_later_records_wait_for_the_retry_in_order() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let created = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let confirmed = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "cancelled", Some("Illness")).await;
    let cancelled = w.item(&id).await;

    // The confirmation cannot be read this time; its cancellation comes after it.
    let bad = record("MODIFY", Some(&created), Some(&poisoned(&confirmed)));
    let cancel = record("MODIFY", Some(&confirmed), Some(&cancelled));
    let failed = w.deliver(vec![bad.clone(), cancel.clone()]).await;
    assert_eq!(failed, [sequence_of(&bad), sequence_of(&cancel)]);
    let sent = w.sent().await;
    assert!(sent.mails_to(&w.client.email).is_empty(), "the cancellation must not overtake the confirmation");
    assert!(sent.sns(&w.topic_arn).is_empty());

    // Lambda resumes from the lowest reported sequence number (here with a readable image).
    let confirm = record("MODIFY", Some(&created), Some(&confirmed));
    assert!(w.deliver(vec![confirm, cancel]).await.is_empty());
    let sent = w.sent().await;
    let methods: Vec<_> = sent.mails_to(&w.client.email).iter().map(|m| m.method().unwrap()).collect();
    assert_eq!(methods, ["REQUEST", "CANCEL"]);
    let events: Vec<_> = sent.sns(&w.topic_arn).iter().map(|n| attribute(n, "event").unwrap().to_string()).collect();
    assert_eq!(events, ["confirmed", "cancelled"]);
}

#[tokio::test]
async fn someone_who_turned_email_off_gets_none_but_the_platform_still_hears() {
    let w = world().await;
    call(
        w.env.app,
        update_me::handle,
        ApiEvent::new("PATCH /me")
            .bearer(&w.client.session.access)
            .json(json!({"notification_preferences": {"email": false, "sms": false, "push": true}})),
    )
    .await
    .ok(200);
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let created = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let confirmed = w.item(&id).await;
    let story = Story { id, items: vec![created, confirmed] };

    assert!(w.deliver(vec![story.insert(), story.modify(1)]).await.is_empty());
    let sent = w.sent().await;
    assert!(sent.mails_to(&w.client.email).is_empty());
    assert_eq!(sent.mails_to(&w.photographer.email).len(), 2);
    assert_eq!(sent.sns(&w.topic_arn).len(), 2);

    // In the app they hear about it all the same, titled like the emails they do not
    // take; a redelivered stream keeps nothing twice.
    assert!(w.deliver(vec![story.insert(), story.modify(1)]).await.is_empty());
    let notices = |who: &Session| {
        let id = who.id.parse().unwrap();
        async move {
            let (list, more) = w.notifier.inbox.notices(id, None, 50).await.unwrap();
            assert!(!more);
            list.into_iter().map(|n| (n.kind, n.title, n.booking_id.map(|b| b.to_string()))).collect::<Vec<_>>()
        }
    };
    let to_client = notices(&w.client.session).await;
    let kinds: Vec<&str> = to_client.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(kinds, ["booking_confirmed", "booking_created"], "newest first, each once: {to_client:#?}");
    assert!(to_client.iter().all(|(_, _, b)| b.as_deref() == Some(story.id.as_str())));
    let subjects: Vec<String> = sent.mails_to(&w.photographer.email).into_iter().map(|m| m.subject).collect();
    let to_photographer = notices(&w.photographer.session).await;
    let titles: Vec<String> = to_photographer.iter().rev().map(|(_, t, _)| t.clone()).collect();
    assert_eq!(titles, subjects, "a notice is titled with the email's subject");
}

#[tokio::test]
async fn removals_unversioned_changes_and_other_entities_send_nothing() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let booking = w.item(&id).await;
    let user = item_json(&w.env.dynamo, &w.env.table, &format!("USER#{}", w.client.session.id), "USER").await.unwrap();
    let mut touched = booking.clone();
    touched["updated_at"] = json!({"S": "2030-01-01T00:00:00Z"});

    let batch = vec![
        record("MODIFY", Some(&booking), Some(&touched)), // same sequence: nothing for calendars
        record("REMOVE", Some(&booking), None),
        record("INSERT", None, Some(&user)),
        record("MODIFY", Some(&user), Some(&user)),
    ];
    assert!(w.deliver(batch).await.is_empty());
    let sent = w.sent().await;
    assert!(sent.mails_to(&w.client.email).is_empty());
    assert!(sent.mails_to(&w.photographer.email).is_empty());
    assert!(sent.sns(&w.topic_arn).is_empty());
}

/// The sample event is a confirmation and notifies both people (run by sample_events.rs
/// with every other sample's replay).
pub(crate) async fn replay_sample_event() {
    let text =
        std::fs::read_to_string(cm_tests::template::repo_root().join("events/notify-booking-change.json")).unwrap();
    let sample: aws_lambda_events::dynamodb::Event = serde_json::from_str(&text).expect("a DynamoDB stream event");
    assert_eq!(sample.records.len(), 1);
    let Change::Notify { event, booking } = classify(&sample.records[0]).expect("a booking") else {
        panic!("the sample should notify");
    };
    assert_eq!(event, cm_notify::BookingEvent::Confirmed);

    // Its two people, with the ids the sample names.
    let env = env().await;
    let (notifier, topic_arn) = notifier(&env).await;
    let mut emails = Vec::new();
    for (id, role, tz) in [
        (booking.client_id, cm_accounts::Role::Client, CLIENT_TZ),
        (booking.photographer_id, cm_accounts::Role::Photographer, PHOTOGRAPHER_TZ),
    ] {
        let email = unique_email(role.as_str());
        let mut user = cm_accounts::account::Registration {
            email: cm_accounts::Email::parse(&email).unwrap(),
            password: crate::support::PASSWORD.into(),
            name: format!("Sample {}", role.as_str()),
            role,
            phone: None,
            timezone: tz.into(),
        }
        .into_user(Utc::now())
        .unwrap();
        user.id = id;
        env.app.store.create_user(&user, &email).await.unwrap();
        emails.push(email);
    }
    let resp = handle(notifier, lambda_runtime::LambdaEvent::new(sample, Default::default())).await.unwrap();
    assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    let sent = Sent::now().await;
    for email in &emails {
        let mails = sent.mails_to(email);
        assert_eq!(mails.len(), 1);
        assert_invite(&mails[0], "REQUEST", &booking.id.to_string(), i64::from(booking.sequence), booking.start);
    }
    assert_eq!(sent.sns(&topic_arn).len(), 1);
}

#[tokio::test]
async fn a_claim_is_taken_once_waits_out_its_lease_and_stays_done() {
    use cm_store::claims::Claim;
    let env = env().await;
    let claims = &env.app.store;
    let now = Utc::now();
    let lease = chrono::TimeDelta::seconds(60);

    assert_eq!(claims.claim("k", lease, now).await.unwrap(), Claim::Acquired);
    match claims.claim("k", lease, now + chrono::TimeDelta::seconds(1)).await.unwrap() {
        Claim::Busy { until } => assert_eq!(until.timestamp(), (now + lease).timestamp()),
        other => panic!("a held claim is busy, got {other:?}"),
    }
    // The holder died mid-effect: once its lease is over, someone else may act.
    assert_eq!(claims.claim("k", lease, now + lease + chrono::TimeDelta::seconds(1)).await.unwrap(), Claim::Acquired);
    claims.complete("k", now).await.unwrap();
    assert_eq!(claims.claim("k", lease, now + chrono::TimeDelta::hours(1)).await.unwrap(), Claim::AlreadyDone);
    claims.release("k").await.unwrap(); // a done claim is never released
    assert_eq!(claims.claim("k", lease, now + chrono::TimeDelta::hours(1)).await.unwrap(), Claim::AlreadyDone);
    // Past its retention a done claim counts as gone, whether or not TTL deleted it yet.
    let later = now + cm_store::claims::DONE_RETENTION + chrono::TimeDelta::hours(1);
    assert_eq!(claims.claim("k", lease, later).await.unwrap(), Claim::Acquired);

    // Releasing hands the claim back at once.
    assert_eq!(claims.claim("r", lease, now).await.unwrap(), Claim::Acquired);
    claims.release("r").await.unwrap();
    assert_eq!(claims.claim("r", lease, now).await.unwrap(), Claim::Acquired);

    // Racing claimers: exactly one wins.
    let racers = (0..16).map(|_| claims.claim("race", lease, now));
    let outcomes = futures::future::join_all(racers).await;
    let won = outcomes.iter().filter(|o| matches!(o, Ok(Claim::Acquired))).count();
    assert_eq!(won, 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| matches!(o, Ok(Claim::Acquired | Claim::Busy { .. }))), "{outcomes:?}");
}

#[tokio::test]
async fn an_effect_claimed_elsewhere_fails_the_record_and_its_retry_sends_only_what_is_missing() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let created = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let confirmed = w.item(&id).await;
    let confirm = record("MODIFY", Some(&created), Some(&confirmed));

    // Another invocation (a timed-out one, say) is publishing this change right now.
    let key = format!("notify:{id}:1:sns");
    let claims = &w.notifier.app.store;
    let held = claims.claim(&key, chrono::TimeDelta::seconds(300), Utc::now()).await.unwrap();
    assert_eq!(held, cm_store::claims::Claim::Acquired);

    assert_eq!(w.deliver(vec![confirm.clone()]).await, [sequence_of(&confirm)]);
    let sent = w.sent().await;
    assert_eq!(sent.mails_to(&w.client.email).len(), 1, "the emails did not wait for the busy channel");
    assert_eq!(sent.mails_to(&w.photographer.email).len(), 1);
    assert!(sent.sns(&w.topic_arn).is_empty());

    // That invocation gave up; Lambda retries the record.
    claims.release(&key).await.unwrap();
    assert!(w.deliver(vec![confirm]).await.is_empty());
    let sent = w.sent().await;
    assert_eq!(sent.mails_to(&w.client.email).len(), 1, "no second email");
    assert_eq!(sent.mails_to(&w.photographer.email).len(), 1);
    assert_eq!(sent.sns(&w.topic_arn).len(), 1);
}

#[tokio::test]
async fn a_completed_session_asks_only_the_client_for_a_review_without_an_invite() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let confirmed = w.item(&id).await;
    // The session took place: moved into the past through the store (the API rightly
    // refuses to book the past), without a new sequence, as any internal fix-up would.
    let old = w.env.app.store.get_booking(id.parse().unwrap()).await.unwrap().unwrap();
    let mut past = old.clone();
    past.start = Utc::now() - chrono::TimeDelta::hours(3);
    past.end = Utc::now() - chrono::TimeDelta::hours(1);
    past.version += 1;
    w.env.app.store.update_booking_status(&old, &past).await.unwrap();
    let moved = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "completed", None).await;
    let completed = w.item(&id).await;

    let batch =
        vec![record("MODIFY", Some(&confirmed), Some(&moved)), record("MODIFY", Some(&moved), Some(&completed))];
    assert!(w.deliver(batch).await.is_empty());

    let sent = w.sent().await;
    let mails = sent.mails_to(&w.client.email);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.starts_with("How was your wedding shoot with Ravi Kumar?"), "{}", mails[0].subject);
    assert!(mails[0].ics.is_none(), "a finished session changes no calendar");
    assert!(mails[0].text.contains("review"), "{}", mails[0].text);
    assert!(sent.mails_to(&w.photographer.email).is_empty());
    let events: Vec<_> = sent.sns(&w.topic_arn).iter().map(|n| attribute(n, "event").unwrap().to_string()).collect();
    assert_eq!(events, ["completed"]);
}

#[tokio::test]
async fn a_delivered_gallery_mails_the_client_once_and_nothing_before_or_after() {
    let w = world().await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let put = |body: Value| {
        call(
            w.env.app,
            put_gallery::handle,
            ApiEvent::new("PUT /bookings/{id}/gallery")
                .bearer(&w.photographer.session.access)
                .path("id", &id)
                .json(body),
        )
    };
    put(json!({"retention_days": 30})).await.ok(201);
    let head = |w: &World| {
        let (dynamo, table, pk) = (w.env.dynamo.clone(), w.env.table.clone(), format!("GALLERY#{id}"));
        async move { item_json(&dynamo, &table, &pk, "HEAD").await.expect("the gallery head") }
    };
    let opened = head(&w).await;
    // A processed photo, as process-upload's transaction leaves the counters.
    w.env
        .dynamo
        .update_item()
        .table_name(&w.env.table)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("GALLERY#{id}")))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("HEAD".into()))
        .update_expression("SET photos = :one, ready = :one, #bytes = :b")
        .expression_attribute_names("#bytes", "bytes")
        .expression_attribute_values(":one", aws_sdk_dynamodb::types::AttributeValue::N("1".into()))
        .expression_attribute_values(":b", aws_sdk_dynamodb::types::AttributeValue::N("5000".into()))
        .send()
        .await
        .unwrap();
    let with_photo = head(&w).await;
    put(json!({"delivered": true})).await.ok(200);
    let delivered = head(&w).await;
    let before = w.sent().await;
    let (mails_before, sns_before) = (before.mails_to(&w.client.email).len(), before.sns(&w.topic_arn).len());
    let batch = vec![
        record("INSERT", None, Some(&opened)),
        record("MODIFY", Some(&opened), Some(&with_photo)),
        record("MODIFY", Some(&with_photo), Some(&delivered)),
        // A later upload moves the counters of the delivered gallery: not a delivery.
        record("MODIFY", Some(&delivered), Some(&delivered)),
    ];
    for (i, r) in batch.iter().enumerate() {
        let expected = if i == 2 { "GalleryDelivered" } else { "Ignore" };
        let change = format!("{:?}", classify(&serde_json::from_value(r.clone()).unwrap()).unwrap());
        assert!(change.starts_with(expected), "record {i}: {change}");
    }
    assert!(w.deliver(batch.clone()).await.is_empty());
    assert!(w.deliver(batch).await.is_empty(), "redelivered");
    let sent = w.sent().await;
    let mails = sent.mails_to(&w.client.email);
    assert_eq!(mails.len(), mails_before + 1, "one email however often the record comes");
    let mail = mails.last().unwrap();
    assert_eq!(mail.subject, "Your photos from Ravi Kumar are ready");
    assert!(mail.text.contains("1 photo from your booking") && mail.ics.is_none(), "{}", mail.text);
    assert_eq!(sent.mails_to(&w.photographer.email).len(), before.mails_to(&w.photographer.email).len());
    let sns = sent.sns(&w.topic_arn);
    assert_eq!(sns.len(), sns_before + 1);
    let published = sns.last().unwrap();
    assert_eq!(attribute(published, "event"), Some("gallery_delivered"));
    assert_eq!(body(published)["booking_id"], json!(id));
}

#[tokio::test]
async fn texts_go_once_to_verified_numbers_for_the_events_chosen() {
    let w = world().await;
    let client_phone = crate::phone::wants_texts(&w.env, &w.client.session, json!(["booking_confirmed"])).await;
    let photographer_phone =
        crate::phone::wants_texts(&w.env, &w.photographer.session, json!(["booking_cancelled", "reminder"])).await;
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let created = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let confirmed = w.item(&id).await;
    w.set_status(&w.client.session, &id, "cancelled", Some("we eloped")).await;
    let cancelled = w.item(&id).await;
    let story = Story { id: id.clone(), items: vec![created, confirmed, cancelled] };
    let batch = vec![story.insert(), story.modify(1), story.modify(2)];
    assert!(w.deliver(batch.clone()).await.is_empty());
    assert!(w.deliver(batch).await.is_empty(), "redelivered");

    // Each has the code's text, then one text: the client of the confirmation (not of
    // the cancellation they made), the photographer of the cancellation only.
    let to_client = cm_tests::moto::sms_to(&client_phone).await;
    assert_eq!(to_client.len(), 2, "{to_client:?}");
    assert!(
        to_client[1].starts_with("Capture Moments: your wedding on ")
            && to_client[1].ends_with("is confirmed. Details are in the app."),
        "{to_client:?}"
    );
    let to_photographer = cm_tests::moto::sms_to(&photographer_phone).await;
    assert_eq!(to_photographer.len(), 2, "{to_photographer:?}");
    assert!(to_photographer[1].contains("was cancelled by the client."), "{to_photographer:?}");
    for text in to_client.iter().chain(&to_photographer) {
        for private in ["Banjara", "eloped", "Asha", "Ravi", id.as_str()] {
            assert!(!text.contains(private), "{private} in a text: {text}");
        }
    }
}

#[tokio::test]
async fn a_number_that_replied_stop_or_was_never_verified_gets_no_text() {
    let w = world().await;
    // Verified, then STOP was replied from it (moto: numbers ending in 99 are opted out).
    let stopped = cm_tests::moto::unique_phone(true);
    // Verified before the STOP, so written straight through the store: the API refuses
    // to text a code to it now.
    let client_id: cm_core::UserId = w.client.session.id.parse().unwrap();
    let pending = cm_accounts::phone::start(None, &stopped, "h".into(), Utc::now()).unwrap();
    let store = &w.env.app.store;
    store.put_pending_verification(client_id, &pending, None).await.unwrap();
    store.complete_verification(client_id, &pending, Utc::now()).await.unwrap();
    call(
        w.env.app,
        update_me::handle,
        ApiEvent::new("PATCH /me")
            .bearer(&w.client.session.access)
            .json(json!({"notification_preferences": {"email": true, "sms": true, "push": true}})),
    )
    .await
    .ok(200);
    // Typed in but never verified.
    let unverified = cm_tests::moto::unique_phone(false);
    call(
        w.env.app,
        update_me::handle,
        ApiEvent::new("PATCH /me").bearer(&w.photographer.session.access).json(json!({
            "phone": unverified, "notification_preferences": {"email": true, "sms": true, "push": true}
        })),
    )
    .await
    .ok(200);
    let slots = w.slots().await;
    let id = w.book(&slots[0]).await;
    let created = w.item(&id).await;
    w.set_status(&w.photographer.session, &id, "confirmed", None).await;
    let confirmed = w.item(&id).await;
    w.set_status(&w.client.session, &id, "cancelled", Some("plans changed")).await;
    let cancelled = w.item(&id).await;
    let story = Story { id, items: vec![created, confirmed, cancelled] };
    assert!(w.deliver(vec![story.insert(), story.modify(1), story.modify(2)]).await.is_empty());
    assert!(cm_tests::moto::sms_to(&stopped).await.is_empty());
    assert!(cm_tests::moto::sms_to(&unverified).await.is_empty());
    // Email still went out to both.
    let sent = w.sent().await;
    assert!(!sent.mails_to(&w.client.email).is_empty() && !sent.mails_to(&w.photographer.email).is_empty());
}
