//! Property tests: random calendars in zones with and without DST (biased towards
//! transition days and midnight-touching intervals), random existing bookings, random
//! queries. Set PROPTEST_CASES to run more.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use cm_booking::{
    Availability, BookingDuration, Buffers, Holder, LockBlock, MAX_LOCK_BLOCKS, OccupiedInterval, Slot, SlotQuery,
    UtcRange, bookable_slots, booking_footprint, check_booking, local_date, lock_block_count, lock_blocks,
    occupied_interval,
};
use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};

/// With and without DST, both hemispheres, two zones (Havana, Santiago) whose clocks
/// change at midnight, and offsets on the half and three-quarter hour (Kolkata,
/// Kathmandu, Chatham with DST).
const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Havana",
    "America/Santiago",
    "Asia/Kathmandu",
    "Pacific/Chatham",
];

/// Transition days of the zones above in 2026 (either direction).
const DST_DAYS: &[&str] = &[
    "2026-03-08",
    "2026-11-01",
    "2026-03-29",
    "2026-10-25",
    "2026-04-05",
    "2026-10-04",
    "2026-09-27",
    "2026-04-04",
    "2026-09-06",
];

const QUERY_DAYS: u64 = 4;

fn hh_mm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Sorted quarter-hour cut points paired up: never overlapping, sometimes touching,
/// often at midnight so that bookings get to cross it.
fn day_intervals() -> impl Strategy<Value = Value> {
    let cut = prop_oneof![1 => Just(0u16), 1 => Just(96u16), 4 => 0u16..=96];
    prop::collection::vec(cut, 0..=6).prop_map(|mut cuts| {
        cuts.sort_unstable();
        let intervals: Vec<Value> = cuts
            .chunks_exact(2)
            .filter(|pair| pair[0] < pair[1])
            .map(|pair| json!({"start": hh_mm(pair[0] * 15), "end": hh_mm(pair[1] * 15)}))
            .collect();
        Value::Array(intervals)
    })
}

fn first_query_day() -> impl Strategy<Value = NaiveDate> {
    let dst = prop::sample::select(DST_DAYS).prop_map(date);
    let any = (0u64..365).prop_map(|d| date("2026-01-01") + Days::new(d));
    (prop_oneof![dst, any], 0u64..3).prop_map(|(day, back)| day - Days::new(back))
}

#[derive(Debug, Clone)]
struct Scenario {
    availability: Availability,
    existing: Vec<OccupiedInterval>,
    now: DateTime<Utc>,
    from: NaiveDate,
    to: NaiveDate,
    duration: u32,
    display: Option<Tz>,
}

impl Scenario {
    fn query(&self) -> SlotQuery {
        SlotQuery::new(self.from, self.to, self.duration, self.display, self.now).unwrap()
    }

    fn slots(&self) -> Vec<Slot> {
        bookable_slots(&self.availability, &self.existing, &self.query())
    }

    fn display_zone(&self) -> Tz {
        self.display.unwrap_or(self.availability.timezone())
    }

    /// Midnight UTC of the first query day: an anchor for generated instants.
    fn anchor(&self) -> DateTime<Utc> {
        self.from.and_time(NaiveTime::MIN).and_utc()
    }
}

fn settings() -> impl Strategy<Value = Value> {
    (
        (0u32..=4).prop_map(|q| q * 15),
        (0u32..=4).prop_map(|q| q * 15),
        prop::sample::select(vec![15u32, 30, 45, 60, 90, 120]),
        prop_oneof![Just(0u32), 0u32..=2880],
        1u32..=30,
        prop::option::of(1u32..=4),
    )
        .prop_map(|(before, after, step, notice, days_ahead, per_day)| {
            json!({
                "buffer_before_minutes": before, "buffer_after_minutes": after, "slot_step_minutes": step,
                "min_notice_minutes": notice.min(days_ahead * 1440 - 1), "max_days_ahead": days_ahead,
                "max_bookings_per_day": per_day
            })
        })
}

fn overrides(from: NaiveDate) -> impl Strategy<Value = Value> {
    prop::collection::btree_map(0u64..QUERY_DAYS + 1, day_intervals(), 0..=3).prop_map(move |entries| {
        let list: Vec<Value> = entries
            .into_iter()
            .map(|(offset, intervals)| json!({"date": (from + Days::new(offset)).to_string(), "intervals": intervals}))
            .collect();
        Value::Array(list)
    })
}

fn time_off(anchor: DateTime<Utc>) -> impl Strategy<Value = Value> {
    prop::collection::vec((-1440i64..6 * 1440, 15i64..=600), 0..=2).prop_map(move |ranges| {
        let list: Vec<Value> = ranges
            .into_iter()
            .map(|(start, length)| {
                let start = anchor + TimeDelta::minutes(start);
                json!({"start": start.to_rfc3339(), "end": (start + TimeDelta::minutes(length)).to_rfc3339()})
            })
            .collect();
        Value::Array(list)
    })
}

/// Existing bookings anywhere around the query, on any minute and with buffers of any
/// minutes (data stored under older rules need be neither on today's step nor on the
/// block grid).
fn existing(anchor: DateTime<Utc>) -> impl Strategy<Value = Vec<OccupiedInterval>> {
    prop::collection::vec((-1440i64..6 * 1440, 1u32..=16, 0i64..=60, 0i64..=60), 0..=6).prop_map(move |raw| {
        raw.into_iter()
            .map(|(start, quarters, before, after)| {
                let booking_start = anchor + TimeDelta::minutes(start);
                let from = booking_start - TimeDelta::minutes(before);
                let to = booking_start + TimeDelta::minutes(i64::from(quarters * 15) + after);
                OccupiedInterval { booking_start, occupied: UtcRange::new(from, to).unwrap(), holder: Holder::Booking }
            })
            .collect()
    })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (first_query_day(), prop::sample::select(ZONES), 1u64..=QUERY_DAYS)
        .prop_flat_map(|(from, zone_name, span)| {
            let anchor = from.and_time(NaiveTime::MIN).and_utc();
            let weekly = [
                day_intervals(),
                day_intervals(),
                day_intervals(),
                day_intervals(),
                day_intervals(),
                day_intervals(),
                day_intervals(),
            ];
            (
                Just((from, zone_name, span)),
                weekly,
                overrides(from),
                time_off(anchor),
                settings(),
                existing(anchor),
                -3 * 1440i64..1440,
                0u64..86_400,
                1u32..=40,
                prop::option::of(prop::sample::select(ZONES)),
            )
        })
        .prop_map(
            |(
                (from, zone_name, span),
                weekly,
                overrides,
                time_off,
                settings,
                existing,
                now_minutes,
                now_seconds,
                quarters,
                display,
            )| {
                let [mon, tue, wed, thu, fri, sat, sun] = weekly;
                let mut doc = json!({
                    "timezone": zone_name,
                    "weekly": {"mon": mon, "tue": tue, "wed": wed, "thu": thu, "fri": fri, "sat": sat, "sun": sun},
                    "overrides": overrides, "time_off": time_off
                });
                for (key, value) in settings.as_object().cloned().unwrap_or_default() {
                    doc[key] = value;
                }
                let anchor = from.and_time(NaiveTime::MIN).and_utc();
                let now = anchor + TimeDelta::minutes(now_minutes) + TimeDelta::seconds((now_seconds % 60) as i64);
                Scenario {
                    availability: availability(doc),
                    existing,
                    now,
                    from,
                    to: from + Days::new(span - 1),
                    duration: quarters * 15,
                    display: display.map(zone),
                }
            },
        )
}

/// Whether every minute of `[start, end)` reads, in the photographer's zone, as a time
/// inside an interval of that reading's own date.
fn inside_local_availability(availability: &Availability, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let zone = availability.timezone();
    let mut instant = start;
    while instant < end {
        let local = instant.with_timezone(&zone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let covered = availability
            .schedule_for(local.date_naive())
            .iter()
            .any(|i| i.start().minutes() <= minute && minute < i.end().minutes());
        if !covered {
            return false;
        }
        instant += TimeDelta::minutes(1);
    }
    true
}

fn block_set(ranges: impl IntoIterator<Item = UtcRange>) -> BTreeSet<LockBlock> {
    ranges.into_iter().flat_map(|r| lock_blocks(&r)).collect()
}

fn slot_blocks(availability: &Availability, slot: &Slot, duration: u32) -> Vec<LockBlock> {
    lock_blocks(&occupied_interval(slot.start_utc(), minutes(duration), availability.buffers()).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn slots_are_sorted_unique_in_range_and_shown_in_the_display_zone(s in scenario()) {
        let slots = s.slots();
        for pair in slots.windows(2) {
            prop_assert!(pair[0].start_utc() < pair[1].start_utc());
        }
        let zone = s.display_zone();
        for slot in &slots {
            prop_assert!((s.from..=s.to).contains(&local_date(zone, slot.start_utc())));
            prop_assert_eq!(slot.end_utc() - slot.start_utc(), TimeDelta::minutes(i64::from(s.duration)));
            prop_assert_eq!(*slot.start().offset(), zone.offset_from_utc_datetime(&slot.start_utc().naive_utc()).fix());
        }
    }

    #[test]
    fn slots_never_share_a_lock_block_with_an_existing_booking(s in scenario()) {
        let taken = block_set(s.existing.iter().map(|b| b.occupied));
        for slot in s.slots() {
            let blocks = slot_blocks(&s.availability, &slot, s.duration);
            prop_assert!(blocks.iter().all(|b| !taken.contains(b)), "slot {} hits an existing block", slot.start());
        }
    }

    #[test]
    fn every_offered_slot_passes_check_booking(s in scenario()) {
        for slot in s.slots() {
            prop_assert_eq!(check_booking(&s.availability, &s.existing, slot.start_utc(), s.duration, s.now), Ok(()));
        }
    }

    #[test]
    fn every_slot_lies_inside_availability_in_local_time(s in scenario()) {
        let av = &s.availability;
        let earliest = s.now + av.min_notice();
        let latest = s.now + TimeDelta::days(i64::from(av.max_days_ahead()));
        for slot in s.slots() {
            let (start, end) = (slot.start_utc(), slot.end_utc());
            prop_assert!(inside_local_availability(av, start, end), "{} – {}", slot.start(), slot.end());
            prop_assert!(start >= earliest && start <= latest);
            for off in av.time_off() {
                let range = off.range().unwrap();
                prop_assert!(end <= range.start() || start >= range.end(), "slot {} is in time off", slot.start());
            }
        }
    }

    #[test]
    fn check_booking_accepts_nothing_that_is_not_offered(s in scenario(), probes in prop::collection::vec(0i64..(QUERY_DAYS as i64 + 2) * 1440, 40)) {
        let slots = s.slots();
        let offered: BTreeSet<DateTime<Utc>> = slots.iter().map(Slot::start_utc).collect();
        let zone = s.display_zone();
        let anchor = s.anchor() - TimeDelta::days(1);
        let near_offered = slots.iter().flat_map(|slot| [-30, -15, 15, 30].map(|m| slot.start_utc() + TimeDelta::minutes(m)));
        let random = probes.iter().map(|m| anchor + TimeDelta::minutes(*m));
        for probe in near_offered.chain(random) {
            let in_range = (s.from..=s.to).contains(&local_date(zone, probe));
            if in_range && check_booking(&s.availability, &s.existing, probe, s.duration, s.now).is_ok() {
                prop_assert!(offered.contains(&probe), "{} passes check_booking but is not offered", probe);
            }
        }
    }

    /// The real flow: book an offered slot, ask again, book another. No two bookings
    /// made this way ever share a lock block, i.e. the database would accept them all.
    #[test]
    fn booking_offered_slots_one_after_another_never_double_books(s in scenario(), picks in prop::collection::vec(any::<prop::sample::Index>(), 6)) {
        let mut existing = s.existing.clone();
        let mut held = block_set(existing.iter().map(|b| b.occupied));
        for pick in picks {
            let slots = bookable_slots(&s.availability, &existing, &s.query());
            if slots.is_empty() {
                break;
            }
            let slot = slots[pick.index(slots.len())];
            let occupied = occupied_interval(slot.start_utc(), minutes(s.duration), s.availability.buffers()).unwrap();
            for block in lock_blocks(&occupied) {
                prop_assert!(held.insert(block), "block {} written twice", block);
            }
            existing.push(OccupiedInterval { booking_start: slot.start_utc(), occupied, holder: Holder::Booking });
        }
    }

    /// Every slot the rules offer, in any zone and on DST days, lies on the lock-block
    /// grid: its booking holds exactly (duration + buffers) / 15 blocks, never more than
    /// the cap, and `booking_footprint` writes exactly those.
    #[test]
    fn every_offered_slot_holds_exactly_its_whole_blocks(s in scenario()) {
        let buffers = s.availability.buffers();
        let exact = ((s.duration + buffers.before_minutes() + buffers.after_minutes()) / 15) as usize;
        prop_assert!(exact <= MAX_LOCK_BLOCKS);
        for slot in s.slots() {
            prop_assert_eq!(slot.start_utc().timestamp() % 900, 0, "slot {} is off the block grid", slot.start());
            let blocks = slot_blocks(&s.availability, &slot, s.duration);
            prop_assert_eq!(blocks.len(), exact);
            let footprint = booking_footprint(&s.availability, slot.start_utc(), minutes(s.duration)).unwrap();
            prop_assert_eq!(footprint.lock_blocks, blocks);
        }
    }

    /// Starts on the grid, any accepted duration and buffers: exactly the whole blocks,
    /// within the cap.
    #[test]
    fn lock_blocks_stay_within_the_transaction_cap(
        quarters in 1u32..=40,
        before in (0u32..=4).prop_map(|q| q * 15),
        after in (0u32..=4).prop_map(|q| q * 15),
        block in 1_577_836_800i64 / 900..1_893_456_000 / 900,
    ) {
        let start = DateTime::from_timestamp(block * 900, 0).unwrap();
        let duration = BookingDuration::from_minutes(quarters * 15).unwrap();
        let occupied = occupied_interval(start, duration, Buffers::new(before, after).unwrap()).unwrap();
        let blocks = lock_blocks(&occupied);
        prop_assert!(blocks.len() <= MAX_LOCK_BLOCKS);
        prop_assert_eq!(blocks.len(), ((quarters * 15 + before + after) / 15) as usize);
        prop_assert_eq!(blocks[0].starts_at().unwrap(), occupied.start());
        prop_assert_eq!(blocks[blocks.len() - 1].starts_at().unwrap() + TimeDelta::minutes(15), occupied.end());
    }

    /// The outward rounding safety net, for any start to the second: contiguous blocks
    /// that cover the interval, overshooting by less than a block each side.
    #[test]
    fn lock_blocks_round_outward_from_any_start(
        quarters in 1u32..=40,
        before in (0u32..=4).prop_map(|q| q * 15),
        after in (0u32..=4).prop_map(|q| q * 15),
        seconds in 1_577_836_800i64..1_893_456_000,
    ) {
        let start = DateTime::from_timestamp(seconds, 0).unwrap();
        let duration = BookingDuration::from_minutes(quarters * 15).unwrap();
        let occupied = occupied_interval(start, duration, Buffers::new(before, after).unwrap()).unwrap();
        let blocks = lock_blocks(&occupied);
        prop_assert!(blocks.len() <= MAX_LOCK_BLOCKS + 1);
        prop_assert_eq!(blocks.len(), lock_block_count(&occupied));
        prop_assert!(blocks.windows(2).all(|w| w[1].index() == w[0].index() + 1));
        prop_assert!(blocks[0].starts_at().unwrap() <= occupied.start());
        prop_assert!(blocks[blocks.len() - 1].starts_at().unwrap() + TimeDelta::minutes(15) >= occupied.end());
        prop_assert!(blocks[0].starts_at().unwrap() > occupied.start() - TimeDelta::minutes(15));
        prop_assert!(blocks[blocks.len() - 1].starts_at().unwrap() < occupied.end());
    }

    /// Open 00:00–24:00 on one day only: on a step that divides an hour the starts are
    /// evenly spaced in real time, so their number follows from the day's real length.
    #[test]
    fn day_slot_count_follows_the_real_length_of_the_day(
        zone_name in prop::sample::select(ZONES),
        day in prop_oneof![prop::sample::select(DST_DAYS).prop_map(date), (0u64..365).prop_map(|d| date("2026-01-01") + Days::new(d))],
        step in prop::sample::select(vec![15u32, 30, 60]),
        quarters in 1u32..=16,
    ) {
        let av = availability(json!({
            "timezone": zone_name, "min_notice_minutes": 0, "slot_step_minutes": step, "max_days_ahead": 730,
            "overrides": [{"date": day.to_string(), "intervals": [{"start": "00:00", "end": "24:00"}]}]
        }));
        let real_minutes = day_length_minutes(av.timezone(), day);
        let duration = quarters * 15;
        let query = SlotQuery::new(day, day, duration, None, utc("2025-12-01T00:00:00Z")).unwrap();
        let slots = bookable_slots(&av, &[], &query);
        let expected = (real_minutes - i64::from(duration)) / i64::from(step) + 1;
        prop_assert_eq!(slots.len() as i64, expected);
    }
}

/// Guards the properties above against passing vacuously: most generated scenarios
/// must offer slots, and some must offer slots that cross midnight or a DST day.
#[test]
fn generated_scenarios_exercise_the_interesting_cases() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let (mut with_slots, mut crossing_midnight, mut on_dst_day, mut with_conflicts) = (0, 0, 0, 0);
    for _ in 0..300 {
        let s = scenario().new_tree(&mut runner).unwrap().current();
        let slots = s.slots();
        let zone = s.availability.timezone();
        with_slots += usize::from(!slots.is_empty());
        crossing_midnight += usize::from(slots.iter().any(|slot| {
            local_date(zone, slot.start_utc()) != local_date(zone, slot.end_utc() - TimeDelta::seconds(1))
        }));
        on_dst_day += usize::from(
            slots.iter().any(|slot| day_length_minutes(zone, local_date(zone, slot.start_utc())) != 24 * 60),
        );
        let unconstrained = Scenario { existing: Vec::new(), ..s.clone() };
        with_conflicts += usize::from(unconstrained.slots().len() > slots.len());
    }
    assert!(with_slots > 150, "only {with_slots}/300 scenarios offer slots");
    assert!(crossing_midnight > 10, "only {crossing_midnight}/300 cross midnight");
    assert!(on_dst_day > 5, "only {on_dst_day}/300 offer slots on a DST day");
    assert!(with_conflicts > 30, "only {with_conflicts}/300 lose slots to existing bookings");
}
