//! Busy time in: a photographer's external calendars (GET/POST
//! /photographers/me/calendars, DELETE …/{id}, POST …/{id}/sync, the
//! sync-external-calendars schedule) against DynamoDB Local, fetched from fixture
//! calendars served over HTTP on 127.0.0.1 by the test (the fetch's test allowance is on
//! in the fetcher these tests build; nothing else about the fetch is relaxed, and its
//! time limit is shortened to keep the stalled-feed case quick).

use crate::bookings::{availability_doc, book, day, photographer, request, rule_conflict, utc};
use crate::support::*;
use chrono::{NaiveDate, TimeDelta, Utc};
use cm_calsync::source::UrlPolicy;
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use cm_webcal::{FetchConfig, Fetcher};
use local_stack::calendars::{Behavior, FixtureCalendars, demo_calendar};
use serde_json::{Value, json};
use std::time::Duration;

const TESTS: UrlPolicy = UrlPolicy { allow_loopback: true };

fn fetcher() -> &'static Fetcher {
    let config = FetchConfig {
        allow_loopback: true,
        timeout: Duration::from_millis(1500),
        connect_timeout: Duration::from_millis(1000),
        ..FetchConfig::default()
    };
    Box::leak(Box::new(Fetcher::new(config).unwrap()))
}

async fn list(env: &TestEnv, token: &str) -> TestResponse {
    call(env.app, list_my_external_calendars::handle, ApiEvent::new("GET /photographers/me/calendars").bearer(token))
        .await
}

async fn add(env: &TestEnv, token: &str, body: Value) -> TestResponse {
    call(
        env.app,
        |app, req| add_my_external_calendar::handle(app, &TESTS, req),
        ApiEvent::new("POST /photographers/me/calendars").bearer(token).json(body),
    )
    .await
}

async fn remove(env: &TestEnv, token: &str, id: &str) -> TestResponse {
    call(
        env.app,
        delete_my_external_calendar::handle,
        ApiEvent::new("DELETE /photographers/me/calendars/{id}").path("id", id).bearer(token),
    )
    .await
}

async fn sync_now(env: &TestEnv, fetcher: &'static Fetcher, token: &str, id: &str) -> TestResponse {
    call(
        env.app,
        move |app, req| sync_my_external_calendar::handle(app, fetcher, req),
        ApiEvent::new("POST /photographers/me/calendars/{id}/sync").path("id", id).bearer(token),
    )
    .await
}

async fn run_schedule(env: &TestEnv, fetcher: &Fetcher, at: chrono::DateTime<Utc>) -> sync_external_calendars::Summary {
    sync_external_calendars::sync_due(env.app, fetcher, at).await.unwrap()
}

/// A photographer working 09:00–17:00 UTC every day, bookable from tomorrow.
async fn working_photographer(env: &TestEnv) -> Session {
    photographer(env, availability_doc(json!({"min_notice_minutes": 60, "max_days_ahead": 60}))).await
}

async fn slots_on(env: &TestEnv, photographer_id: &str, date: NaiveDate) -> Vec<String> {
    let r = call(
        env.app,
        get_photographer_availability::handle,
        ApiEvent::new("GET /photographers/{id}/availability")
            .path("id", photographer_id)
            .query("from", date)
            .query("to", date)
            .query("duration_minutes", 60),
    )
    .await;
    assert!(!r.text.contains("Dentist") && !r.text.contains("wedding (private)"), "{}", r.text);
    r.ok(200)["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect()
}

fn slot(date: NaiveDate, hh: u32) -> String {
    format!("{date}T{hh:02}:00:00+00:00")
}

/// The weekly event (10:00–11:00 UTC on day 3, 10 excluded, 17, 24) and the all-day
/// event (day 5), added and synced by the schedule.
async fn synced_calendar(env: &TestEnv, who: &Session, fixtures: &FixtureCalendars, path: &str) -> Value {
    fixtures.set(path, Behavior::Calendar { body: demo_calendar(day(3), 4, day(5)), etag: "\"v1\"".into() });
    let added = add(env, &who.access, json!({"url": fixtures.url(path), "label": "Personal"})).await.ok(201).clone();
    assert_eq!(added["status"], "pending", "{added}");
    let summary = run_schedule(env, fetcher(), Utc::now()).await;
    assert!(summary.synced >= 1, "{summary:?}");
    added
}

#[tokio::test]
async fn recurring_and_all_day_busy_time_blocks_booking_without_showing_what_it_is() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    let p = working_photographer(&env).await;
    let client = register(&env, "client").await;
    let added = synced_calendar(&env, &p, &fixtures, "/asha.ics").await;

    let listed = list(&env, &p.access).await.ok(200).clone();
    let item = &listed["items"][0];
    assert_eq!(item["id"], added["id"]);
    assert_eq!((item["status"].as_str(), item["last_error"].is_null()), (Some("ok"), true), "{listed}");
    // Three weekly occurrences left after the EXDATE, and the all-day event.
    assert_eq!(item["busy_intervals"], 4, "{listed}");
    assert!(item["last_success_at"].is_string());

    // The weekly occurrence takes 10:00–11:00 (a 60-minute slot at 10:00 is gone, and so
    // is 09:30 which would run into it); the transparent event at 14:00 takes nothing.
    let offered = slots_on(&env, &p.id, day(3)).await;
    assert!(!offered.contains(&slot(day(3), 10)) && offered.contains(&slot(day(3), 11)), "{offered:?}");
    assert!(offered.contains(&slot(day(3), 14)) && offered.contains(&slot(day(3), 9)), "{offered:?}");
    let r = book(&env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await;
    let suggested = rule_conflict(&r, "overlap");
    assert!(!r.text.contains("Dentist"), "{}", r.text);
    assert!(!suggested.iter().any(|s| s.starts_with(&format!("{}T10", day(3)))), "{suggested:?}");
    book(&env, &client.access, request(&p.id, &utc(day(17), 10, 0), 60)).await.problem(409);
    // The EXDATE'd week is free.
    assert!(slots_on(&env, &p.id, day(10)).await.contains(&slot(day(10), 10)));
    book(&env, &client.access, request(&p.id, &utc(day(10), 10, 0), 60)).await.ok(201);
    // The all-day event takes the whole (UTC) day.
    assert_eq!(slots_on(&env, &p.id, day(5)).await, Vec::<String>::new());
    rule_conflict(&book(&env, &client.access, request(&p.id, &utc(day(5), 15, 0), 60)).await, "overlap");
    // The busy time is not a booking: the photographer's bookings list is untouched.
    let r = call(env.app, list_my_bookings::handle, ApiEvent::new("GET /bookings").bearer(&p.access)).await;
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 1, "{}", r.text);
}

#[tokio::test]
async fn unchanged_feeds_answer_304_and_a_failing_feed_keeps_its_busy_time_and_shows_why() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    let p = working_photographer(&env).await;
    let client = register(&env, "client").await;
    synced_calendar(&env, &p, &fixtures, "/cal.ics").await;
    assert_eq!((fixtures.hits("/cal.ics"), fixtures.not_modified("/cal.ics")), (1, 0));

    // Not due yet: the schedule leaves it alone.
    assert_eq!(run_schedule(&env, fetcher(), Utc::now() + TimeDelta::minutes(5)).await.synced, 0);
    assert_eq!(fixtures.hits("/cal.ics"), 1);
    // Due: a conditional GET, answered 304; the busy time stays.
    let summary = run_schedule(&env, fetcher(), Utc::now() + TimeDelta::minutes(16)).await;
    assert_eq!((summary.unchanged, summary.synced), (1, 0), "{summary:?}");
    assert_eq!(fixtures.not_modified("/cal.ics"), 1);
    book(&env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await.problem(409);

    // The calendar breaks: the error is shown, the last busy time still blocks.
    let before = list(&env, &p.access).await.ok(200)["items"][0].clone();
    fixtures.set("/cal.ics", Behavior::Status(500));
    let summary = run_schedule(&env, fetcher(), Utc::now() + TimeDelta::minutes(40)).await;
    assert_eq!(summary.failed, 1, "{summary:?}");
    let after = list(&env, &p.access).await.ok(200)["items"][0].clone();
    assert_eq!(after["status"], "failing", "{after}");
    assert_eq!(after["last_error"], "the calendar's server answered HTTP 500");
    assert_eq!(after["last_success_at"], before["last_success_at"]);
    assert_eq!(after["busy_intervals"], 4);
    book(&env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await.problem(409);
    assert!(!slots_on(&env, &p.id, day(5)).await.iter().any(|s| s.starts_with(&day(5).to_string())));
    // It is retried later than a healthy calendar would be.
    let next = chrono::DateTime::parse_from_rfc3339(after["next_sync_at"].as_str().unwrap()).unwrap();
    assert!(next.with_timezone(&Utc) >= Utc::now() + TimeDelta::minutes(40 + 29), "{after}");
}

#[tokio::test]
async fn redirects_to_blocked_addresses_or_plain_http_and_endless_redirects_are_refused() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    let fetcher = fetcher();
    let p = working_photographer(&env).await;
    let cases = [
        ("/metadata.ics", "http://169.254.169.254/latest/meta-data/".to_string(), "not allowed"),
        ("/mapped.ics", "https://[::ffff:169.254.169.254]/x.ics".to_string(), "not allowed"),
        ("/private.ics", "https://10.0.0.7/cal.ics".to_string(), "not allowed"),
        ("/plain.ics", "http://calendar.example.com/cal.ics".to_string(), "not allowed"),
        ("/loop.ics", fixtures.url("/loop.ics"), "more than 3 times"),
    ];
    for (path, location, why) in cases {
        fixtures.set(path, Behavior::Redirect(location.clone()));
        let id =
            add(&env, &p.access, json!({"url": fixtures.url(path)})).await.ok(201)["id"].as_str().unwrap().to_string();
        let r = sync_now(&env, fetcher, &p.access, &id).await;
        let state = r.ok(200);
        assert_eq!(state["status"], "failing", "{location}: {state}");
        assert!(state["last_error"].as_str().unwrap().contains(why), "{location}: {state}");
        assert_eq!(state["busy_intervals"], 0);
        remove(&env, &p.access, &id).await;
    }
    // The redirect to the metadata service was never followed: only the loop's own
    // address was asked for more than once.
    assert_eq!(fixtures.hits("/metadata.ics"), 1);
    assert_eq!(fixtures.hits("/loop.ics"), 4, "the first request and three redirects");
}

#[tokio::test]
async fn oversize_and_stalled_feeds_are_cut_off_with_a_clear_error() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    let fetcher = fetcher();
    let p = working_photographer(&env).await;
    fixtures.set("/huge.ics", Behavior::Huge(3 * 1024 * 1024));
    fixtures.set("/slow.ics", Behavior::Stall);
    fixtures.set("/html", Behavior::Calendar { body: "<html>Sign in</html>".into(), etag: "\"h\"".into() });
    for (path, error) in [
        ("/huge.ics", "the calendar is larger than 2 MB"),
        ("/slow.ics", "the calendar took longer than 1 seconds to answer"),
        ("/html", "the address did not return an iCalendar file (no BEGIN:VCALENDAR)"),
    ] {
        let id =
            add(&env, &p.access, json!({"url": fixtures.url(path)})).await.ok(201)["id"].as_str().unwrap().to_string();
        let started = std::time::Instant::now();
        let r = sync_now(&env, fetcher, &p.access, &id).await;
        assert!(started.elapsed() < Duration::from_secs(5), "{path} took {:?}", started.elapsed());
        assert_eq!(r.ok(200)["last_error"], error, "{}", r.text);
        remove(&env, &p.access, &id).await.ok(204);
    }
}

#[tokio::test]
async fn deleting_a_calendar_frees_its_time() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    let p = working_photographer(&env).await;
    let client = register(&env, "client").await;
    let added = synced_calendar(&env, &p, &fixtures, "/gone.ics").await;
    book(&env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await.problem(409);
    let id = added["id"].as_str().unwrap();
    assert_eq!(remove(&env, &p.access, id).await.status, 204);
    remove(&env, &p.access, id).await.problem(404);
    assert_eq!(list(&env, &p.access).await.ok(200)["items"], json!([]));
    assert!(slots_on(&env, &p.id, day(5)).await.contains(&slot(day(5), 10)));
    book(&env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await.ok(201);
    // The address can be added again.
    add(&env, &p.access, json!({"url": fixtures.url("/gone.ics")})).await.ok(201);
}

#[tokio::test]
async fn addresses_are_checked_at_once_capped_and_never_shown_again() {
    let env = env().await;
    let p = register(&env, "photographer").await;
    for url in [
        "https://localhost/cal.ics",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/cal.ics",
        "https://10.1.2.3/cal.ics",
        "http://calendar.google.com/basic.ics",
        "file:///etc/passwd",
        "not a url",
    ] {
        let r = add(&env, &p.access, json!({"url": url})).await;
        r.problem(422);
        assert_eq!(r.error_fields(), ["url"], "{url}: {}", r.text);
    }
    let r = add(&env, &p.access, json!({"url": "https://calendar.google.com/x.ics", "label": "x".repeat(61)})).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["label"], "{}", r.text);
    add(&env, &p.access, json!({"url": "https://calendar.google.com/x.ics", "extra": 1})).await.problem(422);

    let secret = "https://calendar.google.com/calendar/ical/a%40b.c/private-0f9e8d7c6b5a4321/basic.ics";
    let first = add(&env, &p.access, json!({"url": secret, "label": "Work"})).await.ok(201).clone();
    assert_eq!(first["url_masked"], "https://calendar.google.com/….ics");
    assert!(!first.to_string().contains("private-0f9e8d7c6b5a4321"), "{first}");
    let r = add(&env, &p.access, json!({"url": secret})).await;
    assert_eq!(r.problem(409)["type"].as_str().map(|t| t.ends_with("calendar-exists")), Some(true), "{}", r.text);
    add(&env, &p.access, json!({"url": "webcal://p01-caldav.icloud.com/published/2/abc"})).await.ok(201);
    let third =
        add(&env, &p.access, json!({"url": "https://outlook.office365.com/owa/calendar/1/2/reachcalendar.ics"}))
            .await
            .ok(201)
            .clone();
    assert_eq!(third["label"], "outlook.office365.com");
    let r = add(&env, &p.access, json!({"url": "https://example.com/fourth.ics"})).await;
    assert_eq!(r.problem(409)["type"].as_str().map(|t| t.ends_with("calendar-limit")), Some(true), "{}", r.text);
    let listed = list(&env, &p.access).await;
    assert_eq!(listed.ok(200)["items"].as_array().unwrap().len(), 3);
    assert!(
        !listed.text.contains("private-0f9e8d7c6b5a4321") && !listed.text.contains("reachcalendar"),
        "{}",
        listed.text
    );
}

#[tokio::test]
async fn only_the_photographer_reaches_their_calendars() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    fixtures.set("/mine.ics", Behavior::Calendar { body: demo_calendar(day(3), 1, day(5)), etag: "\"1\"".into() });
    let fetcher = fetcher();
    let p = register(&env, "photographer").await;
    let other = register(&env, "photographer").await;
    let client = register(&env, "client").await;
    let id = add(&env, &p.access, json!({"url": fixtures.url("/mine.ics")})).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();

    list(&env, &client.access).await.problem(403);
    add(&env, &client.access, json!({"url": "https://calendar.google.com/x.ics"})).await.problem(403);
    remove(&env, &client.access, &id).await.problem(403);
    sync_now(&env, fetcher, &client.access, &id).await.problem(403);
    call(env.app, list_my_external_calendars::handle, ApiEvent::new("GET /photographers/me/calendars"))
        .await
        .problem(401);

    assert_eq!(list(&env, &other.access).await.ok(200)["items"], json!([]));
    remove(&env, &other.access, &id).await.problem(404);
    sync_now(&env, fetcher, &other.access, &id).await.problem(404);
    remove(&env, &p.access, "not-an-id").await.problem(404);
    assert_eq!(fixtures.hits("/mine.ics"), 0, "nobody else made it fetch");

    // The owner syncs now; again at once is too soon.
    let r = sync_now(&env, fetcher, &p.access, &id).await;
    assert_eq!(r.ok(200)["status"], "ok", "{}", r.text);
    let again = sync_now(&env, fetcher, &p.access, &id).await;
    again.problem(429);
    assert!(again.header("retry-after").is_some());
    assert_eq!(fixtures.hits("/mine.ics"), 1);
    assert_eq!(list(&env, &other.access).await.ok(200)["items"], json!([]));
}

/// "Sync now" pressed on several devices at once: the minute between syncs is claimed
/// before the fetch, so one request fetches and the others are told when to come back.
/// (With the time checked on a read alone, every request passed and each one fetched.)
#[tokio::test]
async fn racing_sync_requests_fetch_the_calendar_once() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    fixtures.set("/race.ics", Behavior::Calendar { body: demo_calendar(day(3), 1, day(5)), etag: "\"1\"".into() });
    let fetcher = fetcher();
    let p = working_photographer(&env).await;
    let id = add(&env, &p.access, json!({"url": fixtures.url("/race.ics")})).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = fixtures.hits("/race.ics");

    let answers = futures::future::join_all((0..6).map(|_| sync_now(&env, fetcher, &p.access, &id))).await;

    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "one sync runs: {statuses:?}");
    for r in answers.iter().filter(|r| r.status != 200) {
        r.problem(429);
        assert!(r.header("retry-after").is_some(), "{}", r.text);
    }
    assert_eq!(fixtures.hits("/race.ics") - before, 1, "the calendar's server was asked once");
    let listed = list(&env, &p.access).await;
    assert_eq!(listed.ok(200)["items"][0]["status"], "ok", "{}", listed.text);
}

/// A redelivered schedule event runs beside the run it repeats, and the photographer
/// presses "sync now" at the same moment: each calendar is claimed before its fetch, so
/// its server is asked once whoever wins. (With the version checked only on recording,
/// every run fetched every calendar and all but one threw the answer away.)
#[tokio::test]
async fn overlapping_runs_and_sync_now_fetch_each_calendar_once() {
    let env = env().await;
    let fixtures = FixtureCalendars::start().await.unwrap();
    let p = working_photographer(&env).await;
    let paths = ["/one.ics", "/two.ics", "/three.ics"];
    let mut ids = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let body = demo_calendar(day(3 + i as u64), 1, day(6));
        fixtures.set(path, Behavior::Calendar { body, etag: format!("\"{i}\"") });
        let added = add(&env, &p.access, json!({"url": fixtures.url(path)})).await;
        ids.push(added.ok(201)["id"].as_str().unwrap().to_string());
    }
    let fetcher = fetcher();

    let now = Utc::now();
    let (a, b, pressed) = futures::join!(
        run_schedule(&env, fetcher, now),
        run_schedule(&env, fetcher, now),
        sync_now(&env, fetcher, &p.access, &ids[0])
    );

    for path in paths {
        assert_eq!(fixtures.hits(path), 1, "{path} was fetched once: {a:?} {b:?}");
    }
    let by_hand = match pressed.status {
        200 => 1,
        _ => {
            pressed.problem(429);
            0
        }
    };
    assert_eq!(a.synced + b.synced + by_hand, 3, "{a:?} {b:?} {}", pressed.text);
    let listed = list(&env, &p.access).await;
    let items = listed.ok(200)["items"].as_array().unwrap().clone();
    assert!(items.iter().all(|c| c["status"] == "ok" && c["busy_intervals"].as_u64() > Some(0)), "{}", listed.text);
}
