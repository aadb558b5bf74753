//! Payments end to end: the real handlers against DynamoDB Local, the platform's Stripe
//! client against the Stripe stand-in (its real request and answer shapes), and the
//! stand-in's events delivered to the webhook handler with real signatures.
//!
//! A deposit is authorised when requested and captured when the photographer confirms;
//! a decline releases it; a cancellation refunds by the booking's frozen policy; the
//! balance is charged off-session; nothing is charged twice when Stripe fails halfway,
//! and webhook events count once whatever their order or number.

use crate::support::*;
use cm_app::App;
use cm_booking::BookingStatus;
use cm_booking::booking::Booking;
use cm_core::BookingId;
use cm_payments::PaymentState;
use cm_store::{DynamoStore, PaymentReader, SettleRequests};
use cm_tests::stripe::{StripeEnv, WEBHOOK_SECRET, signature, stripe, webhook_event};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};

/// Also the analytics tests' way to move real money (crate::analytics).
pub(crate) struct World {
    pub(crate) env: TestEnv,
    pub(crate) s: StripeEnv,
    pub(crate) client: Session,
    pub(crate) photographer: Session,
}

pub(crate) async fn world() -> World {
    let env = env().await;
    let s = stripe().await;
    let client = register(&env, "client").await;
    let photographer = register(&env, "photographer").await;
    World { env, s, client, photographer }
}

impl World {
    pub(crate) async fn with_payouts(self) -> World {
        self.s.active_payouts(self.env.app, &self.photographer.id, "p@photographers.test").await;
        self
    }

    /// A pending booking `days` ahead, priced `amount` in `currency` under the default
    /// terms (30 % deposit; 168 h → 100 %, 48 h → 50 %, else nothing).
    pub(crate) async fn booking(&self, days: i64, amount: i64, currency: &str) -> Booking {
        let mut b = booking(&self.env, &self.client, &self.photographer, BookingStatus::Pending).await;
        let start = chrono::Utc::now() + chrono::TimeDelta::days(days);
        let moved = Booking {
            start,
            end: start + chrono::TimeDelta::hours(2),
            local_date: start.date_naive(),
            requested_at: chrono::Utc::now(),
            expires_at: chrono::Utc::now() + chrono::TimeDelta::hours(48),
            price: serde_json::from_value(json!({"amount_minor": amount, "currency": currency})).unwrap(),
            version: b.version + 1,
            ..b.clone()
        };
        use cm_store::BookingWriter;
        self.env.app.store.update_booking_status(&b, &moved).await.unwrap();
        b = moved;
        b
    }

    pub(crate) async fn pay_request(&self, token: &str, booking: BookingId, kind: &str) -> TestResponse {
        let stripe = self.s.stripe;
        call(
            self.env.app,
            move |app, req| create_payment::handle(app, stripe, req),
            ApiEvent::new("POST /bookings/{id}/payments").bearer(token).path("id", booking).json(json!({"kind": kind})),
        )
        .await
    }

    /// The client asks to pay the deposit and confirms it with `card` in the browser;
    /// Stripe's events are delivered. Returns the intent id.
    pub(crate) async fn deposit(&self, booking: BookingId, card: &str) -> String {
        let r = self.pay_request(&self.client.access, booking, "deposit").await;
        let body = r.ok(201).clone();
        self.s.pay(body["intent_id"].as_str().unwrap(), body["client_secret"].as_str().unwrap(), card).await;
        self.s.deliver_new(self.env.app).await;
        body["intent_id"].as_str().unwrap().to_string()
    }

    pub(crate) async fn status(&self, token: &str, booking: BookingId, body: Value) -> TestResponse {
        call(
            self.env.app,
            update_booking_status::handle,
            ApiEvent::new("PUT /bookings/{id}/status").bearer(token).path("id", booking).json(body),
        )
        .await
    }

    /// A Stripe client of the function's own, as each function builds at cold start.
    pub(crate) fn own_stripe(&self) -> cm_stripe::Stripe {
        cm_stripe::Stripe::connect(&cm_tests::stripe::keys_json(), Some(&self.s.standin.base_url())).unwrap()
    }

    pub(crate) fn settler(&self) -> settle_payments::Settler<DynamoStore> {
        settle_payments::Settler { app: App::new(self.env.app.store.clone()), stripe: self.own_stripe() }
    }

    pub(crate) async fn settle(&self) -> settle_payments::Summary {
        let summary = self.settler().settle_all().await.unwrap();
        self.s.deliver_new(self.env.app).await;
        summary
    }

    pub(crate) async fn view(&self, token: &str, booking: BookingId) -> Value {
        call(self.env.app, get_booking::handle, ApiEvent::new("GET /bookings/{id}").bearer(token).path("id", booking))
            .await
            .ok(200)["payment"]
            .clone()
    }

    pub(crate) async fn state(&self, booking: BookingId) -> PaymentState {
        self.env.app.store.get_ledger(booking).await.unwrap().unwrap().state()
    }
}

#[tokio::test]
async fn a_deposit_is_authorised_then_captured_on_confirm_and_the_balance_charged_off_session() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    let quote = w.view(&w.client.access, b.id).await;
    assert_eq!((quote["deposit_minor"].as_i64(), quote["balance_minor"].as_i64()), (Some(150_000), Some(350_000)));
    assert_eq!(quote["state"], "unpaid");

    // Every ledger writer below is watched: each status an intent reaches is counted
    // once, by whichever of them (Stripe's answer or its webhook) records it first.
    let metrics = cm_metrics::Capture::new();
    let intent = metrics.scope(w.deposit(b.id, "pm_card_visa")).await;
    assert_eq!(w.s.intent(&intent).await["status"], "requires_capture", "authorised, not taken");
    assert_eq!(w.state(b.id).await, PaymentState::Authorized);
    assert_eq!(w.view(&w.client.access, b.id).await["authorized_minor"], 150_000);

    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    let summary = metrics.scope(w.settle()).await;
    assert_eq!((summary.settled, summary.actions), (1, 1));
    metrics.scope(w.s.deliver_new(w.env.app)).await;
    assert_eq!(w.s.intent(&intent).await["status"], "succeeded", "captured on confirmation");
    let view = w.view(&w.client.access, b.id).await;
    assert_eq!(
        (&view["state"], &view["paid_minor"], &view["due_minor"]),
        (&json!("deposit_paid"), &json!(150_000), &json!(350_000))
    );
    let pi = w.s.intent(&intent).await;
    assert_eq!(pi["application_fee_amount"], 15_000, "the platform's 10 % commission");
    assert_eq!(pi["transfer_data"]["destination"].as_str().map(|d| d.starts_with("acct_")), Some(true));
    assert!(w.settle().await.actions == 0, "nothing is captured twice");

    // The balance falls due a week before the session: the daily run charges the card
    // saved with the deposit, without the client.
    let charger = charge_balances::Charger { app: App::new(w.env.app.store.clone()), stripe: w.own_stripe() };
    let not_yet = charger.charge_due(chrono::Utc::now()).await.unwrap();
    assert_eq!(not_yet.charged, 0, "not due for another week");
    let due = metrics.scope(charger.charge_due(chrono::Utc::now() + chrono::TimeDelta::days(8))).await.unwrap();
    assert_eq!(due.charged, 1);
    metrics.scope(w.s.deliver_new(w.env.app)).await;
    let view = w.view(&w.client.access, b.id).await;
    assert_eq!((&view["state"], &view["paid_minor"], &view["due_minor"]), (&json!("paid"), &json!(500_000), &json!(0)));
    let again = charger.charge_due(chrono::Utc::now() + chrono::TimeDelta::days(9)).await.unwrap();
    assert_eq!((again.charged, again.declined), (0, 0), "the balance is charged once");
    let mut outcomes: Vec<String> = metrics
        .parsed()
        .into_iter()
        .filter(|l| l.get("Payments").is_some())
        .map(|l| l["Outcome"].as_str().unwrap().to_string())
        .collect();
    outcomes.sort();
    // The deposit opened, was authorised and captured; the balance was taken off-session.
    assert_eq!(outcomes, ["authorized", "open", "succeeded", "succeeded"]);
}

#[tokio::test]
async fn payment_waits_until_the_photographers_payouts_are_active() {
    let w = world().await;
    let b = w.booking(14, 500_000, "INR").await;
    let r = w.pay_request(&w.client.access, b.id, "deposit").await;
    assert_eq!(r.problem(409)["type"].as_str().map(|t| t.ends_with("payouts-not-active")), Some(true));
    // Only the booking's client pays; anyone else learns nothing.
    let r = w.pay_request(&w.photographer.access, b.id, "deposit").await;
    r.problem(403);
    let stranger = register(&w.env, "client").await;
    w.pay_request(&stranger.access, b.id, "deposit").await.problem(404);
    assert_eq!(w.pay_request(&w.client.access, b.id, "tip").await.error_fields(), ["kind"]);
}

#[tokio::test]
async fn a_declined_request_releases_the_hold() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    let intent = w.deposit(b.id, "pm_card_visa").await;
    w.status(&w.photographer.access, b.id, json!({"status": "declined", "reason": "Away that week"})).await.ok(200);
    w.settle().await;
    assert_eq!(w.s.intent(&intent).await["status"], "canceled");
    assert_eq!(w.state(b.id).await, PaymentState::Released);
    assert_eq!(w.view(&w.client.access, b.id).await["paid_minor"], 0);
}

#[tokio::test]
async fn a_client_cancellation_refunds_by_the_frozen_tier_and_a_photographers_refunds_everything() {
    let w = world().await.with_payouts().await;
    // Five days ahead: the 48-hour tier, half back.
    let b = w.booking(5, 500_000, "INR").await;
    w.deposit(b.id, "pm_card_visa").await;
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    w.status(&w.client.access, b.id, json!({"status": "cancelled", "reason": "Plans changed"})).await.ok(200);
    w.settle().await;
    let view = w.view(&w.client.access, b.id).await;
    assert_eq!((&view["state"], &view["refunded_minor"]), (&json!("partially_refunded"), &json!(75_000)));
    assert_eq!(w.settle().await.actions, 0, "refunded once");

    // The photographer cancels another: everything back.
    let b2 = w.booking(5, 500_000, "INR").await;
    w.deposit(b2.id, "pm_card_visa").await;
    w.status(&w.photographer.access, b2.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    w.status(&w.photographer.access, b2.id, json!({"status": "cancelled", "reason": "Ill"})).await.ok(200);
    w.settle().await;
    let view = w.view(&w.client.access, b2.id).await;
    assert_eq!((&view["state"], &view["refunded_minor"]), (&json!("refunded"), &json!(150_000)));
}

#[tokio::test]
async fn a_zero_decimal_currency_is_charged_in_whole_yen() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 10_001, "JPY").await;
    let r = w.pay_request(&w.client.access, b.id, "deposit").await;
    let body = r.ok(201);
    assert_eq!((&body["amount_minor"], &body["currency"]), (&json!(3_001), &json!("JPY")));
    let pi = w.s.intent(body["intent_id"].as_str().unwrap()).await;
    assert_eq!((&pi["amount"], &pi["currency"]), (&json!(3_001), &json!("jpy")));
}

#[tokio::test]
async fn a_lost_answer_from_stripe_never_makes_a_second_charge() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    // Stripe creates the intent, then the answer is lost.
    w.s.fault(
        json!({"path_prefix": "/v1/payment_intents", "method": "POST", "count": 1, "mode": "after", "status": 500}),
    )
    .await;
    let r = w.pay_request(&w.client.access, b.id, "deposit").await;
    assert_eq!(r.problem(503)["type"].as_str().map(|t| t.ends_with("payment-provider-unavailable")), Some(true));
    assert!(r.header("retry-after").is_some());
    // The retry sends the same idempotency key: the same intent comes back.
    let again = w.pay_request(&w.client.access, b.id, "deposit").await;
    let id = again.ok(201)["intent_id"].as_str().unwrap().to_string();
    assert_eq!(w.s.intent_ids_for(&b.id.to_string()), vec![id.clone()], "one intent, whatever the retries");
    // Asking again hands out the same waiting intent.
    let third = w.pay_request(&w.client.access, b.id, "deposit").await;
    assert_eq!(third.ok(200)["intent_id"], json!(id));
}

#[tokio::test]
async fn a_stripe_outage_during_settlement_is_retried_and_captures_once() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    let intent = w.deposit(b.id, "pm_card_visa").await;
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.s.fault(json!({"path_prefix": "/v1/payment_intents", "count": 1, "mode": "after", "status": 503})).await;
    let first = w.settle().await;
    assert_eq!((first.settled, first.deferred), (0, 1), "the request stays for the next run");
    assert_eq!(w.env.app.store.settle_requests(10, None).await.unwrap().items.len(), 1);
    let second = w.settle().await;
    assert_eq!(second.settled, 1);
    assert!(w.env.app.store.settle_requests(10, None).await.unwrap().items.is_empty());
    let pi = w.s.intent(&intent).await;
    assert_eq!((&pi["status"], &pi["amount_received"]), (&json!("succeeded"), &json!(150_000)));
    assert_eq!(w.state(b.id).await, PaymentState::DepositPaid);
}

#[tokio::test]
async fn an_off_session_balance_that_needs_the_client_is_recorded_and_retried_within_limits() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    w.deposit(b.id, "pm_card_authenticationRequired").await;
    // The deposit needed 3-D Secure in the browser: the client completes it.
    let pending = w.env.app.store.get_ledger(b.id).await.unwrap().unwrap();
    let intent = pending.intents[0].id.clone();
    let done =
        w.s.raw
            .control(
                "POST",
                &format!("/standin/payment_intents/{intent}/authenticate"),
                Some(&json!({"outcome": "succeed"})),
            )
            .await
            .unwrap();
    assert_eq!(done.status, 200, "{:?}", done.body);
    w.s.deliver_new(w.env.app).await;
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    assert_eq!(w.state(b.id).await, PaymentState::DepositPaid);

    // That card always asks for authentication: off-session it is declined.
    let charger = charge_balances::Charger { app: App::new(w.env.app.store.clone()), stripe: w.own_stripe() };
    let later = chrono::Utc::now() + chrono::TimeDelta::days(8);
    let run = charger.charge_due(later).await.unwrap();
    assert_eq!((run.charged, run.declined), (0, 1));
    w.s.deliver_new(w.env.app).await;
    let view = w.view(&w.client.access, b.id).await;
    assert_eq!(view["state"], "deposit_paid");
    assert!(view["last_failure"].as_str().is_some(), "{view}");
    // Retried on the next runs, then left to the client; never a second intent.
    for _ in 0..5 {
        charger.charge_due(later).await.unwrap();
    }
    let ledger = w.env.app.store.get_ledger(b.id).await.unwrap().unwrap();
    assert_eq!(ledger.balance_attempts, cm_payments::terms::MAX_BALANCE_ATTEMPTS);
    let balances: Vec<_> =
        ledger.intents.iter().filter(|i| i.kind == cm_payments::ledger::PaymentKind::Balance).collect();
    assert_eq!(balances.len(), 1, "retries confirm the same intent");
    // The client pays it themselves: the same intent is handed out.
    let r = w.pay_request(&w.client.access, b.id, "balance").await;
    assert_eq!(r.ok(200)["intent_id"], json!(balances[0].id));
}

/// A session that moves takes its balance's due date with it (settle-payments follows
/// the reschedule, asked in its transaction); once the deposit is taken its price is
/// fixed, so a longer session that would cost more is refused.
#[tokio::test]
async fn a_moved_session_moves_the_balance_and_once_paid_its_price_stays() {
    let w = world().await.with_payouts().await;
    let p = &w.photographer;
    open_for_bookings(&w.env, p, "Moving Studio").await;
    let b = w.booking(14, 500_000, "INR").await;
    w.deposit(b.id, "pm_card_visa").await;
    w.status(&p.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    let ledger = w.env.app.store.get_ledger(b.id).await.unwrap().unwrap();
    assert_eq!(ledger.balance_due_at, Some(b.start - chrono::TimeDelta::days(7)));

    let from = (chrono::Utc::now() + chrono::TimeDelta::days(30)).date_naive();
    let slots = call(
        w.env.app,
        get_photographer_availability::handle,
        ApiEvent::new("GET /photographers/{id}/availability")
            .path("id", &p.id)
            .query("from", from)
            .query("to", from + chrono::TimeDelta::days(10))
            .query("duration_minutes", 180),
    )
    .await;
    let start = slots.ok(200)["slots"][0]["start"].as_str().expect("a free slot").to_string();
    let reschedule = |body: Value| {
        call(
            w.env.app,
            reschedule_booking::handle,
            ApiEvent::new("POST /bookings/{id}/reschedule").bearer(&p.access).path("id", b.id).json(body),
        )
    };
    let longer = reschedule(json!({"start": start, "duration_minutes": 180})).await;
    assert_eq!(longer.problem(409)["type"].as_str().map(|t| t.ends_with("price-fixed")), Some(true));
    let moved = reschedule(json!({"start": start})).await;
    let new_start: chrono::DateTime<chrono::Utc> = moved.ok(200)["start"].as_str().unwrap().parse().unwrap();
    assert_eq!(moved.body["price"]["amount_minor"], 500_000);

    w.settle().await;
    let ledger = w.env.app.store.get_ledger(b.id).await.unwrap().unwrap();
    assert_eq!(ledger.balance_due_at, Some(new_start - chrono::TimeDelta::days(7)), "the due date moved");
    let charger = charge_balances::Charger { app: App::new(w.env.app.store.clone()), stripe: w.own_stripe() };
    let old_due = charger.charge_due(chrono::Utc::now() + chrono::TimeDelta::days(8)).await.unwrap();
    assert_eq!(old_due.charged, 0, "not charged on the old date");
    let new_due = charger.charge_due(new_start - chrono::TimeDelta::days(6)).await.unwrap();
    assert_eq!(new_due.charged, 1, "charged on the new one");
}

/// Every change of the ledger, as the table's stream carries it, through the real
/// notifier against moto: receipts for each payment (and a note to the photographer of
/// what they keep), the reminder before the balance, a refund notice per refunded
/// payment, one SNS message for each; redelivering the whole stream sends nothing more.
#[tokio::test]
async fn money_changes_mail_receipts_the_reminder_and_refunds_once_each() {
    use cm_store::UserReader;
    use cm_tests::stream::{event, item_json, record};
    let w = world().await.with_payouts().await;
    let (notifier, topic) = crate::notifications::notifier(&w.env).await;
    let email = |id: &str| {
        let id = id.parse().unwrap();
        async move { w.env.app.store.get_user(id).await.unwrap().unwrap().email }
    };
    let (client, photographer) = (email(&w.client.id).await, email(&w.photographer.id).await);
    let b = w.booking(14, 500_000, "INR").await;
    let pk = format!("BOOKING#{}", b.id);
    let ledger = || item_json(&w.env.dynamo, &w.env.table, &pk, "PAYMENTS");

    w.deposit(b.id, "pm_card_visa").await;
    let mut versions = vec![ledger().await.unwrap()];
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    versions.push(ledger().await.unwrap());
    let charger = charge_balances::Charger { app: App::new(w.env.app.store.clone()), stripe: w.own_stripe() };
    let soon = charger.charge_due(chrono::Utc::now() + chrono::TimeDelta::days(5)).await.unwrap();
    assert_eq!((soon.reminded, soon.charged), (1, 0), "due in two days: told, not charged");
    versions.push(ledger().await.unwrap());
    let again = charger.charge_due(chrono::Utc::now() + chrono::TimeDelta::days(5)).await.unwrap();
    assert_eq!(again.reminded, 0, "told once");
    assert_eq!(charger.charge_due(chrono::Utc::now() + chrono::TimeDelta::days(8)).await.unwrap().charged, 1);
    w.s.deliver_new(w.env.app).await;
    versions.push(ledger().await.unwrap());
    // A fortnight out, the client's cancellation gives everything back: two refunds.
    w.status(&w.client.access, b.id, json!({"status": "cancelled", "reason": "Plans changed"})).await.ok(200);
    w.settle().await;
    versions.push(ledger().await.unwrap());

    let stream: Vec<Value> = std::iter::once(record("INSERT", None, Some(&versions[0])))
        .chain(versions.windows(2).map(|v| record("MODIFY", Some(&v[0]), Some(&v[1]))))
        .collect();
    let deliver = |records: Vec<Value>| async move {
        let resp = notify_booking_change::handle(
            notifier,
            lambda_runtime::LambdaEvent::new(event(records), Default::default()),
        )
        .await
        .expect("the handler answers");
        assert!(resp.batch_item_failures.is_empty(), "{:?}", resp.batch_item_failures);
    };
    deliver(stream.clone()).await;

    let sent = crate::notifications::Sent::now().await;
    let subjects = |to: &str| sent.mails_to(to).into_iter().map(|m| m.subject).collect::<Vec<_>>();
    let to_client = subjects(&client);
    let expected_client = [
        "Receipt: ₹1,500.00 deposit for your",
        "Balance due on ",
        "Receipt: ₹3,500.00 balance for your",
        "Refund: ₹1,500.00 for your",
        "Refund: ₹3,500.00 for your",
    ];
    assert_eq!(to_client.len(), expected_client.len(), "{to_client:#?}");
    for (got, want) in to_client.iter().zip(expected_client) {
        assert!(got.starts_with(want), "{got:?} should start with {want:?}");
    }
    let to_photographer = sent.mails_to(&photographer);
    assert_eq!(to_photographer.len(), 2, "paid twice, told twice");
    assert!(to_photographer[0].text.contains("Your share: ₹1,350.00"), "{}", to_photographer[0].text);
    let events: Vec<String> =
        sent.sns(&topic).iter().filter_map(|n| crate::notifications::attribute(n, "event").map(String::from)).collect();
    assert_eq!(
        events,
        ["payment_received", "balance_due", "payment_received", "payment_refunded", "payment_refunded"],
        "one message per money event, in the ledger's order"
    );

    // Lambda redelivers the whole stream (a retried batch, a replayed shard): nothing new.
    deliver(stream).await;
    let after = crate::notifications::Sent::now().await;
    assert_eq!(after.mails_to(&client).len(), expected_client.len());
    assert_eq!(after.mails_to(&photographer).len(), 2);
    assert_eq!(after.sns(&topic).len(), events.len());

    // The same events in the app, once each for all the redelivery, titled like the mail.
    use cm_store::notices::Inbox;
    let (notices, _) = notifier.inbox.notices(w.client.id.parse().unwrap(), None, 50).await.unwrap();
    let kinds: Vec<&str> = notices.iter().rev().map(|n| n.kind.as_str()).collect();
    assert_eq!(kinds, ["payment_received", "balance_due", "payment_received", "payment_refunded", "payment_refunded"]);
    let titles: Vec<&str> = notices.iter().rev().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, to_client.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(notices.iter().all(|n| n.booking_id == Some(b.id)));
    let (to_photographer, _) = notifier.inbox.notices(w.photographer.id.parse().unwrap(), None, 50).await.unwrap();
    assert_eq!(to_photographer.len(), 2, "paid twice, told twice");
}

/// A run reads every due balance however many pages they fill, and meets each once:
/// a declined one keeps its place in the index and is not tried again in the same run.
#[tokio::test]
async fn a_balance_run_pages_through_every_due_balance_and_tries_each_once() {
    let w = world().await.with_payouts().await;
    let mut ids = Vec::new();
    for card in ["pm_card_authenticationRequired", "pm_card_visa", "pm_card_visa"] {
        let b = w.booking(14, 500_000, "INR").await;
        w.deposit(b.id, card).await;
        if card == "pm_card_authenticationRequired" {
            let pending = w.env.app.store.get_ledger(b.id).await.unwrap().unwrap();
            let intent = &pending.intents[0].id;
            let path = format!("/standin/payment_intents/{intent}/authenticate");
            w.s.raw.control("POST", &path, Some(&json!({"outcome": "succeed"}))).await.unwrap();
            w.s.deliver_new(w.env.app).await;
        }
        w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
        ids.push(b.id);
    }
    w.settle().await;
    let charger = charge_balances::Charger { app: App::new(w.env.app.store.clone()), stripe: w.own_stripe() };
    let run = charger.charge_due_in_pages(chrono::Utc::now() + chrono::TimeDelta::days(8), 1).await.unwrap();
    assert_eq!((run.charged, run.declined), (2, 1), "three pages of one: {run:?}");
    let ledgers = futures::future::join_all(ids.iter().map(|id| w.env.app.store.get_ledger(*id))).await;
    let attempts: Vec<u32> = ledgers.into_iter().map(|l| l.unwrap().unwrap().balance_attempts).collect();
    assert_eq!(attempts, [1, 1, 1], "each tried exactly once in the run");
    assert_eq!(w.state(ids[1]).await, PaymentState::Paid);
    assert_eq!(w.state(ids[2]).await, PaymentState::Paid);
}

// ---------------------------------------------------------------------------------------
// The webhook
// ---------------------------------------------------------------------------------------

async fn webhook(w: &World, payload: &str, sig: Option<&str>) -> TestResponse {
    let hook = w.s.hook;
    call(w.env.app, move |app, req| stripe_webhook::handle(app, hook, req), webhook_event(payload, sig)).await
}

#[tokio::test]
async fn bad_or_stale_signatures_are_refused_and_change_nothing() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    let body = w.pay_request(&w.client.access, b.id, "deposit").await.ok(201).clone();
    w.s.pay(body["intent_id"].as_str().unwrap(), body["client_secret"].as_str().unwrap(), "pm_card_visa").await;
    let events = w.s.new_events();
    let authorised = events.iter().find(|e| e["type"] == "payment_intent.amount_capturable_updated").unwrap();
    let payload = authorised.to_string();
    let now = chrono::Utc::now().timestamp();
    for (sig, why) in [
        (None, "no signature"),
        (Some(signature(&payload, now, "whsec_someone_else")), "another secret"),
        (Some(signature(&payload, now - 301, WEBHOOK_SECRET)), "five minutes old"),
        (Some(signature(&format!("{payload} "), now, WEBHOOK_SECRET)), "another body"),
        (Some("t=abc,v1=00".to_string()), "malformed"),
    ] {
        let r = webhook(&w, &payload, sig.as_deref()).await;
        r.problem(400);
        assert_eq!(w.state(b.id).await, PaymentState::Unpaid, "{why}: nothing changed");
    }
    // Signed by the old secret and the new one during a rotation: any v1 may match.
    let rotated = format!(
        "{},v1={}",
        signature(&payload, now, "whsec_old"),
        signature(&payload, now, WEBHOOK_SECRET).split("v1=").nth(1).unwrap()
    );
    assert_eq!(webhook(&w, &payload, Some(&rotated)).await.ok(200)["outcome"], "applied");
    assert_eq!(w.state(b.id).await, PaymentState::Authorized);
}

#[tokio::test]
async fn replayed_out_of_order_and_concurrent_events_count_once() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    let body = w.pay_request(&w.client.access, b.id, "deposit").await.ok(201).clone();
    w.s.pay(body["intent_id"].as_str().unwrap(), body["client_secret"].as_str().unwrap(), "pm_card_visa").await;
    let authorised = w.s.new_events();
    // Captured (as a settlement elsewhere would) before the authorisation is delivered.
    let intent = body["intent_id"].as_str().unwrap();
    w.own_stripe().gateway.capture(intent, &format!("capture-{intent}")).await.unwrap();
    let captured = w.s.new_events();
    let succeeded = captured.iter().find(|e| e["type"] == "payment_intent.succeeded").unwrap().clone();
    let metrics = cm_metrics::Capture::new();
    // Success arrives first, twice at once.
    let (a, c) = futures::join!(
        metrics.scope(w.s.deliver(w.env.app, &succeeded)),
        metrics.scope(w.s.deliver(w.env.app, &succeeded))
    );
    let outcomes = [a.ok(200)["outcome"].clone(), c.ok(200)["outcome"].clone()];
    assert!(outcomes.contains(&json!("applied")) || outcomes.contains(&json!("unchanged")), "{outcomes:?}");
    assert_eq!(w.state(b.id).await, PaymentState::DepositPaid);
    // Then the late authorisation: the state does not move back.
    for e in &authorised {
        metrics.scope(w.s.deliver(w.env.app, e)).await.ok(200);
    }
    assert_eq!(w.state(b.id).await, PaymentState::DepositPaid);
    // And a redelivery of the success is recognised.
    assert_eq!(metrics.scope(w.s.deliver(w.env.app, &succeeded)).await.ok(200)["outcome"], "duplicate");
    let ledger = w.env.app.store.get_ledger(b.id).await.unwrap().unwrap();
    assert_eq!((ledger.intents.len(), ledger.captured()), (1, 150_000));
    // One payment, one outcome counted: not the duplicate, and not the late
    // authorisation, which may still add what the ledger lacked (a card) without moving
    // the status back.
    let outcomes: Vec<Value> =
        metrics.parsed().into_iter().filter(|l| l.get("Payments").is_some()).map(|l| l["Outcome"].clone()).collect();
    assert_eq!(outcomes, vec![json!("succeeded")]);
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_and_ignored() {
    let w = world().await;
    let fixture =
        std::fs::read_to_string(cm_tests::template::repo_root().join("tests/fixtures/stripe/refund.created.json"))
            .unwrap();
    let refund: Value = serde_json::from_str(&fixture).unwrap();
    // A type Stripe adds tomorrow, and a type we do not act on whose object this
    // library version cannot read: both acknowledged, so Stripe stops retrying them.
    for kind in ["capture_moments.brand_new_type", "customer.subscription.trial_will_end"] {
        let mut event = refund.clone();
        event["type"] = json!(kind);
        event["id"] = json!(format!("evt_{}", kind.replace('.', "_")));
        let payload = event.to_string();
        let sig = signature(&payload, chrono::Utc::now().timestamp(), WEBHOOK_SECRET);
        assert_eq!(webhook(&w, &payload, Some(&sig)).await.ok(200)["outcome"], "ignored", "{kind}");
    }
    // A type we act on that cannot be read is refused, so Stripe retries it (and the
    // alarm fires) rather than the payment being silently lost.
    let mut broken = refund.clone();
    broken["type"] = json!("payment_intent.succeeded");
    broken["id"] = json!("evt_unreadable_success");
    let payload = broken.to_string();
    let sig = signature(&payload, chrono::Utc::now().timestamp(), WEBHOOK_SECRET);
    webhook(&w, &payload, Some(&sig)).await.problem(400);
}

#[tokio::test]
async fn payouts_onboarding_links_and_the_status_only_the_photographer_sees() {
    let w = world().await;
    // Without a profile there is nothing to pay out to.
    let onboarding: &'static start_payout_onboarding::Onboarding =
        Box::leak(Box::new(start_payout_onboarding::Onboarding {
            stripe: cm_stripe::Stripe::connect(&cm_tests::stripe::keys_json(), Some(&w.s.standin.base_url())).unwrap(),
            return_url: "http://localhost:5173/photographer/payouts?done=1".into(),
            refresh_url: "http://localhost:5173/photographer/payouts?refresh=1".into(),
        }));
    let start = |token: String| {
        call(
            w.env.app,
            move |app, req| start_payout_onboarding::handle(app, onboarding, req),
            ApiEvent::new("POST /photographers/me/payouts/onboarding").bearer(&token),
        )
    };
    start(w.photographer.access.clone()).await.problem(409);
    let p = photographer_with_profile(&w.env, profile("Asha", "Hyderabad", &["wedding"], 250_000, "INR")).await;
    start(w.client.access.clone()).await.problem(403);
    let first = start(p.access.clone()).await.ok(200).clone();
    assert_eq!(first["status"], "pending");
    let second = start(p.access.clone()).await.ok(200).clone();
    assert_ne!(first["url"], second["url"], "a fresh single-use link each time");
    let me = |token: &str| {
        call(w.env.app, get_my_photographer_profile::handle, ApiEvent::new("GET /photographers/me").bearer(token))
    };
    assert_eq!(me(&p.access).await.ok(200)["payouts"]["status"], "pending");
    // Stripe's hosted form is completed; account.updated makes payouts active.
    let account = w.env.app.store.payout_account(p.id.parse().unwrap()).await.unwrap().unwrap().account;
    let r =
        w.s.raw
            .control("POST", &format!("/standin/accounts/{account}/onboarding"), Some(&json!({"outcome": "complete"})))
            .await
            .unwrap();
    assert_eq!(r.status, 200);
    w.s.deliver_new(w.env.app).await;
    assert_eq!(me(&p.access).await.ok(200)["payouts"]["status"], "active");
    start(p.access.clone()).await.problem(409);
    // The public profile shows the policy, never the payout state.
    let public =
        call(w.env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &p.id)).await;
    let public = public.ok(200);
    assert!(public.get("payouts").is_none());
    assert_eq!(public["cancellation_policy"][0], json!({"min_hours_before": 168, "refund_percent": 100}));
}

#[tokio::test]
async fn payment_history_shows_each_party_their_side() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    w.deposit(b.id, "pm_card_visa").await;
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    let list = |token: String, query: Option<(&'static str, &'static str)>| {
        let mut e = ApiEvent::new("GET /payments").bearer(&token);
        if let Some((k, v)) = query {
            e = e.query(k, v);
        }
        call(w.env.app, list_payments::handle, e)
    };
    let mine = list(w.client.access.clone(), None).await.ok(200).clone();
    assert_eq!(mine["items"][0]["paid_minor"], 150_000);
    assert!(mine["items"][0].get("earnings_minor").is_none(), "clients do not see the split");
    let theirs = list(w.photographer.access.clone(), None).await.ok(200).clone();
    assert_eq!(
        (&theirs["items"][0]["platform_fee_minor"], &theirs["items"][0]["earnings_minor"]),
        (&json!(15_000), &json!(135_000))
    );
    let stranger = register(&w.env, "client").await;
    assert_eq!(list(stranger.access.clone(), None).await.ok(200)["items"], json!([]));
    let admin = admin(&w.env).await;
    let all = list(admin.access.clone(), Some(("state", "deposit_paid"))).await.ok(200).clone();
    assert!(all["items"].as_array().unwrap().iter().any(|i| i["booking_id"] == json!(b.id.to_string())));
    let none = list(admin.access.clone(), Some(("state", "refunded"))).await.ok(200).clone();
    assert!(!none["items"].as_array().unwrap().iter().any(|i| i["booking_id"] == json!(b.id.to_string())));
    list(w.client.access.clone(), Some(("state", "bogus"))).await.problem(400);
}

#[tokio::test]
async fn a_dispute_flags_the_booking_and_alerts_the_admins_once() {
    let w = world().await.with_payouts().await;
    let b = w.booking(14, 500_000, "INR").await;
    let intent = w.deposit(b.id, "pm_card_visa").await;
    w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    w.settle().await;
    let opened =
        w.s.raw
            .control("POST", "/standin/disputes", Some(&json!({"payment_intent": intent, "reason": "fraudulent"})))
            .await
            .unwrap();
    assert!(opened.status < 300, "{:?}", opened.body);
    let events = w.s.deliver_new(w.env.app).await;
    assert_eq!(w.state(b.id).await, PaymentState::Disputed);
    let created = events.iter().find(|e| e["type"] == "charge.dispute.created").unwrap();
    w.s.deliver(w.env.app, created).await.ok(200);
    let alerts: Vec<_> = cm_tests::moto::sns_messages(&w.s.alerts_topic)
        .await
        .into_iter()
        .filter(|m| m.to_string().contains(&b.id.to_string()))
        .collect();
    assert_eq!(alerts.len(), 1, "one alert per dispute, whatever the redeliveries: {alerts:?}");
    let dispute = opened.body["id"].as_str().unwrap();
    let closed =
        w.s.raw
            .control("POST", &format!("/standin/disputes/{dispute}/close"), Some(&json!({"status": "won"})))
            .await
            .unwrap();
    assert!(closed.status < 300, "{:?}", closed.body);
    w.s.deliver_new(w.env.app).await;
    assert_eq!(w.state(b.id).await, PaymentState::DepositPaid, "a won dispute clears the flag");
}

// ---------------------------------------------------------------------------------------
// The other party's name on each record (cm_app::names)
// ---------------------------------------------------------------------------------------

/// An account written through the store as registration writes one (without hashing a
/// password nobody types: these tests make a hundred).
async fn account(env: &TestEnv, role: cm_accounts::account::Role, name: &str) -> cm_core::UserId {
    let now = chrono::Utc::now();
    let user = cm_accounts::account::User {
        id: cm_core::UserId::new(),
        email: unique_email("named"),
        name: name.into(),
        role,
        phone: Some("+919800000000".into()),
        phone_verified_at: None,
        timezone: "Asia/Kolkata".into(),
        notification_preferences: cm_accounts::account::NotificationPreferences::default(),
        active: true,
        password_hash: "not a password".into(),
        sessions_valid_after: None,
        created_at: now,
        updated_at: now,
    };
    use cm_store::UserWriter;
    env.app.store.create_user(&user, &user.email.clone()).await.unwrap();
    user.id
}

/// A ledger of a booking between the two, opened through the store: the history lists
/// a ledger whatever its charges.
async fn ledger_between(env: &TestEnv, client: &str, photographer: &str) -> BookingId {
    let terms = cm_payments::PaymentTerms::default();
    let price: cm_core::money::Money =
        serde_json::from_value(json!({"amount_minor": 500000, "currency": "INR"})).unwrap();
    let booking = BookingId::new();
    let now = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    let ledger = cm_payments::Ledger::open(
        booking,
        client.parse().unwrap(),
        photographer.parse().unwrap(),
        terms.clone(),
        terms.schedule(&price).unwrap(),
        "acct_1".into(),
        "cus_1".into(),
        now + chrono::TimeDelta::days(30),
        now,
    );
    use cm_store::PaymentWriter;
    assert!(env.app.store.create_ledger(&ledger).await.unwrap());
    booking
}

async fn history(env: &TestEnv, token: &str, limit: usize) -> Value {
    let e = ApiEvent::new("GET /payments").bearer(token).query("limit", limit);
    call(env.app, list_payments::handle, e).await.ok(200).clone()
}

fn record(page: &Value, booking: BookingId) -> Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["booking_id"] == json!(booking.to_string()))
        .unwrap_or_else(|| panic!("{booking} is not listed: {page}"))
        .clone()
}

#[tokio::test]
async fn payment_history_names_the_other_party_and_nobody_once_deactivated() {
    let env = env().await;
    let client = register_named(&env, "client", &unique_email("priya"), "Priya Sharma").await;
    // Registered as "Test User": the profile's display name is the public one.
    let photographer =
        photographer_with_profile(&env, profile("Asha Lens", "Hyderabad", &["wedding"], 250_000, "INR")).await;
    let admin = admin(&env).await;
    let b = ledger_between(&env, &client.id, &photographer.id).await;
    // A ledger whose parties have no account at all any more.
    let (gone_client, gone_photographer) = (cm_core::UserId::new().to_string(), cm_core::UserId::new().to_string());
    let orphan = ledger_between(&env, &gone_client, &gone_photographer).await;

    let mine = record(&history(&env, &client.access, 20).await, b);
    assert_eq!(mine["photographer_name"], "Asha Lens");
    assert!(mine.get("client_name").is_none() && mine.get("client_id").is_none(), "{mine}");
    let theirs = record(&history(&env, &photographer.access, 20).await, b);
    assert_eq!(theirs["client_name"], "Priya Sharma");
    assert!(theirs.get("photographer_name").is_none(), "{theirs}");
    let all = history(&env, &admin.access, 20).await;
    let seen = record(&all, b);
    assert_eq!((&seen["client_name"], &seen["photographer_name"]), (&json!("Priya Sharma"), &json!("Asha Lens")));
    let nobody = record(&all, orphan);
    assert_eq!((&nobody["client_name"], &nobody["photographer_name"]), (&Value::Null, &Value::Null), "{nobody}");
    let text = all.to_string();
    assert!(!text.contains('@'), "no email beside a name: {text}");

    // Deactivated: still listed, named by nobody; reactivated: named again (read each time).
    use cm_store::UserWriter;
    let now = chrono::Utc::now();
    env.app.store.set_user_active(client.id.parse().unwrap(), false, now).await.unwrap();
    env.app.store.set_user_active(photographer.id.parse().unwrap(), false, now).await.unwrap();
    let all = history(&env, &admin.access, 20).await;
    let seen = record(&all, b);
    assert_eq!((&seen["client_name"], &seen["photographer_name"]), (&Value::Null, &Value::Null), "{seen}");
    assert_eq!(seen["client_id"], json!(client.id), "the record still lists");
    env.app.store.set_user_active(client.id.parse().unwrap(), true, now).await.unwrap();
    let seen = record(&history(&env, &admin.access, 20).await, b);
    assert_eq!((&seen["client_name"], &seen["photographer_name"]), (&json!("Priya Sharma"), &Value::Null));
}

#[tokio::test]
async fn a_full_page_of_payments_is_named_with_one_batch_read() {
    use cm_accounts::account::Role;
    let w = cm_tests::faulty::faulty().await;
    let env = &w.env;
    let admin = admin(env).await;
    let photographers = [
        photographer_with_profile(env, profile("Asha Lens", "Hyderabad", &["wedding"], 250_000, "INR")).await,
        photographer_with_profile(env, profile("João Almeida", "Lisbon", &["portrait"], 9_000, "EUR")).await,
    ];
    // 100 records, 100 clients and 2 photographers: 102 keys, two BatchGetItem calls of
    // at most 100 (a read per record would be 100 calls).
    let mut expected = std::collections::HashMap::new();
    for n in 0..100 {
        let name = format!("Client {n:03}");
        let c = account(env, Role::Client, &name).await;
        let p = &photographers[n % 2];
        let b = ledger_between(env, &c.to_string(), &p.id).await;
        expected.insert(b.to_string(), (name, if n % 2 == 0 { "Asha Lens" } else { "João Almeida" }));
    }
    let (batches, gets) = (w.proxy.count("BatchGetItem"), w.proxy.count("GetItem"));
    let page = history(env, &admin.access, 100).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    for i in items {
        let (client, photographer) = &expected[i["booking_id"].as_str().unwrap()];
        assert_eq!((&i["client_name"], &i["photographer_name"]), (&json!(client), &json!(photographer)), "{i}");
    }
    assert_eq!(w.proxy.count("BatchGetItem") - batches, 2, "one batch read for the page, in chunks of 100 keys");
    assert!(w.proxy.count("GetItem") - gets <= 1, "no read per record (one: the caller's account)");
    // A photographer's page asks only for their clients' names: one call of 50 keys.
    let batches = w.proxy.count("BatchGetItem");
    let theirs = history(env, &photographers[0].access, 100).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 50);
    assert_eq!(w.proxy.count("BatchGetItem") - batches, 1);
    let keys: usize = w.proxy.requests("BatchGetItem").last().unwrap().request["RequestItems"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| t["Keys"].as_array().unwrap().len())
        .sum();
    assert_eq!(keys, 50, "each client once, no photographer");
}

/// Stripe down (or throttling) for a whole backlog: the run stops taking requests after
/// a few "unavailable" answers instead of calling for every one, and the next run, with
/// Stripe back, settles the backlog across pages in one go.
#[tokio::test]
async fn a_settle_run_backs_off_when_stripe_is_down_and_the_next_clears_the_backlog() {
    let w = world().await.with_payouts().await;
    let backlog = 60; // more than a page (50) and than the bookings settled at once (32)
    let mut bookings = Vec::new();
    for i in 0..backlog {
        let b = w.booking(14 + i as i64, 500_000, "INR").await;
        w.deposit(b.id, "pm_card_visa").await;
        w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
        bookings.push(b.id);
    }
    w.s.fault(
        json!({"path_prefix": "/v1/payment_intents", "method": "POST", "count": 1000, "mode": "status", "status": 503}),
    )
    .await;
    let down = w.settle().await;
    assert_eq!(down.settled, 0);
    assert!(down.unavailable >= 5, "{down:?}");
    assert!(down.actions < backlog, "no call for every request while Stripe is down: {down:?}");
    assert_eq!(down.deferred, down.actions, "{down:?}");
    w.s.raw.control("DELETE", "/standin/faults", None).await.unwrap();

    let back = w.settle().await;
    assert_eq!((back.settled, back.actions, back.deferred, back.unavailable), (backlog, backlog, 0, 0));
    assert!(w.env.app.store.settle_requests(10, None).await.unwrap().items.is_empty());
    for id in bookings {
        assert_eq!(w.state(id).await, PaymentState::DepositPaid);
    }
}

/// A benchmark, not a check (no timing thresholds in tests): how fast one settle run
/// works through a backlog of captures when each of Stripe's answers takes as long as
/// it does in production. `scripts/bench-settle` runs it; docs/performance.md has the
/// figures.
#[tokio::test]
#[ignore = "benchmark: scripts/bench-settle"]
async fn bench_settle_run_throughput() {
    let count: usize = std::env::var("BENCH_SETTLE_BOOKINGS").ok().and_then(|n| n.parse().ok()).unwrap_or(200);
    let latency: u64 = std::env::var("BENCH_SETTLE_STRIPE_MS").ok().and_then(|n| n.parse().ok()).unwrap_or(300);
    let w = world().await.with_payouts().await;
    for i in 0..count {
        let b = w.booking(14 + (i % 60) as i64, 500_000, "INR").await;
        w.deposit(b.id, "pm_card_visa").await;
        w.status(&w.photographer.access, b.id, json!({"status": "confirmed"})).await.ok(200);
    }
    // Every capture (and any re-read) answers after Stripe's typical latency.
    w.s.fault(json!({"path_prefix": "/v1/payment_intents", "method": "POST", "count": count * 4,
        "mode": "delay", "delay_ms": latency}))
        .await;
    let started = std::time::Instant::now();
    let mut runs = 0;
    let mut settled = 0;
    while settled < count && runs < 20 {
        let summary = w.settler().settle_all().await.unwrap();
        assert_eq!(summary.failed, 0, "{summary:?}");
        settled += summary.settled;
        runs += 1;
    }
    let elapsed = started.elapsed();
    assert_eq!(settled, count, "every capture settled");
    println!(
        "settle bench: {count} captures, Stripe answering in {latency} ms: {runs} run(s), {:.2} s, {:.1} settled/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
