//! Search near a point (GET /photographers?lat=&lon=&radius_km=): who serves that
//! place, nearest first, read from geo cells written with each profile. The cells'
//! exactness is property-tested in cm-geo; here, that profiles are written under them,
//! moved and delisted with them, and read back through the real table, including
//! across the antimeridian and next to a pole.

use crate::support::*;
use cm_geo::Point;
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};

async fn near(env: &TestEnv, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers");
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, search_photographers::handle, e).await
}

/// A photographer based at `lat`, `lon`, serving `radius_km` around it.
async fn based_at(env: &TestEnv, name: &str, specs: &[&str], lat: f64, lon: f64, radius_km: u32) -> Session {
    let mut doc = profile(name, "Somewhere", specs, 4000, "INR");
    doc["lat"] = json!(lat);
    doc["lon"] = json!(lon);
    doc["service_radius_km"] = json!(radius_km);
    photographer_with_profile(env, doc).await
}

fn names(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|p| p["display_name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_client_finds_who_serves_their_point_nearest_first_with_the_distance() {
    let env = env().await;
    let here = Point::new(17.385, 78.4867).unwrap();
    // In town; 27 km out with a wide radius; 200 km out with a short one (does not
    // reach); Mumbai, about 620 km away, serving 1,000 km around it.
    based_at(&env, "Town", &["wedding"], 17.385, 78.4867, 50).await;
    based_at(&env, "Outskirts", &["portrait"], 17.6, 78.6, 100).await;
    based_at(&env, "Too far", &["wedding"], 19.1, 78.4867, 50).await;
    based_at(&env, "Mumbai", &["wedding"], 19.076, 72.8777, 1000).await;

    let body = near(&env, &[("lat", "17.385"), ("lon", "78.4867")]).await.ok(200).clone();
    assert_eq!(names(&body), ["Town", "Outskirts", "Mumbai"]);
    let distances: Vec<f64> =
        body["items"].as_array().unwrap().iter().map(|p| p["distance_km"].as_f64().unwrap()).collect();
    assert_eq!(distances[0], 0.0);
    let outskirts = Point::new(17.6, 78.6).unwrap().distance_km(&here);
    assert_eq!(distances[1], (outskirts * 10.0).round() / 10.0);
    assert!((600.0..650.0).contains(&distances[2]), "{distances:?}");
    // The profile as search shows it, plus the distance.
    assert_eq!(body["items"][0]["service_radius_km"], 50);
    assert!(body["items"][0]["rating"].is_object());

    // The client's own reach, and the other filters, narrow it.
    assert_eq!(
        names(near(&env, &[("lat", "17.385"), ("lon", "78.4867"), ("radius_km", "100")]).await.ok(200)),
        ["Town", "Outskirts"]
    );
    assert_eq!(
        names(near(&env, &[("lat", "17.385"), ("lon", "78.4867"), ("specialization", "wedding")]).await.ok(200)),
        ["Town", "Mumbai"]
    );
    // 150 km north of Hyderabad only Too far's own 50 km does not reach; Mumbai's does.
    assert_eq!(names(near(&env, &[("lat", "18.74"), ("lon", "78.4867")]).await.ok(200)), ["Too far", "Mumbai"]);

    // Pages walk the same order, and a cursor belongs to its search.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = vec![("lat", "17.385".to_string()), ("lon", "78.4867".to_string()), ("limit", "1".to_string())];
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = near(&env, &q).await.ok(200).clone();
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(seen.len() < 10, "pages never end: {seen:?}");
    }
    assert_eq!(seen, ["Town", "Outskirts", "Mumbai"]);
    let first = near(&env, &[("lat", "17.385"), ("lon", "78.4867"), ("limit", "1")]).await.ok(200).clone();
    let stolen = first["next_cursor"].as_str().unwrap();
    near(&env, &[("lat", "18.74"), ("lon", "78.4867"), ("cursor", stolen)]).await.problem(400);
}

#[tokio::test]
async fn the_antimeridian_and_the_poles_are_no_edge() {
    let env = env().await;
    based_at(&env, "Fiji", &["wedding"], -17.7, 179.9, 100).await;
    based_at(&env, "Pole", &["product"], 89.9, 0.0, 50).await;
    // 32 km east of Fiji's base, across ±180°.
    let body = near(&env, &[("lat", "-17.7"), ("lon", "-179.8")]).await.ok(200).clone();
    assert_eq!(names(&body), ["Fiji"]);
    assert!((body["items"][0]["distance_km"].as_f64().unwrap() - 31.8).abs() < 0.5, "{body}");
    // The far side of the pole, 22 km away over the top.
    assert_eq!(names(near(&env, &[("lat", "89.9"), ("lon", "180")]).await.ok(200)), ["Pole"]);
    assert_eq!(names(near(&env, &[("lat", "89.95"), ("lon", "-90")]).await.ok(200)), ["Pole"]);
    assert!(names(near(&env, &[("lat", "0"), ("lon", "0")]).await.ok(200)).is_empty());
}

#[tokio::test]
async fn moving_or_delisting_a_photographer_moves_them_in_search() {
    let env = env().await;
    let p = based_at(&env, "Mover", &["wedding"], 17.385, 78.4867, 30).await;
    let at_home = [("lat", "17.4"), ("lon", "78.5")];
    assert_eq!(names(near(&env, &at_home).await.ok(200)), ["Mover"]);
    // Moves to Pune: gone from Hyderabad, found in Pune.
    let mut doc = profile("Mover", "Pune", &["wedding"], 4000, "INR");
    (doc["lat"], doc["lon"], doc["service_radius_km"]) = (json!(18.5204), json!(73.8567), json!(30));
    call(
        env.app,
        put_my_photographer_profile::handle,
        ApiEvent::new("PUT /photographers/me").bearer(&p.access).json(doc),
    )
    .await
    .ok(200);
    assert!(names(near(&env, &at_home).await.ok(200)).is_empty());
    assert_eq!(names(near(&env, &[("lat", "18.52"), ("lon", "73.85")]).await.ok(200)), ["Mover"]);
    // Deactivated by an admin: not found anywhere.
    let admin = admin(&env).await;
    call(
        env.app,
        admin_update_user::handle,
        ApiEvent::new("PATCH /admin/users/{id}").path("id", &p.id).bearer(&admin.access).json(json!({"active": false})),
    )
    .await
    .ok(200);
    assert!(names(near(&env, &[("lat", "18.52"), ("lon", "73.85")]).await.ok(200)).is_empty());
}

#[tokio::test]
async fn a_search_near_a_point_checks_its_place() {
    let env = env().await;
    let bad = |r: TestResponse| {
        r.problem(400);
        r.error_fields()
    };
    assert_eq!(bad(near(&env, &[("lat", "17")]).await), ["lon"]);
    assert_eq!(bad(near(&env, &[("lon", "78")]).await), ["lat"]);
    assert_eq!(bad(near(&env, &[("radius_km", "10")]).await), ["radius_km"]);
    assert_eq!(bad(near(&env, &[("lat", "91"), ("lon", "-181")]).await), ["lat", "lon"]);
    for r in ["0", "1001", "ten"] {
        assert_eq!(bad(near(&env, &[("lat", "1"), ("lon", "1"), ("radius_km", r)]).await), ["radius_km"], "{r}");
    }
    near(&env, &[("lat", ""), ("lon", " ")]).await.ok(200);
}

/// Profiles saved before a release added the geo cells have none until they are
/// written again; the operator's `reindex-listings` writes them (through
/// `DynamoStore::rewrite_listings`), and running it twice changes nothing more.
#[tokio::test]
async fn reindexing_writes_the_listings_a_profile_saved_earlier_lacks() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use cm_store::PhotographerReader;
    let env = env().await;
    let p = based_at(&env, "Early", &["wedding"], 12.9716, 77.5946, 40).await;
    let id: cm_core::UserId = p.id.parse().unwrap();
    let here = [("lat", "12.98"), ("lon", "77.6")];
    assert_eq!(names(near(&env, &here).await.ok(200)), ["Early"]);

    // As before the release: the geo listing items do not exist.
    let record = env.app.store.get_photographer(id).await.unwrap().unwrap();
    let mut removed = 0;
    for (partition, rank) in record.listings().into_iter().filter(|(p, _)| p.starts_with("geo#")) {
        env.dynamo
            .delete_item()
            .table_name(&env.table)
            .key("pk", AttributeValue::S(format!("LISTING#{partition}")))
            .key("sk", AttributeValue::S(rank))
            .send()
            .await
            .unwrap();
        removed += 1;
    }
    assert!(removed > 0);
    assert!(names(near(&env, &here).await.ok(200)).is_empty());
    // The city search still finds them: only the new partitions were missing.
    let by_city =
        call(env.app, search_photographers::handle, ApiEvent::new("GET /photographers").query("city", "Somewhere"))
            .await;
    assert_eq!(names(by_city.ok(200)), ["Early"]);

    assert!(env.app.store.rewrite_listings(id).await.unwrap());
    assert_eq!(names(near(&env, &here).await.ok(200)), ["Early"]);
    let after_once = env.app.store.get_photographer(id).await.unwrap().unwrap();
    assert_eq!(after_once.profile, record.profile, "the profile itself is untouched");
    assert!(env.app.store.rewrite_listings(id).await.unwrap());
    assert_eq!(names(near(&env, &here).await.ok(200)), ["Early"]);
    assert!(!env.app.store.rewrite_listings(cm_core::UserId::new()).await.unwrap(), "no such photographer");
}

/// A booking placed with coordinates must be somewhere the photographer travels to;
/// a place without coordinates is taken on trust, as before.
#[tokio::test]
async fn a_booking_outside_the_service_area_is_refused_with_the_distance() {
    use crate::bookings::{availability_doc, book, day, put_availability, request, utc};
    let env = env().await;
    let p = based_at(&env, "Local", &["portrait"], 17.385, 78.4867, 30).await;
    put_availability(&env, &p.access, availability_doc(json!({}))).await.ok(200);
    let client = register(&env, "client").await;
    let at = |lat: f64, lon: f64, hour: u32| {
        let mut r = request(&p.id, &utc(day(3), hour, 0), 60);
        r["location"]["lat"] = json!(lat);
        r["location"]["lon"] = json!(lon);
        r
    };
    // Warangal, about 135 km away.
    let far = book(&env, &client.access, at(17.9689, 79.5941, 10)).await;
    far.problem(422);
    assert_eq!(far.error_fields(), ["location"]);
    let message = far.body["errors"][0]["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("the place is 13") && message.ends_with("they travel up to 30 km"), "{message}");
    // Banjara Hills, about 5 km away, and a place with no coordinates.
    book(&env, &client.access, at(17.4126, 78.4482, 10)).await.ok(201);
    book(&env, &client.access, request(&p.id, &utc(day(3), 13, 0), 60)).await.ok(201);
}
