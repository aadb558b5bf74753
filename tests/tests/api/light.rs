//! Sun-aware slots: each date's light in the availability answer, slots scored for the
//! kind of shoot, and the best few (GET /photographers/{id}/optimal-slots). The light
//! itself is checked against the `astral` package in cm-geo; here, that the endpoints
//! compute it for the right place, dates and zone, and rank by it.

use crate::bookings::{availability_doc, book, day, every_day, request};
use crate::support::*;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use cm_geo::Point;
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};
use std::collections::BTreeMap;

async fn availability(env: &TestEnv, id: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/{id}/availability").path("id", id);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, get_photographer_availability::handle, e).await
}

async fn best(env: &TestEnv, id: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/{id}/optimal-slots").path("id", id);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, get_optimal_slots::handle, e).await
}

/// A photographer based in Hyderabad (the test profile's base), working 05:00–21:00
/// Kolkata time every day, so mornings and evenings both have their golden hour.
async fn dawn_to_dusk(env: &TestEnv) -> Session {
    let p = photographer_with_profile(env, profile("Surya", "Hyderabad", &["wedding", "newborn"], 5000, "INR")).await;
    let doc = availability_doc(json!({"timezone": "Asia/Kolkata",
        "weekly": every_day(json!([{"start": "05:00", "end": "21:00"}]))}));
    crate::bookings::put_availability(env, &p.access, doc).await.ok(200);
    p
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap().with_timezone(&Utc)
}

fn dates(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|d| *d <= to).collect()
}

fn codes(slot: &Value) -> Vec<String> {
    slot["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn every_date_carries_its_light_at_the_photographers_base_or_the_shoots_place() {
    let env = env().await;
    let p = dawn_to_dusk(&env).await;
    let (from, to) = (day(3), day(5));
    let range = [("from", from.to_string()), ("to", to.to_string()), ("duration_minutes", "60".into())];
    let q: Vec<(&str, &str)> = range.iter().map(|(k, v)| (*k, v.as_str())).collect();

    // No place given: the photographer's base, in the photographer's zone.
    let body = availability(&env, &p.id, &q).await.ok(200).clone();
    assert_eq!(body["location"], json!({"lat": 17.385, "lon": 78.4867, "source": "photographer_base"}));
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    let base = Point::new(17.385, 78.4867).unwrap();
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 3, "one entry per date of the range");
    for (d, date) in days.iter().zip(dates(from, to)) {
        assert_eq!(d["date"], date.to_string());
        assert_eq!(d["sun"], serde_json::to_value(cm_geo::daylight(date, kolkata, base).view(kolkata)).unwrap());
        assert!(d["sun"]["sunrise"].as_str().unwrap().ends_with("+05:30"));
        assert!(!d["sun"]["golden_hour"]["evening"].is_null());
    }
    assert!(body["slots"].as_array().unwrap().iter().all(|s| s["score"].is_u64() && !codes(s).is_empty()));

    // A shoot in Reykjavik, read in Reykjavik's zone: that place's light on those dates.
    let mut there = q.clone();
    there.extend([("lat", "64.1466"), ("lon", "-21.9426"), ("tz", "Atlantic/Reykjavik")]);
    let body = availability(&env, &p.id, &there).await.ok(200).clone();
    assert_eq!(body["location"]["source"], "query");
    let reykjavik: Tz = "Atlantic/Reykjavik".parse().unwrap();
    let point = Point::new(64.1466, -21.9426).unwrap();
    for (d, date) in body["days"].as_array().unwrap().iter().zip(dates(from, to)) {
        assert_eq!(d["sun"], serde_json::to_value(cm_geo::daylight(date, reykjavik, point).view(reykjavik)).unwrap());
    }
    // Near the pole the sun may not rise or set at all: said, not invented.
    let mut pole = q.clone();
    pole.extend([("lat", "89.9"), ("lon", "0")]);
    for d in availability(&env, &p.id, &pole).await.ok(200)["days"].as_array().unwrap() {
        let polar = d["sun"]["polar"].as_str();
        assert_eq!(polar.is_some(), d["sun"]["sunrise"].is_null() && d["sun"]["sunset"].is_null(), "{d}");
        if polar == Some("polar_night") {
            assert!(d["sun"]["golden_hour"]["morning"].is_null() && d["sun"]["golden_hour"]["evening"].is_null());
        }
    }
}

#[tokio::test]
async fn a_wedding_is_offered_its_golden_hours_and_a_newborn_shoot_full_daylight() {
    let env = env().await;
    let p = dawn_to_dusk(&env).await;
    let (from, to) = (day(3), day(9));
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let q = |event: &'static str| {
        vec![
            ("date_from", from_s.clone()),
            ("date_to", to_s.clone()),
            ("duration_minutes", "60".to_string()),
            ("event_type", event.to_string()),
            ("limit", "6".to_string()),
        ]
    };
    let as_refs = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();

    let wedding: Vec<(&str, String)> = as_refs(&q("wedding"));
    let params: Vec<(&str, &str)> = wedding.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = best(&env, &p.id, &params).await.ok(200).clone();
    assert_eq!(body["event_type"], "wedding");
    let slots = body["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 6);
    let mut per_date: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in slots.iter().enumerate() {
        // Best first, each slot touching a golden hour of its own date, named in its reasons.
        if i > 0 {
            assert!(slots[i - 1]["score"].as_u64() >= s["score"].as_u64());
        }
        let (start, end) = (instant(&s["start"]), instant(&s["end"]));
        let golden = &s["day"]["sun"]["golden_hour"];
        let touches = ["morning", "evening"]
            .iter()
            .any(|w| !golden[w].is_null() && instant(&golden[w]["start"]) < end && start < instant(&golden[w]["end"]));
        assert!(touches, "{s}");
        assert!(codes(s).iter().any(|c| c.ends_with("_golden_hour")), "{s}");
        assert_eq!(s["day"]["date"].as_str().unwrap(), &s["start"].as_str().unwrap()[..10]);
        *per_date.entry(s["day"]["date"].as_str().unwrap().to_string()).or_default() += 1;
        for other in &slots[i + 1..] {
            assert!(!(instant(&other["start"]) < end && start < instant(&other["end"])), "overlap: {s} {other}");
        }
    }
    assert!(per_date.values().all(|n| *n <= 2), "{per_date:?}");

    // The same range for a newborn shoot: the best are in full daylight, and a wedding's
    // best evening slot scores lower there than the newborn shoot's best.
    let newborn = as_refs(&q("newborn"));
    let params: Vec<(&str, &str)> = newborn.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = best(&env, &p.id, &params).await.ok(200).clone();
    for s in body["slots"].as_array().unwrap() {
        assert!(codes(s).contains(&"daylight".to_string()), "{s}");
        assert_eq!(s["score"], 100, "full daylight on a free day: {s}");
    }
}

#[tokio::test]
async fn an_event_follows_the_clients_clock_and_a_free_day_beats_a_busy_one() {
    let env = env().await;
    let p = dawn_to_dusk(&env).await;
    let client = register(&env, "client").await;
    let (busy, free) = (day(4), day(5));
    // A shoot already booked on the first day, well away from 18:00.
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    let morning = busy.and_hms_opt(8, 0, 0).unwrap().and_local_timezone(kolkata).unwrap().with_timezone(&Utc);
    book(&env, &client.access, request(&p.id, &morning.to_rfc3339(), 60)).await.ok(201);

    let (from_s, to_s) = (busy.to_string(), free.to_string());
    let params = [
        ("date_from", from_s.as_str()),
        ("date_to", to_s.as_str()),
        ("duration_minutes", "60"),
        ("event_type", "event"),
        ("preferred_time", "18:00"),
        ("limit", "3"),
    ];
    let body = best(&env, &p.id, &params).await.ok(200).clone();
    let slots = body["slots"].as_array().unwrap();
    assert_eq!(slots[0]["start"], format!("{free}T18:00:00+05:30"), "the free day's 18:00 first: {body}");
    assert_eq!(slots[0]["score"], 100);
    assert_eq!(codes(&slots[0]), ["preferred_time", "free_day"]);
    assert_eq!(slots[1]["start"], format!("{busy}T18:00:00+05:30"), "then the busy day's: {body}");
    assert_eq!(codes(&slots[1]), ["preferred_time", "busy_day"]);
    assert!(slots[0]["score"].as_u64() > slots[1]["score"].as_u64());
    // The availability answer scores every slot the same way.
    let all = [
        ("from", from_s.as_str()),
        ("to", to_s.as_str()),
        ("duration_minutes", "60"),
        ("event_type", "event"),
        ("preferred_time", "18:00"),
    ];
    let body = availability(&env, &p.id, &all).await.ok(200).clone();
    let top = body["slots"].as_array().unwrap().iter().max_by_key(|s| s["score"].as_u64()).unwrap();
    assert_eq!(top["start"], format!("{free}T18:00:00+05:30"));
}

#[tokio::test]
async fn slot_light_queries_validate_their_parameters() {
    let env = env().await;
    let p = dawn_to_dusk(&env).await;
    let d = day(3).to_string();
    let bad = |r: TestResponse| {
        r.problem(400);
        r.error_fields()
    };
    let base = [("from", d.as_str()), ("to", d.as_str()), ("duration_minutes", "60")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut q: Vec<(&str, &str)> = base.to_vec();
        q.extend_from_slice(extra);
        q
    };
    assert_eq!(bad(availability(&env, &p.id, &with(&[("lat", "10")])).await), ["lon"]);
    assert_eq!(bad(availability(&env, &p.id, &with(&[("lon", "10")])).await), ["lat"]);
    assert_eq!(
        bad(availability(&env, &p.id, &with(&[("lat", "91"), ("lon", "181"), ("event_type", "party")])).await),
        ["lat", "lon", "event_type"]
    );
    assert_eq!(bad(availability(&env, &p.id, &with(&[("preferred_time", "7pm")])).await), ["preferred_time"]);
    // Domain and shoot problems are reported together.
    assert_eq!(
        bad(availability(&env, &p.id, &[("from", d.as_str()), ("lat", "x"), ("lon", "1")]).await),
        ["to", "duration_minutes", "lat"]
    );
    // Blank means absent.
    availability(&env, &p.id, &with(&[("lat", ""), ("lon", " "), ("event_type", ""), ("preferred_time", "")]))
        .await
        .ok(200);

    let opt = [("date_from", d.as_str()), ("date_to", d.as_str()), ("duration_minutes", "60")];
    best(&env, &p.id, &opt).await.ok(200);
    assert_eq!(bad(best(&env, &p.id, &[("duration_minutes", "60")]).await), ["date_from", "date_to"]);
    let far = day(3).checked_add_days(Days::new(62)).unwrap().to_string();
    assert_eq!(
        bad(best(
            &env,
            &p.id,
            &[("date_from", d.as_str()), ("date_to", &far), ("duration_minutes", "60"), ("tz", "Nowhere")]
        )
        .await),
        ["date_to", "tz"]
    );
    for limit in ["0", "21", "five"] {
        let mut q = opt.to_vec();
        q.push(("limit", limit));
        assert_eq!(bad(best(&env, &p.id, &q).await), ["limit"], "limit={limit}");
    }
    let mut q = opt.to_vec();
    q.push(("from", d.as_str()));
    assert_eq!(bad(best(&env, &p.id, &q).await), ["from"], "the availability's names are not this endpoint's");
    best(&env, &ulid::Ulid::new().to_string(), &opt).await.problem(404);
}
