//! `cm_booking::analytics`: what each change of a booking adds to the daily aggregates
//! (bookings built and changed through the crate's own writers), and how the report,
//! top lists and CSV fold the aggregates back. Set PROPTEST_CASES to run more.

mod common;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use cm_booking::analytics::{
    Contribution, Counter, CurrencyCode, Granularity, Report, SHARDS, Segment, Tone, cancellation_reasons,
    contribution, csv, key_city, leaderboard, payment_contribution, report, review_contribution, sentiment_deltas,
    session_contributions, shard_of, top,
};
use cm_booking::request::BookingRequest;
use cm_booking::{
    Actor, Availability, Booking, BookingDuration, BookingFootprint, BookingStatus, Quote, Transition,
    booking_footprint, frees_slot, reschedule, transition,
};
use cm_catalog::photographer::Specialization;
use cm_core::location::Location;
use cm_core::money::{Currency, Money};
use cm_core::{BookingId, UserId};
use cm_payments::ledger::{IntentReport, Refund, RefundReason};
use cm_payments::{Intent, IntentStatus, Ledger, PaymentKind, PaymentTerms};
use common::{availability, date, utc};
use proptest::prelude::*;
use serde_json::json;

use BookingStatus::*;

// ---------------------------------------------------------------------------------
// Bookings, made and changed the way the API makes and changes them.

/// UTC, 06:00–22:00 every day, no buffers, a 48-hour cancellation window.
fn studio() -> Availability {
    let day = json!([{"start": "06:00", "end": "22:00"}]);
    availability(json!({
        "timezone": "UTC",
        "weekly": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day},
        "buffer_before_minutes": 0, "buffer_after_minutes": 0, "cancellation_window_hours": 48
    }))
}

fn duration(minutes: u32) -> BookingDuration {
    BookingDuration::from_minutes(minutes).expect("a bookable duration")
}

fn quote(minutes: u32) -> Quote {
    let currency = Currency::try_from("USD".to_string()).expect("USD");
    Quote { duration: duration(minutes), price: Money { amount_minor: i64::from(minutes) * 100, currency } }
}

fn footprint(start: DateTime<Utc>, minutes: u32) -> BookingFootprint {
    booking_footprint(&studio(), start, duration(minutes)).expect("a footprint")
}

/// Requested 1 June 12:00 UTC for 10 June 10:00–12:00 (lead 8 d 22 h = 12,840 min).
const REQUESTED: &str = "2026-06-01T12:00:00Z";
const START: &str = "2026-06-10T10:00:00Z";
const CITY: &str = "  New   YORK ";

fn request(city: &str, event: Specialization, start: DateTime<Utc>, minutes: u32, now: DateTime<Utc>) -> Booking {
    let req = BookingRequest {
        photographer_id: UserId::new(),
        package_id: None,
        event_type: event,
        start,
        duration: Some(duration(minutes)),
        location: Location { address: "1 Main St".into(), city: city.into(), lat: None, lon: None },
        notes: None,
        quote_id: None,
    };
    Booking::request(
        UserId::new(),
        &req,
        &studio(),
        &footprint(start, minutes),
        quote(minutes),
        PaymentTerms::default(),
        now,
    )
}

fn pending() -> Booking {
    request(CITY, Specialization::Wedding, utc(START), 120, utc(REQUESTED))
}

/// The booking after a status change the lifecycle accepts at `at`.
fn change(b: &Booking, to: BookingStatus, actor: Actor, at: &str) -> Booking {
    let ctx = b.transition_context(utc(at)).with_reason("plans changed");
    let t = transition(b.status, to, actor, &ctx).expect("a legal change");
    b.after_transition(&t, Some(b.photographer_id))
}

/// The booking moved to `start` for `minutes` by `actor` at `at`, as the lifecycle says.
fn moved(b: &Booking, actor: Actor, start: &str, minutes: u32, at: &str) -> Booking {
    let status = reschedule(b.status, actor, &b.transition_context(utc(at))).expect("may reschedule");
    let by = if actor == Actor::Client { b.client_id } else { b.photographer_id };
    b.after_reschedule(&footprint(utc(start), minutes), quote(minutes), status, actor, by, utc(at))
}

/// Confirmed by the photographer on 2 June 09:00.
fn confirmed() -> Booking {
    change(&pending(), Confirmed, Actor::Photographer, "2026-06-02T09:00:00Z")
}

fn deltas(pairs: &[(Counter, i64)]) -> BTreeMap<Counter, i64> {
    pairs.iter().copied().collect()
}

fn contributes(old: &Booking, new: &Booking) -> Contribution {
    contribution(Some(old), Some(new)).expect("a contribution")
}

// ---------------------------------------------------------------------------------
// contribution

#[test]
fn a_new_request_counts_one_request_with_its_lead_on_the_day_it_was_made() {
    let mut new = pending();
    // A later `updated_at` must not move the request off the day it was made.
    new.updated_at = utc("2026-06-04T08:00:00Z");
    let c = contribution(None, Some(&new)).expect("a request counts");
    assert_eq!(
        c.deltas,
        deltas(&[(Counter::Requested, 1), (Counter::LeadMinutes, 12_840), (Counter::Lead7To30d, 1)]),
        "no status counter and no booked minutes for a pending request"
    );
    assert_eq!(c.day, date("2026-06-01"));
    assert_eq!(c.event, format!("analytics#{}#v1", new.id));
    assert_eq!(c.city, "new york");
    assert_eq!(c.specialization, Some(Specialization::Wedding));
    assert_eq!(c.shard, shard_of(&new));
}

#[test]
fn a_requests_lead_time_falls_in_its_bucket() {
    let cases = [
        ("2026-06-01T12:30:00Z", 30, Counter::LeadUnder1d),
        ("2026-06-02T11:45:00Z", 1_425, Counter::LeadUnder1d),
        ("2026-06-02T12:00:00Z", 1_440, Counter::Lead1To7d),
        ("2026-06-08T12:00:00Z", 10_080, Counter::Lead7To30d),
        ("2026-07-01T12:00:00Z", 43_200, Counter::Lead30To90d),
        ("2026-08-30T12:00:00Z", 129_600, Counter::Lead90dPlus),
        ("2027-06-01T12:00:00Z", 525_600, Counter::Lead90dPlus),
    ];
    for (start, lead, bucket) in cases {
        let b = request(CITY, Specialization::Portrait, utc(start), 60, utc(REQUESTED));
        let c = contribution(None, Some(&b)).expect("a request counts");
        assert_eq!(
            c.deltas,
            deltas(&[(Counter::Requested, 1), (Counter::LeadMinutes, lead), (bucket, 1)]),
            "session at {start}"
        );
    }
}

#[test]
fn a_request_made_after_its_start_counts_no_lead() {
    let mut b = pending();
    b.requested_at = b.start + TimeDelta::hours(3);
    let c = contribution(None, Some(&b)).expect("a request counts");
    assert_eq!(c.deltas, deltas(&[(Counter::Requested, 1), (Counter::LeadUnder1d, 1)]), "lead clamps to zero");
}

#[test]
fn confirming_counts_a_confirmation_and_books_the_minutes_on_its_day() {
    let (old, new) = (pending(), confirmed());
    let c = contributes(&old, &new);
    assert_eq!(
        c.deltas,
        deltas(&[(Counter::Confirmed, 1), (Counter::BookedMinutes, 120), (Counter::ConfirmMinutes, 21 * 60)]),
        "answered 21 hours after the request"
    );
    assert_eq!(c.day, date("2026-06-02"), "the day of the change, not of the request");
    assert_eq!(c.event, format!("analytics#{}#v2", new.id));
}

#[test]
fn completing_counts_a_completion_and_keeps_the_minutes() {
    let old = confirmed();
    let done = change(&old, Completed, Actor::Photographer, "2026-06-10T12:00:00Z");
    let c = contributes(&old, &done);
    assert_eq!(c.deltas, deltas(&[(Counter::Completed, 1)]));
    assert_eq!(c.day, date("2026-06-10"));
}

#[test]
fn cancelling_a_confirmed_booking_frees_its_minutes() {
    let old = confirmed();
    let cancelled = change(&old, Cancelled, Actor::Photographer, "2026-06-05T08:00:00Z");
    let c = contributes(&old, &cancelled);
    assert_eq!(
        c.deltas,
        deltas(&[
            (Counter::Cancelled, 1),
            (Counter::CancelledByPhotographer, 1),
            (Counter::CancelledAfterConfirmation, 1),
            (Counter::BookedMinutes, -120)
        ]),
        "five days ahead: outside the 48-hour window"
    );
    assert_eq!(c.day, date("2026-06-05"));
}

#[test]
fn a_pending_request_that_ends_counts_only_how_it_ended() {
    let old = pending();
    for (to, actor, at, counters) in [
        (Declined, Actor::Photographer, "2026-06-02T09:00:00Z", vec![Counter::Declined]),
        (Expired, Actor::System, "2026-06-03T12:00:00Z", vec![Counter::Expired]),
        (
            Cancelled,
            Actor::Client,
            "2026-06-02T10:00:00Z",
            vec![Counter::Cancelled, Counter::CancelledByClient, Counter::CancelledWhilePending],
        ),
    ] {
        let new = change(&old, to, actor, at);
        let c = contributes(&old, &new);
        let ones: Vec<(Counter, i64)> = counters.into_iter().map(|k| (k, 1)).collect();
        assert_eq!(c.deltas, deltas(&ones), "{to}: nothing was booked");
        assert_eq!(c.day, utc(at).date_naive(), "{to}");
    }
}

#[test]
fn a_clients_reschedule_back_to_pending_is_no_request_but_frees_the_minutes() {
    let old = confirmed();
    let back = moved(&old, Actor::Client, "2026-06-12T10:00:00Z", 180, "2026-06-04T08:00:00Z");
    assert_eq!(back.status, Pending);
    let c = contributes(&old, &back);
    assert_eq!(c.deltas, deltas(&[(Counter::BookedMinutes, -120)]), "the old length is freed, no request counted");
    assert_eq!(c.day, date("2026-06-04"));

    let moved_pending = moved(&pending(), Actor::Client, "2026-06-12T10:00:00Z", 180, "2026-06-02T08:00:00Z");
    assert_eq!(contribution(Some(&pending()), Some(&moved_pending)), None, "a pending move counts nothing");
}

#[test]
fn confirming_again_after_a_reschedule_books_the_new_minutes_but_is_no_new_confirmation() {
    let first = confirmed();
    let back = moved(&first, Actor::Client, "2026-06-12T10:00:00Z", 180, "2026-06-04T08:00:00Z");
    let again = change(&back, Confirmed, Actor::Photographer, "2026-06-04T10:00:00Z");
    let c = contributes(&back, &again);
    assert_eq!(c.deltas, deltas(&[(Counter::BookedMinutes, 180)]));
    assert_eq!(c.event, format!("analytics#{}#v4", again.id));

    // Without a confirmation in its history, the same change is a first confirmation.
    let mut never = back.clone();
    never.history.retain(|h| h.to != Confirmed);
    let c = contributes(&never, &again);
    assert_eq!(
        c.deltas,
        deltas(&[(Counter::Confirmed, 1), (Counter::BookedMinutes, 180), (Counter::ConfirmMinutes, 120)]),
        "answered two hours after the client's new request"
    );
}

#[test]
fn a_confirmed_booking_whose_length_changed_books_the_difference() {
    let old = confirmed();
    let shorter = moved(&old, Actor::Photographer, "2026-06-11T10:00:00Z", 90, "2026-06-05T08:00:00Z");
    assert_eq!(shorter.status, Confirmed);
    assert_eq!(contributes(&old, &shorter).deltas, deltas(&[(Counter::BookedMinutes, -30)]));
    let longer = moved(&shorter, Actor::Photographer, "2026-06-11T10:00:00Z", 240, "2026-06-05T09:00:00Z");
    assert_eq!(contributes(&shorter, &longer).deltas, deltas(&[(Counter::BookedMinutes, 150)]));
    let same_length = moved(&longer, Actor::Photographer, "2026-06-12T08:00:00Z", 240, "2026-06-05T10:00:00Z");
    assert_eq!(contribution(Some(&longer), Some(&same_length)), None, "moved, same length: nothing");
}

#[test]
fn a_change_that_moves_no_counter_contributes_nothing() {
    for b in [pending(), confirmed()] {
        let mut edited = b.clone();
        edited.version += 1;
        edited.notes = Some("bring a ladder".into());
        edited.updated_at += TimeDelta::hours(1);
        assert_eq!(contribution(Some(&b), Some(&edited)), None, "{}", b.status);
        assert_eq!(contribution(Some(&b), Some(&b)), None, "{}", b.status);
    }
    let done = change(&confirmed(), Completed, Actor::Photographer, "2026-06-10T13:00:00Z");
    assert_eq!(contribution(Some(&done), Some(&done)), None);
}

#[test]
fn a_deletion_contributes_nothing() {
    for b in [pending(), confirmed()] {
        assert_eq!(contribution(Some(&b), None), None, "{}", b.status);
    }
    assert_eq!(contribution(None, None), None);
}

#[test]
fn every_version_of_a_booking_is_its_own_event_in_one_shard() {
    let b0 = pending();
    let b1 = confirmed_from(&b0);
    let b2 = moved(&b1, Actor::Client, "2026-06-12T10:00:00Z", 180, "2026-06-04T08:00:00Z");
    let b3 = change(&b2, Confirmed, Actor::Photographer, "2026-06-04T10:00:00Z");
    let b4 = change(&b3, Completed, Actor::Photographer, "2026-06-12T13:00:00Z");
    let all = [
        contribution(None, Some(&b0)).unwrap(),
        contributes(&b0, &b1),
        contributes(&b1, &b2),
        contributes(&b2, &b3),
        contributes(&b3, &b4),
    ];
    let events: BTreeSet<_> = all.iter().map(|c| c.event.clone()).collect();
    assert_eq!(events.len(), all.len());
    for (i, c) in all.iter().enumerate() {
        assert_eq!(c.event, format!("analytics#{}#v{}", b0.id, i + 1));
        assert_eq!(c.shard, shard_of(&b0));
    }
    // Redelivery of a change yields the same event, so it is counted once.
    assert_eq!(contributes(&b0, &b1), contributes(&b0, &b1));
}

fn confirmed_from(b: &Booking) -> Booking {
    change(b, Confirmed, Actor::Photographer, "2026-06-02T09:00:00Z")
}

#[test]
fn cities_are_keyed_as_search_normalises_them_without_hashes() {
    assert_eq!(key_city("  New   YORK "), "new york");
    assert_eq!(key_city("New#York"), "new york");
    assert_eq!(key_city("#São  Paulo#"), "são paulo");
    assert_eq!(key_city("Mumbai"), "mumbai");
    let b = request("St.#Louis\t Park ", Specialization::Event, utc(START), 60, utc(REQUESTED));
    assert_eq!(contribution(None, Some(&b)).unwrap().city, "st. louis park");
    assert_eq!(Segment::new(Some("  New   YORK "), None).key(), "CITY#new york");
    assert_eq!(
        Segment::new(Some("New#York"), Some(Specialization::RealEstate)).key(),
        "CITY#new york#SPEC#real_estate"
    );
    assert_eq!(Segment::new(None, Some(Specialization::Wedding)).key(), "SPEC#wedding");
    assert_eq!(Segment::ALL.key(), "ALL");
}

#[test]
fn a_contribution_goes_to_four_series_or_two_without_a_specialization() {
    let c = contribution(None, Some(&pending())).unwrap();
    let city = Some("new york".to_string());
    let spec = Some(Specialization::Wedding);
    assert_eq!(
        c.segments(),
        vec![
            Segment::ALL,
            Segment { city: city.clone(), specialization: None },
            Segment { city: None, specialization: spec },
            Segment { city: city.clone(), specialization: spec },
        ]
    );

    let mut unknown = pending();
    unknown.event_type = "birthday".into();
    let c = contribution(None, Some(&unknown)).unwrap();
    assert_eq!(c.specialization, None);
    assert_eq!(c.segments(), vec![Segment::ALL, Segment { city, specialization: None }]);

    for s in Specialization::ALL {
        let b = request(CITY, s, utc(START), 60, utc(REQUESTED));
        let c = contribution(None, Some(&b)).unwrap();
        assert_eq!(c.specialization, Some(s));
        assert_eq!(c.segments().len(), 4);
    }
}

#[test]
fn shards_are_stable_across_processes() {
    // FNV-1a of the id's text: the same on every Lambda instance, unlike std's hasher.
    let mut b = pending();
    for (id, shard) in [
        ("01HZ0000000000000000000001", 7),
        ("01HZ0000000000000000000002", 10),
        ("01HZ0000000000000000000003", 13),
        ("01HZ0000000000000000000004", 8),
    ] {
        b.id = id.parse().unwrap();
        assert_eq!(shard_of(&b), shard, "{id}");
        assert_eq!(shard_of(&b.clone()), shard);
    }
}

#[test]
fn shards_spread_bookings_over_every_partition() {
    let mut b = pending();
    let mut counts = [0u32; SHARDS as usize];
    for _ in 0..4000 {
        b.id = BookingId::new();
        let shard = shard_of(&b);
        assert!(shard < SHARDS);
        counts[shard as usize] += 1;
    }
    // 250 expected each (SHARDS = 16); 150 is more than 6 standard deviations below.
    assert!(counts.iter().all(|&n| n > 150), "{counts:?}");
}

// A random walk through the lifecycle: whatever path a booking takes, its
// contributions add up to what it is at the end.

#[derive(Debug, Clone)]
enum Step {
    Status(BookingStatus),
    ClientMove(u32),
    PhotographerMove(u32),
    Edit,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => prop::sample::select(BookingStatus::ALL.to_vec()).prop_map(Step::Status),
        1 => (1u32..=40).prop_map(|q| Step::ClientMove(q * 15)),
        1 => (1u32..=40).prop_map(|q| Step::PhotographerMove(q * 15)),
        1 => Just(Step::Edit),
    ]
}

fn legal(from: BookingStatus, to: BookingStatus) -> bool {
    matches!((from, to), (Pending, Confirmed | Declined | Cancelled | Expired) | (Confirmed, Cancelled | Completed))
}

/// The booking after `s` at `at`, when the lifecycle allows it from where `b` is.
fn after_step(b: &Booking, s: &Step, at: DateTime<Utc>) -> Option<Booking> {
    Some(match *s {
        Step::Status(to) if legal(b.status, to) => {
            let t = Transition {
                from: b.status,
                to,
                actor: Actor::Photographer,
                at,
                reason: None,
                frees_slot: frees_slot(to),
            };
            b.after_transition(&t, None)
        }
        Step::ClientMove(m) | Step::PhotographerMove(m) if matches!(b.status, Pending | Confirmed) => {
            let (actor, status) = match s {
                Step::ClientMove(_) => (Actor::Client, Pending),
                _ => (Actor::Photographer, b.status),
            };
            b.after_reschedule(&footprint(b.start + TimeDelta::days(1), m), quote(m), status, actor, b.client_id, at)
        }
        Step::Edit => {
            let mut e = b.clone();
            e.version += 1;
            e.updated_at = at;
            e.notes = Some(format!("v{}", e.version));
            e
        }
        _ => return None,
    })
}

proptest! {
    #[test]
    fn contributions_of_any_history_add_up_to_where_it_ends(
        first in (1u32..=40).prop_map(|q| q * 15),
        steps in prop::collection::vec(step(), 0..12),
    ) {
        let mut at = utc(REQUESTED);
        let mut b = request(CITY, Specialization::Family, utc(START), first, at);
        let mut all = vec![contribution(None, Some(&b)).expect("a request counts")];
        let mut ever_confirmed = false;
        for s in steps {
            at += TimeDelta::hours(1);
            let Some(next) = after_step(&b, &s, at) else { continue };
            ever_confirmed |= next.status == Confirmed;
            if let Some(c) = contribution(Some(&b), Some(&next)) {
                prop_assert_eq!(c.day, at.date_naive());
                all.push(c);
            }
            b = next;
        }
        let mut sum: BTreeMap<Counter, i64> = BTreeMap::new();
        for c in &all {
            prop_assert!(!c.deltas.is_empty());
            prop_assert!(c.deltas.values().all(|&n| n != 0), "{:?}", c.deltas);
            prop_assert_eq!(c.shard, shard_of(&b));
            for (k, n) in &c.deltas {
                *sum.entry(*k).or_insert(0) += n;
            }
        }
        let events: BTreeSet<_> = all.iter().map(|c| &c.event).collect();
        prop_assert_eq!(events.len(), all.len(), "one event per version");
        let get = |k: Counter| sum.get(&k).copied().unwrap_or(0);
        prop_assert_eq!(get(Counter::Requested), 1);
        prop_assert_eq!(get(Counter::Confirmed), i64::from(ever_confirmed));
        let booked = if matches!(b.status, Confirmed | Completed) { i64::from(b.duration_minutes) } else { 0 };
        prop_assert_eq!(get(Counter::BookedMinutes), booked, "ends {}", b.status);
        for (status, counter) in [
            (Declined, Counter::Declined),
            (Cancelled, Counter::Cancelled),
            (Expired, Counter::Expired),
            (Completed, Counter::Completed),
        ] {
            prop_assert_eq!(get(counter), i64::from(b.status == status), "{}", counter.name());
        }
        // A cancellation is counted once by who cancelled and once by its stage.
        let cancelled = get(Counter::Cancelled);
        let by = [Counter::CancelledByClient, Counter::CancelledByPhotographer, Counter::CancelledByPlatform];
        prop_assert_eq!(by.iter().map(|&k| get(k)).sum::<i64>(), cancelled);
        let stage = [Counter::CancelledWhilePending, Counter::CancelledAfterConfirmation];
        prop_assert_eq!(stage.iter().map(|&k| get(k)).sum::<i64>(), cancelled);
        prop_assert!(get(Counter::CancelledLate) <= cancelled);
        prop_assert!(get(Counter::ConfirmMinutes) >= 0);
        if !ever_confirmed {
            prop_assert_eq!(get(Counter::ConfirmMinutes), 0, "no confirmation, no response time");
        }
        prop_assert_eq!(get(Counter::Paid) + get(Counter::Reviewed), 0, "a booking's own changes move no money");
        let buckets = [Counter::LeadUnder1d, Counter::Lead1To7d, Counter::Lead7To30d, Counter::Lead30To90d, Counter::Lead90dPlus];
        prop_assert_eq!(buckets.iter().map(|&k| get(k)).sum::<i64>(), 1);
        prop_assert_eq!(get(Counter::LeadMinutes), (utc(START) - utc(REQUESTED)).num_minutes());
    }
}

// ---------------------------------------------------------------------------------
// session minutes: by the session's own day

/// The session contributions of one change, as (day, city, minutes).
fn sessions(old: Option<&Booking>, new: &Booking) -> Vec<(NaiveDate, String, i64)> {
    session_contributions(old, Some(new))
        .into_iter()
        .map(|c| {
            assert_eq!(c.deltas.keys().collect::<Vec<_>>(), vec![&Counter::SessionMinutes], "only session minutes");
            (c.day, c.city.clone(), c.deltas[&Counter::SessionMinutes])
        })
        .collect()
}

#[test]
fn a_confirmation_books_the_sessions_minutes_on_the_sessions_local_date() {
    let p = pending();
    assert_eq!(sessions(None, &p), vec![], "a request holds no session");
    let c = confirmed();
    assert_eq!(sessions(Some(&p), &c), vec![(date("2026-06-10"), "new york".into(), 120)]);
    let done = change(&c, Completed, Actor::Photographer, "2026-06-10T13:00:00Z");
    assert_eq!(sessions(Some(&c), &done), vec![], "a completed session keeps its minutes");
}

#[test]
fn a_confirmed_reschedule_moves_the_minutes_to_the_new_day() {
    let c = confirmed();
    let m = moved(&c, Actor::Photographer, "2026-06-12T09:00:00Z", 180, "2026-06-03T09:00:00Z");
    assert_eq!(m.status, Confirmed);
    assert_eq!(
        sessions(Some(&c), &m),
        vec![(date("2026-06-10"), "new york".into(), -120), (date("2026-06-12"), "new york".into(), 180)]
    );
    let longer = moved(&c, Actor::Photographer, "2026-06-10T09:00:00Z", 180, "2026-06-03T09:00:00Z");
    assert_eq!(
        sessions(Some(&c), &longer),
        vec![(date("2026-06-10"), "new york".into(), 60)],
        "same day: the difference"
    );
}

#[test]
fn cancelling_or_sending_back_to_pending_takes_the_minutes_back() {
    let c = confirmed();
    let cancelled = change(&c, Cancelled, Actor::Client, "2026-06-04T09:00:00Z");
    assert_eq!(sessions(Some(&c), &cancelled), vec![(date("2026-06-10"), "new york".into(), -120)]);
    let back = moved(&c, Actor::Client, "2026-06-11T10:00:00Z", 120, "2026-06-03T09:00:00Z");
    assert_eq!(back.status, Pending);
    assert_eq!(sessions(Some(&c), &back), vec![(date("2026-06-10"), "new york".into(), -120)]);
}

proptest! {
    #[test]
    fn session_minutes_of_any_history_end_on_the_last_sessions_day(
        first in (1u32..=40).prop_map(|q| q * 15),
        steps in prop::collection::vec(step(), 0..12),
    ) {
        let mut at = utc(REQUESTED);
        let mut b = request(CITY, Specialization::Family, utc(START), first, at);
        let mut all = session_contributions(None, Some(&b));
        for s in steps {
            at += TimeDelta::hours(1);
            let Some(next) = after_step(&b, &s, at) else { continue };
            all.extend(session_contributions(Some(&b), Some(&next)));
            b = next;
        }
        let mut by_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        for c in &all {
            *by_day.entry(c.day).or_insert(0) += c.deltas[&Counter::SessionMinutes];
        }
        by_day.retain(|_, n| *n != 0);
        let expected: BTreeMap<NaiveDate, i64> = if matches!(b.status, Confirmed | Completed) {
            BTreeMap::from([(b.local_date, i64::from(b.duration_minutes))])
        } else {
            BTreeMap::new()
        };
        prop_assert_eq!(by_day, expected, "ends {}", b.status);
        let events: BTreeSet<_> = all.iter().map(|c| &c.event).collect();
        prop_assert_eq!(events.len(), all.len(), "each contribution its own event");
    }
}

#[test]
fn a_reviews_sentiment_moves_from_its_old_analysis_to_its_new_one() {
    let first = sentiment_deltas(None, (Tone::Negative, -4_000));
    assert_eq!(
        first,
        deltas(&[
            (Counter::SentimentAnalysed, 1),
            (Counter::SentimentNegative, 1),
            (Counter::SentimentScoreE4, -4_000)
        ])
    );
    let again = sentiment_deltas(Some((Tone::Negative, -4_000)), (Tone::Positive, 2_500));
    assert_eq!(
        again,
        deltas(&[
            (Counter::SentimentNegative, -1),
            (Counter::SentimentPositive, 1),
            (Counter::SentimentScoreE4, 6_500)
        ])
    );
    assert_eq!(sentiment_deltas(Some((Tone::Neutral, 100)), (Tone::Neutral, 100)), deltas(&[]), "the same analysis");
}

// ---------------------------------------------------------------------------------
// Counter

#[test]
fn lead_buckets_change_exactly_at_1_7_30_and_90_days() {
    const DAY: i64 = 1440;
    let cases = [
        (i64::MIN, Counter::LeadUnder1d),
        (-1, Counter::LeadUnder1d),
        (0, Counter::LeadUnder1d),
        (DAY - 1, Counter::LeadUnder1d),
        (DAY, Counter::Lead1To7d),
        (7 * DAY - 1, Counter::Lead1To7d),
        (7 * DAY, Counter::Lead7To30d),
        (30 * DAY - 1, Counter::Lead7To30d),
        (30 * DAY, Counter::Lead30To90d),
        (90 * DAY - 1, Counter::Lead30To90d),
        (90 * DAY, Counter::Lead90dPlus),
        (i64::MAX, Counter::Lead90dPlus),
    ];
    for (minutes, bucket) in cases {
        assert_eq!(Counter::lead_bucket(minutes), bucket, "{minutes} minutes");
    }
}

#[test]
fn counter_names_are_the_stored_attributes_and_parse_back() {
    let names: Vec<_> = Counter::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "requested",
            "confirmed",
            "declined",
            "cancelled",
            "expired",
            "completed",
            "booked_minutes",
            "lead_minutes",
            "lead_under_1d",
            "lead_1_7d",
            "lead_7_30d",
            "lead_30_90d",
            "lead_90d_plus",
            "paid",
            "reviewed",
            "cancelled_by_client",
            "cancelled_by_photographer",
            "cancelled_by_platform",
            "cancelled_while_pending",
            "cancelled_after_confirmation",
            "cancelled_late",
            "confirm_minutes",
            "session_minutes",
            "available_minutes",
            "rating_sum",
            "sentiment_n",
            "sentiment_pos",
            "sentiment_neu",
            "sentiment_neg",
            "sentiment_sum_e4",
        ]
    );
    for c in Counter::ALL {
        assert_eq!(Counter::parse(&c.name()), Some(c));
    }
    assert_eq!(Counter::ALL.iter().collect::<BTreeSet<_>>().len(), Counter::ALL.len());
    let inr = CurrencyCode::new("INR").unwrap();
    for (name, c) in [("revenue_minor_INR", Counter::Revenue(inr)), ("refunds_minor_INR", Counter::Refunds(inr))] {
        assert_eq!(c.name(), name);
        assert_eq!(Counter::parse(name), Some(c));
    }
    for other in [
        "",
        "Requested",
        "lead",
        "requested ",
        "ttl",
        "event",
        "revenue_minor_",
        "revenue_minor_inr",
        "revenue_minor_INRX",
        "refunds_minor_IN",
        "revenue_minor",
    ] {
        assert_eq!(Counter::parse(other), None, "{other:?}");
    }
}

// ---------------------------------------------------------------------------------
// Granularity and report

#[test]
fn periods_start_on_mondays_and_month_firsts() {
    use Granularity::*;
    let cases = [
        (Day, "2026-06-10", "2026-06-10"),
        (Week, "2026-06-08", "2026-06-08"),
        (Week, "2026-06-10", "2026-06-08"),
        (Week, "2026-06-14", "2026-06-08"),
        (Week, "2026-06-15", "2026-06-15"),
        (Week, "2027-01-01", "2026-12-28"),
        (Week, "2028-03-01", "2028-02-28"),
        (Month, "2026-06-01", "2026-06-01"),
        (Month, "2026-06-30", "2026-06-01"),
        (Month, "2028-02-29", "2028-02-01"),
        (Month, "2026-12-31", "2026-12-01"),
    ];
    for (g, day, start) in cases {
        assert_eq!(g.period_of(date(day)), date(start), "{} of {day}", g.as_str());
    }
    for g in [Day, Week, Month] {
        assert_eq!(Granularity::parse(g.as_str()), Some(g));
    }
    assert_eq!(Granularity::parse("year"), None);
    assert_eq!(Granularity::parse("Week"), None);
}

/// The period a day falls in, found without `period_of`, clipped to the range.
fn period_key(g: Granularity, day: NaiveDate, from: NaiveDate) -> NaiveDate {
    let start = match g {
        Granularity::Day => day,
        Granularity::Week => {
            let mut d = day;
            while d.weekday() != Weekday::Mon {
                d = d.pred_opt().unwrap();
            }
            d
        }
        Granularity::Month => NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap(),
    };
    start.max(from)
}

fn counters(pairs: &[(Counter, i64)]) -> BTreeMap<Counter, i64> {
    let mut out = BTreeMap::new();
    for (k, n) in pairs {
        *out.entry(*k).or_insert(0) += n;
    }
    out
}

fn starts(r: &Report) -> Vec<NaiveDate> {
    r.series.iter().map(|p| p.start).collect()
}

#[test]
fn the_report_has_one_period_per_step_with_the_first_clipped_to_from() {
    let (from, to) = (date("2026-06-10"), date("2026-07-05"));
    let r = report(&[], from, to, Granularity::Week);
    assert_eq!(starts(&r), ["2026-06-10", "2026-06-15", "2026-06-22", "2026-06-29"].map(date));
    assert!(r.series.iter().all(|p| p.requested == 0 && p.booked_hours == 0.0), "empty periods included");
    assert_eq!(r.totals.start, from);

    let r = report(&[], date("2026-01-31"), date("2026-03-01"), Granularity::Month);
    assert_eq!(starts(&r), ["2026-01-31", "2026-02-01", "2026-03-01"].map(date));

    let r = report(&[], date("2026-02-27"), date("2026-03-02"), Granularity::Day);
    assert_eq!(starts(&r), ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"].map(date));

    let r = report(&[], date("2026-06-10"), date("2026-06-10"), Granularity::Month);
    assert_eq!(starts(&r), [date("2026-06-10")], "a one-day range is one period");
}

#[test]
fn the_report_folds_days_into_periods_and_ignores_days_outside_the_range() {
    let days = vec![
        (date("2026-06-09"), counters(&[(Counter::Requested, 100)])),
        (date("2026-06-10"), counters(&[(Counter::Requested, 2), (Counter::BookedMinutes, 90)])),
        (date("2026-06-14"), counters(&[(Counter::Requested, 1), (Counter::Confirmed, 2)])),
        (date("2026-06-15"), counters(&[(Counter::Completed, 1), (Counter::BookedMinutes, -30)])),
        (date("2026-06-10"), counters(&[(Counter::Declined, 1)])),
        (date("2026-06-22"), counters(&[(Counter::Cancelled, 1), (Counter::Expired, 3)])),
        (date("2026-06-23"), counters(&[(Counter::Requested, 100)])),
    ];
    let r = report(&days, date("2026-06-10"), date("2026-06-22"), Granularity::Week);
    assert_eq!(starts(&r), ["2026-06-10", "2026-06-15", "2026-06-22"].map(date));
    let [a, b, c] = [&r.series[0], &r.series[1], &r.series[2]];
    assert_eq!((a.requested, a.confirmed, a.declined, a.booked_hours), (3, 2, 1, 1.5));
    assert_eq!((b.completed, b.booked_hours), (1, -0.5));
    assert_eq!((c.cancelled, c.expired, c.requested), (1, 3, 0));
    assert_eq!(r.totals.requested, 3, "the 9th and the 23rd are outside");
    assert_eq!(r.totals.booked_hours, 1.0);
    assert_eq!(r.funnel.requested, 3);
}

#[test]
fn the_funnel_rounds_rates_to_three_decimals_and_has_none_without_requests() {
    let day = date("2026-06-10");
    let days = [(day, counters(&[(Counter::Requested, 3), (Counter::Confirmed, 2), (Counter::Completed, 1)]))];
    let f = report(&days, day, day, Granularity::Day).funnel;
    assert_eq!((f.requested, f.confirmed, f.completed), (3, 2, 1));
    assert_eq!((f.confirmed_rate, f.completed_rate), (Some(0.667), Some(0.333)));

    let days = [(day, counters(&[(Counter::Requested, 7), (Counter::Confirmed, 7)]))];
    let f = report(&days, day, day, Granularity::Day).funnel;
    assert_eq!((f.confirmed_rate, f.completed_rate), (Some(1.0), Some(0.0)));

    // Confirmations of requests made before the range, but no requests in it.
    let days = [(day, counters(&[(Counter::Confirmed, 4), (Counter::Completed, 2)]))];
    let r = report(&days, day, day, Granularity::Day);
    assert_eq!((r.funnel.confirmed, r.funnel.confirmed_rate, r.funnel.completed_rate), (4, None, None));
    assert_eq!(r.lead_time.mean_days, None);
}

#[test]
fn lead_time_is_a_mean_in_days_to_one_decimal_with_the_buckets() {
    let day = date("2026-06-10");
    let days = [
        (day, counters(&[(Counter::Requested, 1), (Counter::LeadMinutes, 600), (Counter::LeadUnder1d, 1)])),
        (
            date("2026-06-11"),
            counters(&[(Counter::Requested, 1), (Counter::LeadMinutes, 6_400), (Counter::Lead1To7d, 1)]),
        ),
        (
            date("2026-06-12"),
            counters(&[(Counter::Requested, 1), (Counter::LeadMinutes, 200_000), (Counter::Lead90dPlus, 1)]),
        ),
    ];
    let lead = report(&days, day, date("2026-06-30"), Granularity::Month).lead_time;
    // 207,000 minutes over 3 requests = 69,000 minutes = 47.916… days.
    assert_eq!(lead.mean_days, Some(47.9));
    assert_eq!(lead.requests, 3);
    assert_eq!(
        (lead.under_1d, lead.from_1_to_7d, lead.from_7_to_30d, lead.from_30_to_90d, lead.over_90d),
        (1, 1, 0, 0, 1)
    );
    let lead = report(&days[..2], day, day, Granularity::Day).lead_time;
    assert_eq!(lead.mean_days, Some(0.4), "600 minutes = 0.416… days, the 11th is outside");
}

fn granularity() -> impl Strategy<Value = Granularity> {
    prop::sample::select(vec![Granularity::Day, Granularity::Week, Granularity::Month])
}

prop_compose! {
    /// A range of up to ~3 years from 2020 to 2035 and days around it (some outside).
    fn range_and_days()(
        first in 0u64..5_500,
        len in 0u64..1_100,
        raw in prop::collection::vec(
            (0u64..1_200, prop::collection::vec((prop::sample::select(Counter::ALL.to_vec()), -50i64..500), 0..5)),
            0..60,
        ),
        g in granularity(),
    ) -> (NaiveDate, NaiveDate, Vec<(NaiveDate, BTreeMap<Counter, i64>)>, Granularity) {
        let from = date("2020-01-01") + chrono::Days::new(first);
        let to = from + chrono::Days::new(len);
        let days = raw
            .into_iter()
            .map(|(offset, pairs)| (from - chrono::Days::new(40) + chrono::Days::new(offset * (len + 80) / 1_200), counters(&pairs)))
            .collect();
        (from, to, days, g)
    }
}

proptest! {
    #[test]
    fn periods_are_mondays_and_month_firsts_on_or_before_the_day(offset in 0u64..20_000, g in granularity()) {
        let day = date("2000-01-01") + chrono::Days::new(offset);
        let p = g.period_of(day);
        prop_assert!(p <= day);
        prop_assert_eq!(g.period_of(p), p);
        prop_assert_eq!(p, period_key(g, day, NaiveDate::MIN));
        match g {
            Granularity::Day => prop_assert_eq!(p, day),
            Granularity::Week => prop_assert!(p.weekday() == Weekday::Mon && (day - p).num_days() < 7),
            Granularity::Month => prop_assert!(p.day() == 1 && (p.year(), p.month()) == (day.year(), day.month())),
        }
    }

    #[test]
    fn the_report_adds_up((from, to, days, g) in range_and_days()) {
        let r = report(&days, from, to, g);

        // One period per step of the range, in order, the first clipped to `from`.
        let mut expected: BTreeMap<NaiveDate, BTreeMap<Counter, i64>> = BTreeMap::new();
        let mut d = from;
        while d <= to {
            expected.entry(period_key(g, d, from)).or_default();
            d = d.succ_opt().unwrap();
        }
        let mut totals: BTreeMap<Counter, i64> = BTreeMap::new();
        for (day, c) in days.iter().filter(|(d, _)| from <= *d && *d <= to) {
            let slot = expected.get_mut(&period_key(g, *day, from)).expect("a period of the range");
            for (k, n) in c {
                *slot.entry(*k).or_insert(0) += n;
                *totals.entry(*k).or_insert(0) += n;
            }
        }
        prop_assert_eq!(starts(&r), expected.keys().copied().collect::<Vec<_>>());
        prop_assert_eq!(r.series[0].start, from);
        prop_assert_eq!(r.totals.start, from);

        let get = |m: &BTreeMap<Counter, i64>, k: Counter| m.get(&k).copied().unwrap_or(0);
        let ints = |p: &cm_booking::analytics::Period| [p.requested, p.confirmed, p.declined, p.cancelled, p.expired, p.completed];
        let int_counters = [Counter::Requested, Counter::Confirmed, Counter::Declined, Counter::Cancelled, Counter::Expired, Counter::Completed];
        let close_hours = |hours: f64, minutes: i64| {
            (hours - minutes as f64 / 60.0).abs() <= 0.005 + 1e-9 && ((hours * 100.0).round() - hours * 100.0).abs() < 1e-6
        };
        for (p, (start, c)) in r.series.iter().zip(&expected) {
            prop_assert_eq!(p.start, *start);
            prop_assert_eq!(ints(p), int_counters.map(|k| get(c, k)), "period {}", start);
            prop_assert!(close_hours(p.booked_hours, get(c, Counter::BookedMinutes)), "period {}: {}", start, p.booked_hours);
        }

        // Totals are the sum of the series (and of the days in range).
        let mut summed = [0i64; 6];
        for p in &r.series {
            for (s, n) in summed.iter_mut().zip(ints(p)) {
                *s += n;
            }
        }
        prop_assert_eq!(ints(&r.totals), summed);
        prop_assert_eq!(ints(&r.totals), int_counters.map(|k| get(&totals, k)));
        prop_assert!(close_hours(r.totals.booked_hours, get(&totals, Counter::BookedMinutes)));

        // Funnel and lead time.
        let requests = get(&totals, Counter::Requested);
        prop_assert_eq!((r.funnel.requested, r.funnel.confirmed, r.funnel.completed),
            (requests, get(&totals, Counter::Confirmed), get(&totals, Counter::Completed)));
        prop_assert_eq!(r.lead_time.requests, requests);
        let rounded_to = |x: f64, places: f64| ((x * places).round() - x * places).abs() < 1e-6;
        for (rate, n) in [(r.funnel.confirmed_rate, r.funnel.confirmed), (r.funnel.completed_rate, r.funnel.completed)] {
            match rate {
                None => prop_assert!(requests <= 0),
                Some(x) => {
                    prop_assert!(requests > 0);
                    prop_assert!((x - n as f64 / requests as f64).abs() <= 0.0005 + 1e-9, "{} of {} is {}", n, requests, x);
                    prop_assert!(rounded_to(x, 1000.0), "{}", x);
                }
            }
        }
        match r.lead_time.mean_days {
            None => prop_assert!(requests <= 0),
            Some(x) => {
                let exact = get(&totals, Counter::LeadMinutes) as f64 / requests as f64 / 1440.0;
                prop_assert!((x - exact).abs() <= 0.05 + 1e-9, "{} vs {}", x, exact);
                prop_assert!(rounded_to(x, 10.0), "{}", x);
            }
        }
        let lead = &r.lead_time;
        prop_assert_eq!(
            [lead.under_1d, lead.from_1_to_7d, lead.from_7_to_30d, lead.from_30_to_90d, lead.over_90d],
            [Counter::LeadUnder1d, Counter::Lead1To7d, Counter::Lead7To30d, Counter::Lead30To90d, Counter::Lead90dPlus]
                .map(|k| get(&totals, k))
        );

        // The CSV has one row per period.
        prop_assert_eq!(csv(&r).matches("\r\n").count(), r.series.len() + 1);
    }
}

// ---------------------------------------------------------------------------------
// top

fn named(rows: &[(&str, i64, i64, i64)]) -> BTreeMap<String, BTreeMap<Counter, i64>> {
    rows.iter()
        .map(|&(name, requested, confirmed, completed)| {
            let c = counters(&[
                (Counter::Requested, requested),
                (Counter::Confirmed, confirmed),
                (Counter::Completed, completed),
                (Counter::BookedMinutes, 60),
            ]);
            (name.to_string(), c)
        })
        .collect()
}

fn names(ranked: &[cm_booking::analytics::Ranked]) -> Vec<&str> {
    ranked.iter().map(|r| r.name.as_str()).collect()
}

#[test]
fn top_ranks_by_requests_then_confirmations_then_name() {
    let counts = named(&[
        ("paris", 5, 1, 0),
        ("berlin", 5, 3, 1),
        ("athens", 5, 1, 2),
        ("zurich", 9, 0, 0),
        ("oslo", 0, 0, 0),
        ("rome", 0, 0, 4),
        ("lima", 1, 2, 0),
    ]);
    let ranked = top(&counts, 10);
    assert_eq!(names(&ranked), ["zurich", "berlin", "athens", "paris", "lima", "rome"], "oslo has nothing");
    let berlin = &ranked[1];
    assert_eq!((berlin.requested, berlin.confirmed, berlin.completed), (5, 3, 1));
    assert_eq!(names(&top(&counts, 3)), ["zurich", "berlin", "athens"]);
    assert!(top(&counts, 0).is_empty());
    assert!(top(&BTreeMap::new(), 5).is_empty());
    let only_minutes: BTreeMap<_, _> = [("x".to_string(), counters(&[(Counter::BookedMinutes, 90)]))].into();
    assert!(top(&only_minutes, 5).is_empty(), "only the listed counts keep a name");
}

proptest! {
    #[test]
    fn top_is_the_sorted_prefix_of_every_name_with_counts(
        rows in prop::collection::btree_map("[a-e]{1,3}", (0i64..4, 0i64..4, 0i64..3), 0..20),
        n in 0usize..25,
    ) {
        let counts: BTreeMap<String, BTreeMap<Counter, i64>> = rows
            .iter()
            .map(|(k, &(r, c, d))| (k.clone(), counters(&[(Counter::Requested, r), (Counter::Confirmed, c), (Counter::Completed, d)])))
            .collect();
        let ranked = top(&counts, n);
        let nonzero = rows.values().filter(|&&(r, c, d)| (r, c, d) != (0, 0, 0)).count();
        prop_assert_eq!(ranked.len(), n.min(nonzero));
        let key = |requested: i64, confirmed: i64, name: &str| (Reverse(requested), Reverse(confirmed), name.to_string());
        for w in ranked.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            prop_assert!(key(a.requested, a.confirmed, &a.name) < key(b.requested, b.confirmed, &b.name), "{:?} before {:?}", a, b);
        }
        for r in &ranked {
            prop_assert_eq!(rows[&r.name], (r.requested, r.confirmed, r.completed));
        }
        // Nothing left out ranks above the last one kept.
        if let Some(last) = ranked.last() {
            let kept: BTreeSet<&str> = names(&ranked).into_iter().collect();
            for (name, &(r, c, d)) in &rows {
                if !kept.contains(name.as_str()) && (r, c, d) != (0, 0, 0) {
                    prop_assert!(key(r, c, name) > key(last.requested, last.confirmed, &last.name), "{} left out", name);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// csv

#[test]
fn csv_has_a_header_and_one_crlf_row_per_period() {
    let days = vec![
        (
            date("2026-06-10"),
            counters(&[
                (Counter::Requested, 3),
                (Counter::Confirmed, 2),
                (Counter::Declined, 1),
                (Counter::BookedMinutes, 90),
            ]),
        ),
        (date("2026-06-16"), counters(&[(Counter::Cancelled, 1), (Counter::BookedMinutes, -20)])),
        (
            date("2026-06-29"),
            counters(&[(Counter::Expired, 4), (Counter::Completed, 5), (Counter::BookedMinutes, 600)]),
        ),
    ];
    let r = report(&days, date("2026-06-10"), date("2026-06-30"), Granularity::Week);
    let text = csv(&r);
    assert_eq!(
        text,
        format!(
            "{HEADER}\r\n\
             2026-06-10,3,2,1,0,0,0,1.5,0,0,0,0,0,0,0,0,0,0,\r\n\
             2026-06-15,0,0,0,1,0,0,-0.33,0,0,0,0,0,0,0,0,0,0,\r\n\
             2026-06-22,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,\r\n\
             2026-06-29,0,0,0,0,4,5,10,0,0,0,0,0,0,0,0,0,0,\r\n"
        ),
        "no money in the range: no currency columns"
    );
    assert!(!text.replace("\r\n", "").contains('\n'), "every line ends in CRLF");

    let rows: Vec<&str> = text.strip_suffix("\r\n").unwrap().split("\r\n").skip(1).collect();
    assert_eq!(rows.len(), r.series.len());
    for (row, p) in rows.iter().zip(&r.series) {
        let f: Vec<&str> = row.split(',').collect();
        assert_eq!(f.len(), 19);
        assert_eq!(f[0].parse::<NaiveDate>().unwrap(), p.start);
        let ints: Vec<i64> = f[1..7].iter().map(|x| x.parse().unwrap()).collect();
        assert_eq!(ints, [p.requested, p.confirmed, p.declined, p.cancelled, p.expired, p.completed]);
        assert_eq!(f[7].parse::<f64>().unwrap(), p.booked_hours);
    }

    let empty = report(&[], date("2026-06-10"), date("2026-06-10"), Granularity::Day);
    assert_eq!(csv(&empty), format!("{HEADER}\r\n2026-06-10,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,\r\n"));
}

const HEADER: &str = "period_start,requested,confirmed,declined,cancelled,expired,completed,booked_hours,paid,reviewed,\
                      cancelled_by_client,cancelled_by_photographer,cancelled_by_platform,cancelled_while_pending,\
                      cancelled_after_confirmation,cancelled_late,session_hours,available_hours,utilisation";

// ---------------------------------------------------------------------------------
// Cancellations by who and when, payments and reviews

#[test]
fn a_late_cancellation_by_an_admin_counts_for_the_platform_inside_the_window() {
    let old = confirmed();
    // 22 hours before the session, inside its 48-hour window.
    let new = change(&old, Cancelled, Actor::Admin, "2026-06-09T12:00:00Z");
    assert_eq!(
        contributes(&old, &new).deltas,
        deltas(&[
            (Counter::Cancelled, 1),
            (Counter::CancelledByPlatform, 1),
            (Counter::CancelledAfterConfirmation, 1),
            (Counter::CancelledLate, 1),
            (Counter::BookedMinutes, -120),
        ])
    );
    // Exactly the window before the start is not late; a minute later is.
    let mut edge = old.clone();
    edge.start = utc("2026-06-11T12:00:00Z");
    let on_time = change(&edge, Cancelled, Actor::Admin, "2026-06-09T12:00:00Z");
    assert!(!cancellation_reasons(&on_time).contains(&Counter::CancelledLate));
    let late = change(&edge, Cancelled, Actor::Admin, "2026-06-09T12:01:00Z");
    assert!(cancellation_reasons(&late).contains(&Counter::CancelledLate));
    // The reason's text plays no part.
    let mut other_words = late.clone();
    other_words.history.last_mut().unwrap().reason = Some("weather".into());
    assert_eq!(cancellation_reasons(&other_words), cancellation_reasons(&late));
}

fn ledger_of(b: &Booking, at: &str) -> Ledger {
    let terms = PaymentTerms::default();
    let schedule = terms.schedule(&b.price).expect("a schedule");
    Ledger::open(
        b.id,
        b.client_id,
        b.photographer_id,
        terms,
        schedule,
        "acct_1".into(),
        "cus_1".into(),
        b.start,
        utc(at),
    )
}

fn stripe_says(id: &str, status: IntentStatus, captured: i64) -> IntentReport {
    IntentReport {
        id: id.into(),
        status,
        at: 0,
        captured_minor: captured,
        failure: None,
        payment_method: None,
        charge: None,
    }
}

fn next(l: &Ledger, at: &str, change: impl FnOnce(&mut Ledger)) -> Ledger {
    l.changed(utc(at), change).expect("a change")
}

#[test]
fn a_booking_paid_then_partly_refunded_counts_its_money_once_per_ledger_version_in_its_currency() {
    let b = confirmed();
    let usd = CurrencyCode::new("USD").unwrap();
    // 120 minutes at 100 cents: 12,000, a 30 % deposit of 3,600.
    let l0 = ledger_of(&b, "2026-06-01T12:05:00Z");
    assert_eq!(payment_contribution(None, &l0, &b), None, "a new ledger moved no money");
    let l1 = next(&l0, "2026-06-01T12:06:00Z", |l| {
        l.add_intent(Intent::created(
            PaymentKind::Deposit,
            1,
            3_600,
            360,
            &stripe_says("pi_d", IntentStatus::Authorized, 0),
        ));
    });
    assert_eq!(payment_contribution(Some(&l0), &l1, &b), None, "an authorisation takes nothing");
    let l2 = next(&l1, "2026-06-02T09:01:00Z", |l| {
        l.report(&stripe_says("pi_d", IntentStatus::Succeeded, 3_600));
    });
    let deposit = payment_contribution(Some(&l1), &l2, &b).expect("the deposit counts");
    assert_eq!(deposit.deltas, deltas(&[(Counter::Revenue(usd), 3_600)]), "not paid yet: only the deposit");
    assert_eq!(deposit.day, date("2026-06-02"));
    assert_eq!(deposit.event, format!("analytics#payments#{}#v3", b.id));
    assert_eq!(
        (deposit.city.as_str(), deposit.specialization, deposit.shard),
        ("new york", Some(Specialization::Wedding), shard_of(&b))
    );
    assert_eq!(payment_contribution(Some(&l1), &l2, &b), Some(deposit.clone()), "a redelivery is the same event");

    let l3 = next(&l2, "2026-06-03T07:00:00Z", |l| {
        l.add_intent(Intent::created(
            PaymentKind::Balance,
            1,
            8_400,
            840,
            &stripe_says("pi_b", IntentStatus::Succeeded, 8_400),
        ));
    });
    let balance = payment_contribution(Some(&l2), &l3, &b).expect("the balance counts");
    assert_eq!(balance.deltas, deltas(&[(Counter::Revenue(usd), 8_400), (Counter::Paid, 1)]));
    let l4 = next(&l3, "2026-06-05T08:00:00Z", |l| {
        l.add_refund(Refund {
            id: "re_1".into(),
            intent: "pi_b".into(),
            amount_minor: 6_000,
            reason: RefundReason::ClientCancelled,
            at: utc("2026-06-05T08:00:00Z"),
        });
    });
    let refund = payment_contribution(Some(&l3), &l4, &b).expect("the refund counts");
    assert_eq!(refund.deltas, deltas(&[(Counter::Refunds(usd), 6_000)]), "a refund does not un-pay the booking");
    assert_eq!(refund.day, date("2026-06-05"));

    let review = review_contribution(&b, utc("2026-06-12T08:00:00Z"), 4).expect("a review counts");
    assert_eq!(review.deltas, deltas(&[(Counter::Reviewed, 1), (Counter::RatingSum, 4)]));
    assert_eq!((review.day, review.event.clone()), (date("2026-06-12"), format!("analytics#review#{}", b.id)));

    let days: Vec<(NaiveDate, BTreeMap<Counter, i64>)> =
        [deposit, balance, refund, review].into_iter().map(|c| (c.day, c.deltas)).collect();
    let r = report(&days, date("2026-06-01"), date("2026-06-30"), Granularity::Month);
    assert_eq!(r.totals.revenue_minor, BTreeMap::from([(usd, 12_000)]));
    assert_eq!(r.totals.refunds_minor, BTreeMap::from([(usd, 6_000)]));
    assert_eq!(r.totals.net_minor, BTreeMap::from([(usd, 6_000)]));
    assert_eq!((r.funnel.paid, r.funnel.reviewed), (1, 1));
    let json = serde_json::to_value(&r.totals).unwrap();
    assert_eq!(json["revenue_minor"], json!({"USD": 12_000}));
}

#[test]
fn amounts_of_different_currencies_are_never_added_together() {
    let (usd, jpy) = (CurrencyCode::new("USD").unwrap(), CurrencyCode::new("JPY").unwrap());
    let days = vec![
        (
            date("2026-06-10"),
            counters(&[(Counter::Revenue(usd), 5_000), (Counter::Revenue(jpy), 3_001), (Counter::Paid, 1)]),
        ),
        (date("2026-06-11"), counters(&[(Counter::Refunds(jpy), 1_000), (Counter::Revenue(usd), 2_500)])),
    ];
    let r = report(&days, date("2026-06-10"), date("2026-06-11"), Granularity::Day);
    assert_eq!(r.totals.revenue_minor, BTreeMap::from([(jpy, 3_001), (usd, 7_500)]));
    assert_eq!(r.totals.refunds_minor, BTreeMap::from([(jpy, 1_000)]));
    assert_eq!(r.totals.net_minor, BTreeMap::from([(jpy, 2_001), (usd, 7_500)]));
    assert_eq!(
        r.series[1].net_minor,
        BTreeMap::from([(jpy, -1_000), (usd, 2_500)]),
        "a day can give back more than it took"
    );
    let text = csv(&r);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], format!("{HEADER},revenue_minor_JPY,refunds_minor_JPY,revenue_minor_USD,refunds_minor_USD"));
    assert_eq!(lines[1], "2026-06-10,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,,3001,0,5000,0");
    assert_eq!(lines[2], "2026-06-11,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,0,1000,2500,0");
}

proptest! {
    /// However a ledger's captures and refunds are split into versions, its
    /// contributions add up to what it took and gave back, all in its currency; the
    /// booking is paid once, exactly when the captures reach its price; and each version
    /// is its own event.
    #[test]
    fn payment_contributions_add_up_to_the_ledger(
        currency in prop::sample::select(vec!["USD", "JPY", "KWD"]),
        captures in prop::collection::vec(1i64..6_000, 1..6),
        refunds in prop::collection::vec(1i64..6_000, 0..4),
    ) {
        let mut b = pending();
        b.price = Money { amount_minor: 12_000, currency: Currency::try_from(currency.to_string()).unwrap() };
        let code = CurrencyCode::new(currency).unwrap();
        let mut l = ledger_of(&b, "2026-06-01T12:05:00Z");
        l = next(&l, "2026-06-01T12:06:00Z", |l| {
            l.add_intent(Intent::created(PaymentKind::Full, 1, 12_000, 1_200, &stripe_says("pi_f", IntentStatus::Authorized, 0)));
        });
        let mut all = Vec::new();
        let (mut captured, mut refunded) = (0, 0);
        for c in captures {
            captured = (captured + c).min(12_000);
            let before = l.clone();
            if let Some(after) = l.changed(utc("2026-06-02T09:00:00Z"), |l| { l.report(&stripe_says("pi_f", IntentStatus::Authorized, captured)); }) {
                all.extend(payment_contribution(Some(&before), &after, &b));
                l = after;
            }
        }
        for r in refunds {
            refunded = (refunded + r).min(captured);
            let before = l.clone();
            if let Some(after) = l.changed(utc("2026-06-03T09:00:00Z"), |l| { l.report_refunded("pi_f", refunded); }) {
                all.extend(payment_contribution(Some(&before), &after, &b));
                l = after;
            }
        }
        let mut sum: BTreeMap<Counter, i64> = BTreeMap::new();
        for c in &all {
            prop_assert!(c.deltas.values().all(|&n| n != 0));
            for (k, n) in &c.deltas {
                prop_assert!(matches!(k, Counter::Revenue(x) | Counter::Refunds(x) if *x == code) || *k == Counter::Paid, "{:?}", k);
                *sum.entry(*k).or_insert(0) += n;
            }
        }
        let get = |k: Counter| sum.get(&k).copied().unwrap_or(0);
        prop_assert_eq!(get(Counter::Revenue(code)), l.captured());
        prop_assert_eq!(get(Counter::Refunds(code)), l.refunded());
        prop_assert_eq!(get(Counter::Paid), i64::from(l.captured() >= 12_000));
        let events: BTreeSet<_> = all.iter().map(|c| &c.event).collect();
        prop_assert_eq!(events.len(), all.len());
    }
}

// ---------------------------------------------------------------------------------
// leaderboard

#[test]
fn the_leaderboard_ranks_by_confirmed_bookings_and_keeps_money_per_currency() {
    let (inr, eur) = (CurrencyCode::new("INR").unwrap(), CurrencyCode::new("EUR").unwrap());
    let counts: BTreeMap<String, BTreeMap<Counter, i64>> = [
        ("p-a", counters(&[(Counter::Requested, 9), (Counter::Confirmed, 2), (Counter::ConfirmMinutes, 90)])),
        (
            "p-b",
            counters(&[
                (Counter::Requested, 3),
                (Counter::Confirmed, 3),
                (Counter::ConfirmMinutes, 100),
                (Counter::Completed, 1),
                (Counter::Revenue(inr), 500_000),
                (Counter::Revenue(eur), 12_000),
                (Counter::Refunds(eur), 2_000),
            ]),
        ),
        ("p-c", counters(&[(Counter::Requested, 3), (Counter::Confirmed, 3), (Counter::ConfirmMinutes, 30)])),
        ("p-d", counters(&[(Counter::Requested, 1)])),
        // Nothing in the range (a counter moved and moved back): left out.
        ("p-e", counters(&[(Counter::BookedMinutes, 0)])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let board = leaderboard(&counts, 10);
    let ids: Vec<&str> = board.iter().map(|l| l.photographer_id.as_str()).collect();
    assert_eq!(ids, ["p-b", "p-c", "p-a", "p-d"], "confirmed, then completed, then requests");
    assert_eq!(board[0].revenue_minor, BTreeMap::from([(eur, 12_000), (inr, 500_000)]));
    assert_eq!(board[0].refunds_minor, BTreeMap::from([(eur, 2_000)]));
    assert_eq!(board[0].mean_confirm_minutes, Some(33.3));
    assert_eq!(board[3].mean_confirm_minutes, None, "no confirmations, no mean");
    assert_eq!((board[0].display_name.as_deref(), board[0].rating), (None, None), "the caller's to fill");
    assert_eq!(leaderboard(&counts, 2).len(), 2);
}
