//! Lambda event filtering (`FilterCriteria`): EventBridge-style patterns matched
//! against each stream record as the function would receive it. Nothing local applies
//! filters, so the local stack must, exactly as Lambda does: a record reaches the
//! function only if it matches at least one of the event source's patterns.
//!
//! Supported: exact values (strings, numbers, booleans, null; a list means any of
//! them), nested objects, `exists`, `prefix`, `suffix`, `equals-ignore-case`,
//! `wildcard`, `anything-but` (a value, a list, or a `prefix`/`suffix`), `numeric`
//! ranges, and `$or`. Not supported: `cidr` (refused when the template is loaded).
//! An array in the record matches when any of its elements matches.

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Pattern(Value);

impl Pattern {
    /// Parses and validates one `Pattern` string from the template.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("pattern is not JSON: {e}"))?;
        validate_object(&v, "")?;
        Ok(Pattern(v))
    }

    pub fn matches(&self, record: &Value) -> bool {
        match_object(&self.0, record)
    }
}

/// A record passes a set of filters when it matches any of them; no filters pass all.
pub fn passes(filters: &[Pattern], record: &Value) -> bool {
    filters.is_empty() || filters.iter().any(|p| p.matches(record))
}

fn validate_object(v: &Value, at: &str) -> Result<(), String> {
    let obj = v.as_object().ok_or_else(|| format!("{at}: a pattern must be a JSON object"))?;
    if obj.is_empty() {
        return Err(format!("{at}: empty pattern object"));
    }
    for (k, child) in obj {
        let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
        if k == "$or" {
            let alts = child
                .as_array()
                .filter(|a| a.len() >= 2)
                .ok_or_else(|| format!("{path}: needs a list of 2+ patterns"))?;
            for alt in alts {
                validate_object(alt, &path)?;
            }
            continue;
        }
        match child {
            Value::Object(_) => validate_object(child, &path)?,
            Value::Array(matchers) if !matchers.is_empty() => {
                for m in matchers {
                    validate_matcher(m, &path)?;
                }
            }
            _ => return Err(format!("{path}: leaf values must be non-empty lists, e.g. [\"INSERT\"]")),
        }
    }
    Ok(())
}

fn validate_matcher(m: &Value, at: &str) -> Result<(), String> {
    let Value::Object(obj) = m else { return Ok(()) };
    let (op, arg) = match obj.iter().next() {
        Some(pair) if obj.len() == 1 => pair,
        _ => return Err(format!("{at}: a matcher object has exactly one operator")),
    };
    let ok = match op.as_str() {
        "exists" => arg.is_boolean(),
        "prefix" | "suffix" => arg.is_string() || text_or_ignore_case(arg).is_some(),
        "equals-ignore-case" | "wildcard" => arg.is_string(),
        "anything-but" => match arg {
            Value::Object(inner) => {
                inner.len() == 1
                    && inner.iter().all(|(k, v)| {
                        matches!(k.as_str(), "prefix" | "suffix") && v.is_string()
                            || k == "equals-ignore-case" && (v.is_string() || v.is_array())
                    })
            }
            Value::Array(items) => items.iter().all(|i| !i.is_object() && !i.is_array()),
            _ => true,
        },
        "numeric" => numeric_ranges(arg).is_some(),
        other => return Err(format!("{at}: operator `{other}` is not supported locally")),
    };
    if ok { Ok(()) } else { Err(format!("{at}: malformed `{op}` matcher: {arg}")) }
}

fn text_or_ignore_case(arg: &Value) -> Option<(&str, bool)> {
    match arg {
        Value::String(s) => Some((s, false)),
        Value::Object(o) => o.get("equals-ignore-case").and_then(Value::as_str).map(|s| (s, true)),
        _ => None,
    }
}

/// `[">", 0, "<=", 5]` as `(op, bound)` pairs.
fn numeric_ranges(arg: &Value) -> Option<Vec<(&str, f64)>> {
    let items = arg.as_array()?;
    if items.is_empty() || items.len() % 2 != 0 || items.len() > 4 {
        return None;
    }
    items
        .chunks(2)
        .map(|pair| {
            let op = pair[0].as_str().filter(|op| matches!(*op, "=" | "<" | "<=" | ">" | ">="))?;
            Some((op, pair[1].as_f64()?))
        })
        .collect()
}

fn match_object(pattern: &Value, event: &Value) -> bool {
    let Some(obj) = pattern.as_object() else { return false };
    obj.iter().all(|(key, p)| {
        if key == "$or" {
            return p.as_array().is_some_and(|alts| alts.iter().any(|alt| match_object(alt, event)));
        }
        let field = event.as_object().and_then(|o| o.get(key));
        match p {
            Value::Object(_) => match field {
                Some(Value::Array(items)) => items.iter().any(|i| match_object(p, i)),
                Some(f) => match_object(p, f),
                None => only_absence(p),
            },
            Value::Array(matchers) => match_leaf(matchers, field),
            _ => false,
        }
    })
}

/// A nested pattern can match a missing object only if all it asks is absence.
fn only_absence(p: &Value) -> bool {
    p.as_object().is_some_and(|o| {
        o.values().all(|v| match v {
            Value::Array(ms) => ms.iter().any(|m| m.get("exists") == Some(&Value::Bool(false))),
            Value::Object(_) => only_absence(v),
            _ => false,
        })
    })
}

fn match_leaf(matchers: &[Value], field: Option<&Value>) -> bool {
    let Some(field) = field else {
        return matchers.iter().any(|m| m.get("exists") == Some(&Value::Bool(false)));
    };
    let values: Vec<&Value> = match field {
        Value::Array(items) => items.iter().collect(),
        v => vec![v],
    };
    matchers.iter().any(|m| match m.get("exists") {
        Some(Value::Bool(wanted)) => *wanted,
        _ => values.iter().any(|v| match_value(m, v)),
    })
}

fn match_value(m: &Value, v: &Value) -> bool {
    let Value::Object(obj) = m else { return equal(m, v) };
    let Some((op, arg)) = obj.iter().next() else { return false };
    let text = v.as_str();
    match op.as_str() {
        "prefix" => text_or_ignore_case(arg).zip(text).is_some_and(|((p, ic), t)| affix(t, p, ic, true)),
        "suffix" => text_or_ignore_case(arg).zip(text).is_some_and(|((s, ic), t)| affix(t, s, ic, false)),
        "equals-ignore-case" => arg.as_str().zip(text).is_some_and(|(a, t)| a.eq_ignore_ascii_case(t)),
        "wildcard" => arg.as_str().zip(text).is_some_and(|(w, t)| wildcard(w, t)),
        "numeric" => match (v.as_f64(), numeric_ranges(arg)) {
            (Some(n), Some(ranges)) => ranges.iter().all(|(op, bound)| match *op {
                "=" => n == *bound,
                "<" => n < *bound,
                "<=" => n <= *bound,
                ">" => n > *bound,
                _ => n >= *bound,
            }),
            _ => false,
        },
        "anything-but" => match arg {
            Value::Array(items) => !items.iter().any(|i| equal(i, v)),
            Value::Object(inner) => match inner.iter().next() {
                Some((k, Value::String(s))) if k == "prefix" => text.is_some_and(|t| !t.starts_with(s.as_str())),
                Some((k, Value::String(s))) if k == "suffix" => text.is_some_and(|t| !t.ends_with(s.as_str())),
                Some((k, needle)) if k == "equals-ignore-case" => text.is_some_and(|t| {
                    let list: Vec<&str> = match needle {
                        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                        other => other.as_str().into_iter().collect(),
                    };
                    !list.iter().any(|x| x.eq_ignore_ascii_case(t))
                }),
                _ => false,
            },
            scalar => !equal(scalar, v),
        },
        _ => false,
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn affix(text: &str, affix: &str, ignore_case: bool, prefix: bool) -> bool {
    let (t, a) = if ignore_case { (text.to_lowercase(), affix.to_lowercase()) } else { (text.into(), affix.into()) };
    if prefix { t.starts_with(&a) } else { t.ends_with(&a) }
}

/// `*` matches any run of characters; everything else is literal.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else { return false };
            rest = &rest[pos + part.len()..];
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Value {
        json!({
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"pk": {"S": "REVIEW#01J"}, "sk": {"S": "REVIEW"}},
                "NewImage": {"entity": {"S": "review"}, "rating": {"N": "4"}, "tags": {"SS": ["a", "b"]}},
                "SizeBytes": 120
            }
        })
    }

    fn m(p: &str) -> bool {
        Pattern::parse(p).unwrap().matches(&record())
    }

    #[test]
    fn exact_values_lists_and_nesting() {
        assert!(m(r#"{"eventName": ["INSERT", "MODIFY"]}"#));
        assert!(!m(r#"{"eventName": ["REMOVE"]}"#));
        assert!(m(r#"{"dynamodb": {"NewImage": {"entity": {"S": ["review"]}}}}"#));
        assert!(!m(r#"{"dynamodb": {"NewImage": {"entity": {"S": ["booking"]}}}}"#));
        assert!(m(r#"{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": ["REVIEW"]}}}}"#));
        assert!(!m(r#"{"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": ["OTHER"]}}}}"#));
        // An array in the record matches if any element does.
        assert!(m(r#"{"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}}"#));
    }

    #[test]
    fn exists_prefix_suffix_and_case() {
        assert!(m(r#"{"dynamodb": {"NewImage": {"rating": [{"exists": true}]}}}"#));
        assert!(m(r#"{"dynamodb": {"OldImage": {"rating": [{"exists": false}]}}}"#));
        assert!(!m(r#"{"dynamodb": {"NewImage": {"rating": [{"exists": false}]}}}"#));
        assert!(m(r#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "REVIEW#"}]}}}}"#));
        assert!(!m(r#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "BOOKING#"}]}}}}"#));
        assert!(m(r#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": {"equals-ignore-case": "review#"}}]}}}}"#));
        assert!(m(r#"{"eventSource": [{"suffix": ":dynamodb"}]}"#));
        assert!(m(r#"{"eventName": [{"equals-ignore-case": "insert"}]}"#));
        assert!(m(r#"{"eventSource": [{"wildcard": "aws:*db"}]}"#));
    }

    #[test]
    fn anything_but_and_numeric() {
        assert!(m(r#"{"eventName": [{"anything-but": "REMOVE"}]}"#));
        assert!(!m(r#"{"eventName": [{"anything-but": ["INSERT", "MODIFY"]}]}"#));
        assert!(m(r#"{"eventName": [{"anything-but": {"prefix": "MOD"}}]}"#));
        assert!(!m(r#"{"missing": [{"anything-but": "x"}]}"#), "anything-but needs the field");
        assert!(m(r#"{"dynamodb": {"SizeBytes": [{"numeric": [">", 100, "<=", 120]}]}}"#));
        assert!(!m(r#"{"dynamodb": {"SizeBytes": [{"numeric": ["<", 100]}]}}"#));
        // DynamoDB numbers are strings in the record ({"N": "4"}): numeric never matches them.
        assert!(!m(r#"{"dynamodb": {"NewImage": {"rating": {"N": [{"numeric": [">", 1]}]}}}}"#));
        assert!(m(r#"{"dynamodb": {"NewImage": {"rating": {"N": ["4"]}}}}"#));
    }

    #[test]
    fn or_and_filter_lists() {
        assert!(m(
            r#"{"$or": [{"eventName": ["REMOVE"]}, {"dynamodb": {"NewImage": {"entity": {"S": ["review"]}}}}]}"#
        ));
        let filters = [Pattern::parse(r#"{"eventName": ["REMOVE"]}"#).unwrap()];
        assert!(!passes(&filters, &record()));
        assert!(passes(&[], &record()));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in [
            "not json",
            "[]",
            "{}",
            r#"{"eventName": "INSERT"}"#,
            r#"{"eventName": []}"#,
            r#"{"eventName": [{"prefix": 1}]}"#,
            r#"{"eventName": [{"numeric": [">"]}]}"#,
            r#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#,
            r#"{"eventName": [{"prefix": "a", "suffix": "b"}]}"#,
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
