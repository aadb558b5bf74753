use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use stripe_core::event::{ListEvent, RetrieveEvent};
use stripe_standin::Config;
use stripe_standin::scenario::{self, FIXTURE_TYPES};
use stripe_webhook::{EventObject, Webhook};
use tokio::sync::mpsc;

use crate::support;

/// A webhook endpoint on loopback: answers the scripted statuses in turn (then 200) and
/// hands every request to the test.
struct Receiver {
    url: String,
    requests: mpsc::UnboundedReceiver<(http::HeaderMap, String)>,
}

async fn receiver(script: Vec<u16>) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let tx = tx.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let tx = tx.clone();
                    let script = script.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        let status = script.lock().unwrap().pop_front().unwrap_or(200);
                        let _ = tx.send((parts.headers, String::from_utf8(body.to_vec()).unwrap()));
                        Ok::<_, std::convert::Infallible>(
                            hyper::Response::builder().status(status).body(Full::new(Bytes::new())).unwrap(),
                        )
                    }
                });
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Receiver { url, requests: rx }
}

fn verify(headers: &http::HeaderMap, body: &str, secret: &str) -> stripe_webhook::Event {
    let sig = headers["stripe-signature"].to_str().unwrap();
    let t: i64 = sig.split(',').next().unwrap().strip_prefix("t=").unwrap().parse().unwrap();
    Webhook::construct_event_with_timestamp(body, sig, secret, t).unwrap_or_else(|e| panic!("{e:?} for {body}"))
}

fn config(url: &str, secrets: &[&str]) -> Config {
    Config {
        webhook_url: Some(url.to_string()),
        webhook_secrets: secrets.iter().map(|s| s.to_string()).collect(),
        webhook_attempts: 4,
        webhook_base_delay: Duration::from_millis(20),
        ..Config::default()
    }
}

#[tokio::test]
async fn every_event_of_the_scenario_is_signed_and_parses_with_async_stripe_webhook() {
    let mut rx = receiver(vec![]).await;
    let env = support::start_with(config(&rx.url, &["whsec_old", "whsec_new"])).await;
    scenario::run(&env.raw).await.unwrap();
    let expected = env.standin.events().len();
    let mut seen = vec![];
    while seen.len() < expected {
        let (headers, body) = rx.requests.recv().await.unwrap();
        assert_eq!(headers["user-agent"], "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
        // Both secrets of a rotation verify the same delivery.
        let old = verify(&headers, &body, "whsec_old");
        let new = verify(&headers, &body, "whsec_new");
        assert_eq!(old.id, new.id);
        let sig = headers["stripe-signature"].to_str().unwrap();
        assert!(Webhook::construct_event_with_timestamp(&body, sig, "whsec_other", old.created).is_err());
        assert!(!matches!(old.data.object, EventObject::Unknown(_)), "{}", old.type_);
        seen.push(old.type_.to_string());
    }
    for t in FIXTURE_TYPES {
        assert!(seen.iter().any(|s| s == t), "no {t} delivered");
    }
    // The receiver saw each request before the stand-in read the answer: wait for the records.
    let deliveries = loop {
        let d = env.standin.deliveries();
        if d.iter().all(|d| d.status != "pending") {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(deliveries.iter().all(|d| d.status == "succeeded" && d.attempts.len() == 1));
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_until_it_answers_2xx() {
    let mut rx = receiver(vec![500, 503]).await;
    let env = support::start_with(config(&rx.url, &["whsec_a"])).await;
    let r = env.raw.api("POST", "/v1/customers", &[("email", "x@example.com")], None).await.unwrap();
    assert_eq!(r.status, 200);
    let mut ids = vec![];
    for _ in 0..3 {
        let (headers, body) = rx.requests.recv().await.unwrap();
        ids.push(verify(&headers, &body, "whsec_a").id.to_string());
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "the same event, retried");
    let deliveries = loop {
        let d = env.raw.control("GET", "/standin/webhooks/deliveries", None).await.unwrap().body;
        if d["deliveries"][0]["status"] != "pending" {
            break d;
        }
        tokio::task::yield_now().await;
    };
    let attempts: Vec<Value> =
        deliveries["deliveries"][0]["attempts"].as_array().unwrap().iter().map(|a| a["status"].clone()).collect();
    assert_eq!(attempts, vec![json!(500), json!(503), json!(200)]);
    assert_eq!(deliveries["deliveries"][0]["status"], "succeeded");
}

#[tokio::test]
async fn an_endpoint_that_never_answers_2xx_is_marked_failed_after_the_attempts() {
    let rx = receiver(vec![500; 10]).await;
    let env = support::start_with(config(&rx.url, &["whsec_a"])).await;
    env.raw.api("POST", "/v1/customers", &[], None).await.unwrap();
    let d = loop {
        let d = env.standin.deliveries();
        if d[0].status != "pending" {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!((d[0].status, d[0].attempts.len()), ("failed", 4));
}

#[tokio::test]
async fn paused_deliveries_wait_and_an_event_can_be_redelivered() {
    let mut rx = receiver(vec![]).await;
    let env = support::start_with(config(&rx.url, &["whsec_a"])).await;
    env.raw.control("POST", "/standin/webhooks/pause", None).await.unwrap();
    let c = env.raw.api("POST", "/v1/customers", &[], None).await.unwrap();
    assert_eq!(c.status, 200);
    let listed = env.raw.control("GET", "/standin/webhooks/deliveries", None).await.unwrap().body;
    assert_eq!(listed["paused"], true);
    assert_eq!(listed["deliveries"][0]["status"], "pending");
    assert_eq!(listed["deliveries"][0]["attempts"], json!([]));
    assert!(rx.requests.try_recv().is_err(), "nothing sent while paused");
    env.raw.control("POST", "/standin/webhooks/resume", None).await.unwrap();
    let (h, b) = rx.requests.recv().await.unwrap();
    let event = verify(&h, &b, "whsec_a");
    let r = env
        .raw
        .control("POST", "/standin/webhooks/redeliver", Some(&json!({"event_id": event.id.as_str()})))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let (h2, b2) = rx.requests.recv().await.unwrap();
    assert_eq!(verify(&h2, &b2, "whsec_a").id, event.id, "a duplicate delivery of the same event");
    let r =
        env.raw.control("POST", "/standin/webhooks/redeliver", Some(&json!({"event_id": "evt_nope"}))).await.unwrap();
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn events_are_listed_newest_first_filtered_and_retrieved() {
    let env = support::start().await;
    scenario::run(&env.raw).await.unwrap();
    let all = ListEvent::new().limit(100).send(&env.client).await.unwrap();
    assert_eq!(all.data.len(), env.standin.events().len());
    assert!(all.data.windows(2).all(|w| w[0].created >= w[1].created));
    let newest = env.standin.events().last().unwrap()["id"].clone();
    assert_eq!(json!(all.data[0].id.as_str()), newest);
    let page = ListEvent::new().limit(2).send(&env.client).await.unwrap();
    assert!(page.has_more && page.data.len() == 2);
    let succeeded = ListEvent::new().type_("payment_intent.succeeded").send(&env.client).await.unwrap();
    assert!(!succeeded.data.is_empty());
    assert!(succeeded.data.iter().all(|e| e.type_.as_str() == "payment_intent.succeeded"));
    let one = RetrieveEvent::new(succeeded.data[0].id.clone()).send(&env.client).await.unwrap();
    assert_eq!(one.id, succeeded.data[0].id);
    assert_eq!(one.api_version.as_deref(), Some(stripe_standin::api::API_VERSION));
    let request = one.request.unwrap();
    assert!(request.id.unwrap().starts_with("req_"));
}

#[tokio::test]
async fn disputes_open_and_close() {
    let env = support::start().await;
    let pi = env
        .raw
        .api(
            "POST",
            "/v1/payment_intents",
            &[("amount", "3000"), ("currency", "usd"), ("confirm", "true"), ("payment_method", "pm_card_visa")],
            None,
        )
        .await
        .unwrap()
        .body;
    let d = env.raw.control("POST", "/standin/disputes", Some(&json!({"payment_intent": pi["id"]}))).await.unwrap();
    assert_eq!(d.status, 200, "{}", d.body);
    let id = d.body["id"].as_str().unwrap().to_string();
    let bad = env
        .raw
        .control("POST", &format!("/standin/disputes/{id}/close"), Some(&json!({"status": "maybe"})))
        .await
        .unwrap();
    assert_eq!(bad.status, 400);
    let closed = env
        .raw
        .control("POST", &format!("/standin/disputes/{id}/close"), Some(&json!({"status": "lost"})))
        .await
        .unwrap();
    assert_eq!(closed.body["status"], "lost");
    let again = env
        .raw
        .control("POST", &format!("/standin/disputes/{id}/close"), Some(&json!({"status": "won"})))
        .await
        .unwrap();
    assert_eq!(again.status, 400);
    let events = env.standin.events();
    let created = events.iter().find(|e| e["type"] == "charge.dispute.created").unwrap();
    let payload = created.to_string();
    let event = Webhook::construct_event_with_timestamp(
        &payload,
        &Webhook::generate_test_header(&payload, "s", Some(1)),
        "s",
        1,
    )
    .unwrap();
    let EventObject::ChargeDisputeCreated(dispute) = event.data.object else { panic!("not a dispute") };
    assert_eq!(dispute.amount, 3000);
    let charge =
        env.raw.api("GET", &format!("/v1/charges/{}", pi["latest_charge"].as_str().unwrap()), &[], None).await.unwrap();
    assert_eq!(charge.body["disputed"], true);
}

#[tokio::test]
async fn every_fixture_file_parses_with_async_stripe_webhook() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/stripe");
    for t in FIXTURE_TYPES {
        let path = dir.join(format!("{t}.json"));
        let payload = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header = Webhook::generate_test_header(&payload, "whsec_fixture", Some(1_800_000_000));
        let event = Webhook::construct_event_with_timestamp(&payload, &header, "whsec_fixture", 1_800_000_000)
            .unwrap_or_else(|e| panic!("{t}: {e:?}"));
        assert_eq!(event.type_.as_str(), *t);
        assert!(!matches!(event.data.object, EventObject::Unknown(_)), "{t} parsed as Unknown");
    }
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("stripe-standin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let config = Config { state_file: Some(file.clone()), ..Config::default() };
    let env = support::start_with(config.clone()).await;
    let c = env.raw.api("POST", "/v1/customers", &[("email", "keep@example.com")], Some("k1")).await.unwrap();
    drop(env);
    let env = support::start_with(config).await;
    let read =
        env.raw.api("GET", &format!("/v1/customers/{}", c.body["id"].as_str().unwrap()), &[], None).await.unwrap();
    assert_eq!(read.body["email"], "keep@example.com");
    let replay = env.raw.api("POST", "/v1/customers", &[("email", "keep@example.com")], Some("k1")).await.unwrap();
    assert_eq!(replay.body["id"], c.body["id"], "idempotency keys survive too");
    std::fs::remove_dir_all(&dir).unwrap();
}
