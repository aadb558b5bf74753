//! Booking analytics: what one change of a booking adds to the platform's daily
//! aggregates, and how the admin's report folds them into periods, a funnel and top
//! lists. Pure: the booking stream's consumer (aggregate-activity) writes the
//! contributions, admin-get-analytics reads them back (docs/data-model.md, "Analytics").
//!
//! Counts are by the day the change happened (UTC): a request counts on the day it
//! was made, a confirmation on the day it was given. Each contribution goes to four
//! series at once (the platform, the city, the specialization and the pair), so a
//! report for any filter reads one series instead of adding many.
//!
//! Besides the booking's own changes, two other items on the same stream add to the
//! same series: a change of the booking's payment ledger (money taken and given back,
//! per currency, and the booking becoming fully paid: [`payment_contribution`]) and a
//! new review ([`review_contribution`]). Amounts are kept per currency and never added
//! across currencies.

use crate::booking::Booking;
use crate::lifecycle::{Actor, BookingStatus};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeDelta, Utc};
use cm_catalog::photographer::Specialization;
use cm_catalog::search::normalize_city;
use cm_payments::{Ledger, MoneyEvent, money_events};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An ISO 4217 code as a counter's key: three ASCII capitals, `Copy` so counters stay
/// plain keys. Built from a `cm_core` currency, or parsed back from a stored name.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    pub fn new(code: &str) -> Option<CurrencyCode> {
        let b = code.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| CurrencyCode([b[0], b[1], b[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII capitals by construction.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Debug for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CurrencyCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Writes of one series are spread over this many partitions (by booking), so a busy
/// day of the whole platform is not one hot item; readers query every shard and add.
/// Every booking change, money movement and review adds to the platform's day item (a
/// ~1.2 KB item updated in a transaction: 4 WCU a contribution), ~1,430 contributions
/// a second at the 1,000 booking writes a second of docs/scaling.md: ~5,700 WCU/s,
/// so 4 shards gave each ~1,430, over a partition's 1,000; 16 give each ~370. The
/// shard is read from the booking's id alone, so changing the count moves where later
/// contributions go, never what the readers add up (they read every shard).
pub const SHARDS: u32 = 16;

/// A counter of a day's aggregate, by its attribute name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    Requested,
    Confirmed,
    Declined,
    Cancelled,
    Expired,
    Completed,
    /// Minutes of sessions confirmed that day, less those of confirmed sessions
    /// cancelled or sent back for re-confirmation that day (so it can be negative).
    BookedMinutes,
    /// Request to session start, summed over the day's requests (for the mean).
    LeadMinutes,
    LeadUnder1d,
    Lead1To7d,
    Lead7To30d,
    Lead30To90d,
    Lead90dPlus,
    /// The booking became fully paid (what was captured reached its price).
    Paid,
    /// The booking's client reviewed it.
    Reviewed,
    /// Cancellations by who cancelled (each cancellation is one of these three):
    /// the client, the photographer, or the platform (an admin or a job).
    CancelledByClient,
    CancelledByPhotographer,
    CancelledByPlatform,
    /// Cancellations by the stage they ended (each is one of these two).
    CancelledWhilePending,
    CancelledAfterConfirmation,
    /// Cancellations made inside the booking's cancellation window (fewer than its
    /// `cancellation_window_hours` before the session started, or after the start).
    CancelledLate,
    /// Money taken from clients (captures), in minor units of the currency.
    Revenue(CurrencyCode),
    /// Money given back to clients, in minor units of the currency.
    Refunds(CurrencyCode),
    /// Minutes from request to confirmation, summed over the day's confirmations (the
    /// same ones [`Counter::Confirmed`] counts): the mean response time.
    ConfirmMinutes,
    /// Minutes of confirmed (or completed) sessions by the session's own day (the
    /// photographer's local date), where [`Counter::BookedMinutes`] counts by the day of
    /// the confirmation: what a day's utilisation divides by its working minutes.
    SessionMinutes,
    /// Working minutes of the day (time off excluded). Never written by the stream: a
    /// photographer's come from their hours when their stats are read.
    AvailableMinutes,
    /// Stars of the day's reviews, summed (with [`Counter::Reviewed`]: the mean rating).
    RatingSum,
    /// Reviews analysed for sentiment, by their label, and the scores (×10⁴) summed.
    /// Kept in the photographer's own series only.
    SentimentAnalysed,
    SentimentPositive,
    SentimentNeutral,
    SentimentNegative,
    SentimentScoreE4,
}

impl Counter {
    /// The counters with fixed names (every one but the per-currency amounts).
    pub const ALL: [Counter; 30] = [
        Counter::Requested,
        Counter::Confirmed,
        Counter::Declined,
        Counter::Cancelled,
        Counter::Expired,
        Counter::Completed,
        Counter::BookedMinutes,
        Counter::LeadMinutes,
        Counter::LeadUnder1d,
        Counter::Lead1To7d,
        Counter::Lead7To30d,
        Counter::Lead30To90d,
        Counter::Lead90dPlus,
        Counter::Paid,
        Counter::Reviewed,
        Counter::CancelledByClient,
        Counter::CancelledByPhotographer,
        Counter::CancelledByPlatform,
        Counter::CancelledWhilePending,
        Counter::CancelledAfterConfirmation,
        Counter::CancelledLate,
        Counter::ConfirmMinutes,
        Counter::SessionMinutes,
        Counter::AvailableMinutes,
        Counter::RatingSum,
        Counter::SentimentAnalysed,
        Counter::SentimentPositive,
        Counter::SentimentNeutral,
        Counter::SentimentNegative,
        Counter::SentimentScoreE4,
    ];

    /// The stored attribute's name: fixed, or `revenue_minor_<ISO>` / `refunds_minor_<ISO>`.
    pub fn name(self) -> Cow<'static, str> {
        match self {
            Counter::Revenue(c) => Cow::Owned(format!("{REVENUE_PREFIX}{c}")),
            Counter::Refunds(c) => Cow::Owned(format!("{REFUNDS_PREFIX}{c}")),
            fixed => Cow::Borrowed(fixed.fixed_name()),
        }
    }

    fn fixed_name(self) -> &'static str {
        match self {
            Counter::Requested => "requested",
            Counter::Confirmed => "confirmed",
            Counter::Declined => "declined",
            Counter::Cancelled => "cancelled",
            Counter::Expired => "expired",
            Counter::Completed => "completed",
            Counter::BookedMinutes => "booked_minutes",
            Counter::LeadMinutes => "lead_minutes",
            Counter::LeadUnder1d => "lead_under_1d",
            Counter::Lead1To7d => "lead_1_7d",
            Counter::Lead7To30d => "lead_7_30d",
            Counter::Lead30To90d => "lead_30_90d",
            Counter::Lead90dPlus => "lead_90d_plus",
            Counter::Paid => "paid",
            Counter::Reviewed => "reviewed",
            Counter::CancelledByClient => "cancelled_by_client",
            Counter::CancelledByPhotographer => "cancelled_by_photographer",
            Counter::CancelledByPlatform => "cancelled_by_platform",
            Counter::CancelledWhilePending => "cancelled_while_pending",
            Counter::CancelledAfterConfirmation => "cancelled_after_confirmation",
            Counter::CancelledLate => "cancelled_late",
            Counter::ConfirmMinutes => "confirm_minutes",
            Counter::SessionMinutes => "session_minutes",
            Counter::AvailableMinutes => "available_minutes",
            Counter::RatingSum => "rating_sum",
            Counter::SentimentAnalysed => "sentiment_n",
            Counter::SentimentPositive => "sentiment_pos",
            Counter::SentimentNeutral => "sentiment_neu",
            Counter::SentimentNegative => "sentiment_neg",
            Counter::SentimentScoreE4 => "sentiment_sum_e4",
            Counter::Revenue(_) => REVENUE_PREFIX,
            Counter::Refunds(_) => REFUNDS_PREFIX,
        }
    }

    pub fn parse(name: &str) -> Option<Counter> {
        if let Some(code) = name.strip_prefix(REVENUE_PREFIX) {
            return CurrencyCode::new(code).map(Counter::Revenue);
        }
        if let Some(code) = name.strip_prefix(REFUNDS_PREFIX) {
            return CurrencyCode::new(code).map(Counter::Refunds);
        }
        Counter::ALL.into_iter().find(|c| c.fixed_name() == name)
    }

    /// The lead-time bucket of a request made `minutes` before its session.
    pub fn lead_bucket(minutes: i64) -> Counter {
        const DAY: i64 = 24 * 60;
        match minutes {
            m if m < DAY => Counter::LeadUnder1d,
            m if m < 7 * DAY => Counter::Lead1To7d,
            m if m < 30 * DAY => Counter::Lead7To30d,
            m if m < 90 * DAY => Counter::Lead30To90d,
            _ => Counter::Lead90dPlus,
        }
    }
}

const REVENUE_PREFIX: &str = "revenue_minor_";
const REFUNDS_PREFIX: &str = "refunds_minor_";

/// Which bookings a series counts: every one, or those of a city, a specialization,
/// or both. Cities are compared as search compares them (`normalize_city`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Segment {
    pub city: Option<String>,
    pub specialization: Option<Specialization>,
}

impl Segment {
    pub const ALL: Segment = Segment { city: None, specialization: None };

    pub fn new(city: Option<&str>, specialization: Option<Specialization>) -> Segment {
        Segment { city: city.map(key_city), specialization }
    }

    /// The segment's name in keys: `ALL`, `CITY#<city>`, `SPEC#<spec>` or both.
    pub fn key(&self) -> String {
        match (&self.city, self.specialization) {
            (None, None) => "ALL".into(),
            (Some(c), None) => format!("CITY#{c}"),
            (None, Some(s)) => format!("SPEC#{}", s.as_str()),
            (Some(c), Some(s)) => format!("CITY#{c}#SPEC#{}", s.as_str()),
        }
    }
}

impl Segment {
    /// The segment a [`Segment::key`] names (`None` for anything else).
    pub fn from_key(key: &str) -> Option<Segment> {
        if key == "ALL" {
            return Some(Segment::ALL);
        }
        if let Some(spec) = key.strip_prefix("SPEC#") {
            return Some(Segment { city: None, specialization: Some(Specialization::parse(spec)?) });
        }
        let rest = key.strip_prefix("CITY#")?;
        let (city, specialization) = match rest.rsplit_once("#SPEC#") {
            Some((city, spec)) => (city, Some(Specialization::parse(spec)?)),
            None => (rest, None),
        };
        (!city.is_empty() && !city.contains('#')).then(|| Segment { city: Some(city.to_string()), specialization })
    }
}

/// One photographer's share of the platform's capacity: where they work, what they
/// shoot, and their working minutes by local date.
#[derive(Debug, Clone, Copy)]
pub struct Capacity<'a> {
    pub city: &'a str,
    pub specializations: &'a [Specialization],
    pub minutes: &'a BTreeMap<NaiveDate, i64>,
}

/// The working minutes of every segment by day, what utilisation divides the minutes of
/// sessions by: each photographer counts once in the platform and in their city, and
/// once in each of their specializations, alone and in their city (their hours are
/// open to any of them). Days a photographer has no hours count as zero, so every
/// segment with a photographer has every day.
pub fn capacity<'a>(
    photographers: impl IntoIterator<Item = Capacity<'a>>,
) -> BTreeMap<Segment, BTreeMap<NaiveDate, i64>> {
    let mut out: BTreeMap<Segment, BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    for p in photographers {
        let city = Some(key_city(p.city)).filter(|c| !c.is_empty());
        let mut segments = vec![Segment::ALL];
        if let Some(c) = &city {
            segments.push(Segment { city: Some(c.clone()), specialization: None });
        }
        let specs: BTreeSet<Specialization> = p.specializations.iter().copied().collect();
        for s in specs {
            segments.push(Segment { city: None, specialization: Some(s) });
            if let Some(c) = &city {
                segments.push(Segment { city: Some(c.clone()), specialization: Some(s) });
            }
        }
        for segment in segments {
            let days = out.entry(segment).or_default();
            for (day, n) in p.minutes {
                *days.entry(*day).or_insert(0) += n;
            }
        }
    }
    out
}

/// A city as it appears in keys: normalised, and without `#`, which separates key parts.
pub fn key_city(city: &str) -> String {
    normalize_city(&city.replace('#', " "))
}

/// The longest city name a filter takes.
pub const MAX_CITY_CHARS: usize = 100;

/// A city filter as given by a client: its key form, if it has 1 to [`MAX_CITY_CHARS`]
/// characters.
pub fn parse_city(input: &str) -> Option<String> {
    let c = key_city(input);
    (!c.is_empty() && c.chars().count() <= MAX_CITY_CHARS).then_some(c)
}

/// Days, each with its counters: a series as stored and as the reports fold it.
pub type DayCounts = Vec<(NaiveDate, BTreeMap<Counter, i64>)>;

/// What one change of one booking adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// Unique to this version of this booking: counted once, however often delivered.
    pub event: String,
    pub day: NaiveDate,
    pub city: String,
    pub specialization: Option<Specialization>,
    pub shard: u32,
    pub deltas: BTreeMap<Counter, i64>,
}

impl Contribution {
    /// The four series it adds to: the platform, its city, its specialization, both.
    pub fn segments(&self) -> Vec<Segment> {
        let city = Some(self.city.clone());
        let mut out = vec![Segment::ALL, Segment { city: city.clone(), specialization: None }];
        if let Some(s) = self.specialization {
            out.push(Segment { city: None, specialization: Some(s) });
            out.push(Segment { city, specialization: Some(s) });
        }
        out
    }
}

/// The shard of a booking's writes: stable, and even over bookings (the id's
/// random part).
pub fn shard_of(booking: &Booking) -> u32 {
    shard_of_id(booking.id)
}

/// [`shard_of`] from the id alone (what the key-distribution simulation calls).
pub fn shard_of_id(id: cm_core::BookingId) -> u32 {
    // FNV-1a over the id's text: std's hasher is randomly seeded per process.
    let mut h: u32 = 0x811c_9dc5;
    for b in id.to_string().bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// What the change from `old` to `new` adds to the aggregates (`old` is `None` for a
/// new booking). Nothing for a deletion or a change that moves no counter.
pub fn contribution(old: Option<&Booking>, new: Option<&Booking>) -> Option<Contribution> {
    let new = new?;
    let mut deltas = BTreeMap::new();
    let mut add = |c: Counter, n: i64| {
        if n != 0 {
            *deltas.entry(c).or_insert(0) += n;
        }
    };
    let was = old.map(|o| o.status);
    if old.is_none() {
        add(Counter::Requested, 1);
        let lead = (new.start - new.requested_at).num_minutes().max(0);
        add(Counter::LeadMinutes, lead);
        add(Counter::lead_bucket(lead), 1);
    }
    if was != Some(new.status) {
        let counter = match new.status {
            // A reschedule puts a booking back to pending: not a new request.
            BookingStatus::Pending => None,
            // Confirmed again after a reschedule: the booking was confirmed once.
            BookingStatus::Confirmed if confirmed_before(old) => None,
            BookingStatus::Confirmed => Some(Counter::Confirmed),
            BookingStatus::Declined => Some(Counter::Declined),
            BookingStatus::Cancelled => Some(Counter::Cancelled),
            BookingStatus::Expired => Some(Counter::Expired),
            BookingStatus::Completed => Some(Counter::Completed),
        };
        if let Some(c) = counter {
            add(c, 1);
        }
        if counter == Some(Counter::Confirmed) {
            add(Counter::ConfirmMinutes, (new.updated_at - new.requested_at).num_minutes().max(0));
        }
        if new.status == BookingStatus::Cancelled {
            for c in cancellation_reasons(new) {
                add(c, 1);
            }
        }
    }
    let minutes = |b: &Booking| i64::from(b.duration_minutes);
    let confirmed = |s: Option<BookingStatus>| s == Some(BookingStatus::Confirmed);
    match (confirmed(was), confirmed(Some(new.status)), old) {
        (false, true, _) => add(Counter::BookedMinutes, minutes(new)),
        // Completion keeps the minutes booked; anything else leaving confirmed frees them.
        (true, false, Some(old)) if new.status != BookingStatus::Completed => {
            add(Counter::BookedMinutes, -minutes(old))
        }
        // A confirmed booking whose length changed (a confirmed reschedule).
        (true, true, Some(old)) => add(Counter::BookedMinutes, minutes(new) - minutes(old)),
        _ => {}
    }
    // A request counts on the day it was made; any other change on its own day.
    let at = if old.is_none() { new.created_at } else { new.updated_at };
    of_booking(format!("analytics#{}#v{}", new.id, new.version), at, new, deltas)
}

/// A contribution to `booking`'s series (its city, specialization and shard) on the
/// day of `at`; `None` when it moves nothing.
fn of_booking(
    event: String,
    at: DateTime<Utc>,
    booking: &Booking,
    deltas: BTreeMap<Counter, i64>,
) -> Option<Contribution> {
    of_booking_on(event, at.date_naive(), booking, deltas)
}

/// A contribution to `booking`'s series on `day`; `None` when it moves nothing.
fn of_booking_on(
    event: String,
    day: NaiveDate,
    booking: &Booking,
    deltas: BTreeMap<Counter, i64>,
) -> Option<Contribution> {
    let deltas: BTreeMap<Counter, i64> = deltas.into_iter().filter(|(_, n)| *n != 0).collect();
    if deltas.is_empty() {
        return None;
    }
    Some(Contribution {
        event,
        day,
        city: key_city(&booking.location.city),
        specialization: Specialization::parse(&booking.event_type),
        shard: shard_of(booking),
        deltas,
    })
}

/// Why a booking that just became cancelled was cancelled, as counters: who cancelled
/// (client, photographer, platform), at which stage (pending, confirmed) and whether
/// inside the cancellation window. The reason's text is free text and is not read:
/// these come from the cancellation's history entry and the booking's own fields.
pub fn cancellation_reasons(cancelled: &Booking) -> Vec<Counter> {
    let Some(entry) = cancelled.history.iter().rev().find(|h| h.to == BookingStatus::Cancelled) else {
        return Vec::new();
    };
    let mut out = vec![match entry.actor {
        Actor::Client => Counter::CancelledByClient,
        Actor::Photographer => Counter::CancelledByPhotographer,
        Actor::Admin | Actor::System => Counter::CancelledByPlatform,
    }];
    out.push(match entry.from {
        Some(BookingStatus::Pending) => Counter::CancelledWhilePending,
        _ => Counter::CancelledAfterConfirmation,
    });
    let window = TimeDelta::hours(i64::from(cancelled.cancellation_window_hours));
    if cancelled.start - entry.at < window {
        out.push(Counter::CancelledLate);
    }
    out
}

/// What one change of a booking's payment ledger adds to the booking's series (`old`
/// is `None` for a new ledger): the money taken and given back, in the ledger's
/// currency, and the booking becoming fully paid. Counted on the day of the change, once
/// per ledger version.
pub fn payment_contribution(old: Option<&Ledger>, new: &Ledger, booking: &Booking) -> Option<Contribution> {
    let at = if old.is_none() { new.created_at } else { new.updated_at };
    let event = format!("analytics#payments#{}#v{}", new.booking_id, new.version);
    of_booking(event, at, booking, payment_deltas(old, new))
}

/// The counters a ledger change moves (see [`payment_contribution`]): empty for most
/// (an authorisation, a reminder, a failed charge).
pub fn payment_deltas(old: Option<&Ledger>, new: &Ledger) -> BTreeMap<Counter, i64> {
    let mut deltas = BTreeMap::new();
    // Every intent of a ledger is in the currency of its price.
    let Some(currency) = CurrencyCode::new(new.schedule.total.currency.as_str()) else { return deltas };
    for e in money_events(old, new) {
        match e {
            MoneyEvent::Received { amount_minor, .. } => {
                *deltas.entry(Counter::Revenue(currency)).or_insert(0) += amount_minor
            }
            MoneyEvent::Refunded { amount_minor, .. } => {
                *deltas.entry(Counter::Refunds(currency)).or_insert(0) += amount_minor
            }
            MoneyEvent::BalanceDue { .. } | MoneyEvent::BalanceFailed { .. } => {}
        }
    }
    let total = new.schedule.total.amount_minor;
    let captured_before = old.map_or(0, Ledger::captured);
    if total > 0 && captured_before < total && new.captured() >= total {
        deltas.insert(Counter::Paid, 1);
    }
    deltas.retain(|_, n| *n != 0);
    deltas
}

/// What a booking's new review adds: one review and its stars, on the day it was
/// written. A booking has at most one review, so the booking names the event.
pub fn review_contribution(booking: &Booking, reviewed_at: DateTime<Utc>, rating: u8) -> Option<Contribution> {
    let deltas = BTreeMap::from([(Counter::Reviewed, 1), (Counter::RatingSum, i64::from(rating))]);
    of_booking(format!("analytics#review#{}", booking.id), reviewed_at, booking, deltas)
}

/// What the change from `old` to `new` adds to the minutes booked on the sessions' own
/// days ([`Counter::SessionMinutes`]): a confirmed or completed booking holds its
/// minutes on its local date, in its city and specialization. A reschedule moves them
/// (minus on the old day and series, plus on the new), a cancellation or a return to
/// pending takes them back. One contribution per day and series touched, each named by
/// the booking's version and side, so each counts once however often delivered.
pub fn session_contributions(old: Option<&Booking>, new: Option<&Booking>) -> Vec<Contribution> {
    let Some(new) = new else { return Vec::new() };
    let holds = |b: &Booking| matches!(b.status, BookingStatus::Confirmed | BookingStatus::Completed);
    let minutes = |b: &Booking| i64::from(b.duration_minutes);
    let event = |side: &str| format!("analytics#session#{}#v{}#{side}", new.id, new.version);
    let one = |side: &str, b: &Booking, n: i64| {
        of_booking_on(event(side), b.local_date, b, BTreeMap::from([(Counter::SessionMinutes, n)]))
    };
    let same_series = |a: &Booking, b: &Booking| {
        a.local_date == b.local_date
            && key_city(&a.location.city) == key_city(&b.location.city)
            && Specialization::parse(&a.event_type) == Specialization::parse(&b.event_type)
    };
    match (old.filter(|o| holds(o)), holds(new)) {
        (Some(o), true) if same_series(o, new) => one("net", new, minutes(new) - minutes(o)).into_iter().collect(),
        (Some(o), true) => one("old", o, -minutes(o)).into_iter().chain(one("new", new, minutes(new))).collect(),
        (Some(o), false) => one("old", o, -minutes(o)).into_iter().collect(),
        (None, true) => one("new", new, minutes(new)).into_iter().collect(),
        (None, false) => Vec::new(),
    }
}

/// A review's sentiment as the photographer's series counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Positive,
    Neutral,
    Negative,
}

/// What replacing a review's analysis `old` (`None` the first time) by `new` moves in
/// its photographer's series: each is a tone and a score in ×10⁴.
pub fn sentiment_deltas(old: Option<(Tone, i64)>, new: (Tone, i64)) -> BTreeMap<Counter, i64> {
    let mut d = BTreeMap::new();
    let mut add = |c: Counter, n: i64| *d.entry(c).or_insert(0) += n;
    if old.is_none() {
        add(Counter::SentimentAnalysed, 1);
    }
    for ((tone, score), sign) in old.map(|o| (o, -1)).into_iter().chain([(new, 1)]) {
        let c = match tone {
            Tone::Positive => Counter::SentimentPositive,
            Tone::Neutral => Counter::SentimentNeutral,
            Tone::Negative => Counter::SentimentNegative,
        };
        add(c, sign);
        add(Counter::SentimentScoreE4, sign * score);
    }
    d.retain(|_, n| *n != 0);
    d
}

/// Whether the booking was confirmed at some point before this change.
fn confirmed_before(old: Option<&Booking>) -> bool {
    old.is_some_and(|o| o.history.iter().any(|h| h.to == BookingStatus::Confirmed))
}

/// How the report groups days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
}

impl Granularity {
    pub fn parse(s: &str) -> Option<Granularity> {
        match s {
            "day" => Some(Granularity::Day),
            "week" => Some(Granularity::Week),
            "month" => Some(Granularity::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }

    /// The first day of the period `day` falls in (weeks start on Monday, ISO 8601).
    pub fn period_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Granularity::Day => day,
            Granularity::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Granularity::Month => day.with_day(1).unwrap_or(day),
        }
    }

    fn next(self, period: NaiveDate) -> Option<NaiveDate> {
        match self {
            Granularity::Day => period.checked_add_days(Days::new(1)),
            Granularity::Week => period.checked_add_days(Days::new(7)),
            Granularity::Month => period.checked_add_months(Months::new(1)),
        }
    }
}

/// One period of the report's series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// The period's first day (clipped to the report's range).
    pub start: NaiveDate,
    pub requested: i64,
    pub confirmed: i64,
    pub declined: i64,
    pub cancelled: i64,
    pub expired: i64,
    pub completed: i64,
    pub booked_hours: f64,
    /// Hours of confirmed or completed sessions taking place in the period (by the
    /// session's own local date), where `booked_hours` counts them on the day they
    /// were confirmed.
    pub session_hours: f64,
    /// Working hours in the period: for a segment, of its photographers as the nightly
    /// capacity snapshot read their hours (days before the first snapshot have none);
    /// for a photographer, of their hours as they read now. Time off excluded.
    pub available_hours: f64,
    /// `session_hours / available_hours` to three decimals; `None` without working
    /// hours. Above 1 when sessions run outside the hours kept.
    pub utilisation: Option<f64>,
    /// Bookings that became fully paid.
    pub paid: i64,
    /// Reviews written.
    pub reviewed: i64,
    /// Money taken, by currency (ISO 4217 code → minor units); never added across
    /// currencies. Currencies without money in the period are left out.
    pub revenue_minor: BTreeMap<CurrencyCode, i64>,
    /// Money given back, by currency.
    pub refunds_minor: BTreeMap<CurrencyCode, i64>,
    /// Revenue less refunds, by currency (negative when more went back than came in).
    pub net_minor: BTreeMap<CurrencyCode, i64>,
    pub cancellations: Cancellations,
}

/// The period's cancellations by who cancelled and by category. Each cancellation is
/// in exactly one of `by_client`, `by_photographer`, `by_platform`, in exactly one of
/// `while_pending`, `after_confirmation`, and may also be `late`. The free-text reason
/// is not categorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cancellations {
    pub by_client: i64,
    pub by_photographer: i64,
    /// An admin (or a platform job).
    pub by_platform: i64,
    pub while_pending: i64,
    pub after_confirmation: i64,
    /// Inside the booking's cancellation window (or after the session's start).
    pub late: i64,
}

impl Period {
    /// The period starting `start` from its counters.
    pub fn of(start: NaiveDate, c: &BTreeMap<Counter, i64>) -> Period {
        let get = |k: Counter| c.get(&k).copied().unwrap_or(0);
        let money = |want: fn(Counter) -> Option<CurrencyCode>| -> BTreeMap<CurrencyCode, i64> {
            c.iter().filter(|(_, n)| **n != 0).filter_map(|(k, n)| Some((want(*k)?, *n))).collect()
        };
        let revenue_minor = money(|k| if let Counter::Revenue(c) = k { Some(c) } else { None });
        let refunds_minor = money(|k| if let Counter::Refunds(c) = k { Some(c) } else { None });
        let mut net_minor = revenue_minor.clone();
        for (cur, n) in &refunds_minor {
            *net_minor.entry(*cur).or_insert(0) -= n;
        }
        Period {
            start,
            requested: get(Counter::Requested),
            confirmed: get(Counter::Confirmed),
            declined: get(Counter::Declined),
            cancelled: get(Counter::Cancelled),
            expired: get(Counter::Expired),
            completed: get(Counter::Completed),
            booked_hours: hours(get(Counter::BookedMinutes)),
            session_hours: hours(get(Counter::SessionMinutes)),
            available_hours: hours(get(Counter::AvailableMinutes)),
            utilisation: utilisation(get(Counter::SessionMinutes), get(Counter::AvailableMinutes)),
            paid: get(Counter::Paid),
            reviewed: get(Counter::Reviewed),
            revenue_minor,
            refunds_minor,
            net_minor,
            cancellations: Cancellations {
                by_client: get(Counter::CancelledByClient),
                by_photographer: get(Counter::CancelledByPhotographer),
                by_platform: get(Counter::CancelledByPlatform),
                while_pending: get(Counter::CancelledWhilePending),
                after_confirmation: get(Counter::CancelledAfterConfirmation),
                late: get(Counter::CancelledLate),
            },
        }
    }
}

fn utilisation(session_minutes: i64, available_minutes: i64) -> Option<f64> {
    (available_minutes > 0)
        .then(|| (session_minutes.max(0) as f64 / available_minutes as f64 * 1000.0).round() / 1000.0)
}

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// Requests to sessions, over the report's range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    pub requests: i64,
    /// `None` without requests.
    pub mean_days: Option<f64>,
    pub under_1d: i64,
    pub from_1_to_7d: i64,
    pub from_7_to_30d: i64,
    pub from_30_to_90d: i64,
    pub over_90d: i64,
}

/// The stages a request passes (requested → confirmed → paid → completed →
/// reviewed), over the report's range, with each stage's share of requests. Counts are
/// of events in the range: a booking requested before the range and confirmed in it
/// counts as confirmed only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    pub requested: i64,
    pub confirmed: i64,
    /// Bookings fully paid.
    pub paid: i64,
    pub completed: i64,
    pub reviewed: i64,
    pub confirmed_rate: Option<f64>,
    pub paid_rate: Option<f64>,
    pub completed_rate: Option<f64>,
    pub reviewed_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub series: Vec<Period>,
    pub totals: Period,
    pub funnel: Funnel,
    pub lead_time: LeadTime,
}

/// Days (each with its counters, any order, days outside `from..=to` ignored) folded
/// into the report: one period per `granularity` step from `from` to `to`, empty
/// periods included so charts have no gaps.
pub fn report(days: &[(NaiveDate, BTreeMap<Counter, i64>)], from: NaiveDate, to: NaiveDate, g: Granularity) -> Report {
    let (periods, totals) = fold(days, from, to, g);
    let get = |k: Counter| totals.get(&k).copied().unwrap_or(0);
    let rate = |n: i64, of: i64| (of > 0).then(|| ((n as f64 / of as f64) * 1000.0).round() / 1000.0);
    let requests = get(Counter::Requested);
    Report {
        series: periods.iter().map(|(start, c)| Period::of(*start, c)).collect(),
        totals: Period::of(from, &totals),
        funnel: Funnel {
            requested: requests,
            confirmed: get(Counter::Confirmed),
            paid: get(Counter::Paid),
            completed: get(Counter::Completed),
            reviewed: get(Counter::Reviewed),
            confirmed_rate: rate(get(Counter::Confirmed), requests),
            paid_rate: rate(get(Counter::Paid), requests),
            completed_rate: rate(get(Counter::Completed), requests),
            reviewed_rate: rate(get(Counter::Reviewed), requests),
        },
        lead_time: LeadTime {
            requests,
            mean_days: (requests > 0)
                .then(|| (get(Counter::LeadMinutes) as f64 / requests as f64 / 1440.0 * 10.0).round() / 10.0),
            under_1d: get(Counter::LeadUnder1d),
            from_1_to_7d: get(Counter::Lead1To7d),
            from_7_to_30d: get(Counter::Lead7To30d),
            from_30_to_90d: get(Counter::Lead30To90d),
            over_90d: get(Counter::Lead90dPlus),
        },
    }
}

/// Counters by period, and over the whole range: days (any order, those outside
/// `from..=to` ignored) added into one period per `g` step from `from` to `to`, each
/// keyed by its first day clipped to `from`, empty periods included so charts have no
/// gaps.
pub type Folded = (BTreeMap<NaiveDate, BTreeMap<Counter, i64>>, BTreeMap<Counter, i64>);

pub fn fold(days: &[(NaiveDate, BTreeMap<Counter, i64>)], from: NaiveDate, to: NaiveDate, g: Granularity) -> Folded {
    let mut periods: BTreeMap<NaiveDate, BTreeMap<Counter, i64>> = BTreeMap::new();
    let mut p = g.period_of(from);
    while p <= to {
        periods.insert(p.max(from), BTreeMap::new());
        match g.next(p) {
            Some(n) => p = n,
            None => break,
        }
    }
    let mut totals: BTreeMap<Counter, i64> = BTreeMap::new();
    for (day, counters) in days.iter().filter(|(d, _)| (from..=to).contains(d)) {
        let slot = periods.entry(g.period_of(*day).max(from)).or_default();
        for (c, n) in counters {
            *slot.entry(*c).or_insert(0) += n;
            *totals.entry(*c).or_insert(0) += n;
        }
    }
    (periods, totals)
}

/// One entry of a top list: a city or a specialization with its counts in the range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub name: String,
    pub requested: i64,
    pub confirmed: i64,
    pub completed: i64,
}

/// The `n` names with the most requests (then confirmations, then name), from
/// per-name counters.
pub fn top(counts: &BTreeMap<String, BTreeMap<Counter, i64>>, n: usize) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = counts
        .iter()
        .map(|(name, c)| {
            let get = |k: Counter| c.get(&k).copied().unwrap_or(0);
            Ranked {
                name: name.clone(),
                requested: get(Counter::Requested),
                confirmed: get(Counter::Confirmed),
                completed: get(Counter::Completed),
            }
        })
        .filter(|r| r.requested != 0 || r.confirmed != 0 || r.completed != 0)
        .collect();
    out.sort_by(|a, b| (b.requested, b.confirmed).cmp(&(a.requested, a.confirmed)).then_with(|| a.name.cmp(&b.name)));
    out.truncate(n);
    out
}

/// One photographer's line of the leaderboard, over the months of a range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leader {
    pub photographer_id: String,
    /// Filled in by the caller from the photographer's record.
    pub display_name: Option<String>,
    pub requested: i64,
    /// Bookings confirmed: what the board ranks by.
    pub confirmed: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub revenue_minor: BTreeMap<CurrencyCode, i64>,
    pub refunds_minor: BTreeMap<CurrencyCode, i64>,
    /// Mean minutes from request to confirmation; `None` without confirmations.
    pub mean_confirm_minutes: Option<f64>,
    /// The photographer's rating now (all time), filled in by the caller.
    pub rating: Option<LeaderRating>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LeaderRating {
    pub average: f64,
    pub count: u64,
}

/// The `n` photographers with the most confirmed bookings (then completed, then
/// requests, then id), from per-photographer counters.
pub fn leaderboard(counts: &BTreeMap<String, BTreeMap<Counter, i64>>, n: usize) -> Vec<Leader> {
    let mut out: Vec<Leader> = counts
        .iter()
        .map(|(id, c)| {
            let p = Period::of(NaiveDate::MIN, c);
            let minutes = c.get(&Counter::ConfirmMinutes).copied().unwrap_or(0);
            Leader {
                photographer_id: id.clone(),
                display_name: None,
                requested: p.requested,
                confirmed: p.confirmed,
                completed: p.completed,
                cancelled: p.cancelled,
                mean_confirm_minutes: (p.confirmed > 0)
                    .then(|| (minutes as f64 / p.confirmed as f64 * 10.0).round() / 10.0),
                revenue_minor: p.revenue_minor,
                refunds_minor: p.refunds_minor,
                rating: None,
            }
        })
        .filter(|l| l.requested != 0 || l.confirmed != 0 || l.completed != 0 || !l.revenue_minor.is_empty())
        .collect();
    out.sort_by(|a, b| {
        (b.confirmed, b.completed, b.requested)
            .cmp(&(a.confirmed, a.completed, a.requested))
            .then_with(|| a.photographer_id.cmp(&b.photographer_id))
    });
    out.truncate(n);
    out
}

/// The report's series as CSV (`text/csv`, RFC 4180), one row per period: the
/// counts, then a revenue and a refunds column (minor units) per currency that had
/// money in the range, in code order.
pub fn csv(report: &Report) -> String {
    let currencies: BTreeSet<CurrencyCode> =
        report.totals.revenue_minor.keys().chain(report.totals.refunds_minor.keys()).copied().collect();
    let mut out = String::from(
        "period_start,requested,confirmed,declined,cancelled,expired,completed,booked_hours,paid,reviewed,\
         cancelled_by_client,cancelled_by_photographer,cancelled_by_platform,cancelled_while_pending,\
         cancelled_after_confirmation,cancelled_late,session_hours,available_hours,utilisation",
    );
    for c in &currencies {
        out.push_str(&format!(",revenue_minor_{c},refunds_minor_{c}"));
    }
    out.push_str("\r\n");
    for p in &report.series {
        let x = &p.cancellations;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            p.start,
            p.requested,
            p.confirmed,
            p.declined,
            p.cancelled,
            p.expired,
            p.completed,
            p.booked_hours,
            p.paid,
            p.reviewed,
            x.by_client,
            x.by_photographer,
            x.by_platform,
            x.while_pending,
            x.after_confirmation,
            x.late,
            p.session_hours,
            p.available_hours,
            p.utilisation.map(|u| u.to_string()).unwrap_or_default()
        ));
        for c in &currencies {
            let get = |m: &BTreeMap<CurrencyCode, i64>| m.get(c).copied().unwrap_or(0);
            out.push_str(&format!(",{},{}", get(&p.revenue_minor), get(&p.refunds_minor)));
        }
        out.push_str("\r\n");
    }
    out
}

impl Segment {
    /// The series a sparse one borrows strength from: a city and specialization its
    /// city, a city or a specialization the platform; the platform none.
    pub fn parent(&self) -> Option<Segment> {
        match (&self.city, self.specialization) {
            (None, None) => None,
            (Some(c), Some(_)) => Some(Segment { city: Some(c.clone()), specialization: None }),
            _ => Some(Segment::ALL),
        }
    }

    /// Parents before children: the order a forecast pass takes, as text that sorts so
    /// (the pass's cursor).
    pub fn pass_key(&self) -> String {
        let level = match (&self.city, self.specialization) {
            (None, None) => 0,
            (Some(_), Some(_)) => 2,
            _ => 1,
        };
        format!("{level}|{}", self.key())
    }

    /// Every segment a forecast pass covers, given the city and specialization pairs
    /// that have bookings: the pairs, their cities and specializations, and the
    /// platform; parents first.
    pub fn pass(pairs: &[Segment]) -> Vec<Segment> {
        let mut all: BTreeMap<String, Segment> = BTreeMap::new();
        let mut add = |s: Segment| {
            all.insert(s.pass_key(), s);
        };
        add(Segment::ALL);
        for p in pairs {
            if let Some(c) = &p.city {
                add(Segment { city: Some(c.clone()), specialization: None });
            }
            if let Some(s) = p.specialization {
                add(Segment { city: None, specialization: Some(s) });
            }
            add(p.clone());
        }
        all.into_values().collect()
    }
}

/// A stored demand forecast of one segment: daily requests from the day after
/// `as_of`, with 80 % intervals, and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct DemandForecast {
    pub city: Option<String>,
    pub specialization: Option<Specialization>,
    /// The last day of history the forecast read.
    pub as_of: NaiveDate,
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// The model (`mstl`, `ridge`, `ensemble`, `seasonal-naive`, ...) or `pooled(<parent's
    /// model>)` for a sparse series forecast as its share of its parent's.
    pub model: String,
    /// Rolling-origin backtest error on the series' own history; `None` when pooled or
    /// when the history was too short to backtest.
    pub backtest: Option<BacktestSummary>,
    /// Requests in the history the forecast read.
    pub history_requests: i64,
    /// Mean daily requests over the last year of that history (or all of it when
    /// shorter): what demand is compared with to say it is high or low.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal_daily: Option<f64>,
    pub points: Vec<DemandPoint>,
}

impl DemandForecast {
    /// [`DemandForecast::normal_daily`], or for forecasts stored before it was, the
    /// mean of the forecast itself; `None` when that is not positive.
    pub fn normal_daily(&self) -> Option<f64> {
        let mean = || self.points.iter().map(|p| p.forecast.max(0.0)).sum::<f64>() / self.points.len() as f64;
        Some(self.normal_daily.unwrap_or_else(mean)).filter(|n| n.is_finite() && *n > 0.0)
    }

    pub fn segment(&self) -> Segment {
        Segment { city: self.city.clone(), specialization: self.specialization }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct BacktestSummary {
    pub mase: f64,
    pub smape: f64,
    pub origins: u32,
    pub horizon_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct DemandPoint {
    pub date: NaiveDate,
    pub forecast: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One day's forecast pass, resumable: where it stopped, whether it finished, what failed.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ForecastRun {
    pub day: NaiveDate,
    /// The pass key of the last segment done (`Segment::pass_key`).
    pub cursor: Option<String>,
    pub done: bool,
    pub forecasts: u32,
    pub pooled: u32,
    pub failures: u32,
    /// The most recent failures, newest last (at most [`ForecastRun::KEPT_FAILURES`]).
    pub failed: Vec<SegmentFailure>,
    pub invocations: u32,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl ForecastRun {
    pub const KEPT_FAILURES: usize = 20;

    pub fn new(day: NaiveDate, now: chrono::DateTime<chrono::Utc>) -> ForecastRun {
        ForecastRun {
            day,
            cursor: None,
            done: false,
            forecasts: 0,
            pooled: 0,
            failures: 0,
            failed: Vec::new(),
            invocations: 0,
            started_at: now,
            updated_at: now,
        }
    }

    pub fn failed(&mut self, segment: &Segment, error: String) {
        self.failures += 1;
        self.failed.push(SegmentFailure { segment: segment.key(), error });
        if self.failed.len() > Self::KEPT_FAILURES {
            self.failed.remove(0);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SegmentFailure {
    pub segment: String,
    pub error: String,
}
