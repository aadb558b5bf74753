//! Photographer profiles: ownership, validation, the public view and search.

use crate::support::*;
use cm_tests::{ApiEvent, TestEnv, call, env};
use serde_json::{Value, json};

fn put(env: &TestEnv, token: &str, body: Value) -> impl std::future::Future<Output = cm_tests::TestResponse> {
    call(env.app, put_my_photographer_profile::handle, ApiEvent::new("PUT /photographers/me").bearer(token).json(body))
}

#[tokio::test]
async fn photographer_creates_reads_and_replaces_their_profile() {
    let env = env().await;
    let s = register(&env, "photographer").await;
    call(env.app, get_my_photographer_profile::handle, ApiEvent::new("GET /photographers/me").bearer(&s.access))
        .await
        .problem(404);

    let doc = profile("Asha Lens", "Hyderabad", &["wedding", "portrait"], 250000, "INR");
    let body = put(&env, &s.access, doc.clone()).await.ok(200).clone();
    assert_eq!(body["id"], s.id.as_str());
    assert_eq!(body["rating"], json!({"average": 0.0, "count": 0}));
    for field in [
        "display_name",
        "bio",
        "specializations",
        "city",
        "country",
        "lat",
        "lon",
        "service_radius_km",
        "years_experience",
        "hourly_rate",
        "packages",
        "portfolio_links",
        "languages",
    ] {
        assert_eq!(body[field], doc[field], "{field}");
    }

    let mine =
        call(env.app, get_my_photographer_profile::handle, ApiEvent::new("GET /photographers/me").bearer(&s.access))
            .await;
    // The owner also sees their payout account's state (no account yet).
    let mut own = body.clone();
    own["payouts"] = json!({"status": "not_started"});
    assert_eq!(mine.ok(200), &own);
    let public =
        call(env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &s.id)).await;
    assert_eq!(public.ok(200), &body);

    let mut changed = doc.clone();
    changed["city"] = json!("Pune");
    changed["specializations"] = json!(["event"]);
    assert_eq!(put(&env, &s.access, changed).await.ok(200)["city"], "Pune");
    // Search follows the replacement: gone from the old partitions, present in the new.
    let search = |params: Vec<(&'static str, &'static str)>| {
        let mut e = ApiEvent::new("GET /photographers");
        for (k, v) in params {
            e = e.query(k, v);
        }
        call(env.app, search_photographers::handle, e)
    };
    assert_eq!(search(vec![("city", "Hyderabad")]).await.ok(200)["items"], json!([]));
    assert_eq!(search(vec![("specialization", "wedding")]).await.ok(200)["items"], json!([]));
    assert_eq!(
        search(vec![("specialization", "event"), ("city", "pune")]).await.ok(200)["items"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn only_photographers_edit_profiles_and_only_their_own() {
    let env = env().await;
    let client = register(&env, "client").await;
    put(&env, &client.access, profile("C", "Pune", &["event"], 1000, "INR")).await.problem(403);
    call(env.app, get_my_photographer_profile::handle, ApiEvent::new("GET /photographers/me").bearer(&client.access))
        .await
        .problem(403);
    put(&env, "not-a-token", profile("C", "Pune", &["event"], 1000, "INR")).await.problem(401);

    // A photographer's PUT always lands on their own profile, never another's.
    let a = photographer_with_profile(&env, profile("A", "Pune", &["event"], 1000, "INR")).await;
    let b = register(&env, "photographer").await;
    put(&env, &b.access, profile("B", "Goa", &["family"], 2000, "INR")).await.ok(200);
    let a_view =
        call(env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &a.id)).await;
    assert_eq!(a_view.ok(200)["display_name"], "A");
}

#[tokio::test]
async fn invalid_profiles_are_422_with_every_field_named() {
    let env = env().await;
    let s = register(&env, "photographer").await;
    let mut doc = profile("A", "Pune", &["wedding"], 1000, "INR");
    doc["specializations"] = json!(["underwater"]);
    doc["lon"] = json!(200.5);
    doc["hourly_rate"] = json!({"amount_minor": -5, "currency": "RUPEES"});
    doc["packages"][0]["duration_minutes"] = json!(7);
    let r = put(&env, &s.access, doc).await;
    r.problem(422);
    assert_eq!(
        r.error_fields(),
        [
            "specializations[0]",
            "lon",
            "hourly_rate.amount_minor",
            "hourly_rate.currency",
            "packages[0].duration_minutes"
        ]
    );

    let mut doc = profile("A", "Pune", &["wedding"], 1000, "INR");
    doc["packages"][0]["price"]["currency"] = json!("USD");
    let r = put(&env, &s.access, doc).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["packages[0].price.currency"], "one currency per photographer");

    let mut doc = profile("A", "Pune", &["wedding"], 1000, "INR");
    doc["hourly_rate"]["amount_minor"] = json!(12.5);
    let r = put(&env, &s.access, doc).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["hourly_rate.amount_minor"], "money is integer minor units, never floats");
}

#[tokio::test]
async fn unknown_and_malformed_photographer_ids_are_404() {
    let env = env().await;
    for id in [ulid::Ulid::new().to_string(), "nope".into(), "%2e%2e".into()] {
        call(env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", id))
            .await
            .problem(404);
    }
    // A client account is not a photographer.
    let c = register(&env, "client").await;
    call(env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", &c.id))
        .await
        .problem(404);
}

async fn search(env: &TestEnv, params: &[(&str, &str)]) -> cm_tests::TestResponse {
    let mut e = ApiEvent::new("GET /photographers");
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, search_photographers::handle, e).await
}

fn names(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap().to_string()).collect()
}

async fn rate(env: &TestEnv, id: &str, stars: &[u8]) {
    for &s in stars {
        env.app.store.add_photographer_rating(id.parse().unwrap(), s, chrono::Utc::now()).await.unwrap();
    }
}

#[tokio::test]
async fn search_filters_and_sorts_by_rating_then_review_count() {
    let env = env().await;
    let a = photographer_with_profile(&env, profile("A", "Hyderabad", &["wedding", "portrait"], 250000, "INR")).await;
    let b = photographer_with_profile(&env, profile("B", "Hyderabad", &["wedding"], 150000, "INR")).await;
    let c = photographer_with_profile(&env, profile("C", "Mumbai", &["wedding", "event"], 90000, "INR")).await;
    let d = photographer_with_profile(&env, profile("D", "hyderabad", &["newborn"], 50000, "INR")).await;
    let _e = photographer_with_profile(&env, profile("E", "Hyderabad", &["portrait"], 100000, "INR")).await;
    rate(&env, &a.id, &[5, 4]).await; // 4.5 from 2
    rate(&env, &b.id, &[5, 4, 5, 4]).await; // 4.5 from 4: ties A on average, more reviews
    rate(&env, &c.id, &[5]).await; // 5.0
    rate(&env, &d.id, &[3]).await; // 3.0; E unrated

    assert_eq!(names(search(&env, &[]).await.ok(200)), ["C", "B", "A", "D", "E"]);
    assert_eq!(names(search(&env, &[("specialization", "wedding")]).await.ok(200)), ["C", "B", "A"]);
    assert_eq!(names(search(&env, &[("city", " HYDERABAD ")]).await.ok(200)), ["B", "A", "D", "E"]);
    assert_eq!(names(search(&env, &[("city", "Hyderabad"), ("specialization", "portrait")]).await.ok(200)), ["A", "E"]);
    assert_eq!(names(search(&env, &[("min_rating", "4.5")]).await.ok(200)), ["C", "B", "A"]);
    assert_eq!(names(search(&env, &[("min_rating", "4.6")]).await.ok(200)), ["C"]);
    assert_eq!(names(search(&env, &[("max_hourly_rate", "100000")]).await.ok(200)), ["C", "D", "E"]);
    assert_eq!(
        names(search(&env, &[("max_hourly_rate", "100000"), ("currency", "USD")]).await.ok(200)),
        Vec::<String>::new()
    );
    assert_eq!(
        names(search(&env, &[("specialization", "wedding"), ("city", "Mumbai"), ("min_rating", "5")]).await.ok(200)),
        ["C"]
    );
    let first = search(&env, &[]).await;
    assert_eq!(first.ok(200)["items"][0]["rating"], json!({"average": 5.0, "count": 1}));
}

#[tokio::test]
async fn search_paginates_with_opaque_cursors_even_under_filters() {
    let env = env().await;
    for i in 0..7 {
        // Every other photographer is too expensive, so filtered pages must keep reading.
        let price = if i % 2 == 0 { 10000 } else { 900000 };
        photographer_with_profile(&env, profile(&format!("P{i}"), "Delhi", &["event"], price, "INR")).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let mut params =
            vec![("city", "Delhi".to_string()), ("max_hourly_rate", "20000".to_string()), ("limit", "2".to_string())];
        if let Some(c) = &cursor {
            params.push(("cursor", c.clone()));
        }
        let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = search(&env, &p).await.ok(200).clone();
        assert!(body["items"].as_array().unwrap().len() <= 2);
        seen.extend(names(&body));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["P0", "P2", "P4", "P6"]);
}

#[tokio::test]
async fn bad_search_parameters_and_cursors_are_400() {
    let env = env().await;
    for _ in 0..3 {
        photographer_with_profile(&env, profile("X", "Agra", &["event"], 1000, "INR")).await;
    }
    for params in [
        vec![("specialization", "astronaut")],
        vec![("min_rating", "6")],
        vec![("min_rating", "NaN")],
        vec![("max_hourly_rate", "-1")],
        vec![("limit", "0")],
        vec![("limit", "1000")],
        vec![("cursor", "garbage")],
        vec![("sort", "price")],
        vec![("currency", "XYZ")],
    ] {
        let r = search(&env, &params).await;
        r.problem(400);
    }
    // A cursor from one search is refused by another.
    let page = search(&env, &[("city", "Agra"), ("limit", "1")]).await;
    let cursor = page.ok(200)["next_cursor"].as_str().unwrap().to_string();
    search(&env, &[("city", "Agra"), ("limit", "1"), ("cursor", &cursor)]).await.ok(200);
    search(&env, &[("specialization", "event"), ("limit", "1"), ("cursor", &cursor)]).await.problem(400);
}
