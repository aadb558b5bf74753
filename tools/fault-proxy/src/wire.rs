//! The error answers DynamoDB writes, in the shape of its JSON 1.0 protocol: HTTP status,
//! `__type` (namespace `#` code) and the members of the error structure, named as in the
//! service model the SDKs are generated from (the Rust SDK parses `message` for most
//! errors but `Message` for `TransactionCanceledException`).
//!
//! Sources: the AWS "Error handling with DynamoDB" guide (wire example, codes, statuses),
//! answers captured from DynamoDB in public issue threads (pynamodb/PynamoDB#1144,
//! aws/aws-sdk-net#1292, erlcloud/erlcloud#607, boto/boto3#2657), and the deserialisers of
//! aws-sdk-dynamodb 1.136 (`protocol_serde/shape_*`).

use serde_json::{Value, json};

/// The namespace DynamoDB puts in front of every data-plane error code.
pub const NAMESPACE: &str = "com.amazonaws.dynamodb.v20120810";

/// One injected answer: status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReply {
    pub status: u16,
    pub body: Value,
}

fn error(status: u16, code: &str, message_key: &str, message: &str) -> ErrorReply {
    let mut body = json!({ "__type": format!("{NAMESPACE}#{code}") });
    body[message_key] = Value::String(message.to_string());
    ErrorReply { status, body }
}

/// The reason DynamoDB gives for one entry of a cancelled transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub code: String,
    pub message: Option<String>,
}

impl Reason {
    /// This entry did not cause the cancellation. DynamoDB writes `{"Code":"None"}`, with
    /// no message.
    pub fn none() -> Reason {
        Reason { code: "None".into(), message: None }
    }

    /// Another transaction holds the item.
    pub fn transaction_conflict() -> Reason {
        Reason { code: "TransactionConflict".into(), message: Some(TRANSACTION_CONFLICT_MESSAGE.into()) }
    }
}

/// What DynamoDB says about an item another transaction is working on.
pub const TRANSACTION_CONFLICT_MESSAGE: &str = "Transaction is ongoing for the item";

/// `TransactionCanceledException`: one reason per `TransactItems` entry, in order, and a
/// message listing their codes.
pub fn transaction_canceled(reasons: &[Reason]) -> ErrorReply {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    let message =
        format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes.join(", "));
    let reasons: Vec<Value> = reasons
        .iter()
        .map(|r| match &r.message {
            Some(m) => json!({ "Code": r.code, "Message": m }),
            None => json!({ "Code": r.code }),
        })
        .collect();
    let mut reply = error(400, "TransactionCanceledException", "Message", &message);
    reply.body["CancellationReasons"] = Value::Array(reasons);
    reply
}

/// `TransactionConflictException`: a single-item write (PutItem, UpdateItem, DeleteItem)
/// on an item that a transaction is working on.
pub fn transaction_conflict_exception() -> ErrorReply {
    error(400, "TransactionConflictException", "message", TRANSACTION_CONFLICT_MESSAGE)
}

/// `TransactionInProgressException`: a TransactWriteItems repeating the
/// `ClientRequestToken` of one DynamoDB is still working on (an SDK retry after a lost
/// answer can arrive that early). The model names its message member `Message`.
pub fn transaction_in_progress() -> ErrorReply {
    error(
        400,
        "TransactionInProgressException",
        "Message",
        "The transaction with the given request token is already in progress.",
    )
}

/// `ThrottlingException`, as an on-demand table answers when a partition is hot.
pub fn throttling() -> ErrorReply {
    error(
        400,
        "ThrottlingException",
        "message",
        "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your \
         table or index so please try again shortly. If exceptions persist, check if you have a hot key: \
         https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
    )
}

/// `ProvisionedThroughputExceededException`, as a provisioned table answers.
pub fn provisioned_throughput_exceeded() -> ErrorReply {
    error(
        400,
        "ProvisionedThroughputExceededException",
        "message",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your \
         provisioning level with the UpdateTable API.",
    )
}

/// `InternalServerError`: HTTP 500.
pub fn internal_server_error() -> ErrorReply {
    error(500, "InternalServerError", "message", "Internal server error")
}

/// `ServiceUnavailable`: HTTP 503.
pub fn service_unavailable() -> ErrorReply {
    error(503, "ServiceUnavailable", "message", "The service is currently unavailable or busy.")
}

/// Any other error, for codes this module has no helper for.
pub fn other(status: u16, code: &str, message: &str) -> ErrorReply {
    error(status, code, "message", message)
}

/// What the proxy answers when a rule cannot apply to the request it matched (a test's
/// mistake, made loud rather than silently ignored).
pub fn misfire(message: &str) -> ErrorReply {
    error(400, "ValidationException", "message", &format!("fault-proxy: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_transaction_reads_as_dynamodb_writes_it() {
        let reply = transaction_canceled(&[Reason::none(), Reason::transaction_conflict()]);
        assert_eq!(reply.status, 400);
        assert_eq!(
            reply.body,
            json!({
                "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
                "CancellationReasons": [
                    {"Code": "None"},
                    {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
                ]
            })
        );
    }

    #[test]
    fn statuses_follow_dynamodb() {
        assert_eq!(throttling().status, 400);
        assert_eq!(provisioned_throughput_exceeded().status, 400);
        assert_eq!(transaction_conflict_exception().status, 400);
        assert_eq!(internal_server_error().status, 500);
        assert_eq!(service_unavailable().status, 503);
        assert_eq!(
            throttling().body["__type"],
            json!("com.amazonaws.dynamodb.v20120810#ThrottlingException"),
            "the SDK reads the code after the '#'"
        );
    }
}
