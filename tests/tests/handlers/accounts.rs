//! Registering, signing in (with throttling), refreshing and signing out.

use crate::support::*;
use chrono::TimeDelta;
use cm_accounts::account::Role;
use cm_accounts::refresh::RefreshToken;
use cm_store::UserWriter;
use cm_tests::{ApiEvent, TestResponse, call};
use serde_json::{Value, json};

async fn login(w: &World, email: &str, password: &str) -> TestResponse {
    call(
        w.app,
        auth_login::handle,
        ApiEvent::new("POST /auth/login").json(json!({"email": email, "password": password})),
    )
    .await
}

async fn refresh(w: &World, token: &str) -> TestResponse {
    call(w.app, auth_refresh::handle, ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": token}))).await
}

async fn logout(w: &World, token: &str) -> TestResponse {
    call(w.app, auth_logout::handle, ApiEvent::new("POST /auth/logout").json(json!({"refresh_token": token}))).await
}

fn refresh_token(body: &Value) -> RefreshToken {
    RefreshToken::parse(body["refresh_token"].as_str().unwrap()).unwrap()
}

/// The problem members a client can compare.
fn answer(r: &TestResponse) -> (u16, Value, Option<String>) {
    (r.status, r.body.clone(), r.header("retry-after").map(String::from))
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let unknown = login(&w, "nobody@example.com", PASSWORD).await;
    let wrong = login(&w, c.email(), "not the password").await;
    let malformed = login(&w, "not an address", PASSWORD).await;
    unknown.problem(401);
    assert_eq!(answer(&unknown), answer(&wrong));
    assert_eq!(answer(&unknown), answer(&malformed));
    assert!(w.store().refresh.all().is_empty());
}

#[tokio::test]
async fn five_failures_lock_sign_in_with_retry_after_even_for_the_right_password() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    for n in 1..=4 {
        let r = login(&w, c.email(), "not the password").await;
        assert_eq!(r.status, 401, "failure {n}: {}", r.text);
    }
    let r = login(&w, c.email(), "not the password").await;
    assert_eq!(problem_type(&r, 429), "too-many-requests");
    assert_eq!(r.header("retry-after"), Some("30"));

    // Locked: the right password does not get in either, and says how long to wait.
    w.advance(TimeDelta::seconds(29));
    let r = login(&w, c.email(), PASSWORD).await;
    r.problem(429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(w.store().refresh.all().is_empty(), "no session while locked");

    // Once the lock-out has passed, the right password signs in and clears the count.
    w.advance(TimeDelta::seconds(1));
    let body = login(&w, c.email(), PASSWORD).await.ok(200).clone();
    assert_eq!(body["user"]["id"], c.id().to_string());
    // The email's count from this source is reset; the source keeps its own count
    // (it limits spraying across accounts, which one success does not undo).
    assert!(w.store().logins.keys().iter().all(|k| !k.starts_with("email:")), "the failures were reset");
    // A fresh mistake starts from one again: no lock-out.
    login(&w, c.email(), "not the password").await.problem(401);
}

#[tokio::test]
async fn each_failure_past_the_fifth_doubles_the_lockout() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    for _ in 0..5 {
        login(&w, c.email(), "not the password").await;
    }
    w.advance(TimeDelta::seconds(30));
    let r = login(&w, c.email(), "still not it").await;
    r.problem(429);
    assert_eq!(r.header("retry-after"), Some("60"));
    w.advance(TimeDelta::seconds(60));
    let r = login(&w, c.email(), "still not it").await;
    assert_eq!(r.header("retry-after"), Some("120"));
}

#[tokio::test]
async fn a_deactivated_account_is_told_so_only_after_the_right_password() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    w.store().set_user_active(c.id(), false, w.now()).await.unwrap();
    let unknown = login(&w, "nobody@example.com", PASSWORD).await;
    let wrong = login(&w, c.email(), "not the password").await;
    assert_eq!(answer(&wrong), answer(&unknown), "a wrong password must not reveal the account");
    let right = login(&w, c.email(), PASSWORD).await;
    assert_eq!(problem_type(&right, 403), "forbidden");
    assert!(right.body["detail"].as_str().unwrap().contains("deactivated"), "{}", right.text);
    assert!(w.store().refresh.all().is_empty(), "no session for a deactivated account");
}

#[tokio::test]
async fn signing_in_starts_a_refresh_family_and_ignores_the_emails_case() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let body = login(&w, &c.email().to_uppercase(), PASSWORD).await.ok(200).clone();
    let token = refresh_token(&body);
    let family = w.store().refresh.get(&token.family).expect("the family was stored");
    assert_eq!((family.user_id, family.generation, family.revoked), (c.id(), 0, false));
    assert!(token.matches_hash(&family.secret_hash));
    assert_eq!(family.expires_at, w.now() + TimeDelta::days(30));
    let access = body["access_token"].as_str().unwrap();
    let me = call(w.app, get_me::handle, ApiEvent::new("GET /me").bearer(access)).await;
    assert_eq!(me.ok(200)["email"], c.email());
}

#[tokio::test]
async fn refresh_rotates_and_a_rotated_out_token_coming_back_revokes_the_family() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let first = login(&w, c.email(), PASSWORD).await.ok(200)["refresh_token"].as_str().unwrap().to_string();
    let family = RefreshToken::parse(&first).unwrap().family;

    let second_body = refresh(&w, &first).await.ok(200).clone();
    let second = second_body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    let stored = w.store().refresh.get(&family).unwrap();
    assert_eq!(stored.generation, 1);
    assert!(RefreshToken::parse(&second).unwrap().matches_hash(&stored.secret_hash));
    let access = second_body["access_token"].as_str().unwrap();
    call(w.app, get_me::handle, ApiEvent::new("GET /me").bearer(access)).await.ok(200);

    // Well after the rotation, the old token comes back: it was copied. Both the copy
    // and the legitimate holder's current token are dead from now on.
    w.advance(TimeDelta::minutes(5));
    refresh(&w, &first).await.problem(401);
    assert!(w.store().refresh.get(&family).unwrap().revoked);
    assert_eq!(w.store().refresh.revoked_at(&family), Some(w.now()));
    refresh(&w, &second).await.problem(401);
}

#[tokio::test]
async fn a_forged_secret_or_a_generation_from_the_future_is_refused_without_revoking() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let token = refresh_token(login(&w, c.email(), PASSWORD).await.ok(200));
    let forged = RefreshToken { secret: "x".repeat(43), ..token.clone() };
    refresh(&w, &forged.to_string()).await.problem(401);
    refresh(&w, &token.next().to_string()).await.problem(401);
    refresh(&w, "not-a-token").await.problem(401);
    let stored = w.store().refresh.get(&token.family).unwrap();
    assert!(!stored.revoked, "guessing must not log the real holder out");
    assert_eq!(stored.generation, 0);
    refresh(&w, &token.to_string()).await.ok(200);
}

#[tokio::test]
async fn refresh_is_refused_for_a_deactivated_account_and_an_expired_family() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let c2 = w.person(Role::Client).await;
    let token = refresh_token(login(&w, c.email(), PASSWORD).await.ok(200));
    let token2 = refresh_token(login(&w, c2.email(), PASSWORD).await.ok(200));

    w.store().set_user_active(c.id(), false, w.now()).await.unwrap();
    refresh(&w, &token.to_string()).await.problem(401);
    assert_eq!(w.store().refresh.get(&token.family).unwrap().generation, 0, "not rotated");

    w.advance(TimeDelta::days(30));
    refresh(&w, &token2.to_string()).await.problem(401);
    assert_eq!(w.store().refresh.get(&token2.family).unwrap().generation, 0);
}

#[tokio::test]
async fn logout_revokes_only_for_the_current_holder_and_always_answers_204() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let first = refresh_token(login(&w, c.email(), PASSWORD).await.ok(200));
    let second = refresh_token(refresh(&w, &first.to_string()).await.ok(200));

    // A stale copy cannot log the owner out.
    assert_eq!(logout(&w, &first.to_string()).await.status, 204);
    assert!(!w.store().refresh.get(&first.family).unwrap().revoked);
    assert_eq!(logout(&w, "garbage").await.status, 204);

    assert_eq!(logout(&w, &second.to_string()).await.status, 204);
    assert!(w.store().refresh.get(&first.family).unwrap().revoked);
    refresh(&w, &second.to_string()).await.problem(401);
}

#[tokio::test]
async fn an_email_registers_once_whatever_its_case() {
    let w = World::new();
    let register = |email: &'static str| {
        call(
            w.app,
            auth_register::handle,
            ApiEvent::new("POST /auth/register")
                .json(json!({"email": email, "password": PASSWORD, "name": "Ravi", "role": "client"})),
        )
    };
    let first = register("ravi@example.com").await.ok(201).clone();
    let r = register("Ravi@Example.COM").await;
    assert_eq!(problem_type(&r, 409), "email-taken");
    assert_eq!(r.error_fields(), ["email"]);
    assert_eq!(w.store().users.count(), 1);
    let owner = w.store().users.email_owner("ravi@example.com").unwrap();
    assert_eq!(owner.to_string(), first["user"]["id"].as_str().unwrap());
    assert_eq!(w.store().refresh.all().len(), 1, "only the first registration signed in");
}
