use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use stripe::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesCardPayments,
    CreateAccountCapabilitiesTransfers, CreateAccountType, RetrieveAccount,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_core::customer::{CreateCustomer, RetrieveCustomer};
use stripe_core::payment_intent::{
    CancelPaymentIntent, CancelPaymentIntentCancellationReason, CapturePaymentIntent, ConfirmPaymentIntent,
    ConfirmPaymentIntentOffSession, CreatePaymentIntent, CreatePaymentIntentOffSession,
    CreatePaymentIntentTransferData, RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_core::{PaymentIntentCaptureMethod, PaymentIntentSetupFutureUsage, PaymentIntentStatus};
use stripe_types::Currency;

use crate::support::{self, Env, stripe_error};

fn cur(c: &str) -> Currency {
    c.parse().expect("currency")
}

fn pi(amount: i64, currency: &str) -> CreatePaymentIntent {
    CreatePaymentIntent::new(amount, cur(currency))
}

/// An onboarded express account that can receive transfers.
async fn onboarded_account(env: &Env) -> String {
    let account = CreateAccount::new()
        .type_(CreateAccountType::Express)
        .country("DE")
        .email("ph@example.com")
        .capabilities(CreateAccountCapabilities {
            card_payments: Some(CreateAccountCapabilitiesCardPayments { requested: Some(true) }),
            transfers: Some(CreateAccountCapabilitiesTransfers { requested: Some(true) }),
            ..CreateAccountCapabilities::new()
        })
        .send(&env.client)
        .await
        .expect("create account");
    let id = account.id.as_str().to_string();
    let r = env
        .raw
        .control("POST", &format!("/standin/accounts/{id}/onboarding"), Some(&json!({"outcome": "complete"})))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    id
}

#[tokio::test]
async fn customers_are_created_and_read_back() {
    let env = support::start().await;
    let created = CreateCustomer::new()
        .email("client@example.com")
        .name("Ada")
        .metadata(HashMap::from([("user_id".to_string(), "u1".to_string())]))
        .send(&env.client)
        .await
        .unwrap();
    assert!(created.id.as_str().starts_with("cus_"));
    let read = RetrieveCustomer::new(created.id.clone()).send(&env.client).await.unwrap();
    let stripe_core::customer::RetrieveCustomerReturned::Customer(read) = read else { panic!("deleted customer") };
    assert_eq!(read.email.as_deref(), Some("client@example.com"));
    assert_eq!(read.metadata.as_ref().unwrap()["user_id"], "u1");

    let (e, status) = stripe_error(RetrieveCustomer::new("cus_missing").send(&env.client).await);
    assert_eq!(status, 404);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::ResourceMissing));
}

#[tokio::test]
async fn a_wrong_or_missing_key_is_refused_like_stripe() {
    let env = support::start().await;
    let wrong = stripe::ClientBuilder::new("sk_test_wrong").url(env.standin.base_url()).build().unwrap();
    let (e, status) = stripe_error(CreateCustomer::new().send(&wrong).await);
    assert_eq!(status, 401);
    assert_eq!(e.type_, stripe::ApiErrorsType::InvalidRequestError);
    assert!(e.message.unwrap().starts_with("Invalid API Key provided"));
    let none = stripe_standin::raw::Raw::new(&env.standin.base_url(), "");
    assert_eq!(none.api("GET", "/v1/customers/cus_x", &[], None).await.unwrap().status, 401);
}

#[tokio::test]
async fn automatic_capture_with_visa_succeeds_with_a_charge() {
    let env = support::start().await;
    let intent = pi(2000, "usd")
        .confirm(true)
        .payment_method("pm_card_visa")
        .metadata(HashMap::from([("booking_id".to_string(), "bk1".to_string())]))
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(intent.status, PaymentIntentStatus::Succeeded);
    assert_eq!(intent.amount_received, 2000);
    assert_eq!(intent.amount_capturable, 0);
    let charge_id = intent.latest_charge.as_ref().expect("latest_charge").id();
    assert!(charge_id.as_str().starts_with("ch_"));
    let pm = intent.payment_method.as_ref().unwrap().id();
    assert!(pm.as_str().starts_with("pm_") && pm.as_str() != "pm_card_visa");

    let charge = stripe_core::charge::RetrieveCharge::new(charge_id.clone()).send(&env.client).await.unwrap();
    assert!(charge.captured && charge.paid);
    assert_eq!(charge.amount_captured, 2000);
    assert_eq!(charge.metadata["booking_id"], "bk1");
}

#[tokio::test]
async fn manual_capture_then_partial_and_full_refund_then_over_refund() {
    let env = support::start().await;
    let acct = onboarded_account(&env).await;
    let intent = pi(10000, "eur")
        .capture_method(PaymentIntentCaptureMethod::Manual)
        .confirm(true)
        .payment_method("pm_card_visa")
        .transfer_data(CreatePaymentIntentTransferData::new(acct.clone()))
        .application_fee_amount(1000)
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(intent.status, PaymentIntentStatus::RequiresCapture);
    assert_eq!(intent.amount_capturable, 10000);
    assert_eq!(intent.amount_received, 0);
    assert_eq!(intent.transfer_data.as_ref().unwrap().destination.id().as_str(), acct);

    // A refund before capture is refused: there is no captured charge yet.
    let (e, status) = stripe_error(CreateRefund::new().payment_intent(intent.id.as_str()).send(&env.client).await);
    assert_eq!((status, e.code), (400, Some(stripe::ApiErrorsCode::ChargeNotRefundable)));

    let captured = CapturePaymentIntent::new(intent.id.clone()).send(&env.client).await.unwrap();
    assert_eq!(captured.status, PaymentIntentStatus::Succeeded);
    assert_eq!(captured.amount_received, 10000);
    assert_eq!(captured.amount_capturable, 0);

    // Capturing twice: the state machine refuses, with the PI in the error.
    let (e, status) = stripe_error(CapturePaymentIntent::new(intent.id.clone()).send(&env.client).await);
    assert_eq!(status, 400);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::PaymentIntentUnexpectedState));
    assert_eq!(e.payment_intent.unwrap().status, PaymentIntentStatus::Succeeded);
    // Neither can a succeeded PI be canceled.
    let (e, _) = stripe_error(CancelPaymentIntent::new(intent.id.clone()).send(&env.client).await);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::PaymentIntentUnexpectedState));

    let partial = CreateRefund::new()
        .payment_intent(intent.id.as_str())
        .amount(3000)
        .reverse_transfer(true)
        .refund_application_fee(true)
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(partial.amount, 3000);
    assert!(partial.id.as_str().starts_with("re_"));
    let charge_id = captured.latest_charge.as_ref().unwrap().id().clone();
    let charge = stripe_core::charge::RetrieveCharge::new(charge_id.clone()).send(&env.client).await.unwrap();
    assert_eq!((charge.amount_refunded, charge.refunded), (3000, false));

    let (e, status) =
        stripe_error(CreateRefund::new().payment_intent(intent.id.as_str()).amount(7001).send(&env.client).await);
    assert_eq!((status, e.code), (400, Some(stripe::ApiErrorsCode::AmountTooLarge)));
    assert_eq!(e.param.as_deref(), Some("amount"));

    // No amount: the rest.
    let rest = CreateRefund::new().payment_intent(intent.id.as_str()).send(&env.client).await.unwrap();
    assert_eq!(rest.amount, 7000);
    let charge = stripe_core::charge::RetrieveCharge::new(charge_id).send(&env.client).await.unwrap();
    assert_eq!((charge.amount_refunded, charge.refunded), (10000, true));

    let (e, status) = stripe_error(CreateRefund::new().payment_intent(intent.id.as_str()).send(&env.client).await);
    assert_eq!((status, e.code), (400, Some(stripe::ApiErrorsCode::ChargeAlreadyRefunded)));
}

#[tokio::test]
async fn partial_capture_releases_the_rest() {
    let env = support::start().await;
    let intent = pi(5000, "usd")
        .capture_method(PaymentIntentCaptureMethod::Manual)
        .confirm(true)
        .payment_method("pm_card_visa")
        .send(&env.client)
        .await
        .unwrap();
    let (e, _) =
        stripe_error(CapturePaymentIntent::new(intent.id.clone()).amount_to_capture(5001).send(&env.client).await);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::AmountTooLarge));
    let captured =
        CapturePaymentIntent::new(intent.id.clone()).amount_to_capture(3000).send(&env.client).await.unwrap();
    assert_eq!(captured.amount_received, 3000);
    // Only what was captured can be refunded.
    let (e, _) =
        stripe_error(CreateRefund::new().payment_intent(intent.id.as_str()).amount(3001).send(&env.client).await);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::AmountTooLarge));
    let refund = CreateRefund::new().payment_intent(intent.id.as_str()).send(&env.client).await.unwrap();
    assert_eq!(refund.amount, 3000);
}

#[tokio::test]
async fn cancel_an_authorization() {
    let env = support::start().await;
    let intent = pi(5000, "gbp")
        .capture_method(PaymentIntentCaptureMethod::Manual)
        .confirm(true)
        .payment_method("pm_card_visa")
        .send(&env.client)
        .await
        .unwrap();
    let canceled = CancelPaymentIntent::new(intent.id.clone())
        .cancellation_reason(CancelPaymentIntentCancellationReason::RequestedByCustomer)
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);
    assert_eq!(canceled.amount_capturable, 0);
    assert!(canceled.canceled_at.is_some());
    let (e, _) = stripe_error(CapturePaymentIntent::new(intent.id.clone()).send(&env.client).await);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::PaymentIntentUnexpectedState));
}

#[tokio::test]
async fn declined_cards_answer_402_with_the_payment_intent() {
    let env = support::start().await;
    for (card, decline) in [
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ] {
        let (e, status) = stripe_error(pi(2000, "usd").confirm(true).payment_method(card).send(&env.client).await);
        assert_eq!(status, 402, "{card}");
        assert_eq!(e.type_, stripe::ApiErrorsType::CardError);
        assert_eq!(e.code, Some(stripe::ApiErrorsCode::CardDeclined));
        assert_eq!(e.decline_code.as_deref(), Some(decline));
        let intent = e.payment_intent.expect("payment_intent in the error");
        assert_eq!(intent.status, PaymentIntentStatus::RequiresPaymentMethod);
        let last = intent.last_payment_error.expect("last_payment_error");
        assert_eq!(last.decline_code.as_deref(), Some(decline));
        // Read back: the failure is stored, and a visa then succeeds on the same PI.
        let again = RetrievePaymentIntent::new(intent.id.clone()).send(&env.client).await.unwrap();
        assert!(again.last_payment_error.is_some());
        let paid = ConfirmPaymentIntent::new(intent.id.clone())
            .payment_method("pm_card_visa")
            .send(&env.client)
            .await
            .unwrap();
        assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
        assert!(paid.last_payment_error.is_none());
    }
}

#[tokio::test]
async fn authentication_required_on_session_then_completed() {
    let env = support::start().await;
    let intent = pi(2000, "usd")
        .confirm(true)
        .payment_method("pm_card_authenticationRequired")
        .return_url("http://127.0.0.1:9/back")
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(intent.status, PaymentIntentStatus::RequiresAction);
    let url = intent.next_action.as_ref().unwrap().redirect_to_url.as_ref().unwrap().url.clone().unwrap();
    assert!(url.starts_with(&format!("{}/standin/authenticate/{}", env.standin.base_url(), intent.id.as_str())));
    // The bank page's button, as a browser posts it: back to return_url with Stripe's parameters.
    let secret = intent.client_secret.clone().unwrap();
    let r = env
        .raw
        .page_post(
            &format!("/standin/authenticate/{}", intent.id.as_str()),
            &[("client_secret", &secret), ("outcome", "succeed")],
        )
        .await
        .unwrap();
    assert_eq!(r.status, 303);
    let location = r.headers["location"].to_str().unwrap();
    assert!(location.starts_with("http://127.0.0.1:9/back?payment_intent="), "{location}");
    assert!(location.ends_with("redirect_status=succeeded"));
    let done = RetrievePaymentIntent::new(intent.id.clone()).send(&env.client).await.unwrap();
    assert_eq!(done.status, PaymentIntentStatus::Succeeded);
    assert!(done.next_action.is_none());
}

#[tokio::test]
async fn authentication_failure_returns_to_requires_payment_method() {
    let env = support::start().await;
    let intent =
        pi(2000, "usd").confirm(true).payment_method("pm_card_authenticationRequired").send(&env.client).await.unwrap();
    let r = env
        .raw
        .control(
            "POST",
            &format!("/standin/payment_intents/{}/authenticate", intent.id.as_str()),
            Some(&json!({"outcome": "fail"})),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let failed = RetrievePaymentIntent::new(intent.id.clone()).send(&env.client).await.unwrap();
    assert_eq!(failed.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!(
        failed.last_payment_error.unwrap().code,
        Some(stripe::ApiErrorsCode::PaymentIntentAuthenticationFailure)
    );
}

#[tokio::test]
async fn saved_card_is_reused_off_session_and_auth_required_fails_off_session() {
    let env = support::start().await;
    let customer = CreateCustomer::new().email("c@example.com").send(&env.client).await.unwrap();
    let first = pi(2000, "usd")
        .customer(customer.id.as_str())
        .setup_future_usage(PaymentIntentSetupFutureUsage::OffSession)
        .confirm(true)
        .payment_method("pm_card_visa")
        .send(&env.client)
        .await
        .unwrap();
    let saved = first.payment_method.as_ref().unwrap().id().as_str().to_string();
    let later = pi(3000, "usd")
        .customer(customer.id.as_str())
        .payment_method(saved.clone())
        .off_session(CreatePaymentIntentOffSession::Bool(true))
        .confirm(true)
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(later.status, PaymentIntentStatus::Succeeded);
    assert_eq!(later.payment_method.as_ref().unwrap().id().as_str(), saved);
    // Without its customer, the saved card is not usable.
    let (e, status) = stripe_error(pi(3000, "usd").payment_method(saved).confirm(true).send(&env.client).await);
    assert_eq!(status, 400);
    assert_eq!(e.param.as_deref(), Some("payment_method"));

    // A card saved on-session that always asks for authentication: off-session it fails.
    let setup = pi(2000, "usd")
        .customer(customer.id.as_str())
        .setup_future_usage(PaymentIntentSetupFutureUsage::OffSession)
        .confirm(true)
        .payment_method("pm_card_authenticationRequired")
        .send(&env.client)
        .await
        .unwrap();
    env.raw
        .control(
            "POST",
            &format!("/standin/payment_intents/{}/authenticate", setup.id.as_str()),
            Some(&json!({"outcome": "succeed"})),
        )
        .await
        .unwrap();
    let saved3ds = setup.payment_method.as_ref().unwrap().id().as_str().to_string();
    let off = pi(2500, "usd").customer(customer.id.as_str()).send(&env.client).await.unwrap();
    let (e, status) = stripe_error(
        ConfirmPaymentIntent::new(off.id.clone())
            .payment_method(saved3ds)
            .off_session(ConfirmPaymentIntentOffSession::Bool(true))
            .send(&env.client)
            .await,
    );
    assert_eq!(status, 402);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::AuthenticationRequired));
    assert_eq!(e.payment_intent.unwrap().status, PaymentIntentStatus::RequiresPaymentMethod);
}

#[tokio::test]
async fn currency_rules() {
    let env = support::start().await;
    let yen = pi(500, "jpy").confirm(true).payment_method("pm_card_visa").send(&env.client).await.unwrap();
    assert_eq!((yen.amount_received, yen.currency.to_string().as_str()), (500, "jpy"));

    let (e, status) = stripe_error(pi(49, "usd").send(&env.client).await);
    assert_eq!((status, e.code), (400, Some(stripe::ApiErrorsCode::AmountTooSmall)));
    let (e, _) = stripe_error(pi(29, "gbp").send(&env.client).await);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::AmountTooSmall));
    let (e, _) = stripe_error(pi(49, "jpy").send(&env.client).await);
    assert_eq!(e.code, Some(stripe::ApiErrorsCode::AmountTooSmall));

    let (e, status) = stripe_error(pi(1235, "kwd").send(&env.client).await);
    assert_eq!((status, e.code), (400, Some(stripe::ApiErrorsCode::InvalidChargeAmount)));
    assert!(pi(1230, "kwd").send(&env.client).await.is_ok());

    let r = env.raw.api("POST", "/v1/payment_intents", &[("amount", "1000"), ("currency", "xyz")], None).await.unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(r.body["error"]["param"], "currency");
}

#[tokio::test]
async fn unknown_and_missing_parameters_are_refused() {
    let env = support::start().await;
    let r = env
        .raw
        .api("POST", "/v1/payment_intents", &[("amount", "1000"), ("currency", "usd"), ("colour", "red")], None)
        .await
        .unwrap();
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("parameter_unknown")));
    let r = env.raw.api("POST", "/v1/payment_intents", &[("currency", "usd")], None).await.unwrap();
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (400, Some("parameter_missing")));
    // A destination that has not finished onboarding cannot receive transfers.
    let account = CreateAccount::new().type_(CreateAccountType::Express).send(&env.client).await.unwrap();
    let (e, _) = stripe_error(
        pi(1000, "usd")
            .transfer_data(CreatePaymentIntentTransferData::new(account.id.as_str()))
            .send(&env.client)
            .await,
    );
    assert_eq!(e.code.as_ref().map(|c| c.as_str()), Some("insufficient_capabilities_for_transfer"));
}

#[tokio::test]
async fn idempotent_replay_and_mismatch() {
    let env = support::start().await;
    let key = IdempotencyKey::new("booking-bk1-deposit").unwrap();
    let request = pi(2000, "usd").confirm(true).payment_method("pm_card_visa");
    let first =
        request.customize().request_strategy(RequestStrategy::Idempotent(key.clone())).send(&env.client).await.unwrap();
    let second =
        request.customize().request_strategy(RequestStrategy::Idempotent(key.clone())).send(&env.client).await.unwrap();
    assert_eq!(first.id, second.id);
    let count = env.standin.events().iter().filter(|e| e["type"] == "payment_intent.created").count();
    assert_eq!(count, 1, "the replay must not create a second PaymentIntent");

    let r = env.raw.api("POST", "/v1/customers", &[("email", "a@example.com")], Some("k-raw")).await.unwrap();
    assert!(r.headers.get("idempotent-replayed").is_none());
    let again = env.raw.api("POST", "/v1/customers", &[("email", "a@example.com")], Some("k-raw")).await.unwrap();
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["id"], r.body["id"]);

    let (e, status) = stripe_error(
        pi(2001, "usd").customize().request_strategy(RequestStrategy::Idempotent(key)).send(&env.client).await,
    );
    assert_eq!((status, e.type_), (400, stripe::ApiErrorsType::IdempotencyError));

    // Keys are scoped per API key... and a declined attempt is replayed as declined.
    let k = IdempotencyKey::new("decline-once").unwrap();
    let req = pi(2000, "usd").confirm(true).payment_method("pm_card_chargeDeclined");
    let (a, _) =
        stripe_error(req.customize().request_strategy(RequestStrategy::Idempotent(k.clone())).send(&env.client).await);
    let (b, _) = stripe_error(req.customize().request_strategy(RequestStrategy::Idempotent(k)).send(&env.client).await);
    assert_eq!(a.payment_intent.unwrap().id, b.payment_intent.unwrap().id);
}

#[tokio::test]
async fn fault_after_applies_then_loses_the_answer_and_the_retry_returns_the_same_pi() {
    let env = support::start().await;
    for drop in [false, true] {
        let r = env
            .raw
            .control("POST", "/standin/faults", Some(&json!({"path_prefix": "/v1/payment_intents", "method": "POST", "count": 1, "mode": "after", "drop": drop})))
            .await
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        let key = IdempotencyKey::new(format!("after-{drop}")).unwrap();
        let request = pi(4200, "usd").confirm(true).payment_method("pm_card_visa");
        let lost =
            request.customize().request_strategy(RequestStrategy::Idempotent(key.clone())).send(&env.client).await;
        assert!(lost.is_err(), "the first answer is lost");
        let created: Vec<_> = env
            .standin
            .events()
            .into_iter()
            .filter(|e| e["type"] == "payment_intent.created" && e["data"]["object"]["amount"] == 4200)
            .collect();
        let applied =
            created.last().expect("the PaymentIntent exists although the client saw an error")["data"]["object"]["id"]
                .clone();
        let retried =
            request.customize().request_strategy(RequestStrategy::Idempotent(key)).send(&env.client).await.unwrap();
        assert_eq!(json!(retried.id.as_str()), applied);
        assert_eq!(retried.status, PaymentIntentStatus::Succeeded);
        let pis = env
            .standin
            .events()
            .iter()
            .filter(|e| e["type"] == "payment_intent.created" && e["data"]["object"]["amount"] == 4200)
            .count();
        assert_eq!(pis, if drop { 2 } else { 1 }, "never a second PaymentIntent for one key");
    }
}

#[tokio::test]
async fn client_retry_strategy_rides_over_injected_500s_without_double_charging() {
    let env = support::start().await;
    env.raw
        .control(
            "POST",
            "/standin/faults",
            Some(&json!({"path_prefix": "/v1/payment_intents", "count": 2, "mode": "status", "status": 500})),
        )
        .await
        .unwrap();
    // Two 500s with nothing applied, then the third attempt goes through.
    let intent = pi(999, "usd")
        .confirm(true)
        .payment_method("pm_card_visa")
        .customize()
        .request_strategy(RequestStrategy::Retry(3))
        .send(&env.client)
        .await
        .unwrap();
    assert_eq!(intent.status, PaymentIntentStatus::Succeeded);
    let n = env.standin.events().iter().filter(|e| e["type"] == "payment_intent.created").count();
    assert_eq!(n, 1);

    env.raw
        .control(
            "POST",
            "/standin/faults",
            Some(&json!({"path_prefix": "/v1/customers", "count": 1, "mode": "status", "status": 503})),
        )
        .await
        .unwrap();
    let (e, status) = stripe_error(CreateCustomer::new().send(&env.client).await);
    assert_eq!((status, e.type_), (503, stripe::ApiErrorsType::ApiError));
}

#[tokio::test]
async fn fault_delay_makes_the_client_time_out_and_the_operation_still_happens() {
    let env = support::start().await;
    env.raw
        .control(
            "POST",
            "/standin/faults",
            Some(&json!({"path_prefix": "/v1/customers", "count": 1, "mode": "delay", "delay_ms": 3000})),
        )
        .await
        .unwrap();
    let impatient = support::client_with_timeout(&env, Duration::from_millis(200));
    let result = CreateCustomer::new().email("slow@example.com").send(&impatient).await;
    assert!(matches!(result, Err(stripe::StripeError::Timeout)), "{result:?}");
    // The fault was used up: the next call is normal.
    assert!(CreateCustomer::new().send(&env.client).await.is_ok());
}

#[tokio::test]
async fn connect_onboarding_through_the_page() {
    let env = support::start().await;
    let account = CreateAccount::new()
        .type_(CreateAccountType::Express)
        .country("GB")
        .capabilities(CreateAccountCapabilities {
            transfers: Some(CreateAccountCapabilitiesTransfers { requested: Some(true) }),
            ..CreateAccountCapabilities::new()
        })
        .metadata(HashMap::from([("photographer_id".to_string(), "ph9".to_string())]))
        .send(&env.client)
        .await
        .unwrap();
    assert!(!account.details_submitted.unwrap() && !account.charges_enabled.unwrap());
    assert_eq!(account.default_currency.as_ref().unwrap().to_string(), "gbp");
    let link = CreateAccountLink::new(account.id.as_str(), CreateAccountLinkType::AccountOnboarding)
        .refresh_url("http://127.0.0.1:9/refresh")
        .return_url("http://127.0.0.1:9/return")
        .send(&env.client)
        .await
        .unwrap();
    assert!(link.expires_at > link.created);
    let path = link.url.strip_prefix(&env.standin.base_url()).expect("the stand-in's own page");
    let (page_path, query) = path.split_once('?').unwrap();
    let link_id = query.strip_prefix("link=").unwrap();
    let r = env.raw.page_post(page_path, &[("link", "link_forged"), ("outcome", "complete")]).await.unwrap();
    assert_eq!(r.status, 404);
    let r = env.raw.page_post(page_path, &[("link", link_id), ("outcome", "restricted")]).await.unwrap();
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (303, "http://127.0.0.1:9/return"));
    let read = env.raw.api("GET", &format!("/v1/accounts/{}", account.id.as_str()), &[], None).await.unwrap();
    assert_eq!(read.body["details_submitted"], true);
    assert_eq!(read.body["charges_enabled"], false);
    assert_eq!(read.body["requirements"]["disabled_reason"], "requirements.past_due");
    let r = env.raw.page_post(page_path, &[("link", link_id), ("outcome", "complete")]).await.unwrap();
    assert_eq!(r.status, 303);
    let done = RetrieveAccount::new(account.id.clone()).send(&env.client).await.unwrap();
    assert!(done.charges_enabled.unwrap() && done.payouts_enabled.unwrap());
    assert!(done.requirements.unwrap().disabled_reason.is_none());
}

#[tokio::test]
async fn publishable_key_confirms_with_the_client_secret_only() {
    let env = support::start().await;
    let intent = pi(2000, "usd").send(&env.client).await.unwrap();
    let browser = stripe_standin::raw::Raw::new(&env.standin.base_url(), stripe_standin::DEFAULT_PUBLISHABLE_KEY);
    let path = format!("/v1/payment_intents/{}/confirm", intent.id.as_str());
    let r = browser
        .api("POST", &path, &[("payment_method", "pm_card_visa"), ("client_secret", "pi_x_secret_wrong")], None)
        .await
        .unwrap();
    assert_eq!(r.status, 400);
    let r = browser.api("POST", "/v1/customers", &[], None).await.unwrap();
    assert_eq!(r.status, 401);
    let secret = intent.client_secret.unwrap();
    let r = browser
        .api("POST", &path, &[("payment_method", "pm_card_visa"), ("client_secret", &secret)], None)
        .await
        .unwrap();
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("succeeded")));
}

#[tokio::test]
async fn the_checkout_page_pays_with_a_test_card() {
    let env = support::start().await;
    let intent = pi(2500, "eur").description("Booking bk7").send(&env.client).await.unwrap();
    let secret = intent.client_secret.clone().unwrap();
    let page = env
        .raw
        .control("GET", &format!("/standin/checkout/{}?client_secret={secret}", intent.id.as_str()), None)
        .await
        .unwrap();
    let html = page.body.as_str().unwrap();
    assert!(html.contains("25.00 EUR") && html.contains("pm_card_chargeDeclined"), "{html}");
    let r = env
        .raw
        .page_post(
            &format!("/standin/checkout/{}", intent.id.as_str()),
            &[("client_secret", &secret), ("payment_method", "pm_card_chargeDeclined")],
        )
        .await
        .unwrap();
    assert!(r.body.as_str().unwrap().contains("402"));
    env.raw
        .page_post(
            &format!("/standin/checkout/{}", intent.id.as_str()),
            &[("client_secret", &secret), ("payment_method", "pm_card_visa")],
        )
        .await
        .unwrap();
    let paid = RetrievePaymentIntent::new(intent.id.clone()).send(&env.client).await.unwrap();
    assert_eq!(paid.status, PaymentIntentStatus::Succeeded);
}
