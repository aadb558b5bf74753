use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

/// What callers can act on. SDK details stay in the message for logs; clients only
/// ever see that the service had a problem.
///
/// A failed condition and a conflict are different things and must never be confused:
/// a failed condition is an answer (a duplicate, a lost race, a stale version), while a
/// conflict or a throttle means nothing was decided and the same write may succeed on
/// a later try. The store retries those itself; what is left after its retries is
/// [`StoreError::Contended`] or [`StoreError::Throttled`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition on the write did not hold. `failed_items` holds, for transactions,
    /// which items' conditions failed (by position).
    #[error("condition failed")]
    ConditionFailed { failed_items: Vec<usize> },
    /// Another transaction held one of the items through every retry
    /// (`TransactionConflict`). Nothing was written.
    #[error("transaction conflict through every retry: {0}")]
    Contended(String),
    /// DynamoDB throttled the request through every retry. Nothing was written.
    #[error("throttled through every retry: {0}")]
    Throttled(String),
    #[error("stored item is corrupt: {0}")]
    Corrupt(String),
    #[error("DynamoDB: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// Nothing was decided; trying the same thing again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Contended(_) | StoreError::Throttled(_))
    }
}

const THROTTLING: &[&str] = &["ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"];

pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let detail = || format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(&err));
    match err.code() {
        Some("ConditionalCheckFailedException") => StoreError::ConditionFailed { failed_items: vec![0] },
        // A single-item write that touched an item inside an ongoing transaction.
        Some("TransactionConflictException") => StoreError::Contended(detail()),
        Some(code) if THROTTLING.contains(&code) => StoreError::Throttled(detail()),
        _ => StoreError::Unavailable(detail()),
    }
}

pub(crate) fn from_transaction<R: std::fmt::Debug>(err: SdkError<TransactWriteItemsError, R>) -> StoreError {
    let detail = || format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(&err));
    if let Some(TransactWriteItemsError::TransactionCanceledException(t)) = err.as_service_error() {
        let reasons: Vec<Option<&str>> = t.cancellation_reasons().iter().map(|r| r.code()).collect();
        let failed: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, code)| **code == Some("ConditionalCheckFailed"))
            .map(|(i, _)| i)
            .collect();
        // A failed condition is an answer even when another item also conflicted: the
        // transaction could not have committed against the state it saw.
        if !failed.is_empty() {
            return StoreError::ConditionFailed { failed_items: failed };
        }
        if reasons.contains(&Some("TransactionConflict")) {
            return StoreError::Contended(detail());
        }
        if reasons.iter().any(|c| matches!(c, Some("ThrottlingError" | "ProvisionedThroughputExceeded"))) {
            return StoreError::Throttled(detail());
        }
    }
    if let Some(TransactWriteItemsError::TransactionInProgressException(_)) = err.as_service_error() {
        return StoreError::Contended(detail());
    }
    match err.code() {
        Some(code) if THROTTLING.contains(&code) => StoreError::Throttled(detail()),
        _ => StoreError::Unavailable(detail()),
    }
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

// `code()` comes from this trait; re-exported so callers of `from_sdk` need no import.
use aws_sdk_dynamodb::error::ProvideErrorMetadata as _;

/// A conditional write's outcome: `true` when it was applied, `false` when its condition
/// did not hold (an answer, not an error); every other failure stays an error.
pub(crate) fn applied<T>(result: Result<T, StoreError>) -> Result<bool, StoreError> {
    match result {
        Ok(_) => Ok(true),
        Err(StoreError::ConditionFailed { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
