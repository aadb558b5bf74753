//! The request log: every request the proxy saw, what it injected, what came back.

use crate::rule::{Action, RuleId};
use serde::Serialize;
use serde_json::Value;

/// One HTTP answer: status and JSON body (`null` when the body is not JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The error code of an error answer (`__type` after the `#`), as the SDK reads it.
    pub fn error_code(&self) -> Option<&str> {
        let t = self.body["__type"].as_str()?;
        Some(t.rsplit_once('#').map_or(t, |(_, code)| code))
    }
}

/// What the client got.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Still being handled (delayed, or waiting for the upstream).
    Pending,
    /// An answer, forwarded or injected.
    Answered(Reply),
    /// The connection was closed without an answer.
    Dropped,
}

/// One request through the proxy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exchange {
    /// Position in the log, from 0, in arrival order.
    pub seq: u64,
    /// From `X-Amz-Target` (`PutItem`, `TransactWriteItems`, ...); empty for requests
    /// without one (an emulator's own endpoints).
    pub operation: String,
    /// The request body (`null` when not JSON).
    pub request: Value,
    /// The rule that fired on this request, if one did.
    pub rule: Option<RuleId>,
    /// What that rule did.
    pub injected: Option<Action>,
    /// The upstream's answer, if the request was forwarded and answered. `Some` with a 200
    /// on a write means the write happened, whatever the client got.
    pub upstream: Option<Reply>,
    /// Set when forwarding failed (upstream unreachable, ...).
    pub upstream_error: Option<String>,
    /// What the client got.
    pub delivery: Delivery,
}

impl Exchange {
    /// Whether the upstream received the request.
    pub fn forwarded(&self) -> bool {
        self.upstream.is_some()
    }

    /// The answer the client got, if it got one.
    pub fn answer(&self) -> Option<&Reply> {
        match &self.delivery {
            Delivery::Answered(r) => Some(r),
            _ => None,
        }
    }

    /// The error code the client got, if it got an error.
    pub fn error_code(&self) -> Option<&str> {
        self.answer().and_then(Reply::error_code)
    }

    /// `ClientRequestToken` of a TransactWriteItems request (the SDK fills one in, the same
    /// for every retry of one call).
    pub fn client_request_token(&self) -> Option<&str> {
        self.request["ClientRequestToken"].as_str()
    }
}
