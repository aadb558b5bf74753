//! send-reminders against DynamoDB Local (bookings by start, claims, the run's cursor,
//! notices in a chat table) and moto's SES, with the clock moved by hand: reminders
//! fire once at each offset each person chose, however runs fall (late, repeated,
//! overlapping), follow a reschedule, and stop at a cancellation.

use crate::notifications::Sent;
use crate::support::{Session, register};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_core::ManualClock;
use cm_store::chat::ChatStore;
use cm_store::notices::Inbox;
use cm_store::{BookingWriter, DynamoStore, UserReader};

use aws_sdk_dynamodb::types::AttributeValue;
use cm_tests::{ApiEvent, TestEnv, call, env};
use send_reminders::{Reminders, Summary, run};
use serde_json::json;
use std::sync::Arc;

const FROM: &str = "reminders@capturemoments.app";

struct World {
    env: TestEnv,
    clock: Arc<ManualClock>,
    r: &'static Reminders<DynamoStore>,
    client: Session,
    photographer: Session,
    chat_table: String,
}

/// A whole minute a little ahead, so sessions land on minutes as real ones do.
fn t0() -> DateTime<Utc> {
    let now = Utc::now() + TimeDelta::hours(1);
    Utc.timestamp_opt(now.timestamp() - now.timestamp() % 60, 0).unwrap()
}

async fn world(at: DateTime<Utc>) -> World {
    let env = env().await;
    let chat_table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    cm_tests::aws::create_table(&env.dynamo, &chat_table, "ChatTable").await;
    let sdk = cm_tests::moto::sdk_config().await;
    let _ = aws_sdk_sesv2::Client::new(&sdk).create_email_identity().email_identity(FROM).send().await;
    let clock = Arc::new(ManualClock::new(at));
    let r = Box::leak(Box::new(reminders(&env, &chat_table, clock.clone()).await));
    let client = register(&env, "client").await;
    let photographer = register(&env, "photographer").await;
    World { env, clock, r, client, photographer, chat_table }
}

/// One instance of the function (as one Lambda execution environment holds).
async fn reminders(env: &TestEnv, chat_table: &str, clock: Arc<ManualClock>) -> Reminders<DynamoStore> {
    let sdk = cm_tests::moto::sdk_config().await;
    Reminders {
        app: cm_tests::aws::app(DynamoStore::new(env.dynamo.clone(), &env.table)).with_clock(clock),
        inbox: ChatStore::new(env.dynamo.clone(), chat_table),
        mail: cm_mail::Mailer::new(&sdk, FROM),
        texter: cm_sms::Texter::new(&sdk, None),
    }
}

impl World {
    async fn prefs(&self, who: &Session, email: bool, hours: serde_json::Value) {
        let body =
            json!({"notification_preferences": {"email": email, "sms": false, "push": true, "reminder_hours": hours}});
        let r = call(self.env.app, update_me::handle, ApiEvent::new("PATCH /me").bearer(&who.access).json(body)).await;
        assert_eq!(r.ok(200)["notification_preferences"]["reminder_hours"], hours);
    }

    async fn confirmed_at(&self, start: DateTime<Utc>) -> Booking {
        crate::support::booking_at(&self.env, &self.client, &self.photographer, BookingStatus::Confirmed, start).await
    }

    async fn email_of(&self, who: &Session) -> String {
        self.env.app.store.get_user(who.id.parse().unwrap()).await.unwrap().unwrap().email
    }

    /// Runs at `at`.
    async fn run_at(&self, at: DateTime<Utc>) -> Summary {
        self.clock.set(at);
        run(self.r).await.expect("the run reads and writes")
    }

    /// Every run from `from` to `to`, `step` apart.
    async fn runs(&self, from: DateTime<Utc>, to: DateTime<Utc>, step: TimeDelta) -> Vec<(DateTime<Utc>, Summary)> {
        let mut out = Vec::new();
        let mut at = from;
        while at <= to {
            out.push((at, self.run_at(at).await));
            at += step;
        }
        out
    }

    /// The state a run leaves when it dies after sending and before recording its window.
    async fn rewind_to(&self, through: DateTime<Utc>) {
        self.env
            .dynamo
            .put_item()
            .table_name(&self.env.table)
            .item("pk", AttributeValue::S("JOB#send-reminders".into()))
            .item("sk", AttributeValue::S("CURSOR".into()))
            .item("through", AttributeValue::S(through.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()))
            .send()
            .await
            .unwrap();
    }

    /// (kind, title, created_at) of who's notices, oldest first.
    async fn notices(&self, who: &Session) -> Vec<(String, String, DateTime<Utc>)> {
        let (list, _) = self.r.inbox.notices(who.id.parse().unwrap(), None, 100).await.unwrap();
        list.into_iter().rev().map(|n| (n.kind, n.title, n.created_at)).collect()
    }
}

fn reminders_in(mails: &[crate::notifications::Mail]) -> Vec<String> {
    mails.iter().filter(|m| m.subject.starts_with("Reminder: ")).map(|m| m.subject.clone()).collect()
}

#[tokio::test]
async fn reminders_fire_once_at_each_chosen_offset_however_the_runs_fall() {
    let start = t0();
    let w = world(start).await;
    // The client keeps the default (a day and two hours before); the photographer wants
    // only the two-hour one, and no email.
    w.prefs(&w.photographer, false, json!([2])).await;
    let b = w.confirmed_at(start + TimeDelta::hours(30)).await;

    // Runs 2 h 53 min apart (uneven against the session, within the catch-up bound),
    // from long before the first reminder to after the session.
    let runs = w.runs(start, start + TimeDelta::hours(31), TimeDelta::minutes(173)).await;
    // Every offered offset falls due in some run; only the chosen ones remind anyone.
    let due: Vec<(DateTime<Utc>, usize)> =
        runs.iter().filter(|(_, s)| s.noticed > 0).map(|(at, s)| (*at, s.noticed)).collect();
    assert_eq!(due.len(), 2, "one run meets each chosen offset: {runs:#?}");
    assert_eq!((due[0].1, due[1].1), (1, 2), "the client at 24 h; both at 2 h");
    // 24, 12, 6, 3 and 2 hours before fall in runs ahead of the session, once each;
    // 168, 72 and 48 were before the first run, and the run that would have met the
    // one-hour reminder (at 31 h 43 min) comes after the start.
    assert_eq!(runs.iter().map(|(_, s)| s.due).sum::<usize>(), 5, "{runs:#?}");
    let day_before = b.start - TimeDelta::hours(24);
    let two_hours = b.start - TimeDelta::hours(2);
    assert!(due[0].0 >= day_before && due[0].0 - day_before < TimeDelta::minutes(173), "{due:?}");
    assert!(due[1].0 >= two_hours && due[1].0 < b.start, "{due:?}");
    assert!(runs.iter().all(|(_, s)| s.failed == 0), "{runs:#?}");

    // The client: both reminders, by email (with the invite) and in the app.
    let sent = Sent::now().await;
    let to_client = sent.mails_to(&w.email_of(&w.client).await);
    assert_eq!(reminders_in(&to_client).len(), 2, "{:?}", reminders_in(&to_client));
    let reminder = to_client.iter().find(|m| m.subject.starts_with("Reminder: ")).unwrap();
    assert!(reminder.text.starts_with("Your shoot is in 24 hours"), "{}", reminder.text);
    let kinds: Vec<(String, DateTime<Utc>)> =
        w.notices(&w.client).await.into_iter().map(|(k, _, at)| (k, at)).collect();
    assert_eq!(
        kinds,
        [("booking_reminder".to_string(), day_before), ("booking_reminder".to_string(), two_hours)],
        "noticed at their due times"
    );
    // The photographer: the two-hour one only, and in the app only.
    assert!(reminders_in(&sent.mails_to(&w.email_of(&w.photographer).await)).is_empty());
    let theirs = w.notices(&w.photographer).await;
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert_eq!(theirs[0].2, two_hours);

    // A run late after the session meets nothing: the cursor is past, and the session began.
    let again = w.run_at(b.start + TimeDelta::hours(2)).await;
    assert_eq!(again.due, 0, "{again:?}");
    // A run that sent the two-hour reminders but died before recording its window: the
    // next two, overlapping each other, cover that window again and send nothing more.
    w.rewind_to(two_hours - TimeDelta::minutes(10)).await;
    w.clock.set(two_hours + TimeDelta::minutes(1));
    let other = reminders(&w.env, &w.chat_table, w.clock.clone()).await;
    let (a, c) = tokio::join!(run(w.r), run(&other));
    let (a, c) = (a.unwrap(), c.unwrap());
    assert_eq!((a.due, c.due), (1, 1), "both met it: {a:?} {c:?}");
    assert_eq!(a.emailed + c.emailed + a.noticed + c.noticed, 0, "{a:?} {c:?}");
    let sent = Sent::now().await;
    assert_eq!(reminders_in(&sent.mails_to(&w.email_of(&w.client).await)).len(), 2);
    assert_eq!(w.notices(&w.client).await.len(), 2);
}

#[tokio::test]
async fn a_reschedule_moves_the_reminders_a_cancellation_drops_them_and_an_empty_choice_has_none() {
    let start = t0();
    let w = world(start).await;
    let moved = w.confirmed_at(start + TimeDelta::hours(30)).await;
    let cancelled = w.confirmed_at(start + TimeDelta::hours(28)).await;
    // Before either is due, one moves ten hours later and the other is called off.
    let mut later = moved.clone();
    later.start += TimeDelta::hours(10);
    later.end += TimeDelta::hours(10);
    later.local_date = later.start.date_naive();
    later.version += 1;
    later.sequence += 1;
    w.env.app.store.reschedule_booking(&moved, &later, None).await.unwrap();
    let mut off = cancelled.clone();
    off.status = BookingStatus::Cancelled;
    off.version += 1;
    off.sequence += 1;
    w.env.app.store.update_booking_status(&cancelled, &off).await.unwrap();
    // The photographer wants no reminders at all.
    w.prefs(&w.photographer, true, json!([])).await;

    let runs = w.runs(start, start + TimeDelta::hours(41), TimeDelta::minutes(179)).await;
    assert!(runs.iter().all(|(_, s)| s.failed == 0), "{runs:#?}");
    let at: Vec<DateTime<Utc>> = w.notices(&w.client).await.into_iter().map(|(_, _, at)| at).collect();
    assert_eq!(
        at,
        [later.start - TimeDelta::hours(24), later.start - TimeDelta::hours(2)],
        "the new time's reminders only; none for the cancelled session"
    );
    assert!(w.notices(&w.photographer).await.is_empty());
    let sent = Sent::now().await;
    assert_eq!(reminders_in(&sent.mails_to(&w.email_of(&w.client).await)).len(), 2);
    assert!(reminders_in(&sent.mails_to(&w.email_of(&w.photographer).await)).is_empty());
}

#[tokio::test]
async fn reminder_choices_are_checked() {
    let w = world(t0()).await;
    for (hours, why) in [(json!([5]), "not offered"), (json!([24, 24]), "twice"), (json!([1, 2, 3, 6]), "four")] {
        let body =
            json!({"notification_preferences": {"email": true, "sms": false, "push": true, "reminder_hours": hours}});
        let r =
            call(w.env.app, update_me::handle, ApiEvent::new("PATCH /me").bearer(&w.client.access).json(body)).await;
        assert!(r.status == 400 || r.status == 422, "{why}: {}", r.text);
        r.problem(r.status);
    }
    let me = call(w.env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&w.client.access)).await;
    assert_eq!(me.ok(200)["notification_preferences"]["reminder_hours"], json!([24, 2]), "unchanged, the default");
}

#[tokio::test]
async fn the_day_before_reminder_is_texted_once_to_who_chose_it() {
    let start = t0();
    let w = world(start).await;
    let client_phone = crate::phone::wants_texts(&w.env, &w.client, json!(["reminder"])).await;
    // Verified too, but texted about cancellations only.
    let photographer_phone = crate::phone::wants_texts(&w.env, &w.photographer, json!(["booking_cancelled"])).await;
    w.confirmed_at(start + TimeDelta::hours(30)).await;

    let runs = w.runs(start, start + TimeDelta::hours(29), TimeDelta::minutes(173)).await;
    let texted: Vec<usize> = runs.iter().map(|(_, s)| s.texted).filter(|n| *n > 0).collect();
    assert_eq!(texted, [1], "one text, at the 24-hour reminder only: {runs:#?}");
    // A run that died before recording its window is run again: nothing goes twice.
    w.rewind_to(start).await;
    let again = w.runs(start, start + TimeDelta::hours(29), TimeDelta::minutes(173)).await;
    assert_eq!(again.iter().map(|(_, s)| s.texted).sum::<usize>(), 0, "{again:#?}");

    let to_client = cm_tests::moto::sms_to(&client_phone).await;
    assert_eq!(to_client.len(), 2, "the code, then the reminder: {to_client:?}");
    assert!(
        to_client[1].starts_with("Capture Moments reminder: your ") && to_client[1].contains(" is on "),
        "{to_client:?}"
    );
    assert_eq!(cm_tests::moto::sms_to(&photographer_phone).await.len(), 1, "only the code");
}
