//! Scheduled (EventBridge, every 5 minutes): reminds both people of each confirmed
//! session ahead, at the offsets each of them chose (`notification_preferences.
//! reminder_hours`, by default 24 and 2 hours before): an email with the session's
//! calendar invite (for those who take email), an in-app notification (pushed live
//! by deliver-chat from the chat table's stream), and for the day-before reminder a
//! text message to those who turned texts on for reminders and verified their number.
//!
//! A run covers the time since the last run stopped (`cm_booking::reminders`): for each
//! offset the platform offers, the confirmed sessions whose reminder fell due in that
//! window, read from the bookings-by-start index (one Query per offset, never a Scan).
//! Exactly once per booking, offset, session time and person, however runs fall:
//! - consecutive windows meet without overlapping, so a reminder falls due in one run;
//! - a run that fails records nothing, and the next covers its window again; an
//!   overlapping or retried run meets the same reminders; every email is a claimed
//!   effect (`cm_store::claims`) and every notice a conditional write on an id derived
//!   from the reminder, so neither goes out twice;
//! - a run that is late still reminds of sessions ahead, never of one that began; a
//!   backlog older than six hours (the job was off) is dropped rather than mailed;
//! - a reschedule is a new session time, reminded afresh (the old time no longer is a
//!   booking's start); a cancelled or declined booking is no longer confirmed.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::User;
use cm_accounts::account::ReminderHours;
use cm_app::App;
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_booking::reminders::{Session, run_window, starts_due};
use cm_chat::Notice;
use cm_mail::Mailer;
use cm_notify::{Party, Role};
use cm_runtime::{ConfigError, env_var};
use cm_store::bookings::{BookingListQuery, Party as Of};
use cm_store::chat::ChatStore;
use cm_store::claims::{Once, OnceError, once};
use cm_store::notices::Inbox;
use cm_store::reminders::ReminderRuns;
use cm_store::{BookingReader, CalendarFeeds, Claims, DynamoStore, StoreError};
use lambda_runtime::{Error, LambdaEvent};
use serde::Serialize;

/// The schedule's period (template.yaml): a first run looks this far back.
pub const PERIOD: TimeDelta = TimeDelta::minutes(5);
/// How long a claimed email is held against other runs: far longer than a send.
const LEASE: TimeDelta = TimeDelta::minutes(2);
const PAGE: usize = 100;

pub struct Reminders<S> {
    pub app: App<S>,
    pub inbox: ChatStore,
    pub mail: Mailer,
    pub texter: cm_sms::Texter,
}

/// The reminder that also comes by text: the day before.
pub const TEXTED_HOURS: u32 = 24;

impl Reminders<DynamoStore> {
    /// `TABLE_NAME`, `CHAT_TABLE_NAME`, `NOTIFY_FROM_EMAIL`.
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, Error> {
        let from = env_var("NOTIFY_FROM_EMAIL").ok_or(ConfigError::Missing("NOTIFY_FROM_EMAIL"))?;
        if !from.contains('@') {
            return Err(ConfigError::Invalid("NOTIFY_FROM_EMAIL must be an email address".into()).into());
        }
        let texter = cm_sms::Texter::from_env(&env.sdk).map_err(ConfigError::Invalid)?;
        Ok(Reminders {
            app: App::new(env.store()?),
            inbox: env.chat_store()?,
            mail: Mailer::new(&env.sdk, from),
            texter,
        })
    }
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub from: Option<DateTime<Utc>>,
    pub through: Option<DateTime<Utc>>,
    /// Reminders (booking, offset) that fell due in the window.
    pub due: usize,
    pub emailed: usize,
    pub texted: usize,
    /// In-app notices kept now.
    pub noticed: usize,
    /// Already done by an earlier or overlapping run.
    pub already: usize,
    /// People who do not want this offset, or no email.
    pub skipped: usize,
    pub failed: usize,
}

pub trait ReminderStore: BookingReader + CalendarFeeds + Claims + ReminderRuns {}
impl<S: BookingReader + CalendarFeeds + Claims + ReminderRuns> ReminderStore for S {}

pub async fn handle<S: ReminderStore>(
    r: &Reminders<S>,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<Summary, Error> {
    let summary = run(r).await?;
    tracing::info!(
        due = summary.due,
        emailed = summary.emailed,
        texted = summary.texted,
        noticed = summary.noticed,
        already = summary.already,
        skipped = summary.skipped,
        failed = summary.failed,
        "reminders run"
    );
    if summary.failed > 0 {
        // Not recorded as done: the next run covers this window again, and the claims
        // keep what did go out from going out twice.
        return Err(format!("{} reminder(s) failed; the window stays open for the next run", summary.failed).into());
    }
    Ok(summary)
}

/// One run at the clock's now.
pub async fn run<S: ReminderStore>(r: &Reminders<S>) -> Result<Summary, StoreError> {
    let now = r.app.now();
    let last = r.app.store.reminders_through().await?;
    let (from, through) = run_window(last, now, PERIOD);
    let mut summary = Summary { from: Some(from), through: Some(through), ..Summary::default() };
    // One small Query per offset, all at once.
    let per_offset = futures::future::try_join_all(ReminderHours::OFFERED.map(|hours| async move {
        Ok::<_, StoreError>((hours, sessions_due(&r.app.store, from, through, hours).await?))
    }))
    .await?;
    let mut due: Vec<(Booking, u32)> = Vec::new();
    for (hours, bookings) in per_offset {
        for b in bookings {
            let session = Session { booking: b.id, status: b.status, start: b.start };
            if session.is_due(hours, from, through, now) {
                due.push((b, hours));
            }
        }
    }
    summary.due = due.len();
    let mut ids: Vec<_> = due.iter().flat_map(|(b, _)| [b.client_id, b.photographer_id]).collect();
    ids.sort();
    ids.dedup();
    let people = r.app.store.users_by_id(&ids).await?;
    for (b, hours) in &due {
        let (Some(client), Some(photographer)) = (people.get(&b.client_id), people.get(&b.photographer_id)) else {
            tracing::error!(booking_id = %b.id, "a booking's people are gone; no reminder");
            summary.failed += 1;
            continue;
        };
        for role in [Role::Client, Role::Photographer] {
            let (me, other) = match role {
                Role::Client => (client, photographer),
                Role::Photographer => (photographer, client),
            };
            remind(r, b, *hours, role, me, other, &mut summary).await;
        }
    }
    if summary.failed == 0 {
        r.app.store.set_reminders_through(through).await?;
    }
    Ok(summary)
}

/// Confirmed bookings starting in the window the offset maps the run's window to.
async fn sessions_due<S: BookingReader>(
    store: &S,
    from: DateTime<Utc>,
    through: DateTime<Utc>,
    hours: u32,
) -> Result<Vec<Booking>, StoreError> {
    let (lo, hi) = starts_due(from, through, hours);
    // The index range is [from, to) to the second; one second more takes in a start
    // exactly at the window's end, and `is_due` then keeps the exact (from, through].
    let q = BookingListQuery {
        party: Of::Everyone,
        status: Some(BookingStatus::Confirmed),
        from: Some(lo),
        to: Some(hi + TimeDelta::seconds(1)),
        limit: PAGE,
        descending: false,
    };
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_bookings(&q, after.as_ref()).await?;
        out.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

fn party(u: &User, role: Role) -> Party {
    Party { name: u.name.clone(), email: u.email.clone(), timezone: u.timezone.clone(), role }
}

/// One person's reminder: the notice, and the email if they take email. Failures are
/// counted, not returned: one person's bad address does not hold back the others.
async fn remind<S: ReminderStore>(
    r: &Reminders<S>,
    b: &Booking,
    hours: u32,
    role: Role,
    me: &User,
    other: &User,
    summary: &mut Summary,
) {
    let prefs = me.notification_preferences;
    if !prefs.reminder_hours.contains(hours) {
        summary.skipped += 1;
        return;
    }
    let session = Session { booking: b.id, status: b.status, start: b.start };
    let key = session.key(hours, role.as_str());
    let snapshot = cm_notify::snapshot(b);
    let (to, counterpart) = (party(me, role), party(other, role.counterpart()));
    // DTSTAMP is the reminder's due time, so every run renders the very same invite.
    let due_at = session.due_at(hours);
    let email = match cm_notify::render_reminder_email(&snapshot, &to, &counterpart, hours, due_at) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(booking_id = %b.id, hours, %role, error = %e, "reminder email cannot be rendered");
            summary.failed += 1;
            return;
        }
    };
    let notice = Notice::new(me.id, &key, due_at, "booking_reminder", &email.subject, Some(b.id));
    match r.inbox.add_notice(&notice).await {
        Ok(true) => summary.noticed += 1,
        Ok(false) => summary.already += 1,
        Err(e) => {
            tracing::error!(booking_id = %b.id, hours, %role, error = %e, "reminder notice not kept");
            summary.failed += 1;
        }
    }
    let texted_to = if hours == TEXTED_HOURS { me.texts_for(cm_accounts::SmsEvent::Reminder) } else { None };
    if let Some(phone) = texted_to {
        let text = cm_notify::reminder_sms(&snapshot, &me.timezone);
        let sent = once(&r.app.store, r.app.clock.as_ref(), &format!("{key}:sms"), LEASE, || async {
            r.texter.send(phone, &text).await.map(|_| ())
        })
        .await;
        match sent {
            Ok(Once::Ran) => summary.texted += 1,
            Ok(Once::AlreadyDone) | Err(OnceError::Busy { .. }) => summary.already += 1,
            Err(e) => {
                tracing::error!(booking_id = %b.id, hours, %role, error = %e, "reminder text not sent");
                summary.failed += 1;
            }
        }
    }
    if !prefs.email {
        summary.skipped += 1;
        return;
    }
    let message_id = format!("reminder-{}.{}.{hours}h.{role}@{}", b.id, b.start.timestamp(), r.mail.domain());
    let sent = once(&r.app.store, r.app.clock.as_ref(), &format!("{key}:email"), LEASE, || async {
        r.mail.send(&email, &to, &message_id).await
    })
    .await;
    match sent {
        Ok(Once::Ran) => summary.emailed += 1,
        Ok(Once::AlreadyDone) => summary.already += 1,
        // Another run is sending it right now.
        Err(OnceError::Busy { .. }) => summary.already += 1,
        Err(e) => {
            tracing::error!(booking_id = %b.id, hours, %role, error = %e, "reminder email not sent");
            summary.failed += 1;
        }
    }
}
