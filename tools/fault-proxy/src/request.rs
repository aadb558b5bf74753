//! Reading a DynamoDB request: which operation, which tables, which keys. Rules match on
//! these; tests can use them in their own predicates too.

use serde_json::{Map, Value};

/// The operation named by an `X-Amz-Target` header (`DynamoDB_20120810.PutItem` →
/// `PutItem`; DynamoDB Streams' `DynamoDBStreams_20120810.GetRecords` → `GetRecords`).
pub fn operation(target: &str) -> &str {
    target.rsplit_once('.').map_or(target, |(_, op)| op)
}

/// Every item or key the request writes, reads or checks: `Item` and `Key`, each entry of
/// `TransactItems` (`Put`, `Update`, `Delete`, `ConditionCheck`, `Get`) and of
/// `RequestItems` (`PutRequest`, `DeleteRequest`, `Keys`).
pub fn items(request: &Value) -> Vec<&Map<String, Value>> {
    let mut out = Vec::new();
    push_item_and_key(request, &mut out);
    for entry in request["TransactItems"].as_array().into_iter().flatten() {
        for kind in ["Put", "Update", "Delete", "ConditionCheck", "Get"] {
            push_item_and_key(&entry[kind], &mut out);
        }
    }
    for per_table in request["RequestItems"].as_object().into_iter().flat_map(Map::values) {
        // BatchWriteItem: a list of write requests; BatchGetItem: an object with `Keys`.
        for write in per_table.as_array().into_iter().flatten() {
            push_item_and_key(&write["PutRequest"], &mut out);
            push_item_and_key(&write["DeleteRequest"], &mut out);
        }
        out.extend(per_table["Keys"].as_array().into_iter().flatten().filter_map(Value::as_object));
    }
    out
}

fn push_item_and_key<'a>(v: &'a Value, out: &mut Vec<&'a Map<String, Value>>) {
    out.extend(v["Item"].as_object());
    out.extend(v["Key"].as_object());
}

/// The values (strings and numbers, as text) the request gives attribute `attribute` in
/// its items and keys, and, for a Query, in its key condition (`attr = :v` and
/// `begins_with(attr, :v)`, with `#name` placeholders resolved).
pub fn key_values(request: &Value, attribute: &str) -> Vec<String> {
    let mut out: Vec<String> = items(request).iter().filter_map(|item| scalar(item.get(attribute)?)).collect();
    out.extend(key_condition_values(request, attribute));
    out
}

/// Whether some item or key of the request has a string or number `attribute` starting
/// with `prefix`.
pub fn has_key_prefix(request: &Value, attribute: &str, prefix: &str) -> bool {
    key_values(request, attribute).iter().any(|v| v.starts_with(prefix))
}

/// Every table the request names (`TableName`, inside `TransactItems`, or as a key of
/// `RequestItems`).
pub fn tables(request: &Value) -> Vec<&str> {
    let mut out: Vec<&str> = request["TableName"].as_str().into_iter().collect();
    for entry in request["TransactItems"].as_array().into_iter().flatten() {
        out.extend(entry.as_object().into_iter().flat_map(Map::values).filter_map(|op| op["TableName"].as_str()));
    }
    out.extend(request["RequestItems"].as_object().into_iter().flat_map(Map::keys).map(String::as_str));
    out
}

/// How many entries a TransactWriteItems or TransactGetItems request has.
pub fn transact_item_count(request: &Value) -> Option<usize> {
    request["TransactItems"].as_array().map(Vec::len)
}

fn scalar(v: &Value) -> Option<String> {
    v["S"].as_str().or_else(|| v["N"].as_str()).map(str::to_string)
}

fn key_condition_values(request: &Value, attribute: &str) -> Vec<String> {
    let Some(expr) = request["KeyConditionExpression"].as_str() else { return Vec::new() };
    let name = |token: &str| -> Option<String> {
        let token = token.trim();
        if token.starts_with('#') {
            request["ExpressionAttributeNames"][token].as_str().map(str::to_string)
        } else {
            Some(token.to_string())
        }
    };
    let value = |token: &str| scalar(&request["ExpressionAttributeValues"][token.trim()]);
    let mut out = Vec::new();
    // Clauses are joined by AND. `BETWEEN :a AND :b` splits too, harmlessly: neither half
    // is an equality or a begins_with.
    let words: Vec<&str> = expr.split_whitespace().collect();
    for clause in words.split(|w| w.eq_ignore_ascii_case("and")).map(|ws| ws.join(" ")) {
        let clause = clause.trim();
        let pair = if let Some(args) =
            clause.strip_prefix("begins_with").map(str::trim_start).and_then(|c| c.strip_prefix('('))
        {
            args.trim_end().strip_suffix(')').and_then(|a| a.split_once(','))
        } else {
            clause.split_once('=').filter(|(left, _)| !left.ends_with(['<', '>']))
        };
        if let Some((left, right)) = pair
            && name(left).as_deref() == Some(attribute)
        {
            out.extend(value(right));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operation_is_the_part_after_the_dot() {
        assert_eq!(operation("DynamoDB_20120810.TransactWriteItems"), "TransactWriteItems");
        assert_eq!(operation("DynamoDBStreams_20120810.GetRecords"), "GetRecords");
        assert_eq!(operation("PutItem"), "PutItem");
    }

    #[test]
    fn keys_are_found_in_every_write_shape() {
        let transact = json!({"TransactItems": [
            {"Put": {"TableName": "t", "Item": {"pk": {"S": "BOOKING#1"}, "sk": {"S": "A"}}}},
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "INSIGHTS#2"}, "sk": {"S": "B"}}}},
            {"Delete": {"TableName": "u", "Key": {"pk": {"S": "C#3"}, "sk": {"S": "C"}}}},
            {"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "D#4"}, "sk": {"S": "D"}}}}
        ]});
        assert_eq!(key_values(&transact, "pk"), ["BOOKING#1", "INSIGHTS#2", "C#3", "D#4"]);
        assert!(has_key_prefix(&transact, "pk", "INSIGHTS#"));
        assert!(!has_key_prefix(&transact, "sk", "INSIGHTS#"));
        assert_eq!(tables(&transact), ["t", "t", "u", "t"]);
        assert_eq!(transact_item_count(&transact), Some(4));

        let batch = json!({"RequestItems": {"t": [
            {"PutRequest": {"Item": {"pk": {"S": "P#1"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "P#2"}}}}
        ]}});
        assert_eq!(key_values(&batch, "pk"), ["P#1", "P#2"]);
        let batch_get = json!({"RequestItems": {"t": {"Keys": [{"pk": {"S": "G#1"}}, {"pk": {"N": "7"}}]}}});
        assert_eq!(key_values(&batch_get, "pk"), ["G#1", "7"]);
        assert_eq!(tables(&batch_get), ["t"]);

        let update = json!({"TableName": "t", "Key": {"pk": {"S": "U#1"}, "sk": {"S": "X"}}});
        assert_eq!(key_values(&update, "pk"), ["U#1"]);
        assert!(key_values(&update, "gsi1pk").is_empty());
    }

    #[test]
    fn a_query_is_matched_by_its_key_condition() {
        let query = json!({
            "TableName": "t",
            "IndexName": "gsi1",
            "KeyConditionExpression": "#pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeNames": {"#pk": "gsi1pk"},
            "ExpressionAttributeValues": {":pk": {"S": "INSIGHTS#2026"}, ":prefix": {"S": "DAY#"}}
        });
        assert_eq!(key_values(&query, "gsi1pk"), ["INSIGHTS#2026"]);
        assert_eq!(key_values(&query, "sk"), ["DAY#"]);
        assert!(key_values(&query, "pk").is_empty());

        let range = json!({
            "KeyConditionExpression": "pk = :pk and sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":pk": {"S": "P"}, ":a": {"S": "1"}, ":b": {"S": "2"}}
        });
        assert_eq!(key_values(&range, "pk"), ["P"]);
        assert!(key_values(&range, "sk").is_empty(), "a range is no key value");
        let compare = json!({
            "KeyConditionExpression": "pk = :pk AND sk >= :a",
            "ExpressionAttributeValues": {":pk": {"S": "P"}, ":a": {"S": "1"}}
        });
        assert!(key_values(&compare, "sk").is_empty());
    }
}
