//! Registration, sign-in, throttling, token rotation, logout and the own-account routes.

use crate::support::*;
use base64::Engine;
use cm_store::UserReader;
use cm_tests::{ApiEvent, call, env};
use serde_json::json;

#[tokio::test]
async fn register_answers_201_with_user_and_tokens_and_no_secrets() {
    let env = env().await;
    let email = unique_email("Asha");
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register").json(json!({"email": email.to_uppercase(), "password": PASSWORD, "name": " Asha ", "role": "photographer", "phone": "+91 98480 22338", "timezone": "Asia/Kolkata"})),
    )
    .await;
    let body = r.ok(201);
    assert_eq!(body["user"]["role"], "photographer");
    assert_eq!(body["user"]["name"], "Asha");
    assert_eq!(body["user"]["phone"], "+919848022338");
    assert_eq!(body["user"]["timezone"], "Asia/Kolkata");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(!r.text.contains("password"), "secrets leaked: {}", r.text);
    assert_eq!(r.header("location"), Some("/me"));
}

#[tokio::test]
async fn duplicate_email_is_409_case_insensitively() {
    let env = env().await;
    let email = unique_email("dup");
    register_as(&env, "client", &email).await;
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register")
            .json(json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "B", "role": "photographer"})),
    )
    .await;
    r.problem(409);
    assert_eq!(r.error_fields(), ["email"]);
}

#[tokio::test]
async fn racing_registrations_for_one_email_yield_exactly_one_account() {
    let env = env().await;
    let email = unique_email("race");
    let attempts = (0..12).map(|i| {
        let email = if i % 2 == 0 { email.clone() } else { email.to_uppercase() };
        call(
            env.app,
            auth_register::handle,
            ApiEvent::new("POST /auth/register")
                .json(json!({"email": email, "password": PASSWORD, "name": "R", "role": "client"})),
        )
    });
    let results = futures::future::join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 11), "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
}

#[tokio::test]
async fn weak_passwords_and_admin_self_registration_are_422() {
    let env = env().await;
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register")
            .json(json!({"email": unique_email("w"), "password": "123456789", "name": "W", "role": "client"})),
    )
    .await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["password"]);
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register")
            .json(json!({"email": unique_email("w"), "password": PASSWORD, "name": "W", "role": "admin"})),
    )
    .await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["role"]);
}

#[tokio::test]
async fn login_succeeds_and_wrong_email_or_password_look_identical() {
    let env = env().await;
    let email = unique_email("login");
    let s = register_as(&env, "client", &email).await;
    let ok = login(&env, &email.to_uppercase(), PASSWORD).await;
    assert_eq!(ok.ok(200)["user"]["id"], s.id.as_str());

    let wrong_pw = login(&env, &email, "not the password").await;
    let wrong_email = login(&env, &unique_email("nobody"), PASSWORD).await;
    wrong_pw.problem(401);
    wrong_email.problem(401);
    assert_eq!(wrong_pw.body, wrong_email.body);
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_with_retry_after() {
    let env = env().await;
    let email = unique_email("throttle");
    register_as(&env, "client", &email).await;
    let mut statuses = Vec::new();
    for _ in 0..cm_accounts::login_throttle::FREE_FAILURES {
        statuses.push(login(&env, &email, "wrong password!").await.status);
    }
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(*statuses.last().unwrap(), 429, "the 5th failure locks: {statuses:?}");
    // Even the right password is refused while locked, and the wait is announced.
    let locked = login(&env, &email, PASSWORD).await;
    locked.problem(429);
    let retry: i64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    // Another account is unaffected.
    let other = unique_email("other");
    register_as(&env, "client", &other).await;
    login(&env, &other, PASSWORD).await.ok(200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let base = env().await;
    let clock = cm_core::ManualClock::starting_now();
    let app = cm_tests::moto::app(base.app.store.clone()).with_clock(std::sync::Arc::new(clock.clone()));
    let env = cm_tests::TestEnv { app: Box::leak(Box::new(app)), dynamo: base.dynamo, table: base.table };
    let s = register(&env, "client").await;
    let refresh = |token: String| {
        call(env.app, auth_refresh::handle, ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": token})))
    };
    let first = refresh(s.refresh.clone()).await;
    let rotated = session(first.ok(200));
    assert_ne!(rotated.refresh, s.refresh);
    // The old token again at once: a concurrent twin (two tabs), refused without harm.
    refresh(s.refresh.clone()).await.problem(409);
    // Past the grace window it can only be a copy: it fails, and so does the new one.
    clock.advance(cm_accounts::refresh::ROTATION_GRACE + chrono::TimeDelta::seconds(1));
    refresh(s.refresh.clone()).await.problem(401);
    refresh(rotated.refresh.clone()).await.problem(401);
    // The access token from the rotation is still a valid JWT until it expires.
    call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&rotated.access)).await.ok(200);
}

#[tokio::test]
async fn garbage_refresh_tokens_are_401_not_500() {
    let env = env().await;
    for token in ["", "abc", "a.b.c", "a.99999999999999999999999.c", &"x".repeat(5000)] {
        let r = call(
            env.app,
            auth_refresh::handle,
            ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": token})),
        )
        .await;
        r.problem(401);
    }
}

#[tokio::test]
async fn logout_kills_the_refresh_token() {
    let env = env().await;
    let s = register(&env, "client").await;
    let r = call(
        env.app,
        auth_logout::handle,
        ApiEvent::new("POST /auth/logout").json(json!({"refresh_token": s.refresh})),
    )
    .await;
    assert_eq!(r.status, 204);
    let r = call(
        env.app,
        auth_refresh::handle,
        ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": s.refresh})),
    )
    .await;
    r.problem(401);
    // Logging out twice, or with nonsense, is still a quiet 204.
    let r = call(
        env.app,
        auth_logout::handle,
        ApiEvent::new("POST /auth/logout").json(json!({"refresh_token": "nonsense"})),
    )
    .await;
    assert_eq!(r.status, 204);
}

#[tokio::test]
async fn me_requires_a_valid_token() {
    let env = env().await;
    let s = register(&env, "client").await;
    call(env.app, get_me::handle, ApiEvent::new("GET /me")).await.problem(401);
    call(env.app, get_me::handle, ApiEvent::new("GET /me").header("authorization", format!("Basic {}", s.access)))
        .await
        .problem(401);

    // alg: none with the same claims.
    let parts: Vec<&str> = s.access.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none = format!("{}.{}.", b64.encode(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&none)).await.problem(401);

    // A changed payload under the original signature.
    let mut claims: serde_json::Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["role"] = json!("admin");
    let forged = format!("{}.{}.{}", parts[0], b64.encode(claims.to_string()), parts[2]);
    call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&forged)).await.problem(401);

    // A correctly signed but expired token.
    let user = env.app.store.get_user(s.id.parse().unwrap()).await.unwrap().unwrap();
    let expired = env.app.tokens().unwrap().issue(&user, chrono::Utc::now() - chrono::Duration::hours(2)).unwrap();
    call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&expired)).await.problem(401);

    let me = call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&s.access)).await;
    assert_eq!(me.ok(200)["id"], s.id.as_str());
}

#[tokio::test]
async fn patch_me_updates_only_what_was_sent() {
    let env = env().await;
    let s = register(&env, "client").await;
    let patch = |body: serde_json::Value| {
        call(env.app, update_me::handle, ApiEvent::new("PATCH /me").bearer(&s.access).json(body))
    };
    let r = patch(json!({"name": "New Name", "phone": "+14155550123", "timezone": "America/New_York",
                         "notification_preferences": {"email": false, "sms": true, "push": false}}))
    .await;
    let body = r.ok(200);
    assert_eq!(body["name"], "New Name");
    assert_eq!(body["timezone"], "America/New_York");
    assert_eq!(body["notification_preferences"]["sms"], true);

    let body = patch(json!({"phone": null})).await.ok(200).clone();
    assert!(body.get("phone").is_none_or(|p| p.is_null()));
    assert_eq!(body["name"], "New Name");

    let r = patch(json!({"timezone": "Nowhere/Atlantis", "name": ""})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["name", "timezone"]);
    patch(json!({"role": "admin"})).await.problem(422);
    patch(json!({"email": "new@example.com"})).await.problem(422);
    patch(json!({})).await.problem(422);

    let me = call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&s.access)).await;
    assert_eq!(me.ok(200)["role"], "client");
}
