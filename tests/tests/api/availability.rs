//! A photographer's availability (PUT/GET /photographers/me/availability) and the
//! public bookable slots (GET /photographers/{id}/availability).

use crate::bookings::{
    availability_doc, booked, day, every_day, instant, photographer, put_availability, request, rule_conflict, utc,
};
use crate::support::*;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};

async fn get_mine(env: &TestEnv, token: &str) -> TestResponse {
    call(env.app, get_my_availability::handle, ApiEvent::new("GET /photographers/me/availability").bearer(token)).await
}

async fn slots(env: &TestEnv, photographer_id: &str, params: &[(&str, &str)]) -> TestResponse {
    let mut e = ApiEvent::new("GET /photographers/{id}/availability").path("id", photographer_id);
    for (k, v) in params {
        e = e.query(k, v);
    }
    call(env.app, get_photographer_availability::handle, e).await
}

/// Slots of one query that must succeed.
async fn slot_list(env: &TestEnv, photographer_id: &str, params: &[(&str, &str)]) -> Vec<Value> {
    let r = slots(env, photographer_id, params).await;
    r.ok(200)["slots"].as_array().unwrap_or_else(|| panic!("no slots array: {}", r.text)).clone()
}

fn starts(slots: &[Value]) -> Vec<String> {
    slots.iter().map(|s| s["start"].as_str().unwrap().to_string()).collect()
}

fn start_instants(slots: &[Value]) -> Vec<DateTime<Utc>> {
    slots.iter().map(|s| instant(s["start"].as_str().unwrap())).collect()
}

/// `date` at each `HH:MM` in UTC, written the way slots are (`+00:00`: the zone's offset).
fn utc_slots(date: NaiveDate, times: &[&str]) -> Vec<String> {
    times.iter().map(|t| format!("{date}T{t}:00+00:00")).collect()
}

// ---------------------------------------------------------------------------------------
// PUT / GET /photographers/me/availability
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn only_photographers_manage_their_availability() {
    let env = env().await;
    let client = register(&env, "client").await;
    let p = register(&env, "photographer").await;
    let doc = availability_doc(json!({}));
    put_availability(&env, &client.access, doc.clone()).await.problem(403);
    get_mine(&env, &client.access).await.problem(403);
    call(env.app, put_my_availability::handle, ApiEvent::new("PUT /photographers/me/availability").json(doc.clone()))
        .await
        .problem(401);
    call(env.app, get_my_availability::handle, ApiEvent::new("GET /photographers/me/availability")).await.problem(401);
    put_availability(&env, "not-a-token", doc.clone()).await.problem(401);
    let admin = admin(&env).await;
    put_availability(&env, &admin.access, doc.clone()).await.problem(403);

    // Not set yet.
    get_mine(&env, &p.access).await.problem(404);
    put_availability(&env, &p.access, doc).await.ok(200);
    get_mine(&env, &p.access).await.ok(200);
    // A second photographer's document is theirs alone.
    let other = register(&env, "photographer").await;
    get_mine(&env, &other.access).await.problem(404);
}

#[tokio::test]
async fn availability_round_trips_in_canonical_form_with_defaults_filled_in() {
    let env = env().await;
    let p = register(&env, "photographer").await;
    // Unsorted intervals, most fields omitted.
    let minimal = json!({"timezone": "Asia/Kolkata", "weekly": {"mon": [
        {"start": "14:00", "end": "18:00"}, {"start": "09:00", "end": "13:00"}]}});
    let canonical = json!({
        "timezone": "Asia/Kolkata",
        "weekly": {"mon": [{"start": "09:00", "end": "13:00"}, {"start": "14:00", "end": "18:00"}]},
        "overrides": [],
        "time_off": [],
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "min_notice_minutes": 1440,
        "max_days_ahead": 365,
        "slot_step_minutes": 30,
        "cancellation_window_hours": 48,
        "travel_speed_kmh": 30
    });
    let put = put_availability(&env, &p.access, minimal).await.ok(200).clone();
    assert_eq!(put, canonical);
    assert_eq!(get_mine(&env, &p.access).await.ok(200), &canonical);
    // The canonical form is itself a valid document that reads back unchanged.
    assert_eq!(put_availability(&env, &p.access, canonical.clone()).await.ok(200), &canonical);

    // Every field given, with a time-off offset kept as written; PUT replaces.
    let full = json!({
        "timezone": "Europe/London",
        "weekly": {"sat": [{"start": "10:00", "end": "24:00"}], "sun": [{"start": "00:00", "end": "06:00"}]},
        "overrides": [{"date": "2027-01-02", "intervals": []},
                      {"date": "2027-01-03", "intervals": [{"start": "06:00", "end": "10:00"}]}],
        "time_off": [{"start": "2027-02-01T00:00:00+05:30", "end": "2027-02-03T00:00:00+05:30"}],
        "buffer_before_minutes": 30,
        "buffer_after_minutes": 15,
        "min_notice_minutes": 120,
        "max_days_ahead": 90,
        "max_bookings_per_day": 3,
        "slot_step_minutes": 60,
        "cancellation_window_hours": 24,
        "travel_speed_kmh": 45
    });
    assert_eq!(put_availability(&env, &p.access, full.clone()).await.ok(200), &full);
    assert_eq!(get_mine(&env, &p.access).await.ok(200), &full);
}

#[tokio::test]
async fn invalid_availability_is_422_with_every_field_named_and_changes_nothing() {
    let env = env().await;
    let p = register(&env, "photographer").await;
    let good = put_availability(&env, &p.access, availability_doc(json!({}))).await.ok(200).clone();
    let fields = |r: TestResponse| {
        r.problem(422);
        r.error_fields()
    };

    let doc = json!({
        "timezone": "Mars/Olympus_Mons",
        "weekly": {
            "mon": [{"start": "12:00", "end": "09:00"}],
            "fri": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "14:00"}]
        },
        "overrides": [{"date": "2027-02-30"}],
        "time_off": [{"start": "2027-01-01T00:00:00", "end": "2027-01-02T00:00:00Z"}],
        "buffer_before_minutes": 500,
        "slot_step_minutes": 20
    });
    assert_eq!(
        fields(put_availability(&env, &p.access, doc).await),
        [
            "timezone",
            "weekly.mon[0].end",
            "weekly.fri[1]",
            "overrides[0].date",
            "time_off[0].start",
            "buffer_before_minutes",
            "slot_step_minutes"
        ]
    );

    // One problem at a time, each naming its field.
    let cases = [
        (json!({"timezone": "Nowhere/Special"}), "timezone"),
        (json!({"weekly": {"tue": [{"start": "10:00", "end": "10:00"}]}}), "weekly.tue[0].end"),
        (json!({"weekly": {"wed": [{"start": "9am", "end": "10:00"}]}}), "weekly.wed[0].start"),
        (
            json!({"weekly": {"thu": [{"start": "09:00", "end": "12:00"}, {"start": "10:00", "end": "11:00"}]}}),
            "weekly.thu[1]",
        ),
        (json!({"time_off": [{"start": "2027-01-02T00:00:00Z", "end": "2027-01-01T00:00:00Z"}]}), "time_off[0].end"),
        (json!({"min_notice_minutes": -1}), "min_notice_minutes"),
        (json!({"max_days_ahead": 0}), "max_days_ahead"),
        (json!({"max_bookings_per_day": 0}), "max_bookings_per_day"),
        (json!({"cancellation_window_hours": 100_000}), "cancellation_window_hours"),
        (json!({"buffer_after_minutes": -15}), "buffer_after_minutes"),
    ];
    for (change, field) in cases {
        let r = put_availability(&env, &p.access, availability_doc(change.clone())).await;
        assert_eq!(fields(r), [field], "{change}");
    }

    // Structural problems name where they are.
    let r = put_availability(&env, &p.access, availability_doc(json!({"weekly": {"monday": []}}))).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["weekly.monday"], "a bad weekday key: {}", r.text);
    let r = put_availability(&env, &p.access, availability_doc(json!({"colour": "red"}))).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["colour"], "an unknown field: {}", r.text);
    let r = put_availability(&env, &p.access, availability_doc(json!({"min_notice_minutes": "soon"}))).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["min_notice_minutes"], "{}", r.text);
    let r = put_availability(
        &env,
        &p.access,
        availability_doc(json!({"weekly": {"mon": [{"start": "09:00", "end": "10:00", "label": "x"}]}})),
    )
    .await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["weekly.mon[0].label"], "an unknown interval field: {}", r.text);

    assert_eq!(get_mine(&env, &p.access).await.ok(200), &good, "refused documents changed nothing");
}

// ---------------------------------------------------------------------------------------
// GET /photographers/{id}/availability
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn slots_step_through_the_weekly_hours() {
    let env = env().await;
    let p =
        photographer(&env, availability_doc(json!({"weekly": every_day(json!([{"start": "09:00", "end": "12:00"}]))})))
            .await;
    let (d1, d2) = (day(3), day(4));
    let r = slots(&env, &p.id, &[("from", &d1.to_string()), ("to", &d1.to_string()), ("duration_minutes", "60")]).await;
    let body = r.ok(200);
    assert_eq!(body["timezone"], "UTC");
    assert_eq!(body["duration_minutes"], 60);
    let list = body["slots"].as_array().unwrap();
    assert_eq!(starts(list), utc_slots(d1, &["09:00", "09:30", "10:00", "10:30", "11:00"]));
    assert_eq!(list[0]["end"], format!("{d1}T10:00:00+00:00"));
    assert_eq!(list[4]["end"], format!("{d1}T12:00:00+00:00"), "the last slot ends with the working hours");

    // Two days; a longer session fits fewer times.
    let both =
        slot_list(&env, &p.id, &[("from", &d1.to_string()), ("to", &d2.to_string()), ("duration_minutes", "90")]).await;
    let mut expected = utc_slots(d1, &["09:00", "09:30", "10:00", "10:30"]);
    expected.extend(utc_slots(d2, &["09:00", "09:30", "10:00", "10:30"]));
    assert_eq!(starts(&both), expected);

    // A photographer's own step.
    put_availability(
        &env,
        &p.access,
        availability_doc(
            json!({"weekly": every_day(json!([{"start": "09:00", "end": "12:00"}])), "slot_step_minutes": 45}),
        ),
    )
    .await
    .ok(200);
    let stepped =
        slot_list(&env, &p.id, &[("from", &d1.to_string()), ("to", &d1.to_string()), ("duration_minutes", "60")]).await;
    assert_eq!(starts(&stepped), utc_slots(d1, &["09:00", "09:45", "10:30"]));
}

#[tokio::test]
async fn overrides_close_or_open_days_and_time_off_removes_slots() {
    let env = env().await;
    let (d1, d2, d3, d4) = (day(3), day(4), day(5), day(6));
    let p = photographer(
        &env,
        availability_doc(json!({
            "weekly": every_day(json!([{"start": "09:00", "end": "12:00"}])),
            "overrides": [
                {"date": d1.to_string(), "intervals": []},
                {"date": d2.to_string(), "intervals": [{"start": "14:00", "end": "16:00"}]}
            ],
            "time_off": [{"start": utc(d3, 10, 0), "end": utc(d3, 11, 0)}]
        })),
    )
    .await;
    let all =
        slot_list(&env, &p.id, &[("from", &d1.to_string()), ("to", &d4.to_string()), ("duration_minutes", "60")]).await;
    let mut expected = Vec::new();
    // d1 closed; d2 special hours only; d3 loses everything touching 10:00–11:00; d4 normal.
    expected.extend(utc_slots(d2, &["14:00", "14:30", "15:00"]));
    expected.extend(utc_slots(d3, &["09:00", "11:00"]));
    expected.extend(utc_slots(d4, &["09:00", "09:30", "10:00", "10:30", "11:00"]));
    assert_eq!(starts(&all), expected);
}

#[tokio::test]
async fn buffers_around_a_booking_remove_the_neighbouring_slots() {
    let env = env().await;
    let d = day(5);
    let p = photographer(
        &env,
        availability_doc(json!({
            "weekly": every_day(json!([{"start": "08:00", "end": "16:00"}])),
            "buffer_before_minutes": 30,
            "buffer_after_minutes": 30
        })),
    )
    .await;
    let q = [("from", d.to_string()), ("to", d.to_string()), ("duration_minutes", "60".to_string())];
    let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let before = slot_list(&env, &p.id, &q).await;
    assert_eq!(before.len(), 15, "08:00 to 15:00 every 30 minutes");

    let c = register(&env, "client").await;
    booked(&env, &c, &p.id, &utc(d, 10, 0), 60).await;
    // The booking occupies 09:30–11:30 with its buffers; a slot's own buffers must not
    // reach into that either, so 08:30–11:30 starts go, 08:00 and 12:00 stay.
    let after = slot_list(&env, &p.id, &q).await;
    assert_eq!(starts(&after), utc_slots(d, &["08:00", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00"]));
    // And the handler agrees with what the slots say.
    let c2 = register(&env, "client").await;
    rule_conflict(&crate::bookings::book(&env, &c2.access, request(&p.id, &utc(d, 11, 30), 60)).await, "overlap");
    rule_conflict(&crate::bookings::book(&env, &c2.access, request(&p.id, &utc(d, 8, 30), 60)).await, "overlap");
    crate::bookings::book(&env, &c2.access, request(&p.id, &utc(d, 12, 0), 60)).await.ok(201);
}

#[tokio::test]
async fn min_notice_hides_slots_that_start_too_soon() {
    let env = env().await;
    let p = photographer(
        &env,
        availability_doc(json!({
            "weekly": every_day(json!([{"start": "00:00", "end": "24:00"}])),
            "min_notice_minutes": 2880
        })),
    )
    .await;
    let t0 = Utc::now();
    let found = slot_list(
        &env,
        &p.id,
        &[("from", &day(0).to_string()), ("to", &day(3).to_string()), ("duration_minutes", "60")],
    )
    .await;
    let t1 = Utc::now();
    let found = start_instants(&found);
    assert!(!found.is_empty());
    for s in &found {
        assert!(*s >= t0 + TimeDelta::minutes(2880), "{s} is inside the two days' notice");
    }
    // The first slot is the first step after the notice, not later.
    assert!(found[0] <= t1 + TimeDelta::minutes(2880 + 30), "first slot {} is later than needed", found[0]);
    assert!(found.iter().all(|s| s.date_naive() != day(0)), "nothing today");
    assert_eq!(found.last().unwrap().date_naive(), day(3));
    // 00:00–24:00 touches the next day's 00:00–24:00, so a 23:30 start runs on past midnight.
    assert_eq!(*found.last().unwrap(), instant(&utc(day(3), 23, 30)), "the last start of day 3");

    // Booking just inside the notice is refused with that rule.
    let c = register(&env, "client").await;
    let too_soon = (found[0] - TimeDelta::minutes(30)).to_rfc3339();
    rule_conflict(&crate::bookings::book(&env, &c.access, request(&p.id, &too_soon, 60)).await, "min_notice");
    // (The second slot, so the clock moving on since the query cannot matter.)
    crate::bookings::book(&env, &c.access, request(&p.id, &found[1].to_rfc3339(), 60)).await.ok(201);
}

/// The first `n`th Sunday of `month` on or after `earliest`.
fn next_sunday_rule(earliest: NaiveDate, month: u32, n: u8) -> NaiveDate {
    let of = |year: i32| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, n).unwrap();
    let this_year = of(earliest.year());
    if this_year >= earliest { this_year } else { of(earliest.year() + 1) }
}

async fn one_day(env: &TestEnv, photographer_id: &str, d: NaiveDate) -> Vec<Value> {
    let d = d.to_string();
    slot_list(env, photographer_id, &[("from", &d), ("to", &d), ("duration_minutes", "60")]).await
}

#[tokio::test]
async fn dst_days_in_new_york_have_the_slots_the_wall_clock_gives() {
    let env = env().await;
    // Sundays 00:00–06:00 New York time; a year and a bit of horizon so both changes fit.
    let p = photographer(
        &env,
        json!({"timezone": "America/New_York", "weekly": {"sun": [{"start": "00:00", "end": "06:00"}]},
               "max_days_ahead": 400}),
    )
    .await;
    let earliest = day(2);
    // US rules: clocks go forward on the second Sunday of March, back on the first of November.
    let spring = next_sunday_rule(earliest, 3, 2);
    let fall = next_sunday_rule(earliest, 11, 1);

    // Spring: 02:00–03:00 does not exist. 00:00–01:30 EST, then 03:00–05:00 EDT: 9 starts,
    // and the 01:30 session runs on into 03:30 EDT (the instants are continuous).
    let s = one_day(&env, &p.id, spring).await;
    let sd = spring;
    let expected: Vec<String> = ["00:00-05:00", "00:30-05:00", "01:00-05:00", "01:30-05:00"]
        .iter()
        .chain(&["03:00-04:00", "03:30-04:00", "04:00-04:00", "04:30-04:00", "05:00-04:00"])
        .map(|t| {
            let (hm, off) = t.split_once('-').unwrap();
            format!("{sd}T{hm}:00-{off}")
        })
        .collect();
    assert_eq!(starts(&s), expected, "spring forward on {spring}");
    assert_eq!(s[3]["end"], format!("{sd}T03:30:00-04:00"));
    let instants = start_instants(&s);
    for pair in instants.windows(2) {
        assert_eq!(pair[1] - pair[0], TimeDelta::minutes(30), "evenly spaced in real time");
    }

    // Fall: 01:00–02:00 happens twice, so its starts appear twice; 7 real hours, 13 starts.
    let f = one_day(&env, &p.id, fall).await;
    let fd = fall;
    let expected: Vec<String> = [
        "00:00-04:00",
        "00:30-04:00",
        "01:00-04:00",
        "01:30-04:00",
        "01:00-05:00",
        "01:30-05:00",
        "02:00-05:00",
        "02:30-05:00",
        "03:00-05:00",
        "03:30-05:00",
        "04:00-05:00",
        "04:30-05:00",
        "05:00-05:00",
    ]
    .iter()
    .map(|t| {
        let (hm, off) = t.split_once('-').unwrap();
        format!("{fd}T{hm}:00-{off}")
    })
    .collect();
    assert_eq!(starts(&f), expected, "fall back on {fall}");

    // An ordinary Sunday: 00:00 to 05:00, 11 starts.
    let normal = spring.checked_add_days(Days::new(7)).unwrap();
    assert_eq!(one_day(&env, &p.id, normal).await.len(), 11, "an ordinary Sunday ({normal})");
    // The same spring day read in UTC holds the same instants (05:00Z to 09:00Z).
    let in_utc = slot_list(
        &env,
        &p.id,
        &[("from", &sd.to_string()), ("to", &sd.to_string()), ("duration_minutes", "60"), ("tz", "UTC")],
    )
    .await;
    assert_eq!(start_instants(&in_utc), instants);
}

#[tokio::test]
async fn the_tz_parameter_changes_offsets_but_not_instants() {
    let env = env().await;
    let p =
        photographer(&env, availability_doc(json!({"weekly": every_day(json!([{"start": "10:00", "end": "14:00"}]))})))
            .await;
    let (from, to) = (day(4).to_string(), day(6).to_string());
    let base = [("from", from.as_str()), ("to", to.as_str()), ("duration_minutes", "60")];
    let plain = slots(&env, &p.id, &base).await.ok(200).clone();
    assert_eq!(plain["timezone"], "UTC");
    let plain_slots = plain["slots"].as_array().unwrap().clone();
    assert_eq!(plain_slots.len(), 3 * 7);
    for zone in ["Asia/Kolkata", "Asia/Tokyo"] {
        let mut q = base.to_vec();
        q.push(("tz", zone));
        let shown = slots(&env, &p.id, &q).await.ok(200).clone();
        assert_eq!(shown["timezone"], zone);
        let shown_slots = shown["slots"].as_array().unwrap();
        assert_eq!(start_instants(shown_slots), start_instants(&plain_slots), "{zone}: the same instants");
        let offset = if zone == "Asia/Kolkata" { "+05:30" } else { "+09:00" };
        for s in shown_slots {
            for end in ["start", "end"] {
                let text = s[end].as_str().unwrap();
                assert!(text.ends_with(offset), "{zone}: {text}");
            }
        }
    }
    // Kolkata's first slot: 10:00 UTC is 15:30 there.
    let mut q = base.to_vec();
    q.push(("tz", "Asia/Kolkata"));
    assert_eq!(slot_list(&env, &p.id, &q).await[0]["start"], format!("{from}T15:30:00+05:30"));
}

#[tokio::test]
async fn slot_queries_validate_their_parameters() {
    let env = env().await;
    let p = photographer(&env, availability_doc(json!({}))).await;
    let from = day(2);
    let to_62 = from.checked_add_days(Days::new(61)).unwrap().to_string();
    let to_63 = from.checked_add_days(Days::new(62)).unwrap().to_string();
    let from = from.to_string();
    let bad = |r: TestResponse| {
        r.problem(400);
        r.error_fields()
    };
    slots(&env, &p.id, &[("from", &from), ("to", &to_62), ("duration_minutes", "60")]).await.ok(200);
    assert_eq!(bad(slots(&env, &p.id, &[("from", &from), ("to", &to_63), ("duration_minutes", "60")]).await), ["to"]);
    assert_eq!(bad(slots(&env, &p.id, &[]).await), ["from", "to", "duration_minutes"], "all required");
    assert_eq!(bad(slots(&env, &p.id, &[("from", &from), ("to", &from)]).await), ["duration_minutes"]);
    assert_eq!(bad(slots(&env, &p.id, &[("to", &to_62), ("duration_minutes", "60")]).await), ["from"]);
    let yesterday = day(1).to_string();
    assert_eq!(
        bad(slots(&env, &p.id, &[("from", &from), ("to", &yesterday), ("duration_minutes", "60")]).await),
        ["to"],
        "to before from"
    );
    assert_eq!(
        bad(slots(&env, &p.id, &[("from", "02/12/2026"), ("to", &from), ("duration_minutes", "60")]).await),
        ["from"]
    );
    assert_eq!(
        bad(slots(&env, &p.id, &[("from", &from), ("to", &from), ("duration_minutes", "50")]).await),
        ["duration_minutes"]
    );
    assert_eq!(
        bad(slots(&env, &p.id, &[("from", &from), ("to", &from), ("duration_minutes", "an hour")]).await),
        ["duration_minutes"]
    );
    assert_eq!(
        bad(slots(&env, &p.id, &[("from", &from), ("to", &from), ("duration_minutes", "60"), ("tz", "Mars/Base")])
            .await),
        ["tz"]
    );
    assert_eq!(
        bad(slots(&env, &p.id, &[("from", &from), ("to", &from), ("duration_minutes", "60"), ("zone", "UTC")]).await),
        ["zone"],
        "unknown parameters are refused"
    );
}

#[tokio::test]
async fn slots_of_unknown_unlisted_or_unready_photographers_are_404() {
    let env = env().await;
    let d = day(3).to_string();
    let q = [("from", d.as_str()), ("to", d.as_str()), ("duration_minutes", "60")];
    slots(&env, &ulid::Ulid::new().to_string(), &q).await.problem(404);
    slots(&env, "not-an-id", &q).await.problem(404);
    let client = register(&env, "client").await;
    slots(&env, &client.id, &q).await.problem(404);
    // A photographer with a profile but no availability yet.
    let new = photographer_with_profile(&env, profile("New", "Pune", &["portrait"], 1000, "INR")).await;
    slots(&env, &new.id, &q).await.problem(404);

    // Deactivated by an admin: gone; reactivated: back.
    let p = photographer(&env, availability_doc(json!({}))).await;
    assert!(!slot_list(&env, &p.id, &q).await.is_empty());
    let admin = admin(&env).await;
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
    set_active(false).await.ok(200);
    slots(&env, &p.id, &q).await.problem(404);
    // Nor can they be booked.
    let r = crate::bookings::book(&env, &client.access, request(&p.id, &utc(day(3), 10, 0), 60)).await;
    r.problem(422);
    assert_eq!(r.error_fields(), ["photographer_id"]);
    set_active(true).await.ok(200);
    assert!(!slot_list(&env, &p.id, &q).await.is_empty());
}
