//! How a Lambda event source mapping works through one stream shard, as pure logic:
//! batching (`BatchSize`, `MaximumBatchingWindowInSeconds`), retries
//! (`MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`), splitting failed batches
//! (`BisectBatchOnFunctionError`), partial batch responses (`ReportBatchItemFailures`),
//! and discarding what cannot be processed (to the `OnFailure` destination).
//!
//! Records of a shard are processed strictly in order: a batch under retry blocks the
//! records behind it, as in AWS. Local choice where AWS documents nothing precise:
//! splitting a batch does not use up a retry; every failed invocation of an unsplit
//! batch does.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::VecDeque;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub batch_size: usize,
    pub window: Duration,
    /// `None`: retry until the record expires (`-1`, the default).
    pub max_retries: Option<u32>,
    /// `None`: no age limit (`-1`, the default).
    pub max_record_age: Option<Duration>,
    pub bisect: bool,
    pub report_item_failures: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    pub seq: String,
    pub created: DateTime<Utc>,
    /// The record exactly as the function receives it.
    pub json: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub records: Vec<Rec>,
    /// Failed invocations so far of this batch (or of the batch it was split from).
    pub failures: u32,
}

/// How an invocation ended, as the mapping sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Result {
    /// The function returned; its response (for partial batch responses).
    Returned(Value),
    /// Error, timeout or crash.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Discard {
    pub records: Vec<Rec>,
    /// `RetryAttemptsExhausted` or `RecordAgeExceeded`, as in AWS failure records.
    pub condition: &'static str,
    pub invocations: u32,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct ShardQueue {
    /// Filtered records not yet in a batch, oldest first.
    pending: VecDeque<Rec>,
    /// When the oldest pending record arrived (for the batching window).
    pending_since: Option<std::time::Instant>,
    /// Batches waiting to be retried; they go before anything newer.
    retry: VecDeque<Attempt>,
}

impl ShardQueue {
    pub fn push(&mut self, rec: Rec, now: std::time::Instant) {
        if self.pending.is_empty() {
            self.pending_since = Some(now);
        }
        self.pending.push_back(rec);
    }

    pub fn is_idle(&self) -> bool {
        self.pending.is_empty() && self.retry.is_empty()
    }

    pub fn backlog(&self) -> usize {
        self.pending.len() + self.retry.iter().map(|a| a.records.len()).sum::<usize>()
    }

    /// The next batch to invoke, if one is due, and records discarded for their age.
    pub fn next(
        &mut self,
        policy: &Policy,
        now: std::time::Instant,
        clock: DateTime<Utc>,
    ) -> (Option<Attempt>, Vec<Discard>) {
        let mut attempt = match self.retry.pop_front() {
            Some(a) => a,
            None => {
                let full = self.pending.len() >= policy.batch_size;
                let waited = self.pending_since.is_some_and(|t| now.duration_since(t) >= policy.window);
                if self.pending.is_empty() || !(full || waited) {
                    return (None, Vec::new());
                }
                let n = policy.batch_size.min(self.pending.len());
                let records: Vec<Rec> = self.pending.drain(..n).collect();
                self.pending_since = (!self.pending.is_empty()).then_some(now);
                Attempt { records, failures: 0 }
            }
        };
        let mut discards = Vec::new();
        if let Some(max_age) = policy.max_record_age.and_then(|a| chrono::TimeDelta::from_std(a).ok()) {
            let (old, fresh): (Vec<Rec>, Vec<Rec>) =
                attempt.records.into_iter().partition(|r| clock.signed_duration_since(r.created) > max_age);
            if !old.is_empty() {
                discards.push(Discard {
                    records: old,
                    condition: "RecordAgeExceeded",
                    invocations: attempt.failures,
                    error: None,
                });
            }
            attempt.records = fresh;
        }
        if attempt.records.is_empty() {
            return (None, discards);
        }
        (Some(attempt), discards)
    }

    /// Applies an invocation's result; returns what must be discarded, if anything.
    pub fn complete(&mut self, policy: &Policy, attempt: Attempt, result: Result) -> Option<Discard> {
        let (remainder, error) = match result {
            Result::Returned(response) if policy.report_item_failures => {
                match first_failure(&attempt.records, &response) {
                    Ok(None) => return None,
                    Ok(Some(index)) => {
                        let rest = attempt.records[index..].to_vec();
                        (rest, Some("partial batch failure".to_string()))
                    }
                    Err(why) => return self.failed(policy, attempt, why),
                }
            }
            Result::Returned(_) => return None,
            Result::Failed(why) => return self.failed(policy, attempt, why),
        };
        self.retry_or_discard(policy, Attempt { records: remainder, failures: attempt.failures + 1 }, error)
    }

    fn failed(&mut self, policy: &Policy, attempt: Attempt, why: String) -> Option<Discard> {
        if policy.bisect && attempt.records.len() > 1 {
            let mut first = attempt.records;
            let second = first.split_off(first.len() / 2);
            self.retry.push_front(Attempt { records: second, failures: attempt.failures });
            self.retry.push_front(Attempt { records: first, failures: attempt.failures });
            return None;
        }
        self.retry_or_discard(policy, Attempt { records: attempt.records, failures: attempt.failures + 1 }, Some(why))
    }

    fn retry_or_discard(&mut self, policy: &Policy, attempt: Attempt, error: Option<String>) -> Option<Discard> {
        if policy.max_retries.is_some_and(|max| attempt.failures > max) {
            return Some(Discard {
                records: attempt.records,
                condition: "RetryAttemptsExhausted",
                invocations: attempt.failures,
                error,
            });
        }
        self.retry.push_front(attempt);
        None
    }
}

/// Index of the first record to retry from, per a `batchItemFailures` response.
/// `Ok(None)`: all succeeded. `Err`: the response makes the whole batch a failure.
fn first_failure(records: &[Rec], response: &Value) -> std::result::Result<Option<usize>, String> {
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) if items.is_empty() => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(format!("batchItemFailures is not a list: {other}")),
    };
    let mut first: Option<usize> = None;
    for f in failures {
        let id = f.get("itemIdentifier").and_then(Value::as_str).filter(|s| !s.is_empty());
        let index = id
            .and_then(|id| records.iter().position(|r| r.seq == id))
            .ok_or_else(|| format!("batchItemFailures names no record of the batch: {f}"))?;
        first = Some(first.map_or(index, |i| i.min(index)));
    }
    Ok(first)
}

/// Wait before retrying a batch that failed `failures` times.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << failures.saturating_sub(1).min(5))).min(Duration::from_secs(10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Instant;

    fn policy() -> Policy {
        Policy {
            batch_size: 3,
            window: Duration::ZERO,
            max_retries: Some(1),
            max_record_age: None,
            bisect: false,
            report_item_failures: true,
        }
    }

    fn rec(seq: u32) -> Rec {
        Rec { seq: format!("{seq:03}"), created: Utc::now(), json: json!({"n": seq}) }
    }

    fn seqs(a: &Attempt) -> Vec<&str> {
        a.records.iter().map(|r| r.seq.as_str()).collect()
    }

    fn queue(n: u32) -> ShardQueue {
        let mut q = ShardQueue::default();
        for i in 1..=n {
            q.push(rec(i), Instant::now());
        }
        q
    }

    #[test]
    fn batches_respect_size_and_window() {
        let now = Instant::now();
        let mut p = policy();
        p.window = Duration::from_secs(5);
        let mut q = ShardQueue::default();
        q.push(rec(1), now);
        assert!(q.next(&p, now, Utc::now()).0.is_none(), "waits for the window");
        assert_eq!(seqs(&q.next(&p, now + Duration::from_secs(5), Utc::now()).0.unwrap()), ["001"]);
        for i in 2..=5 {
            q.push(rec(i), now);
        }
        assert_eq!(seqs(&q.next(&p, now, Utc::now()).0.unwrap()), ["002", "003", "004"], "a full batch goes at once");
    }

    #[test]
    fn partial_failures_retry_from_the_first_failed_record() {
        let p = policy();
        let mut q = queue(3);
        let a = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
        let resp = json!({"batchItemFailures": [{"itemIdentifier": "003"}, {"itemIdentifier": "002"}]});
        assert_eq!(q.complete(&p, a, Result::Returned(resp.clone())), None);
        let retry = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
        assert_eq!((seqs(&retry), retry.failures), (vec!["002", "003"], 1));
        // Second failure exceeds MaximumRetryAttempts = 1: discarded.
        let d = q.complete(&p, retry, Result::Returned(resp)).unwrap();
        assert_eq!((d.condition, d.invocations, d.records.len()), ("RetryAttemptsExhausted", 2, 2));
        assert!(q.is_idle());
    }

    #[test]
    fn empty_or_missing_failure_lists_are_success_and_bad_ids_fail_the_batch() {
        let p = policy();
        for ok in [json!(null), json!({}), json!({"batchItemFailures": []}), json!({"batchItemFailures": null})] {
            let mut q = queue(2);
            let a = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
            assert_eq!(q.complete(&p, a, Result::Returned(ok)), None);
            assert!(q.is_idle());
        }
        for bad in [
            json!({"batchItemFailures": [{"itemIdentifier": ""}]}),
            json!({"batchItemFailures": [{"itemIdentifier": "999"}]}),
        ] {
            let mut q = queue(2);
            let a = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
            q.complete(&p, a, Result::Returned(bad));
            let retry = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
            assert_eq!(seqs(&retry), ["001", "002"], "the whole batch is retried");
        }
    }

    #[test]
    fn without_report_batch_item_failures_responses_are_ignored() {
        let mut p = policy();
        p.report_item_failures = false;
        let mut q = queue(2);
        let a = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
        let resp = json!({"batchItemFailures": [{"itemIdentifier": "001"}]});
        assert_eq!(q.complete(&p, a, Result::Returned(resp)), None);
        assert!(q.is_idle());
    }

    #[test]
    fn errors_bisect_down_to_the_poison_record() {
        let mut p = policy();
        p.bisect = true;
        p.max_retries = Some(0);
        let mut q = queue(3);
        let poison = "002";
        let mut delivered = Vec::new();
        let mut discarded = Vec::new();
        while let (Some(a), _) = q.next(&p, Instant::now(), Utc::now()) {
            let result = if a.records.iter().any(|r| r.seq == poison) {
                Result::Failed("boom".into())
            } else {
                delivered.extend(a.records.iter().map(|r| r.seq.clone()));
                Result::Returned(json!(null))
            };
            if let Some(d) = q.complete(&p, a, result) {
                discarded.extend(d.records.into_iter().map(|r| r.seq));
            }
        }
        assert_eq!(delivered, ["001", "003"], "order is kept around the poison record");
        assert_eq!(discarded, [poison]);
    }

    #[test]
    fn unlimited_retries_keep_the_batch_and_old_records_are_discarded() {
        let mut p = policy();
        p.max_retries = None;
        let mut q = queue(1);
        for _ in 0..10 {
            let a = q.next(&p, Instant::now(), Utc::now()).0.unwrap();
            assert_eq!(q.complete(&p, a, Result::Failed("x".into())), None);
        }
        p.max_record_age = Some(Duration::from_secs(60));
        let later = Utc::now() + chrono::TimeDelta::seconds(61);
        let (attempt, discards) = q.next(&p, Instant::now(), later);
        assert!(attempt.is_none());
        assert_eq!(discards[0].condition, "RecordAgeExceeded");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert_eq!(backoff(30), Duration::from_secs(10));
    }
}
