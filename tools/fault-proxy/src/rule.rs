//! Rules: which requests a fault applies to, how often, and what the fault is.

use crate::request;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A predicate over the request's JSON body.
pub type Predicate = Arc<dyn Fn(&Value) -> bool + Send + Sync>;

/// Identifies a rule added to a proxy, to remove it or read its counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct RuleId(pub(crate) u64);

/// Which matching requests a rule fires on. Matches are counted per rule, from 1, over
/// every request the rule matches (including those another, earlier rule injected into).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Times {
    /// Every match.
    Always,
    /// Matches 1..=n, then never again.
    First(u32),
    /// Only the n-th match (1-based).
    Nth(u32),
}

impl Times {
    pub(crate) fn fires_on(self, match_number: u64) -> bool {
        match self {
            Times::Always => true,
            Times::First(n) => match_number <= u64::from(n),
            Times::Nth(n) => match_number == u64::from(n),
        }
    }
}

/// Which entries of a transaction get the injected cancellation reason; the others get
/// `None`, as DynamoDB reports entries that did not cause the cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    All,
    /// The entry at this index of `TransactItems` (0-based).
    Item(usize),
}

/// What the proxy does with a request a rule fires on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Pass the request on unchanged (with the rule's delay, if any).
    Forward,
    /// `TransactionCanceledException` with `TransactionConflict` for the chosen entries:
    /// another transaction holds the item. Nothing is forwarded.
    CancelTransaction(Which),
    /// `TransactionCanceledException` with another reason code for the chosen entries
    /// (`ThrottlingError`, `ProvisionedThroughputExceeded`, `ValidationError`, ...).
    CancelTransactionWith { which: Which, code: String, message: Option<String> },
    /// `TransactionConflictException`: a PutItem, UpdateItem or DeleteItem on an item that
    /// a transaction is working on.
    TransactionConflictException,
    /// `TransactionInProgressException`: the request repeats the `ClientRequestToken` of a
    /// transaction that is still running.
    TransactionInProgress,
    /// `ThrottlingException` (HTTP 400), as an on-demand table answers a hot partition.
    Throttling,
    /// `ProvisionedThroughputExceededException` (HTTP 400).
    ProvisionedThroughputExceeded,
    /// `InternalServerError` (HTTP 500).
    InternalServerError,
    /// `ServiceUnavailable` (HTTP 503).
    ServiceUnavailable,
    /// Any other error answer.
    Error { status: u16, code: String, message: String },
    /// Close the connection without answering and without forwarding: nothing happened.
    DropBeforeForward,
    /// Forward the request, let the upstream act on it, then close the connection without
    /// answering: the write happened but the client never hears of it.
    DropAfterForward,
}

/// A fault rule: built with [`Rule::on`] or [`Rule::any`], then narrowed, counted and
/// given an action.
///
/// ```
/// use fault_proxy::{Action, Rule, Which};
/// let rule = Rule::on("TransactWriteItems")
///     .when_key_prefix("pk", "INSIGHTS#")
///     .first(2)
///     .inject(Action::CancelTransaction(Which::Item(1)));
/// ```
#[derive(Clone)]
pub struct Rule {
    pub(crate) operation: Option<String>,
    pub(crate) predicates: Vec<(String, Predicate)>,
    pub(crate) times: Times,
    pub(crate) action: Action,
    pub(crate) delay: Option<Duration>,
}

impl Rule {
    /// Matches requests for one operation (`PutItem`, `TransactWriteItems`, `Query`, ...).
    /// Fires on every match and forwards until told otherwise.
    pub fn on(operation: &str) -> Rule {
        Rule { operation: Some(operation.to_string()), ..Rule::any() }
    }

    /// Matches requests for every operation.
    pub fn any() -> Rule {
        Rule { operation: None, predicates: Vec::new(), times: Times::Always, action: Action::Forward, delay: None }
    }

    /// Also requires `predicate` to hold on the request's JSON body.
    pub fn when(self, predicate: impl Fn(&Value) -> bool + Send + Sync + 'static) -> Rule {
        self.when_described("custom predicate", predicate)
    }

    fn when_described(mut self, what: &str, predicate: impl Fn(&Value) -> bool + Send + Sync + 'static) -> Rule {
        self.predicates.push((what.to_string(), Arc::new(predicate)));
        self
    }

    /// Also requires some item or key of the request (or, for a Query, its key condition)
    /// to give `attribute` a value starting with `prefix`. See [`request::key_values`].
    pub fn when_key_prefix(self, attribute: &str, prefix: &str) -> Rule {
        let (attribute, prefix) = (attribute.to_string(), prefix.to_string());
        let what = format!("{attribute} starts with {prefix:?}");
        self.when_described(&what, move |req| request::has_key_prefix(req, &attribute, &prefix))
    }

    /// Also requires the request to name `table`.
    pub fn on_table(self, table: &str) -> Rule {
        let table = table.to_string();
        let what = format!("table {table}");
        self.when_described(&what, move |req| request::tables(req).contains(&table.as_str()))
    }

    /// Fires on every match (the default).
    pub fn always(self) -> Rule {
        self.times(Times::Always)
    }

    /// Fires on the first `n` matches only.
    pub fn first(self, n: u32) -> Rule {
        self.times(Times::First(n))
    }

    /// Fires on the `n`-th match only (1-based).
    pub fn nth(self, n: u32) -> Rule {
        self.times(Times::Nth(n))
    }

    pub fn times(mut self, times: Times) -> Rule {
        self.times = times;
        self
    }

    /// What to do when the rule fires (default: [`Action::Forward`]).
    pub fn inject(mut self, action: Action) -> Rule {
        self.action = action;
        self
    }

    /// Waits this long before acting. The request is handled to the end even if the client
    /// gives up meanwhile, as DynamoDB would: a delayed forward still writes.
    pub fn delay(mut self, delay: Duration) -> Rule {
        self.delay = Some(delay);
        self
    }

    pub(crate) fn matches(&self, operation: &str, request: &Value) -> bool {
        self.operation.as_deref().is_none_or(|op| op == operation) && self.predicates.iter().all(|(_, p)| p(request))
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("operation", &self.operation)
            .field("predicates", &self.predicates.iter().map(|(what, _)| what).collect::<Vec<_>>())
            .field("times", &self.times)
            .field("action", &self.action)
            .field("delay", &self.delay)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_count_matches_from_one() {
        let fired = |t: Times| (1..=5).filter(|&n| t.fires_on(n)).collect::<Vec<_>>();
        assert_eq!(fired(Times::Always), [1, 2, 3, 4, 5]);
        assert_eq!(fired(Times::First(2)), [1, 2]);
        assert_eq!(fired(Times::First(0)), Vec::<u64>::new());
        assert_eq!(fired(Times::Nth(3)), [3]);
    }

    #[test]
    fn a_rule_needs_its_operation_and_every_predicate() {
        let rule = Rule::on("UpdateItem").when_key_prefix("pk", "INSIGHTS#").on_table("t");
        let req = json!({"TableName": "t", "Key": {"pk": {"S": "INSIGHTS#1"}}});
        assert!(rule.matches("UpdateItem", &req));
        assert!(!rule.matches("PutItem", &req));
        assert!(!rule.matches("UpdateItem", &json!({"TableName": "t", "Key": {"pk": {"S": "USER#1"}}})));
        assert!(!rule.matches("UpdateItem", &json!({"TableName": "u", "Key": {"pk": {"S": "INSIGHTS#1"}}})));
        assert!(Rule::any().matches("Query", &json!({})));
        assert!(Rule::any().when(|r| r["Limit"] == 5).matches("Query", &json!({"Limit": 5})));
    }

    #[test]
    fn actions_read_from_json_as_the_binary_takes_them() {
        let actions: Vec<Action> = serde_json::from_value(json!([
            "throttling",
            "drop_after_forward",
            {"cancel_transaction": "all"},
            {"cancel_transaction": {"item": 1}},
            {"error": {"status": 400, "code": "RequestLimitExceeded", "message": "slow down"}}
        ]))
        .unwrap();
        assert_eq!(
            actions,
            [
                Action::Throttling,
                Action::DropAfterForward,
                Action::CancelTransaction(Which::All),
                Action::CancelTransaction(Which::Item(1)),
                Action::Error { status: 400, code: "RequestLimitExceeded".into(), message: "slow down".into() },
            ]
        );
    }
}
