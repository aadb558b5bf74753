//! Sentiment aggregates for admin insights, kept by the stream function in the same
//! transaction that records each analysis, so they count every review and feedback
//! exactly once and are read back with one Query instead of scanning.

use crate::error::from_sdk;
use crate::photographers::build_err;
use crate::{Store, StoreError, s};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::NaiveDate;
use cm_sentiment::{Analysis, Label};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub const INSIGHTS_PK: &str = "INSIGHTS#SENTIMENT";

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

impl Store {
    pub(crate) fn aggregate_op(
        &self,
        day: NaiveDate,
        deltas: &BTreeMap<String, i64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut up = Update::builder()
            .table_name(&self.table)
            .set_key(Some(crate::key(INSIGHTS_PK, format!("DAY#{day}"))))
            .expression_attribute_values(":e", s("sentiment_day"));
        let mut adds = Vec::new();
        for (i, (k, v)) in deltas.iter().enumerate() {
            adds.push(format!("#a{i} :v{i}"));
            up = up
                .expression_attribute_names(format!("#a{i}"), k)
                .expression_attribute_values(format!(":v{i}"), AttributeValue::N(v.to_string()));
        }
        let up = up.update_expression(format!("ADD {} SET entity = :e", adds.join(", "))).build().map_err(build_err)?;
        Ok(Some(TransactWriteItem::builder().update(up).build()))
    }

    /// Daily aggregates for `from..=to`, oldest first.
    pub async fn sentiment_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayAggregate>, StoreError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
                .expression_attribute_values(":pk", s(INSIGHTS_PK))
                .expression_attribute_values(":from", s(format!("DAY#{from}")))
                .expression_attribute_values(":to", s(format!("DAY#{to}")))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(from_sdk)?;
            for item in page.items.unwrap_or_default() {
                let date = item
                    .get("sk")
                    .and_then(|v| v.as_s().ok())
                    .and_then(|sk| sk.strip_prefix("DAY#"))
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt("sentiment day without a date".into()))?;
                let counters = item
                    .iter()
                    .filter_map(|(k, v)| v.as_n().ok().and_then(|n| n.parse().ok()).map(|n| (k.clone(), n)))
                    .collect();
                out.push(DayAggregate { date, counters });
            }
            match page.last_evaluated_key {
                Some(k) => start = Some(k),
                None => return Ok(out),
            }
        }
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
