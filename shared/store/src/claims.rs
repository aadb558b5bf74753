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
use crate::{DynamoStore, StoreError, key, keys, s};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

/// How long a completed claim is remembered: far beyond any redelivery (stream records
/// live 24 hours, Lambda retries and webhook providers give up well within a week).
pub const DONE_RETENTION: TimeDelta = TimeDelta::days(7);

const IN_PROGRESS: &str = "in_progress";
const DONE: &str = "done";

/// The answer to [`crate::Claims::claim`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the claim until the lease ends: act, then
    /// [`crate::Claims::complete`] (or [`crate::Claims::release`] if acting failed).
    Acquired,
    /// Someone already did it: do nothing.
    AlreadyDone,
    /// Someone else holds an unexpired lease: it may be acting right now. Try again
    /// after `until` (a retry of the whole delivery, typically).
    Busy { until: DateTime<Utc> },
}

impl crate::ports::Claims for DynamoStore {
    /// Takes the claim on `key` for `lease` if nobody has it, its holder's lease has
    /// run out, or its record has expired.
    async fn claim(&self, key: &str, lease: TimeDelta, now: DateTime<Utc>) -> Result<Claim, StoreError> {
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
            .client
            .put_item()
            .table_name(&self.table)
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
    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
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
    async fn release(&self, key: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
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
    key(keys::claim(k), keys::CLAIM_SK)
}

fn epoch(at: DateTime<Utc>) -> AttributeValue {
    AttributeValue::N(at.timestamp().to_string())
}

/// How [`once`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Once {
    /// The effect ran now.
    Ran,
    /// An earlier delivery already did it.
    AlreadyDone,
}

#[derive(Debug, thiserror::Error)]
pub enum OnceError<E> {
    #[error("{key} is claimed by another invocation until {until}")]
    Busy { key: String, until: DateTime<Utc> },
    #[error(transparent)]
    Effect(E),
    /// The effect happened but its claim could not be marked done: it stays claimed
    /// until the lease ends, and a retry may repeat it (a late duplicate rather than a
    /// lost message).
    #[error("{key} was done but could not be recorded: {source}")]
    NotRecorded { key: String, source: StoreError },
    #[error(transparent)]
    Store(StoreError),
}

/// Runs `effect` unless it already ran: claim `key` for `lease`, act, mark the claim
/// done; on failure release the claim so a retry can act at once.
pub async fn once<C, F, Fut, E>(
    claims: &C,
    clock: &dyn cm_core::Clock,
    key: &str,
    lease: TimeDelta,
    effect: F,
) -> Result<Once, OnceError<E>>
where
    C: crate::ports::Claims,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
{
    match claims.claim(key, lease, clock.now()).await.map_err(OnceError::Store)? {
        Claim::AlreadyDone => Ok(Once::AlreadyDone),
        Claim::Busy { until } => Err(OnceError::Busy { key: key.to_string(), until }),
        Claim::Acquired => match effect().await {
            Ok(()) => {
                claims
                    .complete(key, clock.now())
                    .await
                    .map_err(|source| OnceError::NotRecorded { key: key.to_string(), source })?;
                Ok(Once::Ran)
            }
            Err(e) => {
                if let Err(release) = claims.release(key).await {
                    tracing::warn!(key, error = %release, "could not release a claim; it lapses with its lease");
                }
                Err(OnceError::Effect(e))
            }
        },
    }
}
