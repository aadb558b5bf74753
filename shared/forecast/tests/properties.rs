//! Whatever the history, a forecast is well-formed: no panic, the requested number of
//! days, never negative, lower <= forecast <= upper, and the same every time.

use chrono::NaiveDate;
use cm_forecast::pool::{is_sparse, pooled_forecast};
use cm_forecast::{DailySeries, Forecast, ModelChoice, ModelKind, forecast};
use proptest::prelude::*;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 3, 1).expect("date")
}

/// Histories of all kinds: mostly zeros, small counts, huge counts, spikes, constants.
fn history() -> impl Strategy<Value = Vec<f64>> {
    let value = prop_oneof![
        3 => Just(0u32),
        4 => 0u32..20u32,
        1 => 0u32..1_000_000u32,
    ]
    .prop_map(f64::from);
    let value = prop_oneof![8 => value, 1 => 0.0..1e12f64, 1 => Just(1e-300)];
    prop_oneof![
        4 => prop::collection::vec(value.clone(), 1..300),
        1 => prop::collection::vec(value, 300..900),
        1 => (1usize..400, 0.0..1e6f64).prop_map(|(n, c)| vec![c; n]),
    ]
}

fn choice() -> impl Strategy<Value = ModelChoice> {
    prop_oneof![
        3 => Just(ModelChoice::Auto),
        1 => prop::sample::select(ModelKind::ALL.to_vec()).prop_map(ModelChoice::Fixed),
    ]
}

fn check(f: &Forecast, series: &DailySeries, horizon: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(f.points.len(), horizon);
    for (h, p) in f.points.iter().enumerate() {
        prop_assert_eq!(p.date, series.end() + chrono::Days::new(h as u64 + 1));
        prop_assert!(p.forecast.is_finite() && p.lower.is_finite() && p.upper.is_finite(), "{:?}", p);
        prop_assert!(0.0 <= p.lower && p.lower <= p.forecast && p.forecast <= p.upper, "{:?}", p);
    }
    if let Some(b) = f.backtest {
        prop_assert!(b.mase.is_finite() && b.mase >= 0.0);
        prop_assert!((0.0..=200.0).contains(&b.smape));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn forecasts_are_well_formed_and_deterministic(y in history(), horizon in 0usize..120, choice in choice()) {
        let series = DailySeries::from_values(start(), y).expect("valid by construction");
        let f = forecast(&series, horizon, choice).expect("horizon within bounds");
        check(&f, &series, horizon)?;
        let again = forecast(&series, horizon, choice).expect("same input");
        prop_assert_eq!(f, again);
    }

    #[test]
    fn pooled_forecasts_are_well_formed(
        parent in history(),
        child_frac in prop::collection::vec(0.0..1.0f64, 1..300),
        prior in 0.0..=1.0f64,
        horizon in 0usize..60,
    ) {
        let parent = DailySeries::from_values(start(), parent).expect("valid");
        let child: Vec<f64> = parent.values().iter().zip(&child_frac).map(|(p, f)| (p * f).floor()).collect();
        let child = DailySeries::from_values(start(), child).expect("valid");
        let pf = forecast(&parent, horizon, ModelChoice::Fixed(ModelKind::SeasonalNaive)).expect("forecast");
        let cf = pooled_forecast(&child, &parent, &pf, prior).expect("pooled");
        check(&cf, &parent, horizon)?;
        for (c, p) in cf.points.iter().zip(&pf.points) {
            prop_assert!(c.forecast <= p.forecast + 1e-9 * p.forecast.max(1.0));
        }
        // Whatever it says, the sparsity rule answers.
        let _ = is_sparse(&child);
    }

    #[test]
    fn any_point_list_is_a_series_or_an_error(
        points in prop::collection::vec((0i64..2000, prop_oneof![any::<f64>(), 0.0..100.0f64]), 0..50)
    ) {
        let points: Vec<(NaiveDate, f64)> =
            points.into_iter().map(|(d, v)| (start() + chrono::Duration::days(d), v)).collect();
        if let Ok(series) = DailySeries::from_points(&points) {
            prop_assert!(series.values().iter().all(|v| v.is_finite() && *v >= 0.0));
            prop_assert_eq!(series.start(), points[0].0);
            prop_assert_eq!(series.end(), points[points.len() - 1].0);
            let total: f64 = points.iter().map(|p| p.1).sum();
            prop_assert!((series.values().iter().sum::<f64>() - total).abs() <= 1e-9 * total.max(1.0));
        }
    }
}
