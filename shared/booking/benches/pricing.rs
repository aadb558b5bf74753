//! How long a quote's pure work takes: the photographer's working minutes for the
//! session's week, the demand around the date from a 90-day forecast, and the priced
//! factors with bounds and rounding. The function's reads (the photographer, the
//! forecast, availability, the week's bookings) come on top; sealing the quote is
//! `cargo bench -p cm-http --bench seal`.
//! Run: `cargo bench -p cm-booking --bench pricing`

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use cm_booking::analytics::{DemandForecast, DemandPoint};
use cm_booking::pricing::dynamic::{WeekLoad, demand_signal};
use cm_booking::pricing::{PricingInputs, dynamic_price};
use cm_booking::{Availability, AvailabilityDoc};
use cm_catalog::photographer::{DynamicPricing, RatingTotals};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn availability() -> Availability {
    let doc: AvailabilityDoc = serde_json::from_value(serde_json::json!({
        "timezone": "Asia/Kolkata",
        "weekly": {
            "mon": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "19:00"}],
            "tue": [{"start": "09:00", "end": "19:00"}], "wed": [{"start": "09:00", "end": "19:00"}],
            "fri": [{"start": "09:00", "end": "21:00"}], "sat": [{"start": "07:00", "end": "23:00"}]},
        "time_off": [{"start": "2027-01-06T12:00:00+05:30", "end": "2027-01-07T12:00:00+05:30"}]
    }))
    .expect("doc");
    doc.validate().expect("valid")
}

fn forecast(from: NaiveDate) -> DemandForecast {
    DemandForecast {
        city: Some("hyderabad".into()),
        specialization: None,
        as_of: from - Days::new(1),
        generated_at: "2026-12-20T01:00:00Z".parse().expect("t"),
        model: "mstl".into(),
        backtest: None,
        history_requests: 2000,
        normal_daily: Some(3.1),
        points: (0..90)
            .map(|i| {
                let date = from + Days::new(i);
                let f = if date.weekday() == Weekday::Sat { 7.5 } else { 2.5 };
                DemandPoint { date, forecast: f, lower: f / 2.0, upper: f * 2.0 }
            })
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let a = availability();
    let start: DateTime<Utc> = "2027-01-09T04:30:00Z".parse().expect("start");
    let f = forecast("2026-12-20".parse().expect("date"));
    let base: cm_core::money::Money =
        serde_json::from_value(serde_json::json!({"amount_minor": 1_250_000, "currency": "INR"})).expect("m");
    c.bench_function("a quote's pure work: week, demand, factors, bounds, rounding", |b| {
        b.iter(|| {
            let date = a.local_date(black_box(start));
            let week = date.week(Weekday::Mon);
            let working_minutes = a.working_minutes(week.first_day(), week.last_day());
            let demand = demand_signal(&f, date, "wedding sessions in Hyderabad".into());
            dynamic_price(&PricingInputs {
                base: black_box(&base).clone(),
                settings: DynamicPricing { enabled: true, floor_percent: 80, ceiling_percent: 150 },
                start,
                local_date: date,
                now: start - TimeDelta::days(20),
                demand,
                no_demand_reason: String::new(),
                week: Some(WeekLoad { booked_minutes: 600, working_minutes }),
                rating: RatingTotals { sum: 212, count: 47 },
            })
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
