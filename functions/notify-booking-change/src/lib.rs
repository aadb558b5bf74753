//! DynamoDB stream (booking items): every booking change that people or the platform
//! should hear about becomes
//! - an email to the client and/or the photographer (SES v2, raw MIME: text and HTML
//!   with times in the recipient's own zone, plus an .ics invite whose UID never changes
//!   for a booking and whose SEQUENCE is the booking's), following `cm_notify`'s
//!   recipient matrix and each person's `notification_preferences.email`;
//! - a text message (SNS `Publish` to a phone number, `cm_sms`) for a confirmation (to
//!   the client) and a cancellation (to whoever did not cancel), for each person who
//!   turned texts on for that event and verified their number; a number that replied
//!   STOP gets nothing;
//! - one SNS message on the platform topic, with `event`, `booking_id` and
//!   `photographer_id` message attributes for subscription filter policies (sent even
//!   when nobody is emailed);
//! - an in-app notice for each person an email is meant for, whether or not they take
//!   email, titled with the email's subject (`cm_chat::notice`, kept in the chat table,
//!   whose stream `deliver-chat` pushes it to their open sockets). Its id is derived
//!   from the change, so a redelivery keeps nothing twice.
//!
//! Which change: INSERT → `created`; MODIFY whose `sequence` went up → the last history
//! entry (`rescheduled`, or the status it moved to); a client gallery whose
//! `delivered_at` was just set → `gallery_delivered` (an email to the client, and the
//! SNS message); a booking's payment ledger that changed → each money event of the
//! change (`cm_payments::money_events`: a receipt, a refund, the balance reminder, a
//! failed balance charge; emails per `cm_notify::payment_recipients`, and one SNS
//! message each); anything else (REMOVE, a MODIFY that calendars need not see, an item
//! that is none of these) → nothing. One consumer handles both rather than a second function
//! on the same stream: every Lambda consumer of a stream shard reads from it, and more
//! than two per shard are throttled.
//!
//! Delivery is at least once, so each effect is claimed first (`cm_store::claims`), keyed
//! by booking, sequence and channel: a redelivered record finds its claims done and sends
//! nothing twice.
//!
//! Failures are reported per record (`ReportBatchItemFailures`). Lambda resumes a shard
//! from the lowest reported sequence number and redelivers everything after it, so:
//! - a failed record is reported, and every later record of the *same booking* in the
//!   batch is reported unprocessed: one booking's notifications never overtake each
//!   other;
//! - records of other bookings are still processed: their redelivery is absorbed by
//!   their claims, and they are never held back by someone else's failure;
//! - a poison record (an image that is not a booking, a booking whose people are gone)
//!   is reported like any failure rather than acknowledged: after the event source's
//!   retry limit it goes to its on-failure destination instead of vanishing. Retrying
//!   it cannot succeed, so MaximumRetryAttempts (and bisecting) bound how long it holds
//!   the shard.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::User;
use cm_app::App;
use cm_booking::booking::Booking;
use cm_chat::Notice;
use cm_core::UserId;
use cm_media::Gallery;
use cm_notify::{BookingEvent, Email, GalleryDelivery, Party, PaymentNotice, Role, SnsMessage, event_for, snapshot};
use cm_payments::{Ledger, MoneyEvent, money_events};
use cm_runtime::{ConfigError, env_var};
use cm_store::chat::ChatStore;
use cm_store::claims::{Once, OnceError, once};
use cm_store::notices::Inbox;
use cm_store::{BookingReader, Claims, DynamoStore, UserReader};
use lambda_runtime::{Error, LambdaEvent};
use serde::Deserialize;
use std::collections::HashSet;
use std::future::Future;

/// What the function needs besides the table.
#[derive(Debug, Clone)]
pub struct Config {
    /// `NOTIFY_FROM_EMAIL`: the verified SES identity mail is sent from.
    pub from_email: String,
    /// `PLATFORM_TOPIC_ARN`: where every booking change is published.
    pub topic_arn: String,
    /// `SMS_SENDER_ID` (optional): the alphanumeric sender of texts, where shown.
    pub sms_sender_id: Option<String>,
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let var = |name: &'static str| env_var(name).ok_or(ConfigError::Missing(name));
        let from_email = var("NOTIFY_FROM_EMAIL")?;
        if !from_email.contains('@') {
            return Err(ConfigError::Invalid("NOTIFY_FROM_EMAIL must be an email address".into()));
        }
        let topic_arn = var("PLATFORM_TOPIC_ARN")?;
        if !topic_arn.starts_with("arn:") {
            return Err(ConfigError::Invalid("PLATFORM_TOPIC_ARN must be an SNS topic ARN".into()));
        }
        let sms_sender_id = env_var("SMS_SENDER_ID")
            .map(|id| cm_sms::check_sender_id(id.trim()))
            .transpose()
            .map_err(ConfigError::Invalid)?;
        Ok(Config { from_email, topic_arn, sms_sender_id })
    }
}

/// Configuration and clients, built once per cold start.
#[derive(Debug)]
pub struct Notifier<S> {
    pub app: App<S>,
    /// The chat table, where in-app notices are kept.
    pub inbox: ChatStore,
    sdk: aws_config::SdkConfig,
    /// SES and SNS, built by the first record that sends anything rather than at init:
    /// a client costs about a million instructions to build (its endpoint rules), which
    /// put this function's init at 1.12x of the floor's with them, 1.0x without.
    senders: std::sync::OnceLock<Senders>,
    config: Config,
}

#[derive(Debug)]
struct Senders {
    mail: cm_mail::Mailer,
    sns: aws_sdk_sns::Client,
    texter: cm_sms::Texter,
}

/// What the notifier touches: the booking's people, the booking a payment is for, and
/// the claims that make each message go out once.
pub trait NotifierStore: UserReader + BookingReader + Claims {}
impl<S: UserReader + BookingReader + Claims> NotifierStore for S {}

impl<S> Notifier<S> {
    pub fn new(app: App<S>, inbox: ChatStore, sdk: &aws_config::SdkConfig, config: Config) -> Notifier<S> {
        Notifier { app, inbox, sdk: sdk.clone(), senders: std::sync::OnceLock::new(), config }
    }

    fn senders(&self) -> &Senders {
        self.senders.get_or_init(|| {
            let sns = aws_sdk_sns::Client::new(&self.sdk);
            Senders {
                mail: cm_mail::Mailer::new(&self.sdk, self.config.from_email.clone()),
                texter: cm_sms::Texter::with_client(sns.clone(), self.config.sms_sender_id.clone()),
                sns,
            }
        })
    }

    /// The right-hand side of every Message-ID: the sender's domain.
    fn mail_domain(&self) -> &str {
        cm_mail::domain_of(&self.config.from_email)
    }
}

impl Notifier<DynamoStore> {
    /// `TABLE_NAME`, `CHAT_TABLE_NAME`, `NOTIFY_FROM_EMAIL`, `PLATFORM_TOPIC_ARN`; AWS
    /// endpoints and credentials from the standard SDK environment.
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, Error> {
        let config = Config::from_env()?;
        Ok(Notifier::new(App::new(env.store()?), env.chat_store()?, &env.sdk, config))
    }
}

/// Why a record could not be fully handled. All are reported as batch item failures;
/// the kinds only make the logs tell retryable from hopeless.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The record itself is unusable; a retry cannot help.
    #[error("poison record: {0}")]
    Poison(String),
    /// Another invocation holds the claim on one of this record's effects.
    #[error("{key} is claimed by another invocation until {until}")]
    Busy { key: String, until: DateTime<Utc> },
    /// A dependency failed; a retry may succeed.
    #[error("{0}")]
    Failed(String),
}

impl RecordError {
    fn kind(&self) -> &'static str {
        match self {
            RecordError::Poison(_) => "poison",
            RecordError::Busy { .. } => "busy",
            RecordError::Failed(_) => "failed",
        }
    }
}

/// What a stream record means for notifications.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Notify {
        event: BookingEvent,
        booking: Box<Booking>,
    },
    GalleryDelivered(Box<Gallery>),
    /// A payment ledger changed in ways people hear about (in the ledger's order).
    Money {
        events: Vec<MoneyEvent>,
        ledger: Box<Ledger>,
    },
    Ignore(&'static str),
}

/// A ledger record: the money events between its old and new image.
fn classify_ledger(insert: bool, record: &EventRecord) -> Result<Change, RecordError> {
    let new: Ledger = serde_dynamo::from_item(record.change.new_image.clone())
        .map_err(|e| RecordError::Poison(format!("NewImage is not a payment ledger: {e}")))?;
    let old: Option<Ledger> = if insert {
        None
    } else {
        Some(
            serde_dynamo::from_item(record.change.old_image.clone())
                .map_err(|e| RecordError::Poison(format!("OldImage is not a payment ledger: {e}")))?,
        )
    };
    let events = money_events(old.as_ref(), &new);
    if events.is_empty() {
        return Ok(Change::Ignore("no money event in this ledger change"));
    }
    Ok(Change::Money { events, ledger: Box::new(new) })
}

/// A gallery record: delivered by this change, or nothing to say.
fn classify_gallery(insert: bool, record: &EventRecord) -> Result<Change, RecordError> {
    let gallery: Gallery = serde_dynamo::from_item(record.change.new_image.clone())
        .map_err(|e| RecordError::Poison(format!("NewImage is not a gallery: {e}")))?;
    if gallery.delivered_at.is_none() {
        return Ok(Change::Ignore("gallery not delivered"));
    }
    let was_delivered = !insert
        && record
            .change
            .old_image
            .get("delivered_at")
            .is_some_and(|v| !matches!(v, serde_dynamo::AttributeValue::Null(_)));
    if was_delivered {
        return Ok(Change::Ignore("gallery delivered earlier"));
    }
    Ok(Change::GalleryDelivered(Box::new(gallery)))
}

/// Reads a stream record: which booking event it is, if any. Pure.
pub fn classify(record: &EventRecord) -> Result<Change, RecordError> {
    let insert = match record.event_name.as_str() {
        "INSERT" => true,
        "MODIFY" => false,
        "REMOVE" => return Ok(Change::Ignore("removal")),
        _ => return Ok(Change::Ignore("unknown event name")),
    };
    let new = &record.change.new_image;
    if new.is_empty() {
        return Err(RecordError::Poison("no NewImage: the stream must carry NEW_AND_OLD_IMAGES".into()));
    }
    match new.get("entity") {
        Some(serde_dynamo::AttributeValue::S(e)) if e == "booking" => {}
        Some(serde_dynamo::AttributeValue::S(e)) if e == "gallery" => return classify_gallery(insert, record),
        Some(serde_dynamo::AttributeValue::S(e)) if e == "payments" => return classify_ledger(insert, record),
        // The event source filters on these entities; anything else is not ours.
        _ => return Ok(Change::Ignore("not a booking")),
    }
    let booking: Booking = serde_dynamo::from_item(new.clone())
        .map_err(|e| RecordError::Poison(format!("NewImage is not a booking: {e}")))?;
    let old_sequence = if insert {
        None
    } else {
        #[derive(Deserialize)]
        struct Sequence {
            sequence: u32,
        }
        let old: Sequence = serde_dynamo::from_item(record.change.old_image.clone())
            .map_err(|e| RecordError::Poison(format!("OldImage has no booking sequence: {e}")))?;
        Some(old.sequence)
    };
    Ok(match event_for(&booking, old_sequence) {
        Some(event) => Change::Notify { event, booking: Box::new(booking) },
        None => Change::Ignore("no change calendars need to see"),
    })
}

/// A claim must outlive the invocation holding it (so nobody else sends while it might
/// still be sending) but not by much (so a retry after a timeout is not held up).
const LEASE_MARGIN: TimeDelta = TimeDelta::seconds(5);
const MAX_INVOCATION: TimeDelta = TimeDelta::minutes(15);
const DEFAULT_LEASE: TimeDelta = TimeDelta::seconds(60);

/// How long claims taken by this invocation last: until its deadline, plus a margin.
#[derive(Debug, Clone, Copy)]
struct Lease {
    deadline: Option<DateTime<Utc>>,
}

impl Lease {
    fn of(ctx: &lambda_runtime::Context) -> Lease {
        let deadline = i64::try_from(ctx.deadline).ok().filter(|ms| *ms > 0).and_then(DateTime::from_timestamp_millis);
        Lease { deadline }
    }

    fn starting(self, now: DateTime<Utc>) -> TimeDelta {
        match self.deadline {
            Some(deadline) => (deadline - now).clamp(TimeDelta::zero(), MAX_INVOCATION) + LEASE_MARGIN,
            // No deadline (local runs): as long as a generous invocation.
            None => DEFAULT_LEASE,
        }
    }
}

pub async fn handle<S: NotifierStore>(
    n: &Notifier<S>,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, Error> {
    let lease = Lease::of(&event.context);
    let mut response = DynamoDbEventResponse::default();
    // Bookings with a failed record earlier in this batch: their later records wait for
    // the redelivery so they stay in order.
    let mut held: HashSet<String> = HashSet::new();
    for record in &event.payload.records {
        let sequence_number = record.change.sequence_number.clone().filter(|s| !s.is_empty());
        let booking_key = partition_key(record);
        let outcome = match &booking_key {
            Some(k) if held.contains(k) => Err(None),
            _ => process(n, record, lease).await.map_err(Some),
        };
        let Err(cause) = outcome else { continue };
        match &cause {
            Some(e) => tracing::error!(
                event_id = %record.event_id,
                sequence_number = sequence_number.as_deref().unwrap_or_default(),
                kind = e.kind(),
                error = %e,
                "record failed"
            ),
            None => tracing::warn!(
                event_id = %record.event_id,
                sequence_number = sequence_number.as_deref().unwrap_or_default(),
                "record held back behind an earlier failure of the same booking"
            ),
        }
        if let Some(k) = booking_key {
            held.insert(k);
        }
        match sequence_number {
            Some(seq) => {
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = Some(seq);
                response.batch_item_failures.push(failure);
            }
            // Cannot point at the record: fail the whole batch (Lambda retries it; the
            // claims make the records that succeeded a no-op the second time).
            None => return Err(format!("record {} failed and has no sequence number", record.event_id).into()),
        }
    }
    Ok(response)
}

fn partition_key(record: &EventRecord) -> Option<String> {
    match record.change.keys.get("pk") {
        Some(serde_dynamo::AttributeValue::S(pk)) => Some(pk.clone()),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Tally {
    sent: usize,
    already_sent: usize,
    opted_out: usize,
    /// In-app notices kept now (a redelivery keeps none).
    kept: usize,
}

async fn process<S: NotifierStore>(n: &Notifier<S>, record: &EventRecord, lease: Lease) -> Result<(), RecordError> {
    let (event, booking) = match classify(record)? {
        Change::Notify { event, booking } => (event, booking),
        Change::GalleryDelivered(gallery) => {
            let tally = notify_gallery(n, &gallery, lease).await?;
            tracing::info!(
                booking_id = %gallery.booking,
                event = "gallery_delivered",
                sent = tally.sent,
                already_sent = tally.already_sent,
                opted_out = tally.opted_out,
                kept = tally.kept,
                "gallery delivery notified"
            );
            return Ok(());
        }
        Change::Money { events, ledger } => {
            let tally = notify_money(n, &events, &ledger, lease).await?;
            tracing::info!(
                booking_id = %ledger.booking_id,
                version = ledger.version,
                events = ?events.iter().map(MoneyEvent::name).collect::<Vec<_>>(),
                sent = tally.sent,
                already_sent = tally.already_sent,
                opted_out = tally.opted_out,
                kept = tally.kept,
                "payment change notified"
            );
            return Ok(());
        }
        Change::Ignore(why) => {
            tracing::debug!(event_id = %record.event_id, why, "nothing to notify");
            return Ok(());
        }
    };
    let tally = notify(n, event, &booking, lease).await?;
    tracing::info!(
        booking_id = %booking.id,
        sequence = booking.sequence,
        event = event.as_str(),
        sent = tally.sent,
        already_sent = tally.already_sent,
        opted_out = tally.opted_out,
        kept = tally.kept,
        "booking change notified"
    );
    Ok(())
}

/// Every channel is tried even when another fails, so one bad address does not hold
/// back the rest; the record then fails with the first error and its retry only redoes
/// what is not done yet.
async fn notify<S: NotifierStore>(
    n: &Notifier<S>,
    event: BookingEvent,
    booking: &Booking,
    lease: Lease,
) -> Result<Tally, RecordError> {
    let snapshot = snapshot(booking);
    let (client, photographer) = tokio::try_join!(user(n, booking.client_id), user(n, booking.photographer_id))?;
    let mut tally = Tally::default();
    let mut first_error: Option<RecordError> = None;
    let mut note = |result: Result<bool, RecordError>, tally: &mut Tally| match result {
        Ok(true) => tally.sent += 1,
        Ok(false) => tally.already_sent += 1,
        Err(e) => {
            if first_error.is_none() {
                first_error = Some(e);
            }
        }
    };

    let message =
        cm_notify::sns_message(event, &snapshot, &booking.photographer_id.to_string(), &booking.client_id.to_string());
    let key = effect_key(booking, "sns");
    let published = once_per_change(n, &key, lease, || publish(n, &message)).await;
    // Counted with the change's one SNS message: a redelivery finds it sent and counts nothing.
    if let Ok(true) = published {
        cm_metrics::count("BookingTransitions", "Transition", event.as_str());
    }
    note(published, &mut tally);

    let parties = Parties::of(&client, &photographer);
    for &role in cm_notify::recipients(event) {
        let (to, other, wants_email) = parties.addressed(role);
        // DTSTAMP is the change's own time, so a retry renders the very same invite.
        let email = match cm_notify::render_email(event, &snapshot, to, other, booking.updated_at) {
            Ok(email) => email,
            Err(e) => {
                note(Err(RecordError::Poison(format!("rendering the {role} email: {e}"))), &mut tally);
                continue;
            }
        };
        let notice = Notice::new(
            role_user(role, booking.client_id, booking.photographer_id),
            &effect_key(booking, &format!("notice:{role}")),
            booking.updated_at,
            format!("booking_{}", event.as_str()),
            &email.subject,
            Some(booking.id),
        );
        match keep_notice(n, &notice).await {
            Ok(kept) => tally.kept += usize::from(kept),
            Err(e) => note(Err(e), &mut tally),
        }
        if !wants_email {
            tally.opted_out += 1;
            continue;
        }
        let key = effect_key(booking, &format!("email:{role}"));
        let message_id = message_id(booking, role, n.mail_domain());
        note(once_per_change(n, &key, lease, || send_email(n, &email, to, &message_id)).await, &mut tally);
    }
    if let Some(kind) = sms_event(event) {
        for role in cm_notify::sms_recipients(event, snapshot.cancelled_by) {
            let person = match role {
                Role::Client => &client,
                Role::Photographer => &photographer,
            };
            let (Some(phone), Some(text)) =
                (person.texts_for(kind), cm_notify::booking_sms(event, &snapshot, &person.timezone, role))
            else {
                continue;
            };
            let key = effect_key(booking, &format!("sms:{role}"));
            note(once_per_change(n, &key, lease, || text_to(n, phone, &text)).await, &mut tally);
        }
    }
    match first_error {
        None => Ok(tally),
        Some(e) => Err(e),
    }
}

/// The client's email and the SNS message for a delivered gallery, each once. A
/// gallery is delivered once, so its booking id names the change.
async fn notify_gallery<S: NotifierStore>(n: &Notifier<S>, g: &Gallery, lease: Lease) -> Result<Tally, RecordError> {
    let (client, photographer) = tokio::try_join!(user(n, g.client), user(n, g.photographer))?;
    let Some(delivered_at) = g.delivered_at else { return Ok(Tally::default()) };
    let delivery = GalleryDelivery {
        booking_id: g.booking.to_string(),
        ready_photos: g.ready,
        retention_days: g.retention_days,
        delivered_at,
    };
    let mut tally = Tally::default();
    let message = cm_notify::gallery_sns_message(&delivery, &g.photographer.to_string(), &g.client.to_string());
    let key = format!("notify:gallery:{}:delivered:sns", g.booking);
    let sns = once_per_change(n, &key, lease, || publish(n, &message)).await;
    let to = party(&client, Role::Client);
    let email = cm_notify::render_gallery_email(&delivery, &to, &party(&photographer, Role::Photographer))
        .map_err(|e| RecordError::Poison(format!("rendering the gallery email: {e}")))?;
    let notice = Notice::new(
        g.client,
        &format!("notify:gallery:{}:delivered:notice:client", g.booking),
        delivered_at,
        "gallery_delivered",
        &email.subject,
        Some(g.booking),
    );
    let kept = keep_notice(n, &notice).await;
    if let Ok(true) = kept {
        tally.kept += 1;
    }
    let email = if client.notification_preferences.email {
        let key = format!("notify:gallery:{}:delivered:email:client", g.booking);
        let message_id = format!("gallery-{}.delivered@{}", g.booking, n.mail_domain());
        Some(once_per_change(n, &key, lease, || send_email(n, &email, &to, &message_id)).await)
    } else {
        tally.opted_out += 1;
        None
    };
    kept?;
    // Both are tried before either failure is reported, as for bookings.
    for result in std::iter::once(sns).chain(email) {
        match result? {
            true => tally.sent += 1,
            false => tally.already_sent += 1,
        }
    }
    Ok(tally)
}

/// Each money event's SNS message and emails, each once (keyed by the event, which a
/// redelivered change repeats). Every effect is tried before the first failure is
/// reported, as for bookings.
async fn notify_money<S: NotifierStore>(
    n: &Notifier<S>,
    events: &[MoneyEvent],
    ledger: &Ledger,
    lease: Lease,
) -> Result<Tally, RecordError> {
    let booking = match n.app.store.get_booking(ledger.booking_id).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Err(RecordError::Poison(format!("the ledger's booking {} does not exist", ledger.booking_id)));
        }
        Err(e) => return Err(RecordError::Failed(format!("loading booking {}: {e}", ledger.booking_id))),
    };
    let snapshot = snapshot(&booking);
    let (client, photographer) = tokio::try_join!(user(n, ledger.client_id), user(n, ledger.photographer_id))?;
    let parties = Parties::of(&client, &photographer);
    let mut tally = Tally::default();
    let mut first_error: Option<RecordError> = None;
    for (i, event) in events.iter().enumerate() {
        let notice = PaymentNotice { event, booking: &snapshot, ledger };
        // One change may carry several events (two refunds at once); a millisecond apart
        // each, their notices keep the ledger's order (ids sort by instant first).
        let noticed_at = ledger.updated_at + TimeDelta::milliseconds(i64::try_from(i).unwrap_or(0));
        let base = format!("notify:payments:{}:{}", ledger.booking_id, event.key());
        let mut results = Vec::new();
        let message = cm_notify::payment_sns_message(notice);
        results.push(once_per_change(n, &format!("{base}:sns"), lease, || publish(n, &message)).await);
        for &role in cm_notify::payment_recipients(event) {
            let (to, other, wants_email) = parties.addressed(role);
            let email = match cm_notify::render_payment_email(notice, to, other) {
                Ok(email) => email,
                Err(e) => {
                    results.push(Err(RecordError::Poison(format!("rendering the {role} payment email: {e}"))));
                    continue;
                }
            };
            let in_app = Notice::new(
                role_user(role, ledger.client_id, ledger.photographer_id),
                &format!("{base}:notice:{role}"),
                noticed_at,
                event.name(),
                &email.subject,
                Some(ledger.booking_id),
            );
            match keep_notice(n, &in_app).await {
                Ok(kept) => tally.kept += usize::from(kept),
                Err(e) => results.push(Err(e)),
            }
            if !wants_email {
                tally.opted_out += 1;
                continue;
            }
            // Message-ID's local part allows letters, digits and a few symbols only.
            let local: String = event.key().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
            let message_id = format!("payment-{}.{local}.{role}@{}", ledger.booking_id, n.mail_domain());
            let key = format!("{base}:email:{role}");
            results.push(once_per_change(n, &key, lease, || send_email(n, &email, to, &message_id)).await);
        }
        for result in results {
            match result {
                Ok(true) => tally.sent += 1,
                Ok(false) => tally.already_sent += 1,
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e);
                    }
                }
            }
        }
    }
    match first_error {
        None => Ok(tally),
        Some(e) => Err(e),
    }
}

/// Keeps an in-app notice: `Ok(true)` when kept now, `Ok(false)` when an earlier
/// delivery did. Its id names the change, so no claim is needed: the write is
/// conditional on the notice not existing.
async fn keep_notice<S>(n: &Notifier<S>, notice: &Notice) -> Result<bool, RecordError> {
    n.inbox.add_notice(notice).await.map_err(|e| RecordError::Failed(format!("keeping the in-app notice: {e}")))
}

fn role_user(role: Role, client: UserId, photographer: UserId) -> UserId {
    match role {
        Role::Client => client,
        Role::Photographer => photographer,
    }
}

/// `notify:<booking>:<sequence>:<channel>`: one effect of one change.
fn effect_key(b: &Booking, channel: &str) -> String {
    format!("notify:{}:{}:{channel}", b.id, b.sequence)
}

/// Runs `effect` unless an earlier delivery did: `Ok(true)` when it ran now.
async fn once_per_change<S, F, Fut>(n: &Notifier<S>, key: &str, lease: Lease, effect: F) -> Result<bool, RecordError>
where
    S: NotifierStore,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), RecordError>>,
{
    match once(&n.app.store, n.app.clock.as_ref(), key, lease.starting(n.app.now()), effect).await {
        Ok(Once::Ran) => Ok(true),
        Ok(Once::AlreadyDone) => Ok(false),
        Err(OnceError::Busy { key, until }) => Err(RecordError::Busy { key, until }),
        Err(OnceError::Effect(e)) => Err(e),
        Err(e @ (OnceError::NotRecorded { .. } | OnceError::Store(_))) => Err(RecordError::Failed(e.to_string())),
    }
}

async fn user<S: UserReader>(n: &Notifier<S>, id: UserId) -> Result<User, RecordError> {
    match n.app.store.get_user(id).await {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(RecordError::Poison(format!("the booking's user {id} does not exist"))),
        Err(e) => Err(RecordError::Failed(format!("loading user {id}: {e}"))),
    }
}

/// A booking's two people as the emails address them, with their email preference.
struct Parties {
    client: (Party, bool),
    photographer: (Party, bool),
}

impl Parties {
    fn of(client: &User, photographer: &User) -> Parties {
        Parties {
            client: (party(client, Role::Client), client.notification_preferences.email),
            photographer: (party(photographer, Role::Photographer), photographer.notification_preferences.email),
        }
    }

    /// Who an email for `role` goes to, the other party, and whether they want email.
    fn addressed(&self, role: Role) -> (&Party, &Party, bool) {
        match role {
            Role::Client => (&self.client.0, &self.photographer.0, self.client.1),
            Role::Photographer => (&self.photographer.0, &self.client.0, self.photographer.1),
        }
    }
}

fn party(u: &User, role: Role) -> Party {
    Party { name: u.name.clone(), email: u.email.clone(), timezone: u.timezone.clone(), role }
}

async fn publish<S>(n: &Notifier<S>, m: &SnsMessage) -> Result<(), RecordError> {
    let mut req = n.senders().sns.publish().topic_arn(&n.config.topic_arn).subject(&m.subject).message(&m.message);
    for (name, value) in &m.attributes {
        let value = aws_sdk_sns::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .map_err(|e| RecordError::Failed(format!("SNS attribute {name}: {e}")))?;
        req = req.message_attributes(name, value);
    }
    req.send()
        .await
        .map_err(|e| RecordError::Failed(format!("SNS publish: {}", aws_sdk_sns::error::DisplayErrorContext(e))))?;
    Ok(())
}

/// The booking events people can be texted about.
fn sms_event(event: BookingEvent) -> Option<cm_accounts::SmsEvent> {
    match event {
        BookingEvent::Confirmed => Some(cm_accounts::SmsEvent::BookingConfirmed),
        BookingEvent::Cancelled => Some(cm_accounts::SmsEvent::BookingCancelled),
        _ => None,
    }
}

/// A number that opted out (STOP) is done with too: its claim is recorded, and a
/// redelivery does not ask again.
async fn text_to<S>(n: &Notifier<S>, phone: &str, text: &str) -> Result<(), RecordError> {
    n.senders().texter.send(phone, text).await.map(|_| ()).map_err(|e| RecordError::Failed(e.to_string()))
}

async fn send_email<S>(n: &Notifier<S>, email: &Email, to: &Party, message_id: &str) -> Result<(), RecordError> {
    n.senders().mail.send(email, to, message_id).await.map_err(|e| RecordError::Failed(e.to_string()))
}

/// A stable Message-ID per booking change and recipient: mail systems that see the same
/// id twice may collapse the copies.
fn message_id(b: &Booking, role: Role, domain: &str) -> String {
    format!("booking-{}.{}.{role}@{domain}", b.id, b.sequence)
}
