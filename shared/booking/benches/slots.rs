//! How long the availability endpoint's pure work takes: slot generation over the
//! largest allowed range with a busy calendar, one booking check, and a month of slots
//! annotated with the light of each date and scored for a wedding.
//! Run: `cargo bench -p cm-booking --bench slots`

use chrono::{DateTime, Duration, NaiveDate, Utc};
use cm_booking::scoring::{Shoot, annotate, best_slots};
use cm_booking::{
    Availability, AvailabilityDoc, BookingDuration, Buffers, OccupiedInterval, SlotQuery, bookable_slots, check_booking,
};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn availability() -> Availability {
    let doc: AvailabilityDoc = serde_json::from_value(serde_json::json!({
        "timezone": "America/New_York",
        "weekly": {
            "mon": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "19:00"}],
            "tue": [{"start": "09:00", "end": "19:00"}], "wed": [{"start": "09:00", "end": "19:00"}],
            "thu": [{"start": "09:00", "end": "19:00"}], "fri": [{"start": "09:00", "end": "21:00"}],
            "sat": [{"start": "07:00", "end": "23:00"}], "sun": [{"start": "10:00", "end": "16:00"}]},
        "overrides": [{"date": "2027-03-20", "intervals": []}],
        "time_off": [{"start": "2027-04-01T00:00:00-04:00", "end": "2027-04-04T00:00:00-04:00"}],
        "buffer_before_minutes": 30, "buffer_after_minutes": 30, "min_notice_minutes": 1440,
        "max_days_ahead": 365, "max_bookings_per_day": 3, "slot_step_minutes": 15
    }))
    .expect("doc");
    doc.validate().expect("valid")
}

fn bench(c: &mut Criterion) {
    let a = availability();
    let now: DateTime<Utc> = "2027-03-01T12:00:00Z".parse().expect("now");
    let duration = BookingDuration::from_minutes(120).expect("duration");
    let buffers = Buffers::new(30, 30).expect("buffers");
    // Two bookings on most days across the range (DST change included).
    let existing: Vec<OccupiedInterval> = (0..62)
        .flat_map(|d| {
            [15, 19].map(move |h| {
                "2027-03-02T00:00:00Z".parse::<DateTime<Utc>>().expect("t") + Duration::days(d) + Duration::hours(h)
            })
        })
        .filter_map(|s| OccupiedInterval::for_booking(s, duration, buffers))
        .collect();
    let from = NaiveDate::from_ymd_opt(2027, 3, 2).expect("date");
    let to = from + Duration::days(61);
    let query = SlotQuery::new(from, to, 120, None, now).expect("query");
    c.bench_function("bookable_slots: 62 days, 15-min step, 124 bookings", |b| {
        b.iter(|| bookable_slots(black_box(&a), black_box(&existing), black_box(&query)))
    });
    // One month, as the optimal-slots endpoint does it: the light of 31 dates, then
    // every open slot scored and the best five chosen.
    let month = SlotQuery::new(from, from + Duration::days(30), 120, None, now).expect("query");
    let slots = bookable_slots(&a, &existing, &month);
    let new_york = cm_geo::Point::new(40.7128, -74.006).expect("point");
    let shoot = Shoot { at: None, event_type: Some(cm_catalog::Specialization::Wedding), preferred: None };
    let zone = a.timezone();
    c.bench_function(&format!("annotate: 31 days of light, {} slots scored", slots.len()), |b| {
        b.iter(|| annotate(black_box(&slots), black_box(&existing), black_box(&month), zone, new_york, &shoot))
    });
    c.bench_function("daylight: one date", |b| b.iter(|| cm_geo::daylight(black_box(from), zone, new_york)));
    let (_, scored) = annotate(&slots, &existing, &month, zone, new_york, &shoot);
    c.bench_function("best_slots: the best 5 of a month", |b| {
        b.iter(|| best_slots(black_box(scored.clone()), 5, zone))
    });
    let start: DateTime<Utc> = "2027-03-10T14:00:00Z".parse().expect("start");
    c.bench_function("check_booking: one request", |b| {
        b.iter(|| check_booking(black_box(&a), black_box(&existing), black_box(start), 120, black_box(now)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
