//! Rules as JSON, for the standalone binary (closures cannot be written in a file; key
//! prefixes and tables can).
//!
//! ```json
//! [
//!   {"operation": "TransactWriteItems", "key_prefix": {"attribute": "pk", "prefix": "INSIGHTS#"},
//!    "times": {"first": 2}, "action": {"cancel_transaction": {"item": 1}}},
//!   {"operation": "Query", "action": "throttling", "delay_ms": 200}
//! ]
//! ```

use crate::rule::{Action, Rule, Times};
use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Absent: every operation.
    pub operation: Option<String>,
    pub key_prefix: Option<KeyPrefix>,
    pub table: Option<String>,
    #[serde(default = "always")]
    pub times: Times,
    #[serde(default = "forward")]
    pub action: Action,
    pub delay_ms: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPrefix {
    pub attribute: String,
    pub prefix: String,
}

fn always() -> Times {
    Times::Always
}

fn forward() -> Action {
    Action::Forward
}

impl RuleSpec {
    pub fn into_rule(self) -> Rule {
        let mut rule = match &self.operation {
            Some(op) => Rule::on(op),
            None => Rule::any(),
        };
        if let Some(k) = &self.key_prefix {
            rule = rule.when_key_prefix(&k.attribute, &k.prefix);
        }
        if let Some(table) = &self.table {
            rule = rule.on_table(table);
        }
        if let Some(ms) = self.delay_ms {
            rule = rule.delay(Duration::from_millis(ms));
        }
        rule.times(self.times).inject(self.action)
    }
}

/// Parses a JSON list of rules.
pub fn parse(text: &str) -> Result<Vec<Rule>, serde_json::Error> {
    let specs: Vec<RuleSpec> = serde_json::from_str(text)?;
    Ok(specs.into_iter().map(RuleSpec::into_rule).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Which;
    use serde_json::json;

    #[test]
    fn a_rule_file_reads_into_rules() {
        let rules = parse(
            r#"[
              {"operation": "TransactWriteItems", "key_prefix": {"attribute": "pk", "prefix": "INSIGHTS#"},
               "times": {"first": 2}, "action": {"cancel_transaction": {"item": 1}}},
              {"table": "t", "action": "throttling", "delay_ms": 200}
            ]"#,
        )
        .unwrap();
        assert_eq!(rules[0].times, Times::First(2));
        assert_eq!(rules[0].action, Action::CancelTransaction(Which::Item(1)));
        let insights = json!({"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "INSIGHTS#1"}}}}]});
        let other = json!({"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "USER#1"}}}}]});
        assert!(rules[0].matches("TransactWriteItems", &insights));
        assert!(!rules[0].matches("TransactWriteItems", &other));
        assert!(!rules[0].matches("PutItem", &insights));
        assert_eq!(rules[1].times, Times::Always);
        assert_eq!(rules[1].delay, Some(Duration::from_millis(200)));
        assert!(rules[1].matches("GetItem", &json!({"TableName": "t"})));
        assert!(!rules[1].matches("GetItem", &json!({"TableName": "u"})));
    }

    #[test]
    fn a_misspelt_field_is_an_error() {
        assert!(parse(r#"[{"operation": "Query", "acton": "throttling"}]"#).is_err());
        assert!(parse(r#"[{"operation": "Query", "action": "throttle"}]"#).is_err());
    }
}
