//! moto, the local AWS for every service but DynamoDB: its endpoint and what it has
//! recorded (sent emails, published SNS messages). The SDK configuration and the test
//! world live in aws.rs; they are re-exported here under the names the tests use.

pub use crate::aws::{
    TEST_CURSOR_KEY, TEST_TOKEN_KEYS, TestEnv, app, create_table_from_template, env, sdk_config, test_tokens,
};

/// moto's base URL, for reading back what it recorded.
pub fn endpoint_url() -> &'static str {
    crate::servers::moto()
}

/// Everything moto has recorded (sent emails, published SNS messages, ...), from its
/// own inspection endpoint. A plain HTTP/1.0 GET keeps an HTTP client crate out of
/// the tests.
pub async fn recorded_state() -> serde_json::Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = endpoint_url().trim_start_matches("http://");
    // moto builds data.json while other requests change its state and may answer 500
    // half-way: that is moto's race, not ours: retry.
    for _ in 0..20 {
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect to moto");
        let request = format!("GET /moto-api/data.json HTTP/1.0\r\nHost: {host}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        let text = String::from_utf8_lossy(&raw);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        if let Ok(v) = serde_json::from_str(body) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("moto's data.json kept failing")
}

/// Messages published to one SNS topic, in order.
pub async fn sns_messages(topic_arn: &str) -> Vec<serde_json::Value> {
    let state = recorded_state().await;
    let mut out = Vec::new();
    // data.json: sns → FakeTopic → [topics]; duplicate entries per topic are possible.
    let mut seen = std::collections::HashSet::new();
    for topics in state["sns"].as_object().into_iter().flat_map(|o| o.values()) {
        for t in topics.as_array().into_iter().flatten() {
            if t["arn"].as_str() == Some(topic_arn) {
                for n in t["sent_notifications"].as_array().into_iter().flatten() {
                    if seen.insert(n.to_string()) {
                        out.push(n.clone());
                    }
                }
            }
        }
    }
    out
}

/// Texts moto recorded for one phone number, oldest first (moto delivers nothing; it
/// keeps every `Publish` to a `PhoneNumber`).
pub async fn sms_to(phone: &str) -> Vec<String> {
    let state = recorded_state().await;
    state["sns"]["SMS"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["phone_number"].as_str() == Some(phone))
        .filter_map(|m| m["message"].as_str().map(String::from))
        .collect()
}

/// A phone number no other test uses. moto treats numbers ending in 99 as opted out
/// (STOP), so these never do unless asked to.
pub fn unique_phone(opted_out: bool) -> String {
    let n = ulid::Ulid::new().random() % 10_000_000;
    let n = if opted_out {
        n / 100 * 100 + 99
    } else if n % 100 == 99 {
        n - 1
    } else {
        n
    };
    format!("+4477{n:07}")
}
