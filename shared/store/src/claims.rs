//! Claims: at-most-once side effects on top of at-least-once delivery.
//!
//! Stream records, webhooks and retried invocations arrive more than once. Before a
//! handler does something it must not repeat (send an email, publish a message), it
//! claims a key naming that effect; only the holder of the claim acts, and marks the
//! claim done afterwards. A redelivery then finds the claim done and does nothing.
//!
//! One item per key: `CLAIM#<key>` / `CLAIM`, entity `claim`, with
//! - `state`: `in_progress` while someone is acting, `done` after;
//! - `lease_until` (epoch seconds, only while `in_progress`): a holder that crashed
//!   mid-effect loses its claim when the lease runs out, so the effect is retried
//!   instead of being lost; choose a lease at least as long as the holder can run;
//! - `ttl` (epoch seconds): DynamoDB TTL. A claim past its `ttl` is treated as absent
//!   whether or not DynamoDB has deleted it yet, so the outcome never depends on when
//!   the TTL sweeper runs.
//!
//! Every transition is a single conditional write, so two concurrent claimers of one
//! key cannot both acquire it.

use crate::error::from_sdk;
use crate::{Store, StoreError, key, s};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

/// How long a completed claim is remembered: far beyond any redelivery (stream records
/// live 24 hours, Lambda retries and webhook providers give up well within a week).
pub const DONE_RETENTION: TimeDelta = TimeDelta::days(7);

const SK: &str = "CLAIM";
const IN_PROGRESS: &str = "in_progress";
const DONE: &str = "done";

/// The answer to [`Claims::claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the claim until the lease ends: act, then
    /// [`Claims::complete`] (or [`Claims::release`] if acting failed).
    Acquired,
    /// Someone already did it: do nothing.
    AlreadyDone,
    /// Someone else holds an unexpired lease: it may be acting right now. Try again
    /// after `until` (a retry of the whole delivery, typically).
    Busy { until: DateTime<Utc> },
}

/// Claims on the table; get one with [`Store::claims`].
#[derive(Debug, Clone, Copy)]
pub struct Claims<'a> {
    store: &'a Store,
}

impl Store {
    pub fn claims(&self) -> Claims<'_> {
        Claims { store: self }
    }
}

pub fn claim_key(key: &str) -> String {
    format!("CLAIM#{key}")
}

impl Claims<'_> {
    /// Takes the claim on `key` for `lease` if nobody has it, its holder's lease has
    /// run out, or its record has expired.
    pub async fn claim(&self, key: &str, lease: TimeDelta, now: DateTime<Utc>) -> Result<Claim, StoreError> {
        if key.is_empty() {
            return Err(StoreError::Corrupt("a claim needs a non-empty key".into()));
        }
        let lease = lease.max(TimeDelta::seconds(1));
        let lease_until = now + lease;
        let mut item = key_of(key);
        item.insert("entity".into(), s("claim"));
        item.insert("state".into(), s(IN_PROGRESS));
        item.insert("lease_until".into(), epoch(lease_until));
        item.insert("claimed_at".into(), s(now.to_rfc3339()));
        item.insert("ttl".into(), epoch(lease_until + DONE_RETENTION));
        let result = self
            .store
            .client
            .put_item()
            .table_name(&self.store.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(pk) OR (#state = :in_progress AND lease_until <= :now) OR #ttl <= :now",
            )
            // `state` and `ttl` are DynamoDB reserved words.
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .expression_attribute_values(":now", epoch(now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(Claim::Acquired),
            Err(err) => err,
        };
        let held = match err.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(e)) => e.item().cloned(),
            _ => return Err(from_sdk(err)),
        };
        Ok(match held {
            Some(item) if item.get("state").and_then(|v| v.as_s().ok()).is_some_and(|st| st == DONE) => {
                Claim::AlreadyDone
            }
            Some(item) => Claim::Busy {
                until: item
                    .get("lease_until")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse::<i64>().ok())
                    .and_then(|secs| DateTime::from_timestamp(secs, 0))
                    .unwrap_or(now),
            },
            // The condition failed yet there was nothing to return: a concurrent change
            // between evaluation and answer. Let the caller retry.
            None => Claim::Busy { until: now },
        })
    }

    /// Records that the effect happened. Unconditional: even a holder whose lease ran
    /// out did act, and a later claimer must see that.
    pub async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.store
            .client
            .update_item()
            .table_name(&self.store.table)
            .set_key(Some(key_of(key)))
            .update_expression("SET entity = :e, #state = :done, completed_at = :now, #ttl = :ttl REMOVE lease_until")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":e", s("claim"))
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":now", s(now.to_rfc3339()))
            .expression_attribute_values(":ttl", epoch(now + DONE_RETENTION))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    /// Gives up an in-progress claim so a retry can act at once instead of waiting for
    /// the lease. A claim that is done (or gone) is left as it is.
    pub async fn release(&self, key: &str) -> Result<(), StoreError> {
        let result = self
            .store
            .client
            .delete_item()
            .table_name(&self.store.table)
            .set_key(Some(key_of(key)))
            .condition_expression("#state = :in_progress")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":in_progress", s(IN_PROGRESS))
            .send()
            .await
            .map_err(from_sdk);
        match result {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn key_of(k: &str) -> HashMap<String, AttributeValue> {
    key(claim_key(k), SK)
}

fn epoch(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::N(at.timestamp().to_string())
}
