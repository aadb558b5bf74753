//! `cm_booking::stats`: a photographer's own periods (utilisation, rating, sentiment,
//! response time) and how their rate compares with their city's. Set PROPTEST_CASES to
//! run more.

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cm_booking::analytics::{Counter, Granularity};
use cm_booking::stats::{compare_price, photographer_stats};
use cm_catalog::photographer::Specialization;
use common::{availability, date};
use proptest::prelude::*;
use serde_json::json;

fn day(d: &str, pairs: &[(Counter, i64)]) -> (NaiveDate, BTreeMap<Counter, i64>) {
    (date(d), pairs.iter().copied().collect())
}

#[test]
fn utilisation_divides_session_minutes_by_the_periods_working_minutes() {
    let days = vec![
        day("2026-06-01", &[(Counter::SessionMinutes, 240)]),
        day("2026-06-03", &[(Counter::SessionMinutes, 120), (Counter::Confirmed, 1), (Counter::ConfirmMinutes, 90)]),
        day("2026-06-09", &[(Counter::SessionMinutes, 60)]),
    ];
    // 8 working hours on each of the 14 days.
    let working: BTreeMap<NaiveDate, i64> =
        (1..=14).map(|d| (NaiveDate::from_ymd_opt(2026, 6, d).unwrap(), 480)).collect();
    let s = photographer_stats(&days, &working, date("2026-06-01"), date("2026-06-14"), Granularity::Week);
    assert_eq!(s.series.len(), 2);
    assert_eq!((s.series[0].counts.session_hours, s.series[0].counts.available_hours), (6.0, 56.0));
    assert_eq!(s.series[0].counts.utilisation, Some(0.107), "360 of 3,360 minutes");
    assert_eq!(s.series[1].counts.utilisation, Some(0.018), "60 of 3,360 minutes");
    assert_eq!(s.totals.counts.utilisation, Some(0.063), "420 of 6,720 minutes");
    assert_eq!(s.totals.mean_confirm_minutes, Some(90.0));
    assert_eq!(s.series[1].mean_confirm_minutes, None, "no confirmations that week");
}

#[test]
fn without_working_hours_there_is_no_utilisation() {
    let days = vec![day("2026-06-01", &[(Counter::SessionMinutes, 240)])];
    let s = photographer_stats(&days, &BTreeMap::new(), date("2026-06-01"), date("2026-06-07"), Granularity::Week);
    assert_eq!((s.totals.counts.session_hours, s.totals.counts.utilisation), (4.0, None));
}

#[test]
fn rating_and_sentiment_trends_are_means_per_period() {
    let days = vec![
        day("2026-05-02", &[(Counter::Reviewed, 2), (Counter::RatingSum, 9)]),
        day(
            "2026-06-20",
            &[
                (Counter::Reviewed, 1),
                (Counter::RatingSum, 2),
                (Counter::SentimentAnalysed, 2),
                (Counter::SentimentNegative, 1),
                (Counter::SentimentNeutral, 1),
                (Counter::SentimentScoreE4, -5_000),
            ],
        ),
    ];
    let s = photographer_stats(&days, &BTreeMap::new(), date("2026-05-01"), date("2026-06-30"), Granularity::Month);
    assert_eq!(s.series[0].rating_average, Some(4.5));
    assert_eq!(s.series[0].sentiment.mean_score, None, "nothing analysed in May");
    assert_eq!(s.series[1].rating_average, Some(2.0));
    assert_eq!((s.series[1].sentiment.negative, s.series[1].sentiment.mean_score), (1, Some(-0.25)));
    assert_eq!(s.totals.rating_average, Some(3.67), "11 stars over 3 reviews");
    let json = serde_json::to_value(&s.series[1]).unwrap();
    assert_eq!(json["start"], json!("2026-06-01"), "the period's counts are flattened in");
    assert_eq!(json["reviewed"], json!(1));
}

#[test]
fn working_minutes_by_day_follow_the_hours_and_time_off() {
    let a = availability(json!({
        "timezone": "Europe/London",
        "weekly": {"mon": [{"start": "09:00", "end": "17:00"}], "sat": [{"start": "10:00", "end": "12:00"}]},
        "time_off": [{"start": "2026-06-01T12:00:00Z", "end": "2026-06-01T14:00:00Z"}]
    }));
    let by_day = a.working_minutes_by_day(date("2026-06-01"), date("2026-06-07"));
    assert_eq!(by_day.len(), 7);
    assert_eq!(by_day[&date("2026-06-01")], 360, "8 hours less 2 off");
    assert_eq!(by_day[&date("2026-06-02")], 0);
    assert_eq!(by_day[&date("2026-06-06")], 120);
    assert_eq!(by_day.values().sum::<i64>(), a.working_minutes(date("2026-06-01"), date("2026-06-07")));
}

#[test]
fn the_median_is_the_middle_rate_or_the_mean_of_the_middle_two() {
    let odd = compare_price(Specialization::Wedding, "USD", 15_000, &[20_000, 10_000, 12_000]);
    assert_eq!(odd.median_hourly_rate_minor, Some(12_000));
    assert_eq!(odd.difference_percent, Some(25.0));
    assert_eq!(odd.percentile, Some(66.7), "two of three charge less");
    let even = compare_price(Specialization::Wedding, "USD", 10_000, &[10_000, 12_000, 8_000, 20_000]);
    assert_eq!(even.median_hourly_rate_minor, Some(11_000));
    assert_eq!(even.percentile, Some(37.5), "one below, one tie counted half");
    let alone = compare_price(Specialization::Portrait, "EUR", 9_000, &[]);
    assert_eq!((alone.compared_with, alone.median_hourly_rate_minor, alone.percentile), (0, None, None));
}

proptest! {
    #[test]
    fn the_comparison_is_consistent_with_the_rates(
        mine in 1i64..1_000_000,
        others in prop::collection::vec(1i64..1_000_000, 0..40),
    ) {
        let c = compare_price(Specialization::Event, "USD", mine, &others);
        prop_assert_eq!(c.compared_with, others.len());
        if let Some(m) = c.median_hourly_rate_minor {
            let below = others.iter().filter(|r| **r < m).count();
            let above = others.iter().filter(|r| **r > m).count();
            prop_assert!(below <= others.len() / 2 && above <= others.len() / 2, "{} splits the rates", m);
            let d = c.difference_percent.unwrap();
            prop_assert!(if mine >= m { d >= 0.0 } else { d <= 0.0 }, "{} against {}: {}", mine, m, d);
        } else {
            prop_assert!(others.is_empty());
        }
        if let Some(p) = c.percentile {
            prop_assert!((0.0..=100.0).contains(&p));
        }
    }

    #[test]
    fn periods_add_up_to_the_totals(
        entries in prop::collection::vec((0u64..90, 0i64..600, 0i64..600), 0..60),
    ) {
        let from = date("2026-01-01");
        let days: Vec<(NaiveDate, BTreeMap<Counter, i64>)> = entries
            .iter()
            .map(|(d, s, _)| (from + chrono::Days::new(*d), BTreeMap::from([(Counter::SessionMinutes, *s)])))
            .collect();
        let mut working: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        for (d, _, w) in &entries {
            *working.entry(from + chrono::Days::new(*d)).or_insert(0) = *w;
        }
        let s = photographer_stats(&days, &working, from, date("2026-03-31"), Granularity::Week);
        let session: f64 = s.series.iter().map(|p| p.counts.session_hours).sum();
        let available: f64 = s.series.iter().map(|p| p.counts.available_hours).sum();
        prop_assert!((session - s.totals.counts.session_hours).abs() < 0.01 * s.series.len() as f64 + 1e-9);
        prop_assert!((available - s.totals.counts.available_hours).abs() < 0.01 * s.series.len() as f64 + 1e-9);
        for p in &s.series {
            prop_assert_eq!(p.counts.utilisation.is_some(), p.counts.available_hours > 0.0);
        }
    }
}
