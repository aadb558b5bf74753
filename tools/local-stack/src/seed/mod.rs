//! Demo data, written through the project's own crates (cm-store, cm-accounts,
//! cm-catalog, cm-booking) rather than through the HTTP API, because:
//! - it is fast (one password hash for every account, no function invocations);
//! - bookings in the past (completed, expired, confirmed-but-over) can be written at
//!   all: the API rightly refuses to create bookings in the past, so past bookings are
//!   created and moved through their lifecycle here, each step checked by
//!   `cm_booking::transition` exactly as the functions check it;
//! - ids are deterministic, which makes seeding idempotent.
//!
//! Reviews are the exception: when template.yaml has `POST /bookings/{id}/review`,
//! they go through the API (see [`seed_reviews`]) so the stream-driven scoring and
//! rating updates run as they do in production. Without that route, ratings are
//! added with `Store::add_photographer_rating`. Portfolios too ([`photos`]): real
//! photos uploaded through the upload pipeline, when the template has its route.
//!
//! Besides the demo's own bookings, a year and more of booking history ([`history`])
//! on photographers and clients of its own, written the same way (so the stream
//! carries it to the analytics aggregates like any other change).
//!
//! Idempotent: accounts are looked up by email before creation, bookings are created
//! only where their id is free (the store's conditional put), and a
//! marker item written last makes a re-run on seeded data a single read.

pub mod catalog;
pub mod history;
pub mod photos;

use aws_sdk_dynamodb::types::AttributeValue;
use catalog::{CITIES, CLIENTS, City, DEMO_PASSWORD, HISTORY_CLIENTS, HISTORY_PHOTOGRAPHERS, PHOTOGRAPHERS, REVIEWS};
use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use cm_accounts::account::{NotificationPreferences, Role, User};
use cm_booking::analytics::{Contribution, Counter};
use cm_booking::booking::{Booking, HistoryAction, HistoryEntry};
use cm_booking::{Actor, Availability, AvailabilityDoc, BookingDuration, BookingStatus, TransitionContext};
use cm_catalog::photographer::{PhotographerProfile, PhotographerProfileInput, Specialization};
use cm_core::location::Location;
use cm_core::money::{Currency, Money};
use cm_core::{BookingId, UserId};
use cm_store::DynamoStore as Store;
use cm_store::bookings::BookingWriteError;
use cm_store::{AvailabilityWriter, BookingWriter, PhotographerReader, PhotographerWriter, UserReader, UserWriter};
use futures::StreamExt;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

const MARKER_PK: &str = "LOCAL#SEED";
const MARKER_SK: &str = "v1";

/// A review to leave through the API once the functions are up.
#[derive(Debug, Clone)]
pub struct ReviewTask {
    pub booking: BookingId,
    pub client_email: String,
    pub stars: u8,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Report {
    pub already_seeded: bool,
    pub users: usize,
    pub photographers: usize,
    pub bookings_created: usize,
    pub reviews: Vec<ReviewTask>,
    /// Bookings of the history written by this run, and how long that took.
    pub history_bookings: usize,
    pub history_seconds: f64,
    /// What this run's bookings must add to the analytics once the stream has carried
    /// them to aggregate-activity (`None` when nothing was seeded).
    pub expected: Option<Expected>,
}

/// The booking counters the analytics must show for the days `from..=to` once every
/// change this run wrote has gone through the table's stream: the sum of
/// `cm_booking::analytics::contribution` over those changes, the function
/// aggregate-activity applies to each. Today is left out: changes of today go on
/// after seeding (the smoke journey's own bookings among them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expected {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub totals: BTreeMap<String, i64>,
}

/// The counters [`Expected`] adds up: the report's funnel.
pub const EXPECTED_COUNTERS: [Counter; 6] = [
    Counter::Requested,
    Counter::Confirmed,
    Counter::Declined,
    Counter::Cancelled,
    Counter::Expired,
    Counter::Completed,
];

impl Expected {
    fn new(from: NaiveDate, to: NaiveDate) -> Expected {
        Expected { from, to, totals: EXPECTED_COUNTERS.iter().map(|c| (c.name().into_owned(), 0)).collect() }
    }

    fn add(&mut self, c: &Contribution) {
        if c.day < self.from || c.day > self.to {
            return;
        }
        for (counter, n) in &c.deltas {
            if EXPECTED_COUNTERS.contains(counter) {
                *self.totals.entry(counter.name().into_owned()).or_insert(0) += n;
            }
        }
    }
}

/// How long lock blocks outlive their time before DynamoDB's TTL removes them
/// (cm_store's `SLOT_RETENTION_DAYS`, private to its bookings module).
const LOCKS_EXPIRE_AFTER_DAYS: i64 = 7;

/// Bookings written at once; each booking's own changes still go in order. DynamoDB
/// Local's CPU is the bound, not the round trips (measured on two cores: 22 s of its
/// CPU for the history against 8 s of ours).
const WRITERS: usize = 8;

pub async fn is_seeded(store: &Store) -> Result<bool, String> {
    let out = store
        .client()
        .get_item()
        .table_name(store.table())
        .key("pk", AttributeValue::S(MARKER_PK.into()))
        .key("sk", AttributeValue::S(MARKER_SK.into()))
        .send()
        .await
        .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())?;
    Ok(out.item.is_some())
}

pub async fn mark_seeded(store: &Store) -> Result<(), String> {
    store
        .client()
        .put_item()
        .table_name(store.table())
        .item("pk", AttributeValue::S(MARKER_PK.into()))
        .item("sk", AttributeValue::S(MARKER_SK.into()))
        .item("entity", AttributeValue::S("local_seed_marker".into()))
        .item("seeded_at", AttributeValue::S(Utc::now().to_rfc3339()))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
}

/// Accounts, profiles, availability and bookings. `reviews_via_api`: leave ratings to
/// the returned review tasks instead of adding them here.
pub async fn seed(store: &Store, reviews_via_api: bool) -> Result<Report, String> {
    if is_seeded(store).await? {
        return Ok(Report { already_seeded: true, ..Report::default() });
    }
    let now = Utc::now();
    let mut report = Report::default();
    let mut accounts = Accounts { store, hash: None, now };
    let today = now.date_naive();
    let mut expected = Expected::new(
        today.checked_sub_days(Days::new(history::window_days()?)).unwrap_or(today),
        today.pred_opt().unwrap_or(today),
    );

    accounts.ensure(catalog::ADMIN_EMAIL, catalog::ADMIN_NAME, Role::Admin, "UTC", None).await?;
    let mut clients = Vec::new();
    for c in CLIENTS {
        let id = accounts.ensure(c.email, c.name, Role::Client, c.tz, c.phone).await?;
        clients.push((id, c.email, c.tz));
    }
    report.users = 1 + CLIENTS.len() + PHOTOGRAPHERS.len();

    for (i, p) in PHOTOGRAPHERS.iter().enumerate() {
        let city = &CITIES[p.city];
        let email = catalog::photographer_email(p.name);
        let id = accounts.ensure(&email, p.name, Role::Photographer, city.tz, None).await?;
        let profile = profile(p, city)?;
        let existing = store.get_photographer(id).await.map_err(|e| e.to_string())?;
        if existing.as_ref().is_none_or(|r| r.profile != profile) {
            store
                .put_photographer_profile(id, &profile, true, now)
                .await
                .map_err(|e| format!("profile of {email}: {e:?}"))?;
        }
        let doc = availability(i, city, now)?;
        let availability = Availability::try_from(doc.clone()).map_err(|e| format!("availability of {email}: {e}"))?;
        store.put_availability(id, &doc, now).await.map_err(|e| e.to_string())?;
        report.photographers += 1;

        let who = Party { id, email: email.clone(), profile, availability, city };
        for plan in booking_plans(i, now, who.availability.timezone()) {
            let (client_id, client_email, _) = clients[plan.client % clients.len()];
            let created = write_booking(store, &who, client_id, &plan, i).await?;
            let Some((booking, contributions)) = created else { continue };
            contributions.iter().for_each(|c| expected.add(c));
            report.bookings_created += 1;
            if let Some((stars, text)) = plan.review {
                if reviews_via_api {
                    report.reviews.push(ReviewTask {
                        booking: booking.id,
                        client_email: client_email.to_string(),
                        stars,
                        text: text.to_string(),
                    });
                } else {
                    store.add_photographer_rating(id, stars, now).await.map_err(|e| format!("rating: {e:?}"))?;
                }
            }
        }
    }
    // A stack that only checks the API's contract does without the year of history:
    // carrying it through the stream would compete with the run for the machine.
    if std::env::var("SEED_HISTORY").as_deref() == Ok("0") {
        return Ok(report);
    }
    let started = std::time::Instant::now();
    report.history_bookings = seed_history(store, &mut accounts, now, &mut expected).await?;
    report.history_seconds = started.elapsed().as_secs_f64();
    report.bookings_created += report.history_bookings;
    report.users += HISTORY_CLIENTS.len() + HISTORY_PHOTOGRAPHERS.len();
    report.photographers += HISTORY_PHOTOGRAPHERS.len();
    report.expected = Some(expected);
    Ok(report)
}

/// The history's photographers, clients and bookings ([`history`]); returns how many
/// bookings it wrote.
async fn seed_history(
    store: &Store,
    accounts: &mut Accounts<'_>,
    now: DateTime<Utc>,
    expected: &mut Expected,
) -> Result<usize, String> {
    let mut clients: Vec<(UserId, &str)> = Vec::new();
    for c in HISTORY_CLIENTS {
        clients.push((accounts.ensure(c.email, c.name, Role::Client, c.tz, c.phone).await?, c.tz));
    }
    let availability = history::availabilities()?;
    let mut parties = Vec::new();
    for (i, p) in HISTORY_PHOTOGRAPHERS.iter().enumerate() {
        let city = &CITIES[p.city];
        let email = catalog::photographer_email(p.name);
        let id = accounts.ensure(&email, p.name, Role::Photographer, city.tz, None).await?;
        let profile = profile(p, city)?;
        let existing = store.get_photographer(id).await.map_err(|e| e.to_string())?;
        if existing.as_ref().is_none_or(|r| r.profile != profile) {
            store
                .put_photographer_profile(id, &profile, true, now)
                .await
                .map_err(|e| format!("profile of {email}: {e:?}"))?;
        }
        store.put_availability(id, &history::availability_doc(i)?, now).await.map_err(|e| e.to_string())?;
        parties.push(Party { id, email, profile, availability: availability[i].clone(), city });
    }
    let last = expected.to;
    let mut planned = Vec::new();
    for r in history::plan(last)? {
        if r.requested_at.date_naive() < expected.from || r.requested_at >= now {
            continue;
        }
        let segment = &history::SEGMENTS[r.segment];
        let zone = CITIES[segment.city].tz;
        let pool: Vec<UserId> = clients.iter().filter(|(_, tz)| *tz == zone).map(|(id, _)| *id).collect();
        let client = *pool.get(r.client as usize % pool.len().max(1)).ok_or(format!("no history client in {zone}"))?;
        let who = &parties[r.photographer];
        let plan = Plan {
            key: r.key.clone(),
            client: 0,
            start: r.start,
            minutes: r.minutes,
            package: Some(r.package),
            requested_at: r.requested_at,
            steps: r.steps(now, who.availability.cancellation_window()),
            review: None,
            event_type: Some(segment.specialization),
            // No coordinates: nothing checks travel between past sessions, and a place
            // is kept on three day items, three more writes for every booking.
            located: false,
            // A session that ended more than a week ago is written without its lock
            // blocks: in production they expire (TTL) a week after their time, and the
            // booking itself lists none once it is completed, declined, cancelled or
            // expired, so the table would hold no trace of them. Writing them would be
            // most of the seed's writes (a block per quarter hour), kept for good by
            // DynamoDB Local. Sessions still ahead, or just over, take theirs as any
            // booking does. No two sessions overlap either way (history::plan).
            locks: r.end() + TimeDelta::days(LOCKS_EXPIRE_AFTER_DAYS) > now,
            notes: "Seeded history booking",
        };
        planned.push((r.photographer, client, plan));
    }
    // Collected first: a lazy map's closure in the stream makes the future's type
    // higher-ranked, which the stack's spawned tasks (Send) cannot take.
    let mut writes = Vec::new();
    for (who, client, plan) in &planned {
        writes.push(write_booking(store, &parties[*who], *client, plan, *who));
    }
    let written: Vec<_> = futures::stream::iter(writes).buffer_unordered(WRITERS).collect().await;
    let mut n = 0;
    for w in written {
        if let Some((_, contributions)) = w? {
            contributions.iter().for_each(|c| expected.add(c));
            n += 1;
        }
    }
    Ok(n)
}

struct Accounts<'a> {
    store: &'a Store,
    /// One Argon2 hash shared by every demo account: hashing is deliberately slow, and
    /// they all share one (local, published) password anyway.
    hash: Option<String>,
    now: DateTime<Utc>,
}

impl Accounts<'_> {
    async fn ensure(
        &mut self,
        email: &str,
        name: &str,
        role: Role,
        tz: &str,
        phone: Option<&str>,
    ) -> Result<UserId, String> {
        let normalized = email.to_lowercase();
        if let Some(u) = self.store.find_user_by_email(&normalized).await.map_err(|e| e.to_string())? {
            return Ok(u.id);
        }
        let hash = match &self.hash {
            Some(h) => h.clone(),
            None => {
                let h = cm_accounts::password::hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
                self.hash = Some(h.clone());
                h
            }
        };
        let user = User {
            id: UserId::new(),
            email: email.to_string(),
            name: name.to_string(),
            role,
            phone: phone.map(String::from),
            // Demo numbers, marked verified so that turning texts on shows them in
            // the local SNS (moto, which delivers nothing).
            phone_verified_at: phone.map(|_| self.now),
            timezone: tz.to_string(),
            notification_preferences: NotificationPreferences::default(),
            active: true,
            password_hash: hash,
            sessions_valid_after: None,
            created_at: self.now,
            updated_at: self.now,
        };
        match self.store.create_user(&user, &normalized).await {
            Ok(()) => Ok(user.id),
            // Someone (a concurrent run) created it meanwhile: use theirs.
            Err(cm_store::users::CreateUserError::EmailTaken) => self
                .store
                .find_user_by_email(&normalized)
                .await
                .map_err(|e| e.to_string())?
                .map(|u| u.id)
                .ok_or(format!("{email} is taken but cannot be read")),
            Err(cm_store::users::CreateUserError::Store(e)) => Err(e.to_string()),
        }
    }
}

fn money(amount_minor: i64, currency: &str) -> Result<Money, String> {
    Ok(Money { amount_minor, currency: Currency::try_from(currency.to_string())? })
}

/// Built as the API's own input and validated by the domain, so seeded profiles are
/// exactly what `PUT /photographers/me` would accept.
fn profile(p: &catalog::Photographer, city: &City) -> Result<PhotographerProfile, String> {
    let rate = city.rate_minor * p.rate_percent / 100;
    let price = |r: i64| json!({"amount_minor": r, "currency": city.currency});
    let mut packages = vec![
        json!({"id": "essentials", "name": "Essentials (1 hour)", "duration_minutes": 60, "price": price(rate)}),
        json!({"id": "signature", "name": "Signature (3 hours)", "duration_minutes": 180, "price": price(rate * 27 / 10)}),
    ];
    if p.specializations.contains(&cm_catalog::Specialization::Wedding) {
        packages.push(
            json!({"id": "full-day", "name": "Full day (8 hours)", "duration_minutes": 480, "price": price(rate * 7)}),
        );
    }
    let slug = catalog::photographer_email(p.name).split('@').next().unwrap_or_default().replace('.', "-");
    let input = json!({
        "display_name": p.name,
        "bio": p.bio,
        "specializations": p.specializations.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "city": city.name,
        "country": city.country,
        "lat": city.lat,
        "lon": city.lon,
        "service_radius_km": 40,
        "years_experience": p.years,
        "hourly_rate": price(rate),
        "packages": packages,
        "portfolio_links": [format!("https://portfolio.capturemoments.test/{slug}")],
        "languages": city.languages,
    });
    serde_json::from_value::<PhotographerProfileInput>(input)
        .map_err(|e| e.to_string())?
        .validate()
        .map_err(|e| format!("profile of {}: {e:?}", p.name))
}

/// Three weekly patterns, buffers, notice, limits, one closed day, one special day and
/// a few days off, varied by photographer.
fn availability(i: usize, city: &City, now: DateTime<Utc>) -> Result<AvailabilityDoc, String> {
    let tz: Tz = city.tz.parse().map_err(|_| format!("bad zone {}", city.tz))?;
    let today = now.with_timezone(&tz).date_naive();
    let day = |d: u64| today.checked_add_days(Days::new(d)).unwrap_or(today);
    let iv = |a: &str, b: &str| json!({"start": a, "end": b});
    let weekly = match i % 3 {
        0 => json!({"mon": [iv("09:00", "18:00")], "tue": [iv("09:00", "18:00")], "wed": [iv("09:00", "18:00")],
                    "thu": [iv("09:00", "18:00")], "fri": [iv("09:00", "18:00")], "sat": [iv("10:00", "16:00")]}),
        1 => json!({"tue": [iv("10:00", "19:00")], "wed": [iv("10:00", "19:00")], "thu": [iv("10:00", "19:00")],
                    "fri": [iv("10:00", "19:00")], "sat": [iv("10:00", "19:00")], "sun": [iv("08:00", "12:00")]}),
        _ => {
            let split = json!([iv("07:00", "11:00"), iv("15:00", "21:00")]);
            json!({"mon": split, "tue": split, "wed": split, "thu": split, "fri": split, "sat": split, "sun": split})
        }
    };
    let off_start = tz.from_local_datetime(&day(21).and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
    let off_end = tz.from_local_datetime(&day(24).and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
    let time_off = match (off_start, off_end) {
        (Some(a), Some(b)) => json!([{"start": a.to_rfc3339(), "end": b.to_rfc3339()}]),
        _ => json!([]),
    };
    let (before, after, notice) = ([0, 15, 30][i % 3], [15, 30, 0][i % 3], [1440, 720, 2880][i % 3]);
    let (per_day, step, window) = ([None, Some(3), Some(2)][i % 3], [30, 60, 30][i % 3], [48, 24, 72][i % 3]);
    let doc = json!({
        "timezone": city.tz,
        "weekly": weekly,
        "overrides": [
            {"date": day(7).to_string(), "intervals": []},
            {"date": day(10).to_string(), "intervals": [iv("12:00", "20:00")]},
        ],
        "time_off": time_off,
        "buffer_before_minutes": before,
        "buffer_after_minutes": after,
        "min_notice_minutes": notice,
        "max_days_ahead": 180,
        "max_bookings_per_day": per_day,
        "slot_step_minutes": step,
        "cancellation_window_hours": window,
    });
    serde_json::from_value(doc).map_err(|e| e.to_string())
}

struct Party<'a> {
    id: UserId,
    email: String,
    profile: PhotographerProfile,
    availability: Availability,
    city: &'a City,
}

/// One seeded booking: when, for how long, and what happens to it.
struct Plan {
    key: String,
    client: usize,
    start: DateTime<Utc>,
    minutes: u32,
    package: Option<&'static str>,
    requested_at: DateTime<Utc>,
    steps: Vec<(BookingStatus, Actor, DateTime<Utc>, Option<&'static str>)>,
    review: Option<(u8, &'static str)>,
    /// The kind of session; the photographer's first specialization if `None`.
    event_type: Option<Specialization>,
    /// Whether the location has the city's coordinates.
    located: bool,
    /// Whether the booking takes its lock blocks (see [`seed_history`]).
    locks: bool,
    notes: &'static str,
}

impl Plan {
    /// The demo bookings' defaults for what varies only in the history.
    fn demo() -> Plan {
        Plan {
            key: String::new(),
            client: 0,
            start: DateTime::<Utc>::MIN_UTC,
            minutes: 60,
            package: None,
            requested_at: DateTime::<Utc>::MIN_UTC,
            steps: Vec::new(),
            review: None,
            event_type: None,
            located: true,
            locks: true,
            notes: "Seeded demo booking",
        }
    }
}

fn at_local(tz: Tz, date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0)
        .and_then(|t| tz.from_local_datetime(&t).earliest())
        .map_or_else(|| date.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc(), |t| t.with_timezone(&Utc))
}

/// Every status appears; each photographer's bookings fall on distinct days, so no two
/// of them compete for a lock block.
fn booking_plans(i: usize, now: DateTime<Utc>, tz: Tz) -> Vec<Plan> {
    use BookingStatus::*;
    let today = now.with_timezone(&tz).date_naive();
    let day = |offset: i64| today.checked_add_signed(TimeDelta::days(offset)).unwrap_or(today);
    let h = |n: i64| TimeDelta::hours(n);
    let review = |n: usize| Some(REVIEWS[n % REVIEWS.len()]);
    let mut plans = Vec::new();
    for (n, (offset, hour, minutes, package)) in
        [(-7 - (i % 20) as i64, 10, 180, Some("signature")), (-30 - (i % 15) as i64, 14, 60, None)]
            .into_iter()
            .enumerate()
    {
        let start = at_local(tz, day(offset), hour);
        let end = start + TimeDelta::minutes(i64::from(minutes));
        let requested_at = start - TimeDelta::days(10);
        plans.push(Plan {
            key: format!("completed-{n}"),
            client: i + n,
            start,
            minutes,
            package,
            requested_at,
            steps: vec![
                (Confirmed, Actor::Photographer, requested_at + h(5), None),
                (Completed, Actor::Photographer, end + h(2), None),
            ],
            review: review(i * 2 + n),
            ..Plan::demo()
        });
    }
    let future = |offset: i64, hour: u32| at_local(tz, day(offset), hour);
    let extra = match i % 5 {
        _ if i >= 10 => None,
        0 => Some(("pending", future(3 + (i % 4) as i64, 11), now - h(2), vec![])),
        1 => Some(("confirmed", future(5, 15), now - h(24), vec![(Confirmed, Actor::Photographer, now - h(20), None)])),
        2 => Some((
            "declined",
            future(6, 10),
            now - h(72),
            vec![(Declined, Actor::Photographer, now - h(48), Some("Fully booked that weekend, sorry!"))],
        )),
        3 => Some((
            "cancelled",
            future(8, 10),
            now - h(96),
            vec![(Cancelled, Actor::Client, now - h(24), Some("Our plans changed."))],
        )),
        _ => {
            let start = future(-3, 10);
            let requested = start - TimeDelta::days(5);
            Some(("expired", start, requested, vec![(Expired, Actor::System, requested + h(49), None)]))
        }
    };
    if let Some((key, start, requested_at, steps)) = extra {
        plans.push(Plan {
            key: key.into(),
            client: i + 2,
            start,
            minutes: 120,
            package: None,
            requested_at,
            steps,
            review: None,
            ..Plan::demo()
        });
    }
    if i == 1 {
        // Pending and past its expiry: the next expire-bookings run (or
        // `scripts/fire-schedule expire-bookings`) expires it.
        plans.push(Plan {
            key: "overdue".into(),
            client: 4,
            start: future(2, 16),
            minutes: 60,
            package: None,
            requested_at: now - h(72),
            steps: vec![],
            review: None,
            ..Plan::demo()
        });
    }
    if i == 0 {
        // Confirmed sessions that are over: the demo photographer can complete them
        // and the demo client review them (the smoke journey does).
        for d in 1..=5 {
            let start = at_local(tz, day(-d), 9);
            let requested_at = start - TimeDelta::days(14);
            plans.push(Plan {
                key: format!("to-complete-{d}"),
                client: 0,
                start,
                minutes: 60,
                package: Some("essentials"),
                requested_at,
                steps: vec![(Confirmed, Actor::Photographer, requested_at + h(3), None)],
                review: None,
                ..Plan::demo()
            });
        }
    }
    plans
}

/// A stable id for a seeded booking, so a re-run finds it instead of duplicating it.
fn booking_id(photographer: &str, key: &str) -> Result<BookingId, String> {
    let mut hash: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in photographer.bytes().chain([b'#']).chain(key.bytes()) {
        hash ^= u128::from(b);
        hash = hash.wrapping_mul(0x0000000001000000000000000000013B);
    }
    // 2026-01-01T00:00:00Z: seeded ids sort together, before anything created later.
    let ulid = ulid::Ulid::from_parts(1_767_225_600_000, hash);
    ulid.to_string().parse().map_err(|e: cm_core::InvalidId| e.to_string())
}

async fn write_booking(
    store: &Store,
    p: &Party<'_>,
    client: UserId,
    plan: &Plan,
    i: usize,
) -> Result<Option<(Booking, Vec<Contribution>)>, String> {
    let id = booking_id(&p.email, &plan.key)?;
    let duration = BookingDuration::from_minutes(plan.minutes).ok_or("bad seed duration")?;
    let footprint = cm_booking::booking_footprint(&p.availability, plan.start, duration).ok_or("bad seed footprint")?;
    let price = match plan.package.and_then(|id| p.profile.package(id)) {
        Some(pkg) => pkg.price.clone(),
        None => cm_booking::pricing::hourly_price(&p.profile.hourly_rate, plan.minutes),
    };
    let window = p.availability.cancellation_window();
    let ctx = TransitionContext::new(plan.requested_at, plan.requested_at, footprint.start, footprint.end, window);
    let mut booking = Booking {
        id,
        client_id: client,
        photographer_id: p.id,
        package_id: plan.package.map(String::from),
        event_type: plan
            .event_type
            .or(p.profile.specializations.first().copied())
            .map_or("portrait", |s| s.as_str())
            .to_string(),
        start: footprint.start,
        end: footprint.end,
        duration_minutes: plan.minutes,
        timezone: p.availability.timezone().name().to_string(),
        location: Location {
            address: format!("{} Studio Lane", 10 + i),
            city: p.city.name.to_string(),
            lat: plan.located.then_some(p.city.lat),
            lon: plan.located.then_some(p.city.lon),
        },
        notes: Some(plan.notes.into()),
        price: money(price.amount_minor, price.currency.as_str())?,
        status: BookingStatus::Pending,
        lock_blocks: if plan.locks { footprint.lock_blocks.iter().map(|b| b.index()).collect() } else { Vec::new() },
        local_date: footprint.local_date,
        daily_limit: footprint.daily_limit,
        requested_at: plan.requested_at,
        expires_at: ctx.expires_at(),
        cancellation_window_hours: u32::try_from(window.num_hours()).unwrap_or(0),
        payment_terms: p.profile.payment_terms(plan.package, cm_payments::terms::PlatformTerms::default()),
        version: 1,
        sequence: 0,
        history: vec![HistoryEntry {
            at: plan.requested_at,
            by: Some(client),
            actor: Actor::Client,
            action: HistoryAction::Created,
            from: None,
            to: BookingStatus::Pending,
            reason: None,
            previous_start: None,
            new_start: Some(footprint.start),
        }],
        created_at: plan.requested_at,
        updated_at: plan.requested_at,
    };
    match store.create_booking(&booking, None, None).await {
        Ok(()) => {}
        // The booking's id is taken (its put is conditional): an earlier run wrote it.
        // Cheaper than reading every booking first, for a thousand of them.
        Err(BookingWriteError::Stale) => return Ok(None),
        Err(e) => return Err(format!("seed booking {} of {}: {e:?}", plan.key, p.email)),
    }
    let mut contributions: Vec<Contribution> =
        cm_booking::analytics::contribution(None, Some(&booking)).into_iter().collect();
    let actors: HashMap<&str, Option<UserId>> =
        HashMap::from([("client", Some(client)), ("photographer", Some(p.id)), ("system", None)]);
    for &(to, actor, at, reason) in &plan.steps {
        let mut ctx = TransitionContext::new(at, booking.requested_at, booking.start, booking.end, window);
        ctx.reason = reason.map(String::from);
        let change = cm_booking::transition(booking.status, to, actor, &ctx)
            .map_err(|e| format!("seed booking {} of {}: {e}", plan.key, p.email))?;
        let next = booking.after_transition(&change, actors.get(actor.as_str()).copied().flatten());
        store.update_booking_status(&booking, &next).await.map_err(|e| format!("seed booking {}: {e:?}", plan.key))?;
        contributions.extend(cm_booking::analytics::contribution(Some(&booking), Some(&next)));
        booking = next;
    }
    Ok(Some((booking, contributions)))
}

/// Leaves the review tasks through the HTTP API as the booking's client.
pub async fn seed_reviews(api: &str, tasks: &[ReviewTask]) -> Result<usize, String> {
    let mut tokens: HashMap<String, String> = HashMap::new();
    let mut done = 0;
    for t in tasks {
        if !tokens.contains_key(&t.client_email) {
            let body = json!({"email": t.client_email, "password": DEMO_PASSWORD});
            let (status, reply) = crate::client::post_json(&format!("{api}/auth/login"), None, &body).await?;
            let token = reply["access_token"].as_str().filter(|_| status == 200);
            let token = token.ok_or(format!("login of {} answered {status}: {reply}", t.client_email))?;
            tokens.insert(t.client_email.clone(), token.to_string());
        }
        let token = tokens.get(&t.client_email).map(String::as_str);
        let body = json!({"rating": t.stars, "text": t.text});
        let (status, reply) =
            crate::client::post_json(&format!("{api}/bookings/{}/review", t.booking), token, &body).await?;
        match status {
            200 | 201 => done += 1,
            409 => {} // Reviewed by an earlier, interrupted run.
            _ => return Err(format!("review of booking {} answered {status}: {reply}", t.booking)),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_and_availability_validates() {
        let now = Utc::now();
        for (i, p) in PHOTOGRAPHERS.iter().enumerate() {
            let city = &CITIES[p.city];
            profile(p, city).unwrap();
            Availability::try_from(availability(i, city, now).unwrap()).unwrap();
        }
    }

    #[test]
    fn every_status_is_planned_and_lifecycles_are_legal() {
        let now = Utc::now();
        let mut statuses = std::collections::HashSet::new();
        for i in 0..PHOTOGRAPHERS.len() {
            let tz: Tz = CITIES[PHOTOGRAPHERS[i].city].tz.parse().unwrap();
            let mut days = std::collections::HashSet::new();
            for plan in booking_plans(i, now, tz) {
                assert!(days.insert(plan.start.with_timezone(&tz).date_naive()), "two bookings on one day");
                let end = plan.start + TimeDelta::minutes(i64::from(plan.minutes));
                let mut status = BookingStatus::Pending;
                for &(to, actor, at, reason) in &plan.steps {
                    let mut ctx = TransitionContext::new(at, plan.requested_at, plan.start, end, TimeDelta::hours(48));
                    ctx.reason = reason.map(String::from);
                    status = cm_booking::transition(status, to, actor, &ctx)
                        .unwrap_or_else(|e| panic!("{}: {e}", plan.key))
                        .to;
                }
                statuses.insert(status);
            }
        }
        for s in BookingStatus::ALL {
            assert!(statuses.contains(&s), "no seeded booking is {s}");
        }
    }

    #[test]
    fn expected_adds_the_funnel_of_the_days_in_range() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let c = |on: NaiveDate, deltas: &[(Counter, i64)]| Contribution {
            event: "analytics#x#v1".into(),
            day: on,
            city: "hyderabad".into(),
            specialization: Some(Specialization::Wedding),
            shard: 0,
            deltas: deltas.iter().copied().collect(),
        };
        let mut e = Expected::new(day(1), day(30));
        e.add(&c(day(1), &[(Counter::Requested, 1), (Counter::LeadMinutes, 900), (Counter::Lead7To30d, 1)]));
        e.add(&c(day(30), &[(Counter::Confirmed, 1), (Counter::BookedMinutes, 180)]));
        // Today (after `to`) and before `from`: changes the check must not wait for.
        e.add(&c(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), &[(Counter::Completed, 1)]));
        e.add(&c(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(), &[(Counter::Requested, 1)]));
        let want: BTreeMap<String, i64> =
            [("requested", 1), ("confirmed", 1), ("declined", 0), ("cancelled", 0), ("expired", 0), ("completed", 0)]
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect();
        assert_eq!(e.totals, want);
    }

    #[test]
    fn booking_ids_are_stable_and_distinct() {
        assert_eq!(booking_id("a@x.test", "k").unwrap(), booking_id("a@x.test", "k").unwrap());
        assert_ne!(booking_id("a@x.test", "k").unwrap(), booking_id("a@x.test", "l").unwrap());
    }
}
