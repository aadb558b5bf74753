//! Turning daily sentiment counters into the admin's trend, distribution and topic
//! views. Pure: the counters come from storage, the shapes go to the API.

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
}

impl Granularity {
    pub fn parse(s: &str) -> Option<Granularity> {
        match s {
            "day" => Some(Granularity::Day),
            "week" => Some(Granularity::Week),
            _ => None,
        }
    }

    /// The first day of the period containing `date` (weeks start on Monday, ISO 8601).
    pub fn period_start(self, date: NaiveDate) -> NaiveDate {
        match self {
            Granularity::Day => date,
            Granularity::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub total: i64,
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
    /// Mean score in [-1, 1]; `null` when there is nothing to average.
    pub average_score: Option<f64>,
}

impl Counts {
    fn from_counters(c: &HashMap<String, i64>, prefix: &str, total_key: &str) -> Counts {
        let get = |k: &str| c.get(&format!("{prefix}{k}")).copied().unwrap_or(0);
        let total = c.get(total_key).copied().unwrap_or(0);
        Counts { total, positive: get("pos"), neutral: get("neu"), negative: get("neg"), average_score: None }
            .with_average(get("sum"))
    }

    fn with_average(mut self, sum_e4: i64) -> Counts {
        self.average_score =
            (self.total > 0).then(|| ((sum_e4 as f64 / self.total as f64) / 10_000.0 * 1000.0).round() / 1000.0);
        self
    }

    fn add(&mut self, other: &Counts, other_sum_e4: i64, sum_e4: &mut i64) {
        self.total += other.total;
        self.positive += other.positive;
        self.neutral += other.neutral;
        self.negative += other.negative;
        *sum_e4 += other_sum_e4;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicSummary {
    pub topic: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub series: Vec<Period>,
    pub distribution: Counts,
    pub topics: Vec<TopicSummary>,
}

/// Builds the views from `(date, counters)` days. Every period in `from..=to` appears
/// in the series, empty ones included, so charts need no gap-filling.
pub fn summarize(
    days: &[(NaiveDate, HashMap<String, i64>)],
    from: NaiveDate,
    to: NaiveDate,
    g: Granularity,
) -> Summary {
    let mut periods: BTreeMap<NaiveDate, (Counts, i64)> = BTreeMap::new();
    let mut d = g.period_start(from);
    while d <= to {
        periods.insert(d, (Counts::default(), 0));
        d = match g {
            Granularity::Day => d + Days::new(1),
            Granularity::Week => d + Days::new(7),
        };
    }
    let mut total = (Counts::default(), 0i64);
    let mut topics: BTreeMap<String, (Counts, i64)> = BTreeMap::new();
    for (date, c) in days.iter().filter(|(d, _)| (from..=to).contains(d)) {
        let day = Counts::from_counters(c, "", "n");
        let sum = c.get("sum").copied().unwrap_or(0);
        if let Some((p, psum)) = periods.get_mut(&g.period_start(*date)) {
            p.add(&day, sum, psum);
        }
        total.0.add(&day, sum, &mut total.1);
        for key in c.keys().filter_map(|k| k.strip_prefix("t_").and_then(|r| r.strip_suffix("_n"))) {
            let prefix = format!("t_{key}_");
            let t = Counts::from_counters(c, &prefix, &format!("t_{key}_n"));
            let tsum = c.get(&format!("t_{key}_sum")).copied().unwrap_or(0);
            let entry = topics.entry(key.to_string()).or_default();
            entry.0.add(&t, tsum, &mut entry.1);
        }
    }
    Summary {
        series: periods.into_iter().map(|(start, (c, s))| Period { start, counts: c.with_average(s) }).collect(),
        distribution: total.0.with_average(total.1),
        topics: topics
            .into_iter()
            .filter(|(_, (c, _))| c.total > 0)
            .map(|(topic, (c, s))| TopicSummary { topic, counts: c.with_average(s) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str, pairs: &[(&str, i64)]) -> (NaiveDate, HashMap<String, i64>) {
        (d.parse().unwrap(), pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect())
    }

    #[test]
    fn weekly_series_sums_days_and_fills_gaps() {
        let days = vec![
            day(
                "2026-11-02",
                &[
                    ("n", 2),
                    ("pos", 1),
                    ("neg", 1),
                    ("sum", 2000),
                    ("t_quality_n", 1),
                    ("t_quality_pos", 1),
                    ("t_quality_sum", 8000),
                ],
            ),
            day("2026-11-04", &[("n", 1), ("neu", 1), ("sum", 0)]),
            day("2026-11-20", &[("n", 1), ("neg", 1), ("sum", -9000)]),
        ];
        let s = summarize(&days, "2026-11-01".parse().unwrap(), "2026-11-22".parse().unwrap(), Granularity::Week);
        let starts: Vec<String> = s.series.iter().map(|p| p.start.to_string()).collect();
        assert_eq!(starts, ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]);
        assert_eq!(s.series[1].counts.total, 3);
        assert_eq!(s.series[1].counts.average_score, Some(0.067));
        assert_eq!(s.series[2].counts.total, 0);
        assert_eq!(s.series[2].counts.average_score, None);
        assert_eq!(s.distribution.total, 4);
        assert_eq!((s.distribution.positive, s.distribution.neutral, s.distribution.negative), (1, 1, 2));
        assert_eq!(s.topics.len(), 1);
        assert_eq!(s.topics[0].topic, "quality");
        assert_eq!(s.topics[0].counts.average_score, Some(0.8));
    }

    #[test]
    fn days_outside_the_range_are_ignored() {
        let days = vec![day("2026-10-01", &[("n", 5), ("pos", 5)])];
        let s = summarize(&days, "2026-11-01".parse().unwrap(), "2026-11-01".parse().unwrap(), Granularity::Day);
        assert_eq!(s.distribution.total, 0);
        assert_eq!(s.series.len(), 1);
    }
}
