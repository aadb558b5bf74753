//! Event delivery as Stripe does it: each event POSTed on its own task (so order is not
//! guaranteed), signed with every endpoint secret (`Stripe-Signature: t=..,v1=..[,v1=..]`),
//! retried with exponential backoff until a 2xx.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use serde::Serialize;
use sha2::Sha256;

use crate::Inner;

#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    /// Unix seconds.
    pub at: i64,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// `pending` (being tried or waiting for a retry), `succeeded`, or `failed` (attempts used up).
    pub status: &'static str,
    pub attempts: Vec<Attempt>,
}

/// `t=<unix>,v1=<hex>` with one `v1` per secret, as during a secret rotation.
pub fn signature_header(payload: &str, secrets: &[String], timestamp: i64) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(format!("{timestamp}.{payload}").as_bytes());
        header.push_str(",v1=");
        for byte in mac.finalize().into_bytes() {
            header.push_str(&format!("{byte:02x}"));
        }
    }
    header
}

/// Queues the event for delivery, if an endpoint is configured.
pub(crate) fn schedule(inner: &Arc<Inner>, event: &serde_json::Value) {
    let Some(url) = inner.config.webhook_url.clone() else { return };
    let index = {
        let mut deliveries = inner.deliveries.lock().expect("deliveries lock");
        deliveries.push(Delivery {
            event_id: event["id"].as_str().unwrap_or_default().to_string(),
            event_type: event["type"].as_str().unwrap_or_default().to_string(),
            status: "pending",
            attempts: vec![],
        });
        deliveries.len() - 1
    };
    let payload = serde_json::to_string_pretty(event).expect("json");
    let inner = inner.clone();
    tokio::spawn(async move { deliver(inner, index, url, payload).await });
}

async fn deliver(inner: Arc<Inner>, index: usize, url: String, payload: String) {
    let attempts = inner.config.webhook_attempts.max(1);
    let generation = inner.generation();
    let mut paused = inner.paused.subscribe();
    for n in 0..attempts {
        if paused.wait_for(|p| !*p).await.is_err() || inner.generation() != generation {
            return;
        }
        let now = crate::now();
        let result = post(&inner, &url, &payload, now).await;
        let ok = matches!(result, Ok(s) if (200..300).contains(&s));
        {
            let mut deliveries = inner.deliveries.lock().expect("deliveries lock");
            // A reset while in flight emptied the list: nothing left to record.
            if inner.generation() != generation {
                return;
            }
            let Some(d) = deliveries.get_mut(index) else { return };
            d.attempts.push(Attempt { at: now, status: result.as_ref().ok().copied(), error: result.err() });
            if ok {
                d.status = "succeeded";
                return;
            }
            if n + 1 == attempts {
                d.status = "failed";
                return;
            }
        }
        let delay = inner.config.webhook_base_delay.saturating_mul(2u32.saturating_pow(n));
        tokio::time::sleep(delay).await;
    }
}

async fn post(inner: &Inner, url: &str, payload: &str, now: i64) -> Result<u16, String> {
    let request = hyper::Request::post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        .header("stripe-signature", signature_header(payload, &inner.config.webhook_secrets, now))
        .body(Full::new(Bytes::from(payload.to_string())))
        .map_err(|e| e.to_string())?;
    // Stripe gives up on an endpoint that has not answered within its timeout.
    let response = tokio::time::timeout(Duration::from_secs(30), inner.http.request(request))
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    let _ = response.into_body().collect().await;
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_v1_per_secret_over_timestamp_dot_payload() {
        let header = signature_header("{}", &["a".into(), "b".into()], 1700000000);
        let parts: Vec<&str> = header.split(',').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "t=1700000000");
        assert!(parts[1].starts_with("v1=") && parts[2].starts_with("v1="));
        assert_ne!(parts[1], parts[2]);
        // `echo -n '1700000000.{}' | openssl dgst -sha256 -hmac a`
        assert_eq!(parts[1], "v1=eab98e46d6a7669b200bed581845cac2cf8e7917ea5943531e51b6b4afd6211d");
    }
}
