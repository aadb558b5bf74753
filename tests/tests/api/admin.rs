//! Admin routes: listing accounts and (de)activating them.

use crate::support::*;
use cm_tests::{ApiEvent, call, env};
use serde_json::json;

#[tokio::test]
async fn admin_routes_refuse_everyone_else() {
    let env = env().await;
    let client = register(&env, "client").await;
    let photog = register(&env, "photographer").await;
    for token in [&client.access, &photog.access] {
        call(env.app, admin_list_users::handle, ApiEvent::new("GET /admin/users").bearer(token)).await.problem(403);
        call(
            env.app,
            admin_update_user::handle,
            ApiEvent::new("PATCH /admin/users/{id}")
                .path("id", &client.id)
                .bearer(token)
                .json(json!({"active": false})),
        )
        .await
        .problem(403);
    }
    call(env.app, admin_list_users::handle, ApiEvent::new("GET /admin/users")).await.problem(401);
    // Nothing changed.
    call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&client.access)).await.ok(200);
}

#[tokio::test]
async fn admin_lists_users_by_role_newest_first_with_pagination() {
    let env = env().await;
    let admin = admin(&env).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(register(&env, "client").await.id);
    }
    register(&env, "photographer").await;
    let list = |q: Vec<(&'static str, String)>| {
        let mut e = ApiEvent::new("GET /admin/users").bearer(&admin.access);
        for (k, v) in q {
            e = e.query(k, v);
        }
        call(env.app, admin_list_users::handle, e)
    };
    let all = list(vec![]).await;
    assert_eq!(all.ok(200)["items"].as_array().unwrap().len(), 5);
    assert!(!all.text.contains("password_hash"));

    let first = list(vec![("role", "client".into()), ("limit", "2".into())]).await.ok(200).clone();
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let second =
        list(vec![("role", "client".into()), ("limit", "2".into()), ("cursor", cursor.clone())]).await.ok(200).clone();
    let ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = clients.iter().rev().map(String::as_str).collect();
    assert_eq!(ids, newest_first);
    // The cursor belongs to the client listing only.
    list(vec![("role", "photographer".into()), ("cursor", cursor)]).await.problem(400);
    list(vec![("role", "superuser".into())]).await.problem(400);
}

#[tokio::test]
async fn deactivation_blocks_login_tokens_and_search_until_reactivated() {
    let env = env().await;
    let admin = admin(&env).await;
    let email = unique_email("gone");
    let p = register_as(&env, "photographer", &email).await;
    call(
        env.app,
        put_my_photographer_profile::handle,
        ApiEvent::new("PUT /photographers/me").bearer(&p.access).json(profile(
            "Gone",
            "Kochi",
            &["family"],
            1000,
            "INR",
        )),
    )
    .await
    .ok(200);
    let set_active = |active: bool| {
        call(
            env.app,
            admin_update_user::handle,
            ApiEvent::new("PATCH /admin/users/{id}")
                .path("id", &p.id)
                .bearer(&admin.access)
                .json(json!({"active": active})),
        )
    };
    let found =
        || call(env.app, search_photographers::handle, ApiEvent::new("GET /photographers").query("city", "Kochi"));

    assert_eq!(found().await.ok(200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(set_active(false).await.ok(200)["active"], false);

    login(&env, &email, PASSWORD).await.problem(403);
    call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(&p.access)).await.problem(401);
    call(env.app, auth_refresh::handle, ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": p.refresh})))
        .await
        .problem(401);
    call(env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &p.id))
        .await
        .problem(404);
    assert_eq!(found().await.ok(200)["items"], json!([]));

    assert_eq!(set_active(true).await.ok(200)["active"], true);
    login(&env, &email, PASSWORD).await.ok(200);
    assert_eq!(found().await.ok(200)["items"].as_array().unwrap().len(), 1);
    call(env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &p.id)).await.ok(200);
}

#[tokio::test]
async fn admin_update_validates_its_target_and_body() {
    let env = env().await;
    let admin = admin(&env).await;
    let patch = |id: String, body: serde_json::Value| {
        call(
            env.app,
            admin_update_user::handle,
            ApiEvent::new("PATCH /admin/users/{id}").path("id", id).bearer(&admin.access).json(body),
        )
    };
    patch(ulid::Ulid::new().to_string(), json!({"active": false})).await.problem(404);
    patch("not-an-id".into(), json!({"active": false})).await.problem(404);
    let c = register(&env, "client").await;
    patch(c.id.clone(), json!({"active": "no"})).await.problem(422);
    patch(c.id.clone(), json!({"role": "admin"})).await.problem(422);
    patch(admin.id.clone(), json!({"active": false})).await.problem(409);
}
