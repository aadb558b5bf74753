//! Replays every sample event in events/ through its function: each is a real payload
//! of its trigger, and each handler answers it without a server error.

use crate::support::*;
use cm_http::{App, Request};
use cm_tests::events::respond;
use cm_tests::template::{self, repo_root};
use cm_tests::{TestResponse, env};

/// The handler behind each deployed binary.
async fn invoke(app: &'static App, binary: &str, req: Request) -> Option<TestResponse> {
    Some(match binary {
        "health" => respond(app, health::handle, req).await,
        "not-found" => respond(app, not_found::handle, req).await,
        "auth-register" => respond(app, auth_register::handle, req).await,
        "auth-login" => respond(app, auth_login::handle, req).await,
        "auth-refresh" => respond(app, auth_refresh::handle, req).await,
        "auth-logout" => respond(app, auth_logout::handle, req).await,
        "get-me" => respond(app, get_me::handle, req).await,
        "update-me" => respond(app, update_me::handle, req).await,
        "put-my-photographer-profile" => respond(app, put_my_photographer_profile::handle, req).await,
        "get-my-photographer-profile" => respond(app, get_my_photographer_profile::handle, req).await,
        "get-photographer" => respond(app, get_photographer::handle, req).await,
        "search-photographers" => respond(app, search_photographers::handle, req).await,
        "admin-list-users" => respond(app, admin_list_users::handle, req).await,
        "admin-update-user" => respond(app, admin_update_user::handle, req).await,
        _ => return None,
    })
}

#[tokio::test]
async fn every_http_sample_event_is_answered_without_a_server_error() {
    let env = env().await;
    let admin = admin(&env).await;
    let photographer = register(&env, "photographer").await;
    let client = register(&env, "client").await;
    let t = template::load();
    for f in template::functions(&t) {
        let routes = f.routes();
        if routes.is_empty() {
            continue;
        }
        let path = repo_root().join("events").join(format!("{}.json", f.binary));
        let mut event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            routes.contains(&event["routeKey"].as_str().unwrap_or_default().to_string()) || routes == ["$default"],
            "{}: routeKey does not match the template",
            path.display()
        );
        // The sample's bearer token was signed elsewhere; swap in one this test can verify.
        if event["headers"].get("authorization").is_some() {
            let token = if f.binary.starts_with("admin-") {
                &admin.access
            } else if f.binary.contains("photographer-profile") {
                &photographer.access
            } else {
                &client.access
            };
            event["headers"]["authorization"] = format!("Bearer {token}").into();
        }
        let req = lambda_http::request::from_str(&event.to_string())
            .unwrap_or_else(|e| panic!("{}: not an API Gateway v2 event: {e}", path.display()));
        let resp = invoke(env.app, &f.binary, req).await.unwrap_or_else(|| panic!("no handler wired for {}", f.binary));
        assert!(resp.status < 500, "{} answered {}: {}", f.binary, resp.status, resp.text);
        if resp.status >= 400 {
            resp.problem(resp.status);
        }
    }
}
