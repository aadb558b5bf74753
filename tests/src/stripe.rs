//! Stripe for tests: the stand-in (tools/stripe-standin) on loopback, the platform's own
//! Stripe client pointed at it, and its events delivered to the real webhook handler
//! with real signatures, in whatever order, number and timing a test asks for.

use crate::{ApiEvent, TestResponse, call};
use cm_app::App;
use cm_store::DynamoStore;
use cm_stripe::{Stripe, StripeKeys};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use stripe_standin::raw::Raw;
use stripe_standin::{Config, StandIn};

pub const SECRET_KEY: &str = stripe_standin::DEFAULT_API_KEY;
pub const WEBHOOK_SECRET: &str = "whsec_tests_current";

pub struct StripeEnv {
    pub standin: StandIn,
    pub stripe: &'static Stripe,
    pub keys: &'static StripeKeys,
    /// The webhook function's context, alerting on a topic of this test's own.
    pub hook: &'static stripe_webhook::Webhook,
    pub alerts_topic: String,
    /// The stand-in's API and controls, as a browser or a test sees them.
    pub raw: Raw,
    /// How many of the stand-in's events were delivered already.
    delivered: std::sync::Mutex<usize>,
}

pub fn keys_json() -> String {
    json!({
        "secret_key": SECRET_KEY,
        "webhook_secrets": [WEBHOOK_SECRET],
        "publishable_key": stripe_standin::DEFAULT_PUBLISHABLE_KEY,
    })
    .to_string()
}

/// A stand-in of its own (no webhook URL: tests deliver events themselves).
pub async fn stripe() -> StripeEnv {
    let standin = StandIn::start(Config::default()).await.expect("start the Stripe stand-in");
    let base = standin.base_url();
    let stripe = Box::leak(Box::new(Stripe::connect(&keys_json(), Some(&base)).expect("stripe client")));
    let keys = &stripe.keys;
    let raw = Raw::new(&base, SECRET_KEY);
    let sns = aws_sdk_sns::Client::new(&crate::moto::sdk_config().await);
    let topic = format!("alerts-{}", ulid::Ulid::new().to_string().to_lowercase());
    let alerts_topic = sns.create_topic().name(topic).send().await.expect("topic").topic_arn.expect("arn");
    let hook = Box::leak(Box::new(stripe_webhook::Webhook {
        keys: StripeKeys::parse(&keys_json()).expect("keys"),
        sns,
        alerts_topic: alerts_topic.clone(),
    }));
    StripeEnv { standin, stripe, keys, hook, alerts_topic, raw, delivered: std::sync::Mutex::new(0) }
}

/// `Stripe-Signature` for `payload` at `t` with `secret`, as Stripe computes it.
pub fn signature(payload: &str, t: i64, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(format!("{t}.{payload}").as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// The webhook request API Gateway would hand the function for `payload`.
pub fn webhook_event(payload: &str, signature: Option<&str>) -> ApiEvent {
    let mut e = ApiEvent::new("POST /webhooks/stripe")
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        .raw_body(payload.to_string());
    if let Some(s) = signature {
        e = e.header("stripe-signature", s);
    }
    e
}

impl StripeEnv {
    /// Delivers `event` (its JSON as Stripe sends it) signed now.
    pub async fn deliver(&self, app: &'static App<DynamoStore>, event: &Value) -> TestResponse {
        let payload = event.to_string();
        let sig = signature(&payload, chrono::Utc::now().timestamp(), WEBHOOK_SECRET);
        let hook = self.hook;
        call(app, move |app, req| stripe_webhook::handle(app, hook, req), webhook_event(&payload, Some(&sig))).await
    }

    /// Every event the stand-in produced since the last call, oldest first.
    pub fn new_events(&self) -> Vec<Value> {
        let all = self.standin.events();
        let mut seen = self.delivered.lock().unwrap();
        let fresh = all[(*seen).min(all.len())..].to_vec();
        *seen = all.len();
        fresh
    }

    /// Delivers every new event in order; each must be accepted.
    pub async fn deliver_new(&self, app: &'static App<DynamoStore>) -> Vec<Value> {
        let events = self.new_events();
        for e in &events {
            self.deliver(app, e).await.ok(200);
        }
        events
    }

    /// A connected account for `photographer` with onboarding completed at the
    /// stand-in, and its `account.updated` delivered: payouts active.
    pub async fn active_payouts(&self, app: &'static App<DynamoStore>, photographer: &str, email: &str) -> String {
        let account = self.stripe.gateway.create_account(photographer, email, "IN").await.expect("account");
        let done = self
            .raw
            .control("POST", &format!("/standin/accounts/{account}/onboarding"), Some(&json!({"outcome": "complete"})))
            .await
            .expect("complete onboarding");
        assert_eq!(done.status, 200, "{:?}", done.body);
        // The account was opened outside our onboarding endpoint: link it the way
        // start-payout-onboarding does, then let the webhook report it active.
        let id: cm_core::UserId = photographer.parse().unwrap();
        let pending = cm_payments::PayoutAccount {
            account: account.clone(),
            status: cm_payments::PayoutStatus::Pending,
            status_at: 0,
        };
        use cm_store::PaymentWriter;
        app.store.save_payout_account(id, &pending).await.unwrap();
        self.deliver_new(app).await;
        account
    }

    /// The client's browser confirming a PaymentIntent with a test card, as Stripe.js
    /// does (publishable key and client secret).
    pub async fn pay(&self, intent: &str, client_secret: &str, card: &str) -> Value {
        let raw = Raw::new(&self.standin.base_url(), stripe_standin::DEFAULT_PUBLISHABLE_KEY);
        let r = raw
            .api(
                "POST",
                &format!("/v1/payment_intents/{intent}/confirm"),
                &[("payment_method", card), ("client_secret", client_secret)],
                None,
            )
            .await
            .expect("confirm");
        r.body
    }

    /// The intent as Stripe holds it now.
    pub async fn intent(&self, id: &str) -> Value {
        self.raw.api("GET", &format!("/v1/payment_intents/{id}"), &[], None).await.expect("retrieve").body
    }

    /// Makes the next `count` API calls under `path_prefix` fail as `mode` says.
    pub async fn fault(&self, fault: Value) {
        let r = self.raw.control("POST", "/standin/faults", Some(&fault)).await.expect("fault");
        assert!(r.status < 300, "{:?}", r.body);
    }

    /// The ids of every PaymentIntent the stand-in created for `booking`.
    pub fn intent_ids_for(&self, booking: &str) -> Vec<String> {
        self.standin
            .events()
            .into_iter()
            .filter(|e| {
                e["type"] == "payment_intent.created" && e["data"]["object"]["metadata"]["booking_id"] == booking
            })
            .filter_map(|e| e["data"]["object"]["id"].as_str().map(str::to_string))
            .collect()
    }
}
