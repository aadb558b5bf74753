//! The in-memory fakes (`cm_tests::fakes`) answer like the table: the same sequence of
//! port calls, with the same inputs, runs against `DynamoStore` on a fresh table and
//! against a `FakeStore`, and both must tell the same story. The handler tests in
//! tests/tests/handlers/ trust the fakes; this is what earns that trust, and what
//! fails first when a condition in shared/store changes without its fake.

use chrono::{DateTime, TimeDelta, Utc};
use cm_accounts::account::{NotificationPreferences, ProfilePatch, Role, User};
use cm_accounts::refresh::RefreshFamily;
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_booking::idempotency::IdempotentResponse;
use cm_booking::travel::DayPlaces;
use cm_catalog::PhotographerProfile;
use cm_catalog::photographer::PhotographerProfileInput;
use cm_core::location::Location;
use cm_core::{BookingId, UserId};
use cm_reviews::{Feedback, FeedbackCategory, FeedbackStatus, Review, SentimentRecord};
use cm_store::bookings::{BookingListQuery, Party};
use cm_store::photographers::SearchQuery;
use cm_store::tokens::Rotation;
use cm_store::users::CreateUserError;
use cm_store::*;
use cm_tests::env;
use cm_tests::fakes::FakeStore;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// What happened, one line per call.
#[derive(Default)]
struct Transcript(Vec<String>);

impl Transcript {
    fn say(&mut self, what: &str, outcome: impl Debug) {
        self.0.push(format!("{what}: {outcome:?}"));
    }
}

#[track_caller]
fn assert_same_story(table: Transcript, fake: Transcript) {
    assert!(table.0.len() > 10, "the scenario ran");
    for (i, (t, f)) in table.0.iter().zip(&fake.0).enumerate() {
        assert_eq!(t, f, "line {i} differs\n--- table:\n{}\n--- fake:\n{}", table.0.join("\n"), fake.0.join("\n"));
    }
    assert_eq!(table.0.len(), fake.0.len());
}

/// Whole seconds, as epoch-second attributes store them.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap()
}

fn user(role: Role, email: &str, at: DateTime<Utc>) -> User {
    User {
        id: UserId::new(),
        email: email.into(),
        name: "Contract Test".into(),
        role,
        phone: None,
        phone_verified_at: None,
        timezone: "UTC".into(),
        notification_preferences: NotificationPreferences::default(),
        active: true,
        password_hash: "not-a-real-hash".into(),
        sessions_valid_after: None,
        created_at: at,
        updated_at: at,
    }
}

fn rotation(r: Result<Rotation, StoreError>) -> String {
    match r {
        Ok(Rotation::Rotated) => "Rotated".into(),
        Ok(Rotation::Lost) => "Lost".into(),
        Err(e) => format!("{e:?}"),
    }
}

fn created(r: Result<(), CreateUserError>) -> String {
    match r {
        Ok(()) => "Ok".into(),
        Err(CreateUserError::EmailTaken) => "EmailTaken".into(),
        Err(CreateUserError::Store(e)) => format!("{e:?}"),
    }
}

struct Accounts {
    a: User,
    b: User,
    family: RefreshFamily,
    t: DateTime<Utc>,
}

impl Accounts {
    fn new() -> Accounts {
        let t = now();
        let tag = ulid::Ulid::new().to_string().to_lowercase();
        let family = RefreshFamily {
            family: format!("fam{tag}"),
            user_id: UserId::new(),
            generation: 0,
            secret_hash: "h0".into(),
            revoked: false,
            created_at: t,
            expires_at: t + TimeDelta::days(30),
            previous_hash: None,
            rotated_at: None,
        };
        Accounts {
            a: user(Role::Client, &format!("a.{tag}@example.com"), t),
            b: user(Role::Photographer, &format!("b.{tag}@example.com"), t + TimeDelta::seconds(1)),
            family,
            t,
        }
    }
}

async fn accounts<S>(s: &S, f: &Accounts) -> Transcript
where
    S: UserReader + UserWriter + UserDirectory + LoginAttempts + RefreshFamilies,
{
    let mut out = Transcript::default();
    let (a, b, t) = (&f.a, &f.b, f.t);
    out.say("create a", created(s.create_user(a, &a.email).await));
    out.say("create b with a's email", created(s.create_user(b, &a.email).await));
    out.say("create a again, new email", created(s.create_user(a, &b.email).await));
    out.say("create b", created(s.create_user(b, &b.email).await));
    out.say("find a", s.find_user_by_email(&a.email).await.unwrap().map(|u| u.id == a.id));
    out.say("find nobody", s.find_user_by_email("nobody@example.com").await.unwrap().is_some());
    let patch =
        ProfilePatch { name: Some("Renamed".into()), phone: Some(Some("+911234567890".into())), ..Default::default() };
    out.say("patch a", s.patch_user(a.id, &patch, t).await.unwrap().map(|u| (u.name, u.phone, u.updated_at)));
    out.say("patch missing", s.patch_user(UserId::new(), &patch, t).await.unwrap().is_some());
    out.say("deactivate b", s.set_user_active(b.id, false, t).await.unwrap().map(|u| u.active));
    out.say("deactivate missing", s.set_user_active(UserId::new(), false, t).await.unwrap().is_some());
    out.say("get b", s.get_user(b.id).await.unwrap().map(|u| (u.active, u.role)));
    let photographers = s.list_users(Some(Role::Photographer), 10, None).await.unwrap();
    out.say("photographers", photographers.items.iter().map(|u| u.id == b.id).collect::<Vec<_>>());

    let key = format!("login-{}", a.id);
    for n in 1..=6 {
        let st = s
            .record_login_failure(&key, cm_accounts::login_throttle::PER_ACCOUNT, t + TimeDelta::seconds(n))
            .await
            .unwrap();
        out.say("failure", (st.failures, st.locked_until.map(|l| l - t)));
    }
    out.say("state", s.login_state(&key).await.unwrap());
    s.reset_login_failures(&key).await.unwrap();
    out.say("state after reset", s.login_state(&key).await.unwrap());

    let fam = &f.family.family;
    out.say("create family", s.create_refresh_family(&f.family).await);
    out.say("create family again", s.create_refresh_family(&f.family).await);
    out.say("rotate from 1", rotation(s.rotate_refresh_family(fam, 1, "h1", t).await));
    out.say("rotate from 0", rotation(s.rotate_refresh_family(fam, 0, "h1", t).await));
    out.say("rotate from 0 again", rotation(s.rotate_refresh_family(fam, 0, "h1b", t).await));
    let got = s.get_refresh_family(fam).await.unwrap().unwrap();
    out.say("family", (got.generation, got.secret_hash, got.revoked));
    out.say("revoke", s.revoke_refresh_family(fam, t).await);
    out.say("rotate revoked", rotation(s.rotate_refresh_family(fam, 1, "h2", t).await));
    out.say("revoke missing", s.revoke_refresh_family("no-such-family", t).await);
    out.say("rotate missing", rotation(s.rotate_refresh_family("no-such-family", 0, "h", t).await));
    out.say("get missing", s.get_refresh_family("no-such-family").await.unwrap().is_some());
    out
}

#[tokio::test]
async fn accounts_agree() {
    let f = Accounts::new();
    let table = env().await;
    assert_same_story(accounts(&table.app.store, &f).await, accounts(&FakeStore::default(), &f).await);
}

// ---------------------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------------------

fn booking(client: UserId, photographer: UserId, start: DateTime<Utc>, minutes: i64, t: DateTime<Utc>) -> Booking {
    let end = start + TimeDelta::minutes(minutes);
    Booking {
        id: BookingId::new(),
        client_id: client,
        photographer_id: photographer,
        package_id: None,
        event_type: "portrait".into(),
        start,
        end,
        duration_minutes: u32::try_from(minutes).unwrap(),
        timezone: "UTC".into(),
        location: Location { address: "1 MG Road".into(), city: "Pune".into(), lat: None, lon: None },
        notes: None,
        price: serde_json::from_value(json!({"amount_minor": 100_000, "currency": "INR"})).unwrap(),
        status: BookingStatus::Pending,
        lock_blocks: (start.timestamp() / 900..end.timestamp() / 900).collect(),
        local_date: start.date_naive(),
        daily_limit: None,
        requested_at: t,
        expires_at: t + TimeDelta::hours(48),
        cancellation_window_hours: 48,
        payment_terms: cm_payments::PaymentTerms::default(),
        version: 1,
        sequence: 0,
        history: Vec::new(),
        created_at: t,
        updated_at: t,
    }
}

/// `b` counted under a daily limit of `limit` (or not at all).
fn limited(mut b: Booking, limit: Option<u32>) -> Booking {
    b.daily_limit = limit;
    b
}

/// `b` as the next version with `status`, holding its slot or not.
fn next(b: &Booking, status: BookingStatus) -> Booking {
    let mut n = b.clone();
    n.status = status;
    n.version += 1;
    if !cm_booking::holds_slot(status) {
        n.lock_blocks.clear();
    }
    n
}

/// `b` moved to `start`, as the next version.
fn moved(b: &Booking, start: DateTime<Utc>) -> Booking {
    let end = start + TimeDelta::minutes(i64::from(b.duration_minutes));
    Booking {
        start,
        end,
        lock_blocks: (start.timestamp() / 900..end.timestamp() / 900).collect(),
        local_date: start.date_naive(),
        version: b.version + 1,
        ..b.clone()
    }
}

struct Bookings {
    client: UserId,
    other_client: UserId,
    photographer: UserId,
    t: DateTime<Utc>,
    day: DateTime<Utc>,
}

async fn bookings<S: BookingReader + BookingWriter + PendingBookings>(s: &S, f: &Bookings) -> Transcript {
    let mut out = Transcript::default();
    let (c, p, t) = (f.client, f.photographer, f.t);
    let h = |hh: i64, mm: i64| f.day + TimeDelta::hours(hh) + TimeDelta::minutes(mm);
    // Fixed ids: the same bookings go to both stores.
    let mut mk = {
        let mut n = 0u128;
        move |client: UserId, start: DateTime<Utc>, minutes: i64| {
            n += 1;
            let mut b = booking(client, p, start, minutes, t);
            b.id = format!("01J00000000000000000000{n:03}").parse().unwrap();
            b.expires_at = t + TimeDelta::hours(i64::try_from(n).unwrap());
            b
        }
    };
    let answer = IdempotentResponse { request_hash: "hash".into(), status: 201, body: "{}".into(), created_at: t };
    let b1 = mk(c, h(10, 0), 60);
    out.say("b1", s.create_booking(&b1, Some(("key-1", &answer)), None).await);
    out.say("overlapping b1", s.create_booking(&limited(mk(f.other_client, h(10, 45), 60), Some(2)), None, None).await);
    out.say(
        "same key elsewhere",
        s.create_booking(&limited(mk(c, h(14, 0), 60), Some(2)), Some(("key-1", &answer)), None).await,
    );
    out.say(
        "same key, overlapping",
        s.create_booking(&limited(mk(c, h(10, 0), 60), Some(2)), Some(("key-1", &answer)), None).await,
    );
    out.say(
        "new key, overlapping",
        s.create_booking(&limited(mk(c, h(10, 30), 30), Some(2)), Some(("key-2", &answer)), None).await,
    );
    let b2 = mk(c, h(12, 0), 60);
    out.say("b2, second of the day", s.create_booking(&b2, None, None).await);
    out.say(
        "third with limit 2",
        s.create_booking(&limited(mk(f.other_client, h(15, 0), 60), Some(2)), None, None).await,
    );
    let b3 = mk(f.other_client, h(15, 0), 60);
    out.say("third without limit", s.create_booking(&b3, None, None).await);
    out.say("answer", s.get_idempotent_response(c, "key-1").await.unwrap() == Some(answer.clone()));
    out.say("answer, other owner", s.get_idempotent_response(f.other_client, "key-1").await.unwrap().is_some());
    out.say("answer, unused key", s.get_idempotent_response(c, "key-2").await.unwrap().is_some());

    let stale = Booking { version: 7, ..b1.clone() };
    out.say("confirm stale", s.update_booking_status(&stale, &next(&stale, BookingStatus::Confirmed)).await);
    let b1c = next(&b1, BookingStatus::Confirmed);
    out.say("confirm b1", s.update_booking_status(&b1, &b1c).await);
    out.say("confirm b1 again from v1", s.update_booking_status(&b1, &b1c).await);
    out.say("holding", ids(&s.slot_holding_bookings(p, f.day, f.day + TimeDelta::days(1)).await.unwrap()));
    let b1x = next(&b1c, BookingStatus::Cancelled);
    out.say("cancel b1", s.update_booking_status(&b1c, &b1x).await);
    out.say("cancel b1 again", s.update_booking_status(&b1c, &b1x).await);
    let b4 = mk(f.other_client, h(10, 0), 60);
    out.say("b1's freed slot", s.create_booking(&b4, None, None).await);
    out.say("holding after", ids(&s.slot_holding_bookings(p, f.day, f.day + TimeDelta::days(1)).await.unwrap()));
    out.say("from 12:00 to 15:00", ids(&s.slot_holding_bookings(p, h(12, 0), h(15, 0)).await.unwrap()));

    out.say("move b2 onto b3", s.reschedule_booking(&b2, &limited(moved(&b2, h(14, 30)), Some(3)), None).await);
    out.say(
        "move b1 from a stale copy",
        s.reschedule_booking(&b1, &limited(moved(&b1, h(16, 0)), Some(3)), None).await,
    );
    out.say(
        "move b2 over its own time",
        s.reschedule_booking(&b2, &limited(moved(&b2, h(12, 30)), Some(3)), None).await,
    );
    let b2m = moved(&b2, h(12, 30));
    let next_day = mk(f.other_client, h(24 + 10, 0), 60);
    out.say("next day's first", s.create_booking(&next_day, None, None).await);
    out.say(
        "move b2 to a full day",
        s.reschedule_booking(&b2m, &limited(moved(&b2m, h(24 + 14, 0)), Some(1)), None).await,
    );
    out.say(
        "move b2 to an empty day",
        s.reschedule_booking(&b2m, &limited(moved(&b2m, h(48 + 9, 0)), Some(0)), None).await,
    );
    let got = s.get_booking(b2.id).await.unwrap().unwrap();
    out.say("b2", (got.version, got.start - f.day, got.lock_blocks.len()));

    for (descending, label) in [(false, "photographer's bookings"), (true, "photographer's bookings, latest first")] {
        let q = BookingListQuery {
            party: Party::Photographer(p),
            status: None,
            from: None,
            to: None,
            limit: 2,
            descending,
        };
        let mut listed = Vec::new();
        let mut after = None;
        loop {
            let page = s.list_bookings(&q, after.as_ref()).await.unwrap();
            listed.extend(ids(&page.items));
            match page.next {
                Some(k) => after = Some(k),
                None => break,
            }
        }
        out.say(label, listed);
    }
    let q = BookingListQuery {
        party: Party::Client(c),
        status: Some(BookingStatus::Cancelled),
        from: Some(f.day),
        to: Some(f.day + TimeDelta::days(1)),
        limit: 10,
        descending: false,
    };
    out.say("client's cancelled", ids(&s.list_bookings(&q, None).await.unwrap().items));
    // Still pending: b2 (expires at t+6h), b3 (t+8h), b4 (t+9h), next_day (t+10h).
    for hours in [5, 6, 8, 11] {
        let due = s.pending_due(t + TimeDelta::hours(hours), 10, None).await.unwrap();
        let due: Vec<Booking> = due.items.into_iter().map(|b| b.expect("readable")).collect();
        out.say("due", (hours, ids(&due)));
    }

    // Travel: the day item's places and version, and the conditions on them.
    let d3 = h(72 + 9, 0).date_naive();
    let at = |b: Booking, lat: f64| Booking {
        location: Location { lat: Some(lat), lon: Some(73.85), ..b.location.clone() },
        ..b
    };
    let places =
        |day: DayPlaces| (day.version, day.places.iter().map(|p| (p.booking, p.start - f.day)).collect::<Vec<_>>());
    out.say("empty day", places(s.day_places(p, d3).await.unwrap()));
    let l1 = limited(at(mk(c, h(72 + 9, 0), 60), 18.52), Some(2));
    out.say("l1 on version 0", s.create_booking(&l1, None, Some(0)).await);
    out.say("after l1", places(s.day_places(p, d3).await.unwrap()));
    let l2 = limited(at(mk(c, h(72 + 14, 0), 60), 18.79), Some(2));
    out.say("l2 on a stale version", s.create_booking(&l2, None, Some(0)).await);
    out.say("l2 on version 1", s.create_booking(&l2, None, Some(1)).await);
    let l3 = limited(at(mk(c, h(72 + 16, 0), 60), 18.52), Some(2));
    out.say("l3 past the limit", s.create_booking(&l3, None, Some(2)).await);
    out.say("l3 past the limit, stale", s.create_booking(&l3, None, Some(1)).await);
    let unlocated = mk(f.other_client, h(72 + 12, 0), 60);
    out.say("no place, no version", s.create_booking(&unlocated, None, None).await);
    out.say("places unchanged", places(s.day_places(p, d3).await.unwrap()));
    let l1x = next(&l1, BookingStatus::Cancelled);
    out.say("cancel l1", s.update_booking_status(&l1, &l1x).await);
    out.say("l1's place gone", places(s.day_places(p, d3).await.unwrap()));
    let l2m = moved(&l2, h(72 + 15, 0));
    out.say("move l2 on a stale version", s.reschedule_booking(&l2, &l2m, Some(1)).await);
    out.say("move l2 in its day", s.reschedule_booking(&l2, &l2m, Some(2)).await);
    out.say("l2 moved", places(s.day_places(p, d3).await.unwrap()));
    let l2n = moved(&l2m, h(96 + 10, 0));
    // The next day already holds l2's place (a neighbour's): its version is not 0.
    let next_day = s.day_places(p, l2n.local_date).await.unwrap();
    out.say("the next day, before", places(next_day.clone()));
    out.say("move l2 to the next day on version 0", s.reschedule_booking(&l2m, &l2n, Some(0)).await);
    out.say("move l2 to the next day", s.reschedule_booking(&l2m, &l2n, Some(next_day.version)).await);
    out.say("old day", places(s.day_places(p, d3).await.unwrap()));
    out.say("new day", places(s.day_places(p, l2n.local_date).await.unwrap()));
    out
}

fn ids(bs: &[Booking]) -> Vec<String> {
    bs.iter().map(|b| b.id.to_string()[23..].to_string()).collect()
}

#[tokio::test]
async fn bookings_agree() {
    let t = now();
    let day = (t + TimeDelta::days(3)).date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let f = Bookings { client: UserId::new(), other_client: UserId::new(), photographer: UserId::new(), t, day };
    let table = env().await;
    assert_same_story(bookings(&table.app.store, &f).await, bookings(&FakeStore::default(), &f).await);
}

// ---------------------------------------------------------------------------------------
// Catalog, reviews, feedback, analyses, claims
// ---------------------------------------------------------------------------------------

fn profile() -> PhotographerProfile {
    serde_json::from_value::<PhotographerProfileInput>(json!({"display_name": "Asha Lens",
      "specializations": ["portrait"], "city": "Pune", "country": "IN", "lat": 18.52, "lon": 73.85,
      "service_radius_km": 50, "years_experience": 7, "hourly_rate": {"amount_minor": 250000, "currency": "INR"}}))
    .unwrap()
    .validate()
    .unwrap()
}

struct Rest {
    photographer: UserId,
    review: Review,
    feedback: Feedback,
    t: DateTime<Utc>,
}

async fn the_rest<S>(s: &S, f: &Rest) -> Transcript
where
    S: PhotographerReader
        + PhotographerWriter
        + PhotographerSearch
        + ReviewReader
        + ReviewWriter
        + FeedbackReader
        + FeedbackWriter
        + SentimentWriter
        + InsightsReader
        + SentimentAggregates
        + AlertFlags
        + Claims,
{
    let mut out = Transcript::default();
    let (p, t) = (f.photographer, f.t);
    let put = s.put_photographer_profile(p, &profile(), true, t).await.unwrap();
    out.say("profile", (put.version, put.listed));
    let put = s.put_photographer_profile(p, &profile(), false, t).await.unwrap();
    out.say("profile again", (put.version, put.listed));
    let mut q = SearchQuery {
        partition: "city#pune".into(),
        min_rating_centi: None,
        max_hourly_rate_minor: None,
        currency: None,
        limit: 5,
    };
    let found = |page: Page<cm_catalog::PublicProfile>| page.items.iter().map(|x| x.id == p).collect::<Vec<_>>();
    out.say("search", found(s.search_photographers(&q, None).await.unwrap()));
    q.currency = Some("USD");
    out.say("search in dollars", found(s.search_photographers(&q, None).await.unwrap()));
    q.currency = None;
    q.max_hourly_rate_minor = Some(100_000);
    out.say("search cheaper", found(s.search_photographers(&q, None).await.unwrap()));

    let r = &f.review;
    let (pk, sk) = (keys::booking(r.booking_id), keys::REVIEW_SK);
    out.say("review", s.create_review(r).await);
    out.say("review again", s.create_review(r).await);
    out.say("reply missing", s.set_review_reply(BookingId::new(), "hi", t).await.unwrap().is_some());
    let first = s.set_review_reply(r.booking_id, "Thanks", t).await.unwrap().unwrap().reply;
    out.say("reply", first.map(|x| (x.text, x.created_at - t, x.updated_at - t)));
    let edit = s.set_review_reply(r.booking_id, "Thank you", t + TimeDelta::hours(1)).await.unwrap().unwrap().reply;
    out.say("edit", edit.map(|x| (x.text, x.created_at - t, x.updated_at - t)));
    let stored = s.get_review(r.booking_id).await.unwrap().unwrap();
    out.say("stored reply", stored.reply.map(|x| (x.text, x.created_at - t)));

    let record = |text: &str| SentimentRecord {
        analysis: cm_sentiment::analyze(text),
        analyzer: "embedded".into(),
        analyzed_at: t,
    };
    out.say(
        "analyse",
        s.apply_review_analysis(r, record("Terrible, late and rude."), true).await.map_err(|e| e.to_string()),
    );
    out.say(
        "analyse again",
        s.apply_review_analysis(r, record("Terrible, late and rude."), true).await.map_err(|e| e.to_string()),
    );
    let analysed = s.get_review(r.booking_id).await.unwrap().unwrap();
    out.say(
        "analysed",
        (analysed.analysis_version, analysed.alert_pending, analysed.sentiment.map(|x| x.analysis.label)),
    );
    let current = s.get_review(r.booking_id).await.unwrap().unwrap();
    let reanalysed = s.apply_review_analysis(&current, record("Wonderful and kind."), false).await;
    out.say("reanalyse", reanalysed.map_err(|e| e.to_string()));
    let rec = s.get_photographer(p).await.unwrap().unwrap();
    out.say(
        "photographer",
        (rec.version, rec.rating.sum, rec.rating.count, rec.sentiment.positive, rec.sentiment.negative),
    );
    out.say("clear alert", s.clear_alert(&pk, sk).await);
    out.say("clear alert again", s.clear_alert(&pk, sk).await);
    out.say("clear alert on nothing", s.clear_alert(&keys::booking(BookingId::new()), sk).await);

    let fb = &f.feedback;
    out.say("feedback", s.create_feedback(fb).await);
    out.say("feedback again", s.create_feedback(fb).await);
    let stale = Feedback { updated_at: t - TimeDelta::seconds(1), ..fb.clone() };
    out.say("triage stale", s.update_feedback_status(&stale, FeedbackStatus::Resolved, t).await.unwrap().is_some());
    let moved = s.update_feedback_status(fb, FeedbackStatus::InProgress, t + TimeDelta::minutes(1)).await.unwrap();
    out.say("triage", moved.as_ref().map(|m| m.status));
    out.say(
        "triage from the old copy",
        s.update_feedback_status(fb, FeedbackStatus::Resolved, t).await.unwrap().is_some(),
    );
    let current = moved.unwrap();
    out.say("analyse feedback", s.apply_feedback_analysis(&current, record("Awful, broken and useless."), true).await);
    out.say("analyse feedback again", s.apply_feedback_analysis(&current, record("Awful."), true).await);
    out.say(
        "triage after analysis from before",
        s.update_feedback_status(&current, FeedbackStatus::Open, t).await.unwrap().is_some(),
    );
    let open = s.list_feedback(Some(FeedbackStatus::InProgress), None, 10, None).await.unwrap();
    out.say("in progress", open.items.iter().map(|x| x.id == fb.id).collect::<Vec<_>>());
    let day = fb.created_at.date_naive();
    let deltas =
        cm_reviews::sentiment::aggregate_deltas("feedback", None, &record("Awful, broken and useless.").analysis);
    out.say(
        "aggregate",
        s.add_sentiment_deltas("FEEDBACK#x#FEEDBACK#v1", day, &deltas, t).await.map_err(|e| e.to_string()),
    );
    out.say(
        "aggregate again",
        s.add_sentiment_deltas("FEEDBACK#x#FEEDBACK#v1", day, &deltas, t).await.map_err(|e| e.to_string()),
    );
    let days = s.sentiment_days(day, day).await.unwrap();
    out.say("day", days.iter().map(|d| d.counters.iter().collect::<BTreeMap<_, _>>()).collect::<Vec<_>>());

    let k = format!("claim-{}", p);
    let secs = TimeDelta::seconds;
    out.say("claim", s.claim(&k, secs(30), t).await);
    out.say("claim while held", s.claim(&k, secs(30), t + secs(10)).await);
    out.say("claim after the lease", s.claim(&k, secs(30), t + secs(40)).await);
    out.say("complete", s.complete(&k, t + secs(50)).await);
    out.say("claim done", s.claim(&k, secs(30), t + secs(60)).await);
    out.say("release done", s.release(&k).await);
    out.say("claim done again", s.claim(&k, secs(30), t + secs(61)).await);
    out.say("claim after retention", s.claim(&k, secs(30), t + secs(50) + cm_store::claims::DONE_RETENTION).await);
    let k2 = format!("claim2-{}", p);
    out.say("claim 2", s.claim(&k2, secs(30), t).await);
    out.say("release 2", s.release(&k2).await);
    out.say("claim 2 again at once", s.claim(&k2, secs(30), t + secs(1)).await);
    out.say("empty key", s.claim("", secs(30), t).await);
    out
}

#[tokio::test]
async fn catalog_reviews_feedback_analyses_and_claims_agree() {
    let t = now();
    let photographer = UserId::new();
    let review =
        Review::new(BookingId::new(), photographer, UserId::new(), "Ravi".into(), 2, "Late and rude.".into(), t);
    let feedback = Feedback::new(
        UserId::new(),
        Role::Client,
        FeedbackCategory::Platform,
        "Checkout broken".into(),
        "The page froze.".into(),
        t,
    );
    let f = Rest { photographer, review, feedback, t };
    let table = env().await;
    assert_same_story(the_rest(&table.app.store, &f).await, the_rest(&FakeStore::default(), &f).await);
}

/// Portfolio items and the cover photo: the head version that guards quotas, version
/// checks on settle, edit and delete, and the cover following its item.
async fn portfolio<S>(s: &S, photographer: UserId, profile: &PhotographerProfile, t: DateTime<Utc>) -> Transcript
where
    S: PortfolioReader + PortfolioWriter + PhotographerWriter + PhotographerReader + CoverPhotos,
{
    let mut out = Transcript::default();
    let req = cm_media::UploadRequest::parse("a.jpg", "image/jpeg", 1000, "wedding", Some("First")).unwrap();
    let first = req.pending_item("01JD3QK8P2R4T6V8X0Z2B4D6F8".parse().unwrap(), photographer, 1, t);
    let second = req.pending_item("01JD3QK8P2R4T6V8X0Z2B4D6F9".parse().unwrap(), photographer, 2, t);
    out.say("empty portfolio", s.portfolio(photographer, true).await.map(|p| (p.items.len(), p.version)));
    out.say("add first at 0", s.add_portfolio_item(&first, 0).await);
    out.say("add first again", s.add_portfolio_item(&first, 1).await);
    out.say("add second at stale 0", s.add_portfolio_item(&second, 0).await);
    out.say("add second at 1", s.add_portfolio_item(&second, 1).await);
    out.say("portfolio", s.portfolio(photographer, true).await.map(|p| (p.items.len(), p.version)));
    let variants = cm_media::objects::DISPLAY_SIZES
        .iter()
        .map(|&size| cm_media::Variant {
            size,
            width: size,
            height: size / 2,
            bytes: 100,
            key: cm_media::objects::variant_key(photographer, first.id, size),
        })
        .collect();
    let processed =
        cm_media::item::Processed { width: 800, height: 400, colour: "#102030".into(), original_bytes: 999, variants };
    let ready = first.ready(processed, t).unwrap();
    out.say("settle first", s.replace_portfolio_item(&first, &ready).await);
    out.say("settle first again (redelivery)", s.replace_portfolio_item(&first, &ready).await);
    out.say("read first", s.get_portfolio_item(photographer, first.id).await.map(|i| i.map(|i| (i.status, i.version))));
    out.say(
        "cover without a profile",
        s.set_cover_photo(photographer, ready.cover_photo("https://cdn"), None, t).await.map(|r| r.is_some()),
    );
    s.put_photographer_profile(photographer, profile, true, t).await.unwrap();
    out.say(
        "cover first",
        s.set_cover_photo(photographer, ready.cover_photo("https://cdn"), None, t)
            .await
            .map(|r| r.and_then(|r| r.cover).map(|c| c.item_id)),
    );
    out.say(
        "clear if second",
        s.set_cover_photo(photographer, None, Some(&second.id.to_string()), t).await.map(|r| r.is_some()),
    );
    out.say(
        "profile cover",
        s.get_photographer(photographer).await.map(|r| r.and_then(|r| r.cover).map(|c| c.item_id)),
    );
    out.say(
        "clear if first",
        s.set_cover_photo(photographer, None, Some(&first.id.to_string()), t).await.map(|r| r.map(|r| r.cover)),
    );
    out.say("delete stale first", s.delete_portfolio_item(&first).await);
    out.say("delete first", s.delete_portfolio_item(&ready).await);
    out.say("delete first again", s.delete_portfolio_item(&ready).await);
    out.say("edit deleted", s.replace_portfolio_item(&ready, &ready).await);
    out.say("portfolio after", s.portfolio(photographer, true).await.map(|p| (p.items.len(), p.version)));
    out
}

#[tokio::test]
async fn portfolios_and_cover_photos_agree() {
    let t = now();
    let photographer = UserId::new();
    let profile = profile();
    let table = env().await;
    assert_same_story(
        portfolio(&table.app.store, photographer, &profile, t).await,
        portfolio(&FakeStore::default(), photographer, &profile, t).await,
    );
}
