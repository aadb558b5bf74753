//! Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation
//! (`metadata[booking_id]=b1`, `capabilities[transfers][requested]=true`,
//! `payment_method_types[0]=card` or `payment_method_types[]=card`), decoded into a JSON
//! tree of strings so handlers can read nested parameters the way Stripe documents them.

use serde_json::{Map, Value};

/// Decodes a form body or query string. Keys with all-numeric (or empty) brackets become
/// arrays; every leaf stays a string, as Stripe receives it.
pub fn parse(input: &str) -> Result<Map<String, Value>, String> {
    let mut root = Map::new();
    for (key, value) in url::form_urlencoded::parse(input.as_bytes()) {
        let segments = split_key(&key)?;
        insert(&mut root, &segments, Value::String(value.into_owned()))?;
    }
    Ok(arrays(Value::Object(root)).as_object().cloned().unwrap_or_default())
}

fn split_key(key: &str) -> Result<Vec<String>, String> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err(format!("Invalid parameter name: {key}"));
    }
    let mut segments = vec![head.to_string()];
    while !rest.is_empty() {
        let close =
            rest.find(']').filter(|_| rest.starts_with('[')).ok_or_else(|| format!("Invalid parameter name: {key}"))?;
        segments.push(rest[1..close].to_string());
        rest = &rest[close + 1..];
    }
    Ok(segments)
}

fn insert(map: &mut Map<String, Value>, segments: &[String], value: Value) -> Result<(), String> {
    let mut key = segments[0].clone();
    if key.is_empty() {
        // `a[]=x`: append, numbered after what is already there.
        key = map.len().to_string();
    }
    if segments.len() == 1 {
        map.insert(key, value);
        return Ok(());
    }
    let child = map.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
    match child {
        Value::Object(inner) => insert(inner, &segments[1..], value),
        _ => Err(format!("Invalid parameter: {key} is both a value and a hash")),
    }
}

fn arrays(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let numeric = !map.is_empty() && map.keys().all(|k| k.chars().all(|c| c.is_ascii_digit()));
            if numeric {
                let mut items: Vec<(usize, Value)> =
                    map.into_iter().map(|(k, v)| (k.parse().unwrap_or(usize::MAX), arrays(v))).collect();
                items.sort_by_key(|(i, _)| *i);
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(map.into_iter().map(|(k, v)| (k, arrays(v))).collect())
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn brackets_nest_and_number_arrays() {
        let p = parse(
            "amount=2000&metadata[booking_id]=b%201&transfer_data[destination]=acct_1\
             &payment_method_types[0]=card&expand[]=latest_charge&expand[]=customer\
             &capabilities[transfers][requested]=true",
        )
        .unwrap();
        assert_eq!(
            Value::Object(p),
            json!({
                "amount": "2000",
                "metadata": {"booking_id": "b 1"},
                "transfer_data": {"destination": "acct_1"},
                "payment_method_types": ["card"],
                "expand": ["latest_charge", "customer"],
                "capabilities": {"transfers": {"requested": "true"}}
            })
        );
    }

    #[test]
    fn a_value_and_a_hash_under_one_name_is_refused() {
        assert!(parse("metadata=x&metadata[a]=b").is_err());
        assert!(parse("[a]=b").is_err());
    }
}
