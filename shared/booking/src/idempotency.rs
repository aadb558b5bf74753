//! `Idempotency-Key`: a retried request gets the answer the first one got, never a
//! second booking. The answer is stored in the same transaction as the booking.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// How long a key is remembered (the table's TTL deletes it some time after).
pub const IDEMPOTENCY_TTL: TimeDelta = TimeDelta::hours(24);

/// A stored answer to an `Idempotency-Key`d request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotentResponse {
    /// Hash of the request body as first sent: the same key with another body is a
    /// client bug, answered 422 rather than replayed.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl IdempotentResponse {
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.created_at + IDEMPOTENCY_TTL
    }
}
