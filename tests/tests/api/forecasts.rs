//! Demand forecasts against DynamoDB Local: daily request aggregates written as
//! aggregate-activity writes them, the nightly pass (forecast-demand-job) run from its
//! schedule's event, resumed when it runs out of time, and the forecasts read back by
//! the admin (GET /admin/forecasts).

use crate::support::*;
use chrono::{Datelike, Days, NaiveDate, Utc};
use cm_booking::analytics::{Contribution, Counter, Segment};
use cm_catalog::photographer::Specialization;
use cm_store::{AnalyticsWriter, DemandForecasts, DynamoStore};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use forecast_demand_job::{Job, Report};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// `per_day(day index, date)` requests a day in `city` for `spec`, for `days` days up to
/// yesterday, each day one contribution (as if one booking's request).
async fn history(env: &TestEnv, city: &str, spec: Specialization, days: u64, per_day: impl Fn(u64, NaiveDate) -> i64) {
    let yesterday = Utc::now().date_naive() - Days::new(1);
    let store = DynamoStore::new(env.dynamo.clone(), &env.table);
    for i in 0..days {
        let day = yesterday - Days::new(days - 1 - i);
        let n = per_day(i, day);
        if n == 0 {
            continue;
        }
        let c = Contribution {
            event: format!("seed#{city}#{}#{day}", spec.as_str()),
            day,
            city: city.into(),
            specialization: Some(spec),
            shard: (i % 4) as u32,
            deltas: BTreeMap::from([(Counter::Requested, n)]),
        };
        store.add_booking_contribution(&c, Utc::now()).await.unwrap();
    }
}

/// Lisbon weddings every day with a weekly shape (busy weekends); a Porto portrait
/// about once a fortnight.
async fn seeded(env: &TestEnv) {
    history(env, "lisbon", Specialization::Wedding, 182, |i, d| {
        let weekend = matches!(d.weekday().number_from_monday(), 6 | 7);
        (if weekend { 9 } else { 4 }) + (i % 3) as i64
    })
    .await;
    history(env, "porto", Specialization::Portrait, 182, |i, _| i64::from(i % 13 == 5)).await;
}

fn job(env: &TestEnv, budget: Duration) -> Job<DynamoStore> {
    Job { app: cm_app::App::new(DynamoStore::new(env.dynamo.clone(), &env.table)), budget }
}

async fn fire(job: &Job<DynamoStore>) -> Report {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(cm_tests::template::repo_root().join("events/forecast-demand-job.json")).unwrap(),
    )
    .unwrap();
    let event = serde_json::from_value(sample).unwrap();
    forecast_demand_job::handle(job, lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap()
}

async fn forecast(env: &TestEnv, token: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /admin/forecasts").bearer(token);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, admin_get_forecasts::handle, e).await
}

fn points(body: &Value) -> &Vec<Value> {
    body["points"].as_array().unwrap()
}

fn total(body: &Value) -> f64 {
    points(body).iter().map(|p| p["forecast"].as_f64().unwrap()).sum()
}

#[tokio::test]
async fn the_nightly_pass_forecasts_every_segment_and_pools_the_sparse_ones() {
    let env = env().await;
    let admin = admin(&env).await;
    seeded(&env).await;

    let report = fire(&job(&env, Duration::from_secs(600))).await;
    // The platform, two cities, two specializations, two pairs.
    assert!(report.done);
    assert_eq!((report.run.forecasts, report.run.failures), (7, 0), "{report:?}");
    // Porto (the city, the portraits, the pair) is too sparse to model on its own.
    assert_eq!(report.run.pooled, 3, "{report:?}");

    let today = Utc::now().date_naive();
    let all = forecast(&env, &admin.access, &[]).await.ok(200).clone();
    assert_eq!(all["as_of"], json!(today - Days::new(1)));
    assert_eq!(points(&all).len(), 90);
    assert_eq!(points(&all)[0]["date"], json!(today));
    for p in points(&all) {
        let (lo, f, hi) = (p["lower"].as_f64().unwrap(), p["forecast"].as_f64().unwrap(), p["upper"].as_f64().unwrap());
        assert!(0.0 <= lo && lo <= f && f <= hi, "{p}");
    }
    assert!(!all["model"].as_str().unwrap().starts_with("pooled"), "{}", all["model"]);
    assert!(all["backtest"]["mase"].as_f64().is_some(), "a modelled series says how it backtested: {all}");
    // About a week's worth of Lisbon's weddings a week (5 to 11 a day), not Porto's handful.
    let mean = total(&all) / 90.0;
    assert!((4.0..12.0).contains(&mean), "mean daily forecast {mean}");

    let pair = [("city", "Lisbon"), ("specialization", "wedding")];
    let lisbon = forecast(&env, &admin.access, &pair).await.ok(200).clone();
    assert_eq!((&lisbon["city"], &lisbon["specialization"]), (&json!("lisbon"), &json!("wedding")));
    // Its normal, what quotes compare demand with: 9 on weekends and 4 on weekdays, plus
    // 0, 1 or 2 in turn, over the half year read (a daily mean of 38/7 + 1).
    let normal = lisbon["normal_daily"].as_f64().unwrap();
    assert!((normal - (38.0 / 7.0 + 1.0)).abs() < 0.05, "{normal}");
    // The forecast keeps the weekly shape: weekends busier than weekdays.
    let by_weekend = |weekend: bool| -> f64 {
        let days: Vec<f64> = points(&lisbon)
            .iter()
            .filter(|p| {
                let d: NaiveDate = p["date"].as_str().unwrap().parse().unwrap();
                matches!(d.weekday().number_from_monday(), 6 | 7) == weekend
            })
            .map(|p| p["forecast"].as_f64().unwrap())
            .collect();
        days.iter().sum::<f64>() / days.len() as f64
    };
    assert!(by_weekend(true) > by_weekend(false) + 2.0, "{} vs {}", by_weekend(true), by_weekend(false));

    let porto =
        forecast(&env, &admin.access, &[("city", "porto"), ("specialization", "portrait")]).await.ok(200).clone();
    assert!(porto["model"].as_str().unwrap().starts_with("pooled("), "{}", porto["model"]);
    assert_eq!(porto["backtest"], Value::Null);
    // A fortnightly series: a few over 90 days, nowhere near the platform's.
    let expected = total(&porto);
    assert!((1.0..20.0).contains(&expected), "{expected}");

    // Later invocations of the day find the pass done.
    let again = fire(&job(&env, Duration::from_secs(600))).await;
    assert_eq!((again.done, again.forecast_now, again.run.invocations), (true, 0, 1));
}

#[tokio::test]
async fn a_pass_out_of_time_stops_and_the_next_invocation_goes_on_where_it_stopped() {
    let env = env().await;
    seeded(&env).await;
    // No time at all: the run is recorded, nothing forecast.
    let first = fire(&job(&env, Duration::ZERO)).await;
    assert_eq!((first.done, first.forecast_now, first.run.cursor.as_deref()), (false, 0, None));
    // A millisecond: the first segment (the platform) is forecast, then it stops.
    let second = fire(&job(&env, Duration::from_millis(1))).await;
    assert_eq!((second.done, second.forecast_now), (false, 1), "{second:?}");
    assert_eq!(second.run.cursor.as_deref(), Some("0|ALL"));
    let store = DynamoStore::new(env.dynamo.clone(), &env.table);
    let platform = store.get_forecast(&Segment::ALL).await.unwrap().expect("the platform's forecast");
    // The rest, Porto's pooled series included (their parent forecast again in this invocation).
    let third = fire(&job(&env, Duration::from_secs(600))).await;
    assert_eq!((third.done, third.forecast_now, third.run.forecasts), (true, 6, 7), "{third:?}");
    assert_eq!(third.run.invocations, 3);
    let porto = store.get_forecast(&Segment::new(Some("porto"), None)).await.unwrap().expect("Porto's forecast");
    assert_eq!(porto.model, format!("pooled({})", platform.model));
    // The platform's forecast was not made again.
    assert_eq!(store.get_forecast(&Segment::ALL).await.unwrap().unwrap().generated_at, platform.generated_at);
}

#[tokio::test]
async fn only_admins_read_forecasts_and_a_segment_without_one_is_not_found() {
    let env = env().await;
    let admin = admin(&env).await;
    let client = register(&env, "client").await;
    assert_eq!(call(env.app, admin_get_forecasts::handle, ApiEvent::new("GET /admin/forecasts")).await.status, 401);
    assert_eq!(forecast(&env, &client.access, &[]).await.status, 403);
    let r = forecast(&env, &admin.access, &[("city", "Atlantis")]).await;
    r.problem(404);
    assert!(r.body["detail"].as_str().unwrap().contains("atlantis"), "{}", r.body);
    for (params, field) in
        [(vec![("specialization", "astronaut")], "specialization"), (vec![("from", "2026-01-01")], "from")]
    {
        let r = forecast(&env, &admin.access, &params).await;
        r.problem(400);
        assert!(r.error_fields().iter().any(|f| f == field), "{params:?}: {}", r.body);
    }
}
