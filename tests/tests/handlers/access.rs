//! Who is calling (the token, the stored account, its role) and which objects they
//! may touch: someone else's booking reads exactly like one that does not exist.

use crate::support::*;
use chrono::TimeDelta;
use cm_accounts::account::Role;
use cm_accounts::tokens::{AccessTokens, KeySet};
use cm_core::BookingId;
use cm_store::UserWriter;
use cm_tests::{ApiEvent, call};
use serde_json::json;

#[tokio::test]
async fn a_request_without_a_valid_access_token_is_401() {
    let w = World::new();
    let c = w.person(Role::Client).await;
    let me = |e: ApiEvent| call(w.app, get_me::handle, e);

    me(ApiEvent::new("GET /me")).await.problem(401);
    me(ApiEvent::new("GET /me").header("authorization", "Basic dXNlcjpwYXNz")).await.problem(401);
    me(ApiEvent::new("GET /me").bearer("not.a.jwt")).await.problem(401);

    // Same key id, another secret: a forgery.
    let forger = AccessTokens::new(
        &KeySet::parse(r#"{"kid":"test-1","secret":"another-secret-that-is-at-least-32-bytes"}"#).unwrap(),
        TimeDelta::minutes(15),
        TimeDelta::days(30),
    );
    let forged = forger.issue(&c.user, w.now()).unwrap();
    me(ApiEvent::new("GET /me").bearer(&forged)).await.problem(401);

    // A genuine token works until it expires (15 minutes, 5 seconds' leeway), then not.
    let token = w.token(&c);
    w.advance(TimeDelta::minutes(15));
    assert_eq!(me(ApiEvent::new("GET /me").bearer(&token)).await.ok(200)["id"], c.id().to_string());
    w.advance(TimeDelta::seconds(5));
    let r = me(ApiEvent::new("GET /me").bearer(&token)).await;
    r.problem(401);
    assert!(r.body["detail"].as_str().unwrap().contains("expired"), "{}", r.text);
}

#[tokio::test]
async fn a_deactivated_accounts_unexpired_token_stops_working_at_once() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let token = w.token(&c);
    w.store().set_user_active(c.id(), false, w.now()).await.unwrap();

    let r = call(w.app, get_me::handle, ApiEvent::new("GET /me").bearer(&token)).await;
    r.problem(401);
    assert!(r.body["detail"].as_str().unwrap().contains("deactivated"), "{}", r.text);
    let r = call(
        w.app,
        create_booking::handle,
        ApiEvent::new("POST /bookings").bearer(&token).json(request(&p, at(3, 10, 0), 60)),
    )
    .await;
    r.problem(401);
    assert!(w.store().bookings.all().is_empty());
}

#[tokio::test]
async fn the_stored_role_decides_not_the_one_in_the_token() {
    let w = World::new();
    let client = w.person(Role::Client).await;
    let victim = w.person(Role::Client).await;
    // A token that claims `admin` for a client account (signed with the real key, as a
    // token issued before a role change would be).
    let claims_admin = cm_accounts::account::User { role: Role::Admin, ..client.user.clone() };
    let token = w.app.tokens().unwrap().issue(&claims_admin, w.now()).unwrap();
    let r = call(
        w.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}").path("id", victim.id()).bearer(&token).json(json!({"active": false})),
    )
    .await;
    r.problem(403);
    assert!(w.store().users.get(victim.id()).unwrap().active);
}

#[tokio::test]
async fn each_role_only_reaches_its_own_endpoints() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let admin = w.person(Role::Admin).await;

    // Clients do not publish availability or profiles, reply to reviews or administer.
    let r = call(
        w.app,
        put_my_availability::handle,
        ApiEvent::new("PUT /photographers/me/availability").bearer(&w.token(&c)).json(availability(json!({}))),
    )
    .await;
    r.problem(403);
    assert!(w.store().availability.get(c.id()).is_none());
    w.put_profile(&c, HOURLY).await.problem(403);
    assert!(w.store().photographers.get(c.id()).is_none());
    let r = call(
        w.app,
        reply_to_review::handle,
        ApiEvent::new("PUT /reviews/{id}/reply")
            .path("id", BookingId::new())
            .bearer(&w.token(&c))
            .json(json!({"text": "hi"})),
    )
    .await;
    r.problem(403);
    let r = call(
        w.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}").path("id", p.id()).bearer(&w.token(&c)).json(json!({"active": false})),
    )
    .await;
    r.problem(403);
    assert!(w.store().users.get(p.id()).unwrap().active);

    // Only clients book: not the photographer, not an admin.
    for who in [&p, &admin] {
        w.book(who, request(&p, at(3, 10, 0), 60)).await.problem(403);
    }
    assert!(w.store().bookings.all().is_empty());

    // And the admin can do what the client could not.
    let r = call(
        w.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}")
            .path("id", p.id())
            .bearer(&w.token(&admin))
            .json(json!({"active": false})),
    )
    .await;
    assert_eq!(r.ok(200)["active"], false);
    assert!(!w.store().photographers.get(p.id()).unwrap().listed, "a deactivated photographer leaves search");
}

#[tokio::test]
async fn an_admin_cannot_deactivate_themselves() {
    let w = World::new();
    let admin = w.person(Role::Admin).await;
    let r = call(
        w.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}")
            .path("id", admin.id())
            .bearer(&w.token(&admin))
            .json(json!({"active": false})),
    )
    .await;
    assert_eq!(problem_type(&r, 409), "self-deactivation");
    assert!(w.store().users.get(admin.id()).unwrap().active);
}

#[tokio::test]
async fn someone_elses_booking_is_404_exactly_like_a_missing_one() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let other_p = w.photographer(availability(json!({}))).await;
    let c = w.person(Role::Client).await;
    let stranger = w.person(Role::Client).await;
    let admin = w.person(Role::Admin).await;
    let id = w.booked(&c, &p, at(3, 10, 0), 60).await;
    let missing = BookingId::new();

    // The same answer as for an id that does not exist, but for the id itself.
    let like_missing = |r: &cm_tests::TestResponse, missing_r: &cm_tests::TestResponse| {
        r.problem(404);
        missing_r.problem(404);
        assert_eq!(r.body["type"], missing_r.body["type"]);
        assert_eq!(r.body["title"], missing_r.body["title"]);
        assert_eq!(
            r.body["detail"].as_str().unwrap().replace(&id.to_string(), "ID"),
            missing_r.body["detail"].as_str().unwrap().replace(&missing.to_string(), "ID")
        );
    };
    like_missing(&w.get_booking(&stranger, id).await, &w.get_booking(&stranger, missing).await);
    like_missing(
        &w.set_status(&stranger, id, "cancelled", Some("mine now")).await,
        &w.set_status(&stranger, missing, "cancelled", Some("mine now")).await,
    );
    like_missing(
        &w.reschedule(&stranger, id, json!({"start": rfc(at(4, 10, 0))})).await,
        &w.reschedule(&stranger, missing, json!({"start": rfc(at(4, 10, 0))})).await,
    );
    // Another photographer is a stranger too, even to confirm.
    like_missing(
        &w.set_status(&other_p, id, "confirmed", None).await,
        &w.set_status(&other_p, missing, "confirmed", None).await,
    );

    let stored = w.store().bookings.get(id).unwrap();
    assert_eq!((stored.version, stored.start), (1, at(3, 10, 0)), "nothing was changed");
    assert_eq!(w.store().bookings.writes().len(), 1, "only the creation was written");

    // Its parties and admins see it.
    for who in [&c, &p, &admin] {
        assert_eq!(w.get_booking(who, id).await.ok(200)["id"], id.to_string());
    }
}

#[tokio::test]
async fn a_booking_listing_holds_only_the_callers_own_bookings() {
    let w = World::new();
    let p = w.photographer(availability(json!({}))).await;
    let other_p = w.photographer(availability(json!({}))).await;
    let (c1, c2) = (w.person(Role::Client).await, w.person(Role::Client).await);
    let admin = w.person(Role::Admin).await;
    let mine = w.booked(&c1, &p, at(3, 10, 0), 60).await;
    let theirs = w.booked(&c2, &other_p, at(3, 10, 0), 60).await;
    let list = |who: &Person, role: Option<&str>| {
        let mut e = ApiEvent::new("GET /bookings").bearer(&w.token(who));
        if let Some(r) = role {
            e = e.query("as", r);
        }
        call(w.app, list_my_bookings::handle, e)
    };
    let ids = |r: &cm_tests::TestResponse| -> Vec<String> {
        r.ok(200)["items"].as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ids(&list(&c1, None).await), [mine.to_string()]);
    assert_eq!(ids(&list(&c2, None).await), [theirs.to_string()]);
    assert_eq!(ids(&list(&p, None).await), [mine.to_string()], "a photographer's own sessions");
    assert!(ids(&list(&p, Some("client")).await).is_empty(), "and none booked as a client");
    assert_eq!(problem_type(&list(&c1, Some("photographer")).await, 403), "forbidden");
    // Admins have their own listing of everyone's bookings; this one is for parties.
    assert_eq!(problem_type(&list(&admin, None).await, 403), "forbidden");
}
