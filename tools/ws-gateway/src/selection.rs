//! Route selection: `$request.body.<path>` evaluated on a message's JSON body.

use crate::Route;
use std::collections::BTreeMap;

/// The dotted path of a `$request.body.a.b` (or `${request.body.a.b}`) expression.
pub(crate) fn parse(expression: &str) -> Result<Vec<String>, String> {
    let inner = match expression.strip_prefix("${").and_then(|e| e.strip_suffix('}')) {
        Some(braced) => braced,
        None => expression.strip_prefix('$').unwrap_or(""),
    };
    let path = inner.strip_prefix("request.body.").ok_or_else(|| {
        format!(
            "route selection expression `{expression}`: a WebSocket API selects on the message body, \
             `$request.body.<field>`"
        )
    })?;
    let parts: Vec<String> = path.split('.').map(str::to_string).collect();
    if parts.iter().any(String::is_empty) {
        return Err(format!("route selection expression `{expression}` has an empty field name"));
    }
    Ok(parts)
}

/// The route a body goes to: the string at `path` if a route has that key, else
/// `$default` if there is one.
pub(crate) fn select<'a>(path: &[String], body: &str, routes: &'a BTreeMap<String, Route>) -> Option<&'a str> {
    let named = serde_json::from_str::<serde_json::Value>(body).ok().and_then(|json| {
        let value = path.iter().try_fold(&json, |v, key| v.get(key.as_str()))?;
        value.as_str().map(str::to_string)
    });
    // `$connect` and `$disconnect` are not for messages, whatever a body says.
    let named = named.filter(|k| k != "$connect" && k != "$disconnect");
    if let Some((key, _)) = named.and_then(|k| routes.get_key_value(k.as_str())) {
        return Some(key.as_str());
    }
    routes.get_key_value("$default").map(|(k, _)| k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(keys: &[&str]) -> BTreeMap<String, Route> {
        keys.iter().map(|k| (k.to_string(), Route { function: format!("fn-{k}"), two_way: false })).collect()
    }

    #[test]
    fn expressions_name_a_body_field() {
        assert_eq!(parse("$request.body.action").unwrap(), ["action"]);
        assert_eq!(parse("${request.body.message.kind}").unwrap(), ["message", "kind"]);
        assert!(parse("$request.header.x").is_err());
        assert!(parse("action").is_err());
        assert!(parse("$request.body.").is_err());
    }

    #[test]
    fn bodies_pick_their_route_or_default() {
        let with_default = routes(&["$connect", "$default", "send_message"]);
        let path = parse("$request.body.action").unwrap();
        let pick = |body: &str| select(&path, body, &with_default);
        assert_eq!(pick(r#"{"action": "send_message", "text": "hi"}"#), Some("send_message"));
        assert_eq!(pick(r#"{"action": "nope"}"#), Some("$default"));
        assert_eq!(pick(r#"{"action": 3}"#), Some("$default"));
        assert_eq!(pick("not json"), Some("$default"));
        assert_eq!(pick(r#"{"action": "$connect"}"#), Some("$default"));
        let nested = parse("$request.body.meta.route").unwrap();
        assert_eq!(select(&nested, r#"{"meta": {"route": "send_message"}}"#, &with_default), Some("send_message"));
        let without = routes(&["send_message"]);
        assert_eq!(select(&path, r#"{"action": "typing"}"#, &without), None);
        assert_eq!(select(&path, "[]", &without), None);
    }
}
