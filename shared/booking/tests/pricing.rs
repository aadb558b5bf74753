//! Demand-based prices: the factors on concrete cases, and the properties every quote
//! keeps (within the photographer's bounds, monotonic in demand, chargeable in its
//! currency, recomputable from the factors it shows).

mod common;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use cm_booking::analytics::{DemandForecast, DemandPoint};
use cm_booking::pricing::dynamic::{DemandSignal, UNIT, WeekLoad, demand_signal, shrunk_rating};
use cm_booking::pricing::{FactorName, Limit, PricingInputs, Rounding, dynamic_price, round_within};
use cm_catalog::photographer::{DynamicPricing, RatingTotals};
use cm_core::money::Money;
use common::*;
use proptest::prelude::*;
use serde_json::json;

fn money(amount: i64, currency: &str) -> Money {
    serde_json::from_value(json!({"amount_minor": amount, "currency": currency})).unwrap()
}

const ON: DynamicPricing = DynamicPricing { enabled: true, floor_percent: 80, ceiling_percent: 150 };

/// A Saturday session three weeks out, 40 % of the week booked, no reviews, demand as given.
fn inputs(demand: Option<DemandSignal>) -> PricingInputs {
    let start = utc("2026-12-19T04:30:00Z");
    PricingInputs {
        base: money(1_250_000, "INR"),
        settings: ON,
        start,
        local_date: date("2026-12-19"),
        now: start - TimeDelta::days(21),
        demand,
        no_demand_reason: "no demand forecast for this city and specialization yet".into(),
        week: Some(WeekLoad { booked_minutes: 960, working_minutes: 2400 }),
        rating: RatingTotals::default(),
    }
}

fn signal(day: f64, week: f64, normal: f64) -> Option<DemandSignal> {
    Some(DemandSignal { day, week, normal, series: "wedding sessions in hyderabad".into() })
}

fn factor(p: &cm_booking::pricing::DynamicPrice, name: FactorName) -> cm_booking::pricing::Factor {
    p.factors.iter().find(|f| f.factor == name).cloned().unwrap()
}

#[test]
fn with_dynamic_pricing_off_the_quote_is_the_base_price() {
    let mut i = inputs(signal(9.0, 6.0, 2.0));
    i.settings = DynamicPricing::default();
    let p = dynamic_price(&i);
    assert_eq!(p.price, i.base);
    assert!(p.factors.is_empty());
    assert_eq!((p.floor.clone(), p.ceiling.clone()), (i.base.clone(), i.base.clone()));
}

#[test]
fn a_peak_saturday_costs_more_and_says_why() {
    // The week is forecast at 1.5× normal and the Saturday at 2× its week.
    let p = dynamic_price(&inputs(signal(6.0, 3.0, 2.0)));
    let demand = factor(&p, FactorName::Demand);
    assert_eq!(demand.permille, 1129, "1.5^0.3");
    assert_eq!(
        demand.reason,
        "forecast demand for wedding sessions in hyderabad in the week of 14 December 2026 is 1.50× the past \
         year's daily average"
    );
    let weekday = factor(&p, FactorName::Weekday);
    assert_eq!(weekday.permille, 1150, "2^0.3 = 1.23, held at the factor's +15 %");
    assert!(weekday.reason.starts_with("Saturdays are forecast to draw 2.00×"), "{}", weekday.reason);
    assert_eq!(factor(&p, FactorName::LeadTime).permille, UNIT, "three weeks ahead");
    assert_eq!(factor(&p, FactorName::Utilisation).permille, 975, "40 % booked: a little under half-full");
    assert_eq!(factor(&p, FactorName::Rating).permille, UNIT, "no reviews: the prior");
    // 12,500.00 × 1.129 × 1.15 × 0.975 = 15,823.64, rounded to whole rupees.
    assert_eq!(p.price, money(1_582_400, "INR"));
    assert_eq!(p.permille, 1266);
    assert_eq!(p.limit, None);
}

#[test]
fn without_a_forecast_demand_is_neutral_and_says_so() {
    let p = dynamic_price(&inputs(None));
    for name in [FactorName::Demand, FactorName::Weekday] {
        let f = factor(&p, name);
        assert_eq!(f.permille, UNIT);
        assert_eq!(f.reason, "no demand forecast for this city and specialization yet");
    }
}

#[test]
fn the_floor_and_ceiling_hold_and_are_reported() {
    let mut i = inputs(signal(40.0, 20.0, 1.0));
    i.now = i.start - TimeDelta::hours(20);
    i.week = Some(WeekLoad { booked_minutes: 2400, working_minutes: 2400 });
    i.settings = DynamicPricing { enabled: true, floor_percent: 90, ceiling_percent: 110 };
    let high = dynamic_price(&i);
    assert_eq!(high.limit, Some(Limit::Ceiling));
    assert_eq!(high.price, money(1_375_000, "INR"));
    assert_eq!(high.ceiling, money(1_375_000, "INR"));

    let mut quiet = inputs(signal(0.05, 0.1, 1.0));
    quiet.settings = i.settings;
    quiet.week = Some(WeekLoad { booked_minutes: 0, working_minutes: 2400 });
    quiet.now = quiet.start - TimeDelta::days(200);
    let low = dynamic_price(&quiet);
    assert_eq!(low.limit, Some(Limit::Floor));
    assert_eq!(low.price, money(1_125_000, "INR"));
}

#[test]
fn short_notice_costs_more_and_booking_far_ahead_a_little_less() {
    let at = |lead: TimeDelta| {
        let mut i = inputs(None);
        i.now = i.start - lead;
        factor(&dynamic_price(&i), FactorName::LeadTime).permille
    };
    assert_eq!(at(TimeDelta::hours(30)), 1100);
    assert_eq!(at(TimeDelta::days(5)), 1050);
    assert_eq!(at(TimeDelta::days(30)), 1000);
    assert_eq!(at(TimeDelta::days(150)), 970);
}

#[test]
fn ratings_are_shrunk_by_how_many_reviews_there_are() {
    let five = |count: u64| RatingTotals { sum: 5 * count, count };
    assert!((shrunk_rating(RatingTotals::default()) - 4.0).abs() < 1e-9);
    assert!(shrunk_rating(five(1)) < shrunk_rating(five(10)));
    assert!(shrunk_rating(five(10)) < shrunk_rating(five(300)));
    let at = |rating| {
        let mut i = inputs(None);
        i.rating = rating;
        factor(&dynamic_price(&i), FactorName::Rating)
    };
    assert_eq!(at(five(1)).permille, 1009, "one five-star review barely moves it");
    assert_eq!(at(five(300)).permille, 1097);
    assert_eq!(at(RatingTotals { sum: 300, count: 100 }).permille, 909, "a 3.0 average over 100 reviews");
    assert_eq!(at(five(2)).reason, "rated 5.00 from 2 reviews, 4.17 once weighed against the platform's prior");
}

#[test]
fn a_forecast_gives_the_day_its_week_and_the_normal() {
    let monday = date("2026-12-14");
    let points = (0..10)
        .map(|d| {
            let date = monday + TimeDelta::days(d);
            let forecast = if date.weekday().num_days_from_monday() >= 5 { 4.0 } else { 1.0 };
            DemandPoint { date, forecast, lower: 0.0, upper: 2.0 * forecast }
        })
        .collect();
    let f = DemandForecast {
        city: Some("hyderabad".into()),
        specialization: None,
        as_of: monday - TimeDelta::days(1),
        generated_at: utc("2026-12-14T01:00:00Z"),
        model: "mstl".into(),
        backtest: None,
        history_requests: 400,
        normal_daily: Some(1.2),
        points,
    };
    let s = demand_signal(&f, date("2026-12-19"), "sessions in hyderabad".into()).unwrap();
    assert_eq!((s.day, s.normal), (4.0, 1.2));
    assert!((s.week - 13.0 / 7.0).abs() < 1e-9, "{}", s.week);
    assert!(demand_signal(&f, date("2026-12-30"), String::new()).is_none(), "beyond the forecast");
    let mut older = f.clone();
    older.normal_daily = None;
    assert!((older.normal_daily().unwrap() - 16.0 / 10.0).abs() < 1e-9, "the forecast's own mean");
}

#[test]
fn a_weeks_working_minutes_leave_out_time_off_and_follow_the_clock() {
    let a = availability(json!({
        "timezone": "Europe/London",
        "weekly": {"mon": [{"start": "09:00", "end": "17:00"}], "tue": [{"start": "09:00", "end": "17:00"}],
                   "sat": [{"start": "00:30", "end": "03:00"}]},
        "time_off": [{"start": "2026-03-24T12:00:00+00:00", "end": "2026-03-24T20:00:00+00:00"}]
    }));
    // The week of the spring-forward night (Sunday 29 March 2026, 01:00 → 02:00 is skipped on
    // Sunday; the Saturday is whole) and of a Tuesday afternoon off.
    assert_eq!(a.working_minutes(date("2026-03-23"), date("2026-03-29")), 480 + 180 + 150);
    let summer = a.working_minutes(date("2026-06-01"), date("2026-06-07"));
    assert_eq!(summer, 480 + 480 + 150);
    let spring_sat =
        availability(json!({"timezone": "Europe/London", "weekly": {"sun": [{"start": "00:30", "end": "03:00"}]}}));
    assert_eq!(spring_sat.working_minutes(date("2026-03-29"), date("2026-03-29")), 90, "01:00–02:00 never happens");
}

fn any_demand() -> impl Strategy<Value = Option<DemandSignal>> {
    prop::option::weighted(
        0.9,
        (0.0f64..50.0, 0.0f64..50.0, 0.01f64..20.0).prop_map(|(d, w, n)| signal(d, w, n).unwrap()),
    )
}

prop_compose! {
    fn any_inputs()(
        amount in 1i64..100_000_000,
        currency in prop::sample::select(vec!["INR", "USD", "JPY", "KWD", "HUF", "EUR"]),
        enabled in any::<bool>(),
        floor in 50u16..=100,
        ceiling in 100u16..=300,
        lead_hours in 1i64..400 * 24,
        offset in 0i64..14,
        demand in any_demand(),
        booked in 0i64..5000,
        working in 0i64..5000,
        reviews in 0u64..500,
        stars in 1u64..=5,
    ) -> PricingInputs {
        let start: DateTime<Utc> = utc("2026-12-14T04:30:00Z") + TimeDelta::days(offset);
        PricingInputs {
            base: money(amount, currency),
            settings: DynamicPricing { enabled, floor_percent: floor, ceiling_percent: ceiling },
            start,
            local_date: start.date_naive(),
            now: start - TimeDelta::hours(lead_hours),
            demand,
            no_demand_reason: "none".into(),
            week: Some(WeekLoad { booked_minutes: booked, working_minutes: working }),
            rating: RatingTotals { sum: stars * reviews, count: reviews },
        }
    }
}

proptest! {
    #[test]
    fn prices_stay_within_the_photographers_bounds(i in any_inputs()) {
        let p = dynamic_price(&i);
        let base = i128::from(i.base.amount_minor);
        let price = i128::from(p.price.amount_minor);
        let (floor, ceiling) = if i.settings.enabled {
            (i.settings.floor_percent, i.settings.ceiling_percent)
        } else {
            (100, 100)
        };
        prop_assert!(price * 100 >= base * i128::from(floor), "{price} under {floor} % of {base}");
        prop_assert!(price * 100 <= base * i128::from(ceiling), "{price} over {ceiling} % of {base}");
        prop_assert_eq!(&p.price.currency, &i.base.currency);
        if !i.settings.enabled {
            prop_assert_eq!(&p.price, &i.base);
        }
    }

    #[test]
    fn prices_never_fall_as_demand_rises(i in any_inputs(), k in 1.0f64..5.0, bump in 0.0f64..10.0) {
        let Some(d) = i.demand.clone() else { return Ok(()) };
        let lower = dynamic_price(&i).price.amount_minor;
        // The whole forecast scaled up: the week and its day.
        let mut scaled = i.clone();
        scaled.demand = signal(d.day * k, d.week * k, d.normal);
        prop_assert!(dynamic_price(&scaled).price.amount_minor >= lower);
        // The day alone forecast busier within the same week.
        let mut busier_day = i.clone();
        busier_day.demand = signal(d.day + bump, d.week, d.normal);
        prop_assert!(dynamic_price(&busier_day).price.amount_minor >= lower);
    }

    #[test]
    fn prices_respect_the_currencys_exponent_and_step(i in any_inputs()) {
        let p = dynamic_price(&i);
        let r = Rounding::for_price(&i.base);
        let amount = p.price.amount_minor;
        // Rounded to the price's step when the bounds allow one, never finer than the
        // currency charges in; the base price itself only when nothing else fits.
        prop_assert!(amount == i.base.amount_minor || amount % r.currency_step == 0, "{amount} with {r:?}");
        let lo = i128::from(p.floor.amount_minor);
        let hi = i128::from(p.ceiling.amount_minor);
        if i.settings.enabled && round_within(lo, lo, hi, Rounding { step: r.step, currency_step: r.step }).is_some() {
            prop_assert_eq!(amount % r.step, 0, "whole steps when the bounds hold one");
        }
    }

    #[test]
    fn the_price_is_recomputable_from_the_factors_shown(i in any_inputs()) {
        let p = dynamic_price(&i);
        if !i.settings.enabled { return Ok(()) }
        let mut n = i128::from(i.base.amount_minor);
        let mut d = 1i128;
        for f in &p.factors {
            prop_assert!((850..=1300).contains(&f.permille), "{f:?}");
            n *= i128::from(f.permille);
            d *= 1000;
        }
        let raw = (2 * n + d).div_euclid(2 * d);
        let lo = i128::from(p.floor.amount_minor);
        let hi = i128::from(p.ceiling.amount_minor);
        let expected = round_within(raw.clamp(lo, hi), lo, hi, p.rounding).unwrap_or(i128::from(i.base.amount_minor));
        prop_assert_eq!(i128::from(p.price.amount_minor), expected);
        prop_assert_eq!(p.limit.is_some(), raw < lo || raw > hi);
    }
}

#[test]
fn dates_in_the_test_are_what_they_say() {
    assert_eq!(NaiveDate::from_ymd_opt(2026, 12, 19).unwrap().weekday(), chrono::Weekday::Sat);
}
