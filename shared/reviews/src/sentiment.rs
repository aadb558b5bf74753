//! Sentiment as stored: an analysis with the analyzer that made it, and the counter
//! deltas that recording it adds to the daily aggregates.

use chrono::NaiveDate;
use cm_sentiment::{Analysis, Label};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A stored analysis: what the analyzer said, which analyzer, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentRecord {
    #[serde(flatten)]
    pub analysis: Analysis,
    pub analyzer: String,
    pub analyzed_at: chrono::DateTime<chrono::Utc>,
}

fn label_attr(label: Label) -> &'static str {
    match label {
        Label::Positive => "pos",
        Label::Neutral => "neu",
        Label::Negative => "neg",
    }
}

/// Scores are summed as integers (×10⁴) so `ADD` stays exact.
pub fn score_e4(score: f64) -> i64 {
    (score * 10_000.0).round() as i64
}

/// The counter deltas that replacing `old` by `new` causes (old is `None` the first time).
pub fn aggregate_deltas(kind: &str, old: Option<&Analysis>, new: &Analysis) -> BTreeMap<String, i64> {
    let mut d: BTreeMap<String, i64> = BTreeMap::new();
    let mut bump = |k: String, v: i64| *d.entry(k).or_insert(0) += v;
    if old.is_none() {
        bump("n".into(), 1);
        bump(format!("n_{kind}"), 1);
    }
    for (a, sign) in old.map(|o| (o, -1)).into_iter().chain(std::iter::once((new, 1))) {
        bump(label_attr(a.label).into(), sign);
        bump(format!("{}_{kind}", label_attr(a.label)), sign);
        bump("sum".into(), sign * score_e4(a.score));
        for t in &a.topics {
            bump(format!("t_{}_n", t.topic.as_str()), sign);
            bump(format!("t_{}_{}", t.topic.as_str(), label_attr(t.label)), sign);
            bump(format!("t_{}_sum", t.topic.as_str()), sign * score_e4(t.score));
        }
    }
    d.retain(|_, v| *v != 0);
    d
}

/// One day's counters.
#[derive(Debug, Clone, PartialEq)]
pub struct DayAggregate {
    pub date: NaiveDate,
    pub counters: HashMap<String, i64>,
}

impl DayAggregate {
    pub fn get(&self, k: &str) -> i64 {
        self.counters.get(k).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescoring_moves_counts_without_changing_totals() {
        let first = cm_sentiment::analyze("The photos were stunning and she was always on time!");
        let second = cm_sentiment::analyze("The photos were blurry and she was two hours late.");
        let add = aggregate_deltas("review", None, &first);
        assert_eq!(add["n"], 1);
        assert_eq!(add["pos"], 1);
        let change = aggregate_deltas("review", Some(&first), &second);
        assert!(!change.contains_key("n"), "a re-score is not a new item");
        assert_eq!(change["pos"], -1);
        assert_eq!(change["neg"], 1);
        assert!(aggregate_deltas("review", Some(&first), &first).is_empty());
    }
}
