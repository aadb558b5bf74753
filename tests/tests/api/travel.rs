//! Travel between shoots: two located bookings of one photographer on one day leave
//! time for the journey (great-circle distance over their travel speed) plus their
//! buffers, checked by POST /bookings and reschedules, and guaranteed under races by the
//! day item's version (DynamoDB Local, real concurrency).

use crate::bookings::{
    availability_doc, book, day, every_day, instant, list_mine, photographer, put_availability, reschedule,
    rule_conflict, set_status, utc,
};
use crate::support::*;
use aws_sdk_dynamodb::types::AttributeValue;
use cm_booking::Buffers;
use cm_booking::travel::{Place, check_travel};
use cm_tests::{ApiEvent, TestResponse, call};
use futures::future::join_all;
use serde_json::{Value, json};

/// The test photographers' base (Hyderabad) and a place about 30 km north of it:
/// 61 minutes at the default 30 km/h.
const BASE: (f64, f64) = (17.385, 78.4867);
const NORTH: (f64, f64) = (17.655, 78.4867);

fn at(photographer_id: &str, start: &str, minutes: u32, place: Option<(f64, f64)>) -> Value {
    let mut body = crate::bookings::request(photographer_id, start, minutes);
    if let Some((lat, lon)) = place {
        body["location"] = json!({"address": "Shoot", "city": "Hyderabad", "lat": lat, "lon": lon});
    }
    body
}

#[tokio::test]
async fn the_next_located_shoot_must_leave_time_to_travel() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let d = day(4);
    book(&env, &c.access, at(&p.id, &utc(d, 9, 0), 60, Some(BASE))).await.ok(201);

    // The slots offered for a shoot up north already leave the journey; without a place,
    // only the lock blocks shape them.
    let first_slot = |place: Option<(f64, f64)>| {
        let mut e = ApiEvent::new("GET /photographers/{id}/availability")
            .path("id", &p.id)
            .query("from", d.to_string())
            .query("to", d.to_string())
            .query("duration_minutes", "60");
        if let Some((lat, lon)) = place {
            e = e.query("lat", lat.to_string()).query("lon", lon.to_string());
        }
        let env = &env;
        async move { call(env.app, get_photographer_availability::handle, e).await.ok(200)["slots"][0]["start"].clone() }
    };
    assert_eq!(first_slot(None).await, json!(format!("{d}T10:00:00+00:00")));
    assert_eq!(first_slot(Some(NORTH)).await, json!(format!("{d}T11:30:00+00:00")));
    assert_eq!(first_slot(Some(BASE)).await, json!(format!("{d}T10:00:00+00:00")));

    // 30 minutes after a shoot 30 km away: refused, with starts that leave the journey.
    let r = book(&env, &c.access, at(&p.id, &utc(d, 10, 30), 60, Some(NORTH))).await;
    let suggested = rule_conflict(&r, "travel_time");
    assert_eq!(r.problem(409)["type"].as_str().unwrap().rsplit('/').next(), Some("travel-time"));
    assert!(r.body["detail"].as_str().unwrap().contains("61 minutes"), "{}", r.text);
    assert!(!suggested.is_empty());
    for s in &suggested {
        let start = instant(s);
        assert!(start.date_naive() != d || start >= instant(&utc(d, 11, 1)), "{s} leaves no time to travel");
    }
    // The same time at the same place, or at an unknown place, is fine.
    book(&env, &c.access, at(&p.id, &utc(d, 10, 0), 30, Some(BASE))).await.ok(201);
    book(&env, &c.access, at(&p.id, &utc(d, 10, 30), 30, None)).await.ok(201);
    // Far away once the journey fits: the last located shoot ends 10:30, +61 minutes.
    let r = book(&env, &c.access, at(&p.id, &utc(d, 11, 30), 60, Some(NORTH))).await;
    rule_conflict(&r, "travel_time");
    book(&env, &c.access, at(&p.id, &utc(d, 12, 0), 60, Some(NORTH))).await.ok(201);

    // A slower photographer needs longer: at 10 km/h the journey back takes 181 minutes.
    let doc = availability_doc(json!({"travel_speed_kmh": 10, "buffer_after_minutes": 15}));
    let applied = put_availability(&env, &p.access, doc).await.ok(200).clone();
    assert_eq!(applied["travel_speed_kmh"], 10);
    let r = book(&env, &c.access, at(&p.id, &utc(d, 15, 30), 60, Some(BASE))).await;
    rule_conflict(&r, "travel_time");
    assert!(r.body["detail"].as_str().unwrap().contains("196 minutes"), "181 + 15: {}", r.text);
    let bad = put_availability(&env, &p.access, availability_doc(json!({"travel_speed_kmh": 0}))).await;
    assert_eq!(bad.problem(422)["errors"][0]["field"], "travel_speed_kmh");
}

#[tokio::test]
async fn cancelling_or_moving_frees_the_journey_and_moves_are_checked_too() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let d = day(5);
    let first = book(&env, &c.access, at(&p.id, &utc(d, 9, 0), 60, Some(BASE))).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let far = book(&env, &c.access, at(&p.id, &utc(d, 14, 0), 60, Some(NORTH))).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Moving the far shoot right after the first is refused like a new booking.
    let r = reschedule(&env, &c.access, &far, json!({"start": utc(d, 10, 30)})).await;
    rule_conflict(&r, "travel_time");
    reschedule(&env, &c.access, &far, json!({"start": utc(d, 11, 30)})).await.ok(200);
    // Its old time is no longer where it stands: a base shoot at 14:00 is not blocked by it.
    book(&env, &c.access, at(&p.id, &utc(d, 14, 0), 60, Some(BASE))).await.ok(201);

    // Once the first shoot is cancelled, a far shoot can follow right on 09:00–10:00's heels.
    let r = book(&env, &c.access, at(&p.id, &utc(d, 9, 30), 30, Some(NORTH))).await;
    rule_conflict(&r, "overlap");
    let r = book(&env, &c.access, at(&p.id, &utc(d, 10, 0), 30, Some(NORTH))).await;
    rule_conflict(&r, "travel_time");
    set_status(&env, &c.access, &first, "cancelled", Some("plans changed")).await.ok(200);
    book(&env, &c.access, at(&p.id, &utc(d, 10, 0), 30, Some(NORTH))).await.ok(201);
}

/// Sixteen half-hour shoots back to back, alternating between two places 30 km apart,
/// all requested at once: no two overlap in time, so only the travel rule separates
/// them, and no lock block can. Whatever wins, the photographer's day must be travelable.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_far_apart_bookings_never_leave_an_impossible_day() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(register(&env, "client").await);
    }
    let d = day(6);
    let starts: Vec<String> = (0..16u32).map(|i| utc(d, 9 + i / 2, (i % 2) * 30)).collect();
    let attempts = starts.iter().enumerate().map(|(i, start)| {
        let place = if i % 2 == 0 { BASE } else { NORTH };
        book(&env, &clients[i % clients.len()].access, at(&p.id, start, 30, Some(place)))
    });
    let answers: Vec<TestResponse> = join_all(attempts).await;
    let won = answers.iter().filter(|r| r.status == 201).count();
    assert!(
        won >= 2,
        "a day of 8 hours has room for several: {:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in answers.iter().filter(|r| r.status != 201) {
        let problem = r.problem(409);
        let kind = problem["type"].as_str().unwrap().rsplit("/problems/").next().unwrap().to_string();
        assert!(kind == "booking-rule/travel-time" || kind == "day-busy", "{}", r.text);
    }

    // Every pair of kept shoots leaves the journey between them.
    let theirs = list_mine(&env, &p.access, &[("as", "photographer"), ("limit", "50")]).await.ok(200).clone();
    let places: Vec<Place> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| Place {
            booking: b["id"].as_str().unwrap().parse().unwrap(),
            start: instant(b["start"].as_str().unwrap()),
            end: instant(b["end"].as_str().unwrap()),
            lat: b["location"]["lat"].as_f64().unwrap(),
            lon: b["location"]["lon"].as_f64().unwrap(),
        })
        .collect();
    assert_eq!(places.len(), won);
    for place in &places {
        assert_eq!(check_travel(place, &places, Buffers::default(), 30), Ok(()), "{places:#?}");
    }
    let stored = cm_store::BookingReader::day_places(&env.app.store, p.id.parse().unwrap(), d).await.unwrap();
    let mut kept: Vec<_> = places.iter().map(|p| p.booking).collect();
    kept.sort();
    let mut on_day: Vec<_> = stored.places.iter().map(|p| p.booking).collect();
    on_day.sort();
    assert_eq!(on_day, kept, "the day item holds exactly the kept shoots");
}

/// A located booking from before days kept places is invisible to the travel check
/// until `backfill-day-places` writes it (DynamoStore::backfill_day_places), and then
/// it counts; running it again changes nothing but the version.
#[tokio::test]
async fn the_backfill_puts_older_bookings_on_their_day() {
    let env = cm_tests::env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let c = register(&env, "client").await;
    let d = day(8);
    let first = book(&env, &c.access, at(&p.id, &utc(d, 9, 0), 60, Some(BASE))).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    // As the day item of a booking made before this release: the count without the place.
    let pid: cm_core::UserId = p.id.parse().unwrap();
    env.dynamo
        .update_item()
        .table_name(&env.table)
        .key("pk", AttributeValue::S(format!("DAY#{pid}#{d}")))
        .key("sk", AttributeValue::S("DAY".into()))
        .update_expression("REMOVE #p")
        .expression_attribute_names("#p", format!("place_{first}"))
        .send()
        .await
        .unwrap();
    let store = &env.app.store;
    assert!(cm_store::BookingReader::day_places(store, pid, d).await.unwrap().places.is_empty());
    let other = register(&env, "client").await;
    let unguarded = book(&env, &other.access, at(&p.id, &utc(d, 10, 30), 30, Some(NORTH))).await.ok(201).clone();
    set_status(&env, &other.access, unguarded["id"].as_str().unwrap(), "cancelled", Some("test")).await.ok(200);

    let (from, to) = (instant(&utc(d, 0, 0)), instant(&utc(d, 23, 59)));
    assert_eq!(store.backfill_day_places(pid, from, to).await.unwrap(), 1);
    let places = cm_store::BookingReader::day_places(store, pid, d).await.unwrap();
    assert_eq!(places.places.iter().map(|p| p.booking.to_string()).collect::<Vec<_>>(), [first]);
    let r = book(&env, &other.access, at(&p.id, &utc(d, 10, 30), 30, Some(NORTH))).await;
    rule_conflict(&r, "travel_time");

    assert_eq!(store.backfill_day_places(pid, from, to).await.unwrap(), 1, "idempotent");
    let again = cm_store::BookingReader::day_places(store, pid, d).await.unwrap();
    assert_eq!(again.places, places.places);
    assert_eq!(again.version, places.version + 1);
}

/// Midnight is no border for a journey: a shoot ending at 23:30 and one starting at
/// 00:00 the next day are half an hour apart, and 30 km need 61 minutes. The check, the
/// slots offered and the race guard all see across it (each located session is kept on
/// its date's day item and on those either side).
#[tokio::test]
async fn the_journey_after_a_late_shoot_is_checked_across_midnight() {
    let env = cm_tests::env().await;
    let hours = json!([{"start": "00:00", "end": "03:00"}, {"start": "20:00", "end": "23:30"}]);
    let p = photographer(&env, availability_doc(json!({"weekly": every_day(hours)}))).await;
    let c = register(&env, "client").await;
    let d = day(9);
    let next = d.succ_opt().unwrap();
    book(&env, &c.access, at(&p.id, &utc(d, 22, 30), 60, Some(BASE))).await.ok(201);

    let r = book(&env, &c.access, at(&p.id, &utc(next, 0, 0), 60, Some(NORTH))).await;
    rule_conflict(&r, "travel_time");
    assert!(r.body["detail"].as_str().unwrap().contains("61 minutes"), "{}", r.text);
    // The slots offered up north after midnight leave the journey too.
    let e = ApiEvent::new("GET /photographers/{id}/availability")
        .path("id", &p.id)
        .query("from", next.to_string())
        .query("to", next.to_string())
        .query("duration_minutes", "60")
        .query("lat", NORTH.0.to_string())
        .query("lon", NORTH.1.to_string());
    let slots = call(env.app, get_photographer_availability::handle, e).await.ok(200)["slots"].clone();
    let first = instant(slots[0]["start"].as_str().unwrap());
    assert!(first >= instant(&utc(next, 0, 31)), "{slots}");
    // Once the journey fits, it is booked; and the other way round, a late shoot far
    // from an early one the next day is refused as well.
    book(&env, &c.access, at(&p.id, &utc(next, 1, 0), 60, Some(NORTH))).await.ok(201);
    let before = d.pred_opt().unwrap();
    book(&env, &c.access, at(&p.id, &utc(d, 0, 30), 60, Some(NORTH))).await.ok(201);
    let r = book(&env, &c.access, at(&p.id, &utc(before, 23, 0), 30, Some(BASE))).await;
    rule_conflict(&r, "travel_time");
}

/// Two far-apart shoots racing for either side of one midnight: whichever way the
/// requests interleave, never both (each writes its place onto the other's date and
/// bumps the version the other is conditioned on). Five nights, each raced at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shoots_racing_across_midnight_never_both_win() {
    let env = cm_tests::env().await;
    let hours = json!([{"start": "00:00", "end": "03:00"}, {"start": "20:00", "end": "23:30"}]);
    let p = photographer(&env, availability_doc(json!({"weekly": every_day(hours)}))).await;
    let (a, b) = (register(&env, "client").await, register(&env, "client").await);
    for n in 10..15 {
        let d = day(n);
        let next = d.succ_opt().unwrap();
        let (late, early) = tokio::join!(
            book(&env, &a.access, at(&p.id, &utc(d, 22, 30), 60, Some(BASE))),
            book(&env, &b.access, at(&p.id, &utc(next, 0, 0), 60, Some(NORTH))),
        );
        let won = [&late, &early].iter().filter(|r| r.status == 201).count();
        assert_eq!(won, 1, "{d}: {} / {}", late.text, early.text);
        for r in [&late, &early].into_iter().filter(|r| r.status != 201) {
            let kind = r.problem(409)["type"].as_str().unwrap().rsplit("/problems/").next().unwrap().to_string();
            assert!(kind == "booking-rule/travel-time" || kind == "day-busy", "{}", r.text);
        }
    }
}
