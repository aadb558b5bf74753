//! Behaviour every endpoint shares: problem documents, body handling, unknown routes.

use cm_tests::{ApiEvent, call, env};
use serde_json::json;

#[tokio::test]
async fn health_answers_ok() {
    let env = env().await;
    let r = call(env.app, health::handle, ApiEvent::new("GET /health")).await;
    assert_eq!(r.ok(200)["status"], "ok");
}

#[tokio::test]
async fn unknown_routes_get_a_problem_document() {
    let env = env().await;
    let r = call(env.app, not_found::handle, ApiEvent::new("DELETE /no/such/thing")).await;
    let p = r.problem(404);
    assert!(p["detail"].as_str().unwrap().contains("DELETE /no/such/thing"));
    assert_eq!(r.header("allow"), None);
    // Near misses of real routes: an empty or an extra segment matches no template.
    for near in
        ["GET /photographers/", "GET /bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV/status/x", "GET /me/", "PUT /reviews//reply"]
    {
        call(env.app, not_found::handle, ApiEvent::new(near)).await.problem(404);
    }
}

/// API Gateway sends a request whose method no route of its path declares to `$default`:
/// 405 with exactly the methods template.yaml routes for that path.
#[tokio::test]
async fn other_methods_on_known_paths_get_405_with_allow() {
    use std::collections::{BTreeMap, BTreeSet};
    let env = env().await;
    let t = cm_tests::template::load();
    let mut methods: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for route in cm_tests::template::functions(&t).iter().flat_map(|f| f.routes()) {
        if let Some((method, path)) = route.split_once(' ') {
            methods.entry(path.to_string()).or_default().insert(method.to_string());
        }
    }
    assert!(methods.len() > 20);
    let order = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];
    for (template, allowed) in &methods {
        // A ULID never equals a literal segment, so only this template matches.
        let path = template.replace("{id}", "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        let expected: Vec<&str> = order.into_iter().filter(|m| allowed.contains(*m)).collect();
        for method in order.into_iter().filter(|m| !allowed.contains(*m)) {
            let r = call(env.app, not_found::handle, ApiEvent::new(&format!("{method} {path}"))).await;
            let p = r.problem(405);
            assert_eq!(p["type"], "https://capturemoments.app/problems/method-not-allowed");
            assert_eq!(r.header("allow"), Some(expected.join(", ").as_str()), "{method} {path}");
        }
    }
    // `/photographers/me` is served by its own routes and by `/photographers/{id}`.
    let r = call(env.app, not_found::handle, ApiEvent::new("DELETE /photographers/me")).await;
    r.problem(405);
    assert_eq!(r.header("allow"), Some("GET, PUT"));
    // `/photographers/me/portfolio/uploads` is a literal route's path, which also fits
    // `/photographers/me/portfolio/{item}`: the literal route owns it, as for GET.
    let r = call(env.app, not_found::handle, ApiEvent::new("GET /photographers/me/portfolio/uploads")).await;
    r.problem(405);
    assert_eq!(r.header("allow"), Some("POST"));
    let r = call(env.app, not_found::handle, ApiEvent::new("POST /photographers/me/availability")).await;
    assert_eq!(r.header("allow"), Some("GET, PUT"));
    assert_eq!(not_found::allowed_methods("/photographers/not-a-ulid"), ["GET"]);
}

#[tokio::test]
async fn malformed_json_is_400() {
    let env = env().await;
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register").header("content-type", "application/json").raw_body("{\"email\": "),
    )
    .await;
    r.problem(400);
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register").header("content-type", "application/json").raw_body("[1, 2"),
    )
    .await;
    r.problem(400);
}

#[tokio::test]
async fn non_json_content_type_is_415() {
    let env = env().await;
    let body = json!({"email": "a@b.co", "password": "x"}).to_string();
    let r = call(
        env.app,
        auth_login::handle,
        ApiEvent::new("POST /auth/login").header("content-type", "text/plain").raw_body(body.clone()),
    )
    .await;
    r.problem(415);
    let r = call(env.app, auth_login::handle, ApiEvent::new("POST /auth/login").raw_body(body)).await;
    r.problem(415);
}

#[tokio::test]
async fn charset_parameters_and_json_suffix_types_are_accepted() {
    let env = env().await;
    let body = json!({"email": "nobody@example.com", "password": "whatever-password"}).to_string();
    for ct in ["application/json; charset=utf-8", "application/merge-patch+json"] {
        let r = call(
            env.app,
            auth_login::handle,
            ApiEvent::new("POST /auth/login").header("content-type", ct).raw_body(body.clone()),
        )
        .await;
        r.problem(401);
    }
}

#[tokio::test]
async fn bodies_over_64_kib_are_413() {
    let env = env().await;
    let big = json!({"email": "a@b.co", "password": "x".repeat(70 * 1024), "name": "A", "role": "client"});
    let r = call(env.app, auth_register::handle, ApiEvent::new("POST /auth/register").json(big)).await;
    r.problem(413);
}

#[tokio::test]
async fn unknown_and_mistyped_fields_are_422_naming_the_field() {
    let env = env().await;
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register").json(
            json!({"email": "a@b.co", "password": "long enough pw", "name": "A", "role": "client", "is_admin": true}),
        ),
    )
    .await;
    r.problem(422);
    assert!(r.text.contains("is_admin"), "{}", r.text);
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register")
            .json(json!({"email": 42, "password": "long enough pw", "name": "A", "role": "client"})),
    )
    .await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["email"]);
}

#[tokio::test]
async fn empty_body_is_400() {
    let env = env().await;
    let r =
        call(env.app, auth_login::handle, ApiEvent::new("POST /auth/login").header("content-type", "application/json"))
            .await;
    r.problem(400);
}

/// serde would read `["token"]` as `{"refresh_token": "token"}`; the API takes objects only.
#[tokio::test]
async fn arrays_do_not_stand_in_for_json_objects() {
    let env = env().await;
    let r = call(env.app, auth_logout::handle, ApiEvent::new("POST /auth/logout").json(json!(["a.0.b"]))).await;
    r.problem(422);
    let r = call(env.app, auth_login::handle, ApiEvent::new("POST /auth/login").json(json!(["a@b.co", "password123"])))
        .await;
    r.problem(422);
}
