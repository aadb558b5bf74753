use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

/// What callers can act on. SDK details stay in `Unavailable` for logs; clients only
/// ever see that the service had a problem.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition on the write did not hold: a duplicate, a lost race, a stale version.
    /// `reasons` holds, for transactions, which items' conditions failed (by position).
    #[error("condition failed")]
    ConditionFailed { failed_items: Vec<usize> },
    #[error("stored item is corrupt: {0}")]
    Corrupt(String),
    #[error("DynamoDB: {0}")]
    Unavailable(String),
}

pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if err.code() == Some("ConditionalCheckFailedException") {
        return StoreError::ConditionFailed { failed_items: vec![0] };
    }
    StoreError::Unavailable(format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(&err)))
}

pub(crate) fn from_transaction<R: std::fmt::Debug>(err: SdkError<TransactWriteItemsError, R>) -> StoreError {
    if let Some(TransactWriteItemsError::TransactionCanceledException(t)) = err.as_service_error() {
        let failed: Vec<usize> = t
            .cancellation_reasons()
            .iter()
            .enumerate()
            // Real DynamoDB cancels colliding transactions with `TransactionConflict`
            // (moto never does): that is a lost race, exactly like a failed condition.
            .filter(|(_, r)| matches!(r.code(), Some("ConditionalCheckFailed" | "TransactionConflict")))
            .map(|(i, _)| i)
            .collect();
        if !failed.is_empty() {
            return StoreError::ConditionFailed { failed_items: failed };
        }
    }
    StoreError::Unavailable(format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(&err)))
}

pub(crate) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

// `code()` comes from this trait; re-exported so callers of `from_sdk` need no import.
use aws_sdk_dynamodb::error::ProvideErrorMetadata as _;
