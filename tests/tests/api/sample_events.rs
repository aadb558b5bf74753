//! Every sample event in events/ replayed through its function against a table seeded so
//! that the sample's ids, tokens and bodies hit real items, and checked for the
//! function's success answer (HTTP) or its effect (stream, schedule, operator).
//!
//! The samples describe one small world: Asha, a photographer in Hyderabad (`ASHA`),
//! Meera, a client (`MEERA`), Meera's booking of Asha (`BOOKING`), their chat about it
//! (`MESSAGE`, `REPLY`) and a piece of feedback (`FEEDBACK`). Each replay builds its own
//! copy of that world: through the real handlers wherever the API can make it, through
//! the store where only the store can (an account, booking or chat message with the id a
//! sample names, a session that is already over).
//! What a file cannot hold forever is replaced when it is replayed: bearer and refresh
//! tokens are minted by the test's own sign-ins, connection ids are those of sockets the
//! test opens through the WebSocket API, and dates move by whole weeks so the samples'
//! day falls within the coming week (weekdays and local times stay as written).

use crate::support::*;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc};
use cm_accounts::account::{Email, Registration, Role};
use cm_analyzer::Analyzer;
use cm_app::App;
use cm_booking::booking::{Booking, HistoryAction, HistoryEntry};
use cm_booking::{Actor, Availability, BookingDuration, BookingStatus, TransitionContext, booking_footprint};
use cm_chat::{Message, MessageId, MessageView, Room};
use cm_core::{BookingId, Clock, UserId};
use cm_http::Request;
use cm_realtime::Realtime;
use cm_realtime::socket::{WsEvent, WsResponse};
use cm_reviews::{AnalysisState, Feedback, FeedbackCategory, FeedbackStatus};
use cm_store::chat::{ChatReader, ChatWriter, Connections, Sent};
use cm_store::{
    AvailabilityReader, BookingReader, BookingWriter, DynamoStore, FeedbackReader, FeedbackWriter, PhotographerReader,
    PortfolioReader, PortfolioWriter, ReviewReader, UserWriter,
};
use cm_tests::events::respond;
use cm_tests::moto::{sdk_config, sns_messages};
use cm_tests::realtime::{ChatWorld, Socket, connect, next, until};
use cm_tests::stream::{event, item_json, record};
use cm_tests::template::{self, repo_root};
use cm_tests::{ApiEvent, TestEnv, TestResponse, call, env};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const ASHA: &str = "01JD3Q7K2W9X5M8N4B6V1C0ZTA";
const ASHA_EMAIL: &str = "asha@example.com";
const MEERA: &str = "01JD3Q9M4T7V2X6Z8B1C3D5F7G";
const MEERA_EMAIL: &str = "meera@example.com";
const BOOKING: &str = "01JD3QB7Z0H4N8Q2R6T9W3Y5XC";
const FEEDBACK: &str = "01JD3QF0K1M2N3P4Q5R6S7T8V9";
/// Asha's portfolio photo.
const ITEM: &str = "01JD3QK8P2R4T6V8X0Z2B4D6F8";
/// A photo of BOOKING's client gallery.
const PHOTO: &str = "01JD3QM9Q3S5V7W9Y1A3C5E7G9";
/// Meera's message in BOOKING's chat: ws-send-message sends it, deliver-chat pushes it,
/// ws-mark-read marks it read.
const MESSAGE: &str = "01M892C2CFG2J53JDWE0F7X90S";
/// Asha's reply to it, from which list-booking-messages pages back.
const REPLY: &str = "01M892ER3FMPQ861PG7FSRPBZW";
/// The notice Asha (the photographer) is given when Meera's request for BOOKING arrives
/// (its id derives from that change, `cm_chat::NoticeId::of`); mark-notifications-read's
/// sample reads up to it.
const NOTICE: &str = "01M892C00G2CD871J8B3AP5TD3";
/// The day the samples were written for (their `requestContext.time`).
const SAMPLE_DAY: &str = "2026-11-25";
/// Asha's external calendar (busy time in) that the calendar samples name.
const CALENDAR: &str = "01JD3QR2S4T6V8W0X2Y4Z6A8B0";

// ---------------------------------------------------------------------------------------
// Which replay covers which function
// ---------------------------------------------------------------------------------------

macro_rules! replays {
    ($($test:ident: $binary:literal => $replay:path;)*) => {
        /// The binaries replayed below.
        const REPLAYED: &[&str] = &[$($binary),*];
        $(
            #[tokio::test]
            async fn $test() {
                $replay().await
            }
        )*
    };
}

replays! {
    replays_health: "health" => health;
    replays_openapi: "openapi" => openapi;
    replays_not_found: "not-found" => not_found;
    replays_auth_register: "auth-register" => auth_register;
    replays_auth_login: "auth-login" => auth_login;
    replays_auth_refresh: "auth-refresh" => auth_refresh;
    replays_auth_logout: "auth-logout" => auth_logout;
    replays_get_me: "get-me" => get_me;
    replays_update_me: "update-me" => update_me;
    replays_start_phone_verification: "start-phone-verification" => start_phone_verification;
    replays_confirm_phone_verification: "confirm-phone-verification" => confirm_phone_verification;
    replays_put_my_photographer_profile: "put-my-photographer-profile" => put_my_photographer_profile;
    replays_get_my_photographer_profile: "get-my-photographer-profile" => get_my_photographer_profile;
    replays_get_photographer: "get-photographer" => get_photographer;
    replays_search_photographers: "search-photographers" => search_photographers;
    replays_admin_list_users: "admin-list-users" => admin_list_users;
    replays_admin_update_user: "admin-update-user" => admin_update_user;
    replays_put_my_availability: "put-my-availability" => put_my_availability;
    replays_get_my_availability: "get-my-availability" => get_my_availability;
    replays_get_photographer_availability: "get-photographer-availability" => get_photographer_availability;
    replays_get_photographer_quote: "get-photographer-quote" => get_photographer_quote;
    replays_preview_my_pricing: "preview-my-pricing" => preview_my_pricing;
    replays_get_my_photographer_stats: "get-my-photographer-stats" => get_my_photographer_stats;
    replays_get_optimal_slots: "get-optimal-slots" => get_optimal_slots;
    replays_get_recommendations: "get-recommendations" => get_recommendations;
    replays_refresh_co_booking: "refresh-co-booking" => refresh_co_booking;
    replays_snapshot_capacity: "snapshot-capacity" => snapshot_capacity;
    replays_send_reminders: "send-reminders" => send_reminders;
    replays_put_my_calendar_feed: "put-my-calendar-feed" => put_my_calendar_feed;
    replays_delete_my_calendar_feed: "delete-my-calendar-feed" => delete_my_calendar_feed;
    replays_get_calendar_feed: "get-calendar-feed" => get_calendar_feed;
    replays_list_my_external_calendars: "list-my-external-calendars" => list_my_external_calendars;
    replays_add_my_external_calendar: "add-my-external-calendar" => add_my_external_calendar;
    replays_delete_my_external_calendar: "delete-my-external-calendar" => delete_my_external_calendar;
    replays_sync_my_external_calendar: "sync-my-external-calendar" => sync_my_external_calendar;
    replays_sync_external_calendars: "sync-external-calendars" => sync_external_calendars;
    replays_create_booking: "create-booking" => create_booking;
    replays_get_booking: "get-booking" => get_booking;
    replays_update_booking_status: "update-booking-status" => update_booking_status;
    replays_reschedule_booking: "reschedule-booking" => reschedule_booking;
    replays_list_my_bookings: "list-my-bookings" => list_my_bookings;
    replays_admin_list_bookings: "admin-list-bookings" => admin_list_bookings;
    replays_expire_bookings: "expire-bookings" => expire_bookings;
    replays_create_review: "create-review" => create_review;
    replays_list_photographer_reviews: "list-photographer-reviews" => list_photographer_reviews;
    replays_reply_to_review: "reply-to-review" => reply_to_review;
    replays_create_feedback: "create-feedback" => create_feedback;
    replays_admin_list_feedback: "admin-list-feedback" => admin_list_feedback;
    replays_admin_update_feedback: "admin-update-feedback" => admin_update_feedback;
    replays_admin_sentiment_insights: "admin-sentiment-insights" => admin_sentiment_insights;
    replays_admin_get_analytics: "admin-get-analytics" => admin_get_analytics;
    replays_forecast_demand_job: "forecast-demand-job" => forecast_demand_job;
    replays_admin_get_forecasts: "admin-get-forecasts" => admin_get_forecasts;
    replays_score_sentiment: "score-sentiment" => score_sentiment;
    replays_notify_booking_change: "notify-booking-change" => crate::notifications::replay_sample_event;
    replays_backfill_sentiment: "backfill-sentiment" => backfill_sentiment;
    replays_aggregate_activity: "aggregate-activity" => aggregate_activity;
    replays_create_portfolio_upload: "create-portfolio-upload" => create_portfolio_upload;
    replays_process_upload: "process-upload" => process_upload;
    replays_list_portfolio: "list-portfolio" => list_portfolio;
    replays_update_portfolio_item: "update-portfolio-item" => update_portfolio_item;
    replays_delete_portfolio_item: "delete-portfolio-item" => delete_portfolio_item;
    replays_put_gallery: "put-gallery" => put_gallery;
    replays_create_gallery_upload: "create-gallery-upload" => create_gallery_upload;
    replays_get_gallery: "get-gallery" => get_gallery;
    replays_update_gallery_photo: "update-gallery-photo" => update_gallery_photo;
    replays_delete_gallery_photo: "delete-gallery-photo" => delete_gallery_photo;
    replays_create_payment: "create-payment" => create_payment;
    replays_stripe_webhook: "stripe-webhook" => stripe_webhook;
    replays_start_payout_onboarding: "start-payout-onboarding" => start_payout_onboarding;
    replays_list_payments: "list-payments" => list_payments;
    replays_settle_payments: "settle-payments" => settle_payments;
    replays_charge_balances: "charge-balances" => charge_balances;
    replays_ws_connect: "ws-connect" => ws_connect;
    replays_ws_disconnect: "ws-disconnect" => ws_disconnect;
    replays_ws_default: "ws-default" => ws_default;
    replays_ws_send_message: "ws-send-message" => ws_send_message;
    replays_ws_typing: "ws-typing" => ws_typing;
    replays_ws_mark_read: "ws-mark-read" => ws_mark_read;
    replays_ws_ping: "ws-ping" => ws_ping;
    replays_deliver_chat: "deliver-chat" => deliver_chat;
    replays_list_chats: "list-chats" => list_chats;
    replays_list_booking_messages: "list-booking-messages" => list_booking_messages;
    replays_create_chat_attachment: "create-chat-attachment" => create_chat_attachment;
    replays_list_notifications: "list-notifications" => list_notifications;
    replays_mark_notifications_read: "mark-notifications-read" => mark_notifications_read;
}

#[test]
fn every_deployed_function_has_its_sample_replayed() {
    let t = template::load();
    let deployed: BTreeSet<String> = template::functions(&t).into_iter().map(|f| f.binary).collect();
    let replayed: BTreeSet<String> = REPLAYED.iter().map(|b| b.to_string()).collect();
    assert_eq!(replayed, deployed, "add a replay of events/<binary>.json for every function");
}

// ---------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------

struct Sample {
    binary: String,
    event: Value,
}

impl Sample {
    fn load(binary: &str) -> Sample {
        let path = repo_root().join("events").join(format!("{binary}.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let event = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        Sample { binary: binary.into(), event }
    }

    /// An API Gateway sample whose route is its function's route in template.yaml,
    /// with its dates moved into the coming weeks.
    fn http(binary: &str) -> Sample {
        let mut s = Sample::load(binary);
        let t = template::load();
        let f = template::functions(&t).into_iter().find(|f| f.binary == binary).expect("a deployed function");
        let route = s.event["routeKey"].as_str().unwrap_or_default();
        assert!(
            f.routes().iter().any(|r| r == route),
            "{binary}: routeKey `{route}` is not its route in template.yaml"
        );
        s.event = serde_json::from_str(&shift_dates(&s.event.to_string(), weeks_ahead() * 7)).expect("still JSON");
        s
    }

    /// The sample's bearer token, swapped for one this test signed.
    fn bearer(mut self, token: &str) -> Sample {
        assert!(self.event["headers"].get("authorization").is_some(), "{}: the sample sends no token", self.binary);
        self.event["headers"]["authorization"] = json!(format!("Bearer {token}"));
        self
    }

    /// The sample's body with one member replaced.
    fn with_body_member(mut self, key: &str, value: Value) -> Sample {
        let mut body = self.body();
        assert!(body.get(key).is_some(), "{}: the sample's body has no `{key}`", self.binary);
        body[key] = value;
        self.event["body"] = json!(body.to_string());
        self
    }

    fn body(&self) -> Value {
        let text = self.event["body"].as_str().unwrap_or_else(|| panic!("{}: the sample has no body", self.binary));
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{}: the body is not JSON: {e}", self.binary))
    }

    fn request(&self) -> Request {
        lambda_http::request::from_str(&self.event.to_string())
            .unwrap_or_else(|e| panic!("{}: not an API Gateway v2 event: {e}", self.binary))
    }

    /// An API Gateway WebSocket sample whose route is one that the template's WebSocket
    /// API sends to `binary`, with the event type API Gateway gives that route and, for
    /// a message, a frame that the route selection expression sends there.
    fn ws(binary: &str) -> Sample {
        let s = Sample::load(binary);
        let routes = cm_tests::realtime::routes_from_template();
        let context = &s.event["requestContext"];
        let route = context["routeKey"].as_str().unwrap_or_default();
        let r = routes
            .routes
            .get(route)
            .unwrap_or_else(|| panic!("{binary}: routeKey `{route}` is not a route of the WebSocket API"));
        assert_eq!(r.function, binary, "{binary}: route `{route}` invokes {}", r.function);
        let event_type = match route {
            "$connect" => "CONNECT",
            "$disconnect" => "DISCONNECT",
            _ => "MESSAGE",
        };
        assert_eq!(context["eventType"], event_type, "{binary}");
        assert!(context["connectionId"].is_string() && context["connectedAt"].is_i64(), "{binary}");
        if event_type == "MESSAGE" {
            assert!(context["messageId"].is_string(), "{binary}: a message has its id");
            assert_eq!(routes.selection_expression, "$request.body.action");
            let body: Option<Value> = s.event["body"].as_str().and_then(|b| serde_json::from_str(b).ok());
            let action = body.as_ref().and_then(|b| b["action"].as_str());
            let selected =
                action.filter(|a| !a.starts_with('$') && routes.routes.contains_key(*a)).unwrap_or("$default");
            assert_eq!(selected, route, "{binary}: API Gateway would send the sample's frame to `{selected}`");
        }
        s
    }

    fn connection_id(&self) -> String {
        let id = self.event["requestContext"]["connectionId"].as_str();
        id.unwrap_or_else(|| panic!("{}: the sample has no connection", self.binary)).to_string()
    }

    /// The sample's connection, swapped for one that is open in this test.
    fn connection(mut self, id: &str) -> Sample {
        self.connection_id();
        self.event["requestContext"]["connectionId"] = json!(id);
        self
    }

    /// The access token the sample offers as its second subprotocol (in `headers` and
    /// `multiValueHeaders` alike), swapped for one this test signed.
    fn subprotocol_token(mut self, token: &str) -> Sample {
        let offered = format!("{}, {token}", ws_connect::SUBPROTOCOL);
        let mut swapped = 0;
        for (field, multi) in [("headers", false), ("multiValueHeaders", true)] {
            let Some(headers) = self.event[field].as_object_mut() else { continue };
            for (name, value) in headers.iter_mut().filter(|(n, _)| n.eq_ignore_ascii_case("sec-websocket-protocol")) {
                let was = if multi { &value[0] } else { &*value };
                let prefix = format!("{}, ", ws_connect::SUBPROTOCOL);
                assert!(was.as_str().is_some_and(|v| v.starts_with(&prefix)), "{}: {name} is {was}", self.binary);
                *value = if multi { json!([offered]) } else { json!(offered) };
                swapped += 1;
            }
        }
        assert_eq!(swapped, 2, "{}: the sample offers no token as a subprotocol", self.binary);
        self
    }

    fn socket_event(&self) -> WsEvent {
        serde_json::from_value(self.event.clone())
            .unwrap_or_else(|e| panic!("{}: not an API Gateway WebSocket event: {e}", self.binary))
    }
}

/// Whole weeks that bring the samples' day into the coming week (none before it).
/// Taken once, so every replay and its expectations move alike even across midnight.
fn weeks_ahead() -> u64 {
    static WEEKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *WEEKS.get_or_init(|| {
        let sample: NaiveDate = SAMPLE_DAY.parse().unwrap();
        let behind = (Utc::now().date_naive() - sample).num_days().max(0) as u64;
        behind.div_ceil(7)
    })
}

/// Every `YYYY-MM-DD` in `text`, `days` later.
fn shift_dates(text: &str, days: u64) -> String {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i + 10 <= b.len() {
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit()) && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit());
        let shaped =
            digits(i..i + 4) && b[i + 4] == b'-' && digits(i + 5..i + 7) && b[i + 7] == b'-' && digits(i + 8..i + 10);
        if let Some(date) = (bounded && shaped).then(|| text[i..i + 10].parse::<NaiveDate>().ok()).flatten() {
            out.push_str(&text[copied..i]);
            out.push_str(&(date + Days::new(days)).to_string());
            i += 10;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[test]
fn dates_move_by_whole_days_and_nothing_else_changes() {
    let text = r#"{"start":"2027-01-09T10:00:00+05:30","q":"from=2026-12-31&to=2027-01-01","id":"20261-01-011","t":"25/Nov/2026"}"#;
    assert_eq!(
        shift_dates(text, 14),
        r#"{"start":"2027-01-23T10:00:00+05:30","q":"from=2027-01-14&to=2027-01-15","id":"20261-01-011","t":"25/Nov/2026"}"#
    );
    assert_eq!(shift_dates("2026-02-30 ✓ 2026-02-28", 1), "2026-02-30 ✓ 2026-03-01");
}

/// API Gateway's `requestContext.time` and `timeEpoch` name the same instant: a
/// function that reads one must not see another moment than one that reads the other.
#[test]
fn request_times_and_their_epochs_agree() {
    let mut checked = 0;
    for entry in std::fs::read_dir(repo_root().join("events")).unwrap() {
        let path = entry.unwrap().path();
        let event: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let rc = &event["requestContext"];
        let (Some(time), Some(epoch)) = (rc["time"].as_str(), rc["timeEpoch"].as_i64()) else { continue };
        let at = DateTime::parse_from_str(time, "%d/%b/%Y:%H:%M:%S %z")
            .unwrap_or_else(|e| panic!("{}: time {time:?}: {e}", path.display()));
        assert_eq!(at.timestamp_millis(), epoch, "{}: time {time} is not timeEpoch {epoch}", path.display());
        checked += 1;
    }
    assert!(checked > 50, "the HTTP and WebSocket samples carry both: {checked}");
}

/// Every place a sample names for a shoot lies within the service area of the
/// photographer the samples are about (put-my-photographer-profile's base and radius):
/// a sample outside it would replay a request the platform refuses for another reason
/// than the one its test is about, or pass for the wrong one.
#[test]
fn sample_shoot_locations_are_within_the_photographers_service_area() {
    fn points(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v {
            Value::Object(m) => {
                if let (Some(lat), Some(lon)) =
                    (m.get("lat").and_then(Value::as_f64), m.get("lon").and_then(Value::as_f64))
                {
                    out.push((lat, lon));
                }
                m.values().for_each(|x| points(x, out));
            }
            Value::Array(items) => items.iter().for_each(|x| points(x, out)),
            _ => {}
        }
    }
    let read = |path: &std::path::Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let events = repo_root().join("events");
    let profile = read(&events.join("put-my-photographer-profile.json"));
    let profile: Value = serde_json::from_str(profile["body"].as_str().unwrap()).unwrap();
    let base = cm_geo::Point::new(profile["lat"].as_f64().unwrap(), profile["lon"].as_f64().unwrap()).unwrap();
    let radius = profile["service_radius_km"].as_f64().unwrap();
    let mut located = 0;
    for entry in std::fs::read_dir(&events).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json")
            || path.ends_with("put-my-photographer-profile.json")
        {
            continue;
        }
        let event = read(&path);
        let mut found = Vec::new();
        if let Some(body) = event["body"].as_str().and_then(|b| serde_json::from_str::<Value>(b).ok()) {
            points(&body, &mut found);
        }
        let query = event["rawQueryString"].as_str().unwrap_or_default();
        let param = |name: &str| {
            query.split('&').find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('='))?.parse::<f64>().ok())
        };
        if let (Some(lat), Some(lon)) = (param("lat"), param("lon")) {
            found.push((lat, lon));
        }
        for (lat, lon) in found {
            let at = cm_geo::Point::new(lat, lon)
                .unwrap_or_else(|| panic!("{}: ({lat}, {lon}) is off the globe", path.display()));
            let km = base.distance_km(&at);
            assert!(
                km <= radius,
                "{}: ({lat}, {lon}) is {km:.1} km from the base, outside {radius} km",
                path.display()
            );
            located += 1;
        }
    }
    assert!(located >= 2, "the availability and booking samples name shoot places ({located} found)");
}

/// A sample date, moved as the samples are.
fn moved(date: &str) -> NaiveDate {
    date.parse::<NaiveDate>().unwrap() + Days::new(weeks_ahead() * 7)
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("`{text}`: {e}")).with_timezone(&Utc)
}

// ---------------------------------------------------------------------------------------
// The samples' world
// ---------------------------------------------------------------------------------------

struct World {
    env: TestEnv,
    asha: Session,
    meera: Session,
    admin: Session,
}

/// An account with the id the samples give it, created as registration creates one
/// (only the store can choose the id), then signed in through auth-login.
async fn person(env: &TestEnv, id: &str, email: &str, name: &str, role: Role) -> Session {
    let parsed = Email::parse(email).unwrap();
    let mut user = Registration {
        email: parsed.clone(),
        password: PASSWORD.into(),
        name: name.into(),
        role,
        phone: None,
        timezone: "Asia/Kolkata".into(),
    }
    .into_user(Utc::now())
    .unwrap();
    user.id = id.parse().unwrap();
    env.app.store.create_user(&user, &parsed.normalized()).await.unwrap();
    let s = session(login(env, email, PASSWORD).await.ok(200));
    assert_eq!(s.id, id);
    s
}

impl World {
    /// Asha, Meera and an admin, signed in.
    async fn people() -> World {
        World::people_in(env().await).await
    }

    /// ... on `env`'s table.
    async fn people_in(env: TestEnv) -> World {
        let asha = person(&env, ASHA, ASHA_EMAIL, "Asha Reddy", Role::Photographer).await;
        let meera = person(&env, MEERA, MEERA_EMAIL, "Meera Shah", Role::Client).await;
        let admin = admin(&env).await;
        World { env, asha, meera, admin }
    }

    /// ... with Asha listed: the profile and availability of the put-my-* samples, put
    /// through their handlers.
    async fn listed() -> World {
        World::listed_in(env().await).await
    }

    /// ... on `env`'s table.
    async fn listed_in(env: TestEnv) -> World {
        let w = World::people_in(env).await;
        let profile = Sample::http("put-my-photographer-profile").bearer(&w.asha.access);
        respond(w.env.app, put_my_photographer_profile::handle, profile.request()).await.ok(200);
        let availability = Sample::http("put-my-availability").bearer(&w.asha.access);
        respond(w.env.app, put_my_availability::handle, availability.request()).await.ok(200);
        w
    }

    /// Where the create-booking sample asks Asha to be.
    fn sample_start(&self) -> DateTime<Utc> {
        instant(Sample::http("create-booking").body()["start"].as_str().unwrap())
    }

    /// A booking of Asha by Meera as the create-booking sample asks for it (package,
    /// event, location, notes), at `start`, requested at `requested_at`. Written through
    /// the store, the only way to give it a chosen id or a time in the past, with the
    /// lock blocks create-booking takes.
    async fn booking(&self, id: &str, start: DateTime<Utc>, requested_at: DateTime<Utc>) -> Booking {
        let store = &self.env.app.store;
        let asha: UserId = ASHA.parse().unwrap();
        let availability = Availability::try_from(store.get_availability(asha).await.unwrap().expect("availability"))
            .expect("valid availability");
        let profile = store.get_photographer(asha).await.unwrap().expect("Asha's profile").profile;
        let request = Sample::http("create-booking").body();
        let package = profile.package(request["package_id"].as_str().unwrap()).expect("the sample's package").clone();
        let duration = BookingDuration::from_minutes(package.duration_minutes).unwrap();
        let footprint = booking_footprint(&availability, start, duration).expect("a footprint");
        let window = availability.cancellation_window();
        let ctx = TransitionContext::new(requested_at, requested_at, footprint.start, footprint.end, window);
        let booking = Booking {
            id: id.parse().unwrap(),
            client_id: MEERA.parse().unwrap(),
            photographer_id: asha,
            package_id: Some(package.id.clone()),
            event_type: request["event_type"].as_str().unwrap().into(),
            start: footprint.start,
            end: footprint.end,
            duration_minutes: duration.minutes(),
            timezone: availability.timezone().name().to_string(),
            location: serde_json::from_value(request["location"].clone()).unwrap(),
            notes: request["notes"].as_str().map(String::from),
            price: package.price.clone(),
            status: BookingStatus::Pending,
            lock_blocks: footprint.lock_blocks.iter().map(|b| b.index()).collect(),
            local_date: footprint.local_date,
            daily_limit: footprint.daily_limit,
            requested_at,
            expires_at: ctx.expires_at(),
            cancellation_window_hours: u32::try_from(window.num_hours()).unwrap(),
            payment_terms: cm_payments::PaymentTerms::default(),
            version: 1,
            sequence: 0,
            history: vec![HistoryEntry {
                at: requested_at,
                by: Some(MEERA.parse().unwrap()),
                actor: Actor::Client,
                action: HistoryAction::Created,
                from: None,
                to: BookingStatus::Pending,
                reason: None,
                previous_start: None,
                new_start: Some(footprint.start),
            }],
            created_at: requested_at,
            updated_at: requested_at,
        };
        store.create_booking(&booking, None, None).await.expect("seed booking");
        booking
    }

    /// `b` moved to `to` by `actor` at `at`, checked by the lifecycle as a handler would.
    async fn advance(&self, b: Booking, to: BookingStatus, actor: Actor, at: DateTime<Utc>) -> Booking {
        let window = TimeDelta::hours(i64::from(b.cancellation_window_hours));
        let ctx = TransitionContext::new(at, b.requested_at, b.start, b.end, window);
        let change = cm_booking::transition(b.status, to, actor, &ctx).expect("a legal transition");
        let by = match actor {
            Actor::Client => Some(b.client_id),
            Actor::Photographer => Some(b.photographer_id),
            _ => None,
        };
        let next = b.after_transition(&change, by);
        self.env.app.store.update_booking_status(&b, &next).await.expect("seed transition");
        next
    }

    /// BOOKING as a session that took place last week (at the sample's weekday and
    /// time) and that Asha marked completed.
    async fn completed_booking(&self) -> Booking {
        let now = Utc::now();
        let mut start = self.sample_start();
        while start > now - TimeDelta::days(2) {
            start -= TimeDelta::days(7);
        }
        let b = self.booking(BOOKING, start, start - TimeDelta::days(10)).await;
        let b = self.advance(b, BookingStatus::Confirmed, Actor::Photographer, start - TimeDelta::days(9)).await;
        let over = b.end + TimeDelta::hours(2);
        self.advance(b, BookingStatus::Completed, Actor::Photographer, over).await
    }

    /// Meera's review of the completed BOOKING: the create-review sample, through its handler.
    async fn reviewed(&self) {
        let sample = Sample::http("create-review").bearer(&self.meera.access);
        respond(self.env.app, create_review::handle, sample.request()).await.ok(201);
    }

    /// FEEDBACK: Meera's feedback as the create-feedback sample words it, written
    /// through the store (for its id), awaiting analysis as create-feedback leaves it.
    async fn feedback(&self) {
        let body = Sample::http("create-feedback").body();
        let now = Utc::now();
        let f = Feedback {
            id: FEEDBACK.parse().unwrap(),
            user_id: MEERA.parse().unwrap(),
            user_role: Role::Client,
            category: serde_json::from_value::<FeedbackCategory>(body["category"].clone()).unwrap(),
            subject: body["subject"].as_str().unwrap().into(),
            message: body["message"].as_str().unwrap().into(),
            status: FeedbackStatus::Open,
            sentiment: None,
            analysis_state: AnalysisState::Pending,
            analysis_version: 0,
            alert_pending: false,
            created_at: now,
            updated_at: now,
        };
        self.env.app.store.create_feedback(&f).await.unwrap();
    }

    fn scorer(
        &self,
        analyzer: Analyzer,
        sns: aws_sdk_sns::Client,
        alerts_topic: Option<String>,
    ) -> score_sentiment::Scorer<DynamoStore> {
        score_sentiment::Scorer {
            app: App::new(DynamoStore::new(self.env.dynamo.clone(), &self.env.table)),
            analyzer,
            sns,
            alerts_topic,
        }
    }

    /// Runs the stored item through score-sentiment, as its stream insert would, and
    /// the analysis it writes through aggregate-activity, as that write's record would.
    async fn scored(&self, pk: &str, sk: &str, analyzer: Analyzer) {
        let item = item_json(&self.env.dynamo, &self.env.table, pk, sk).await.expect("the item");
        let sns = aws_sdk_sns::Client::new(&sdk_config().await);
        let resp = self
            .scorer(analyzer, sns, None)
            .handle(lambda_runtime::LambdaEvent::new(
                event(vec![record("INSERT", None, Some(&item))]),
                Default::default(),
            ))
            .await
            .unwrap();
        assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
        self.aggregated(pk, sk, &item).await;
    }

    /// Delivers the MODIFY from `before` to the item as stored now to aggregate-activity.
    async fn aggregated(&self, pk: &str, sk: &str, before: &Value) {
        let after = item_json(&self.env.dynamo, &self.env.table, pk, sk).await.expect("the item");
        let aggregator = aggregate_activity::Aggregator {
            app: App::new(DynamoStore::new(self.env.dynamo.clone(), &self.env.table)),
        };
        let ev = event(vec![record("MODIFY", Some(before), Some(&after))]);
        let resp = aggregate_activity::handle(&aggregator, lambda_runtime::LambdaEvent::new(ev, Default::default()))
            .await
            .unwrap();
        assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    }

    async fn me(&self, token: &str) -> TestResponse {
        call(self.env.app, get_me::handle, ApiEvent::new("GET /me").bearer(token)).await
    }

    async fn public_profile(&self, id: &str) -> TestResponse {
        call(self.env.app, get_photographer::handle, ApiEvent::new("GET /photographers/{id}").path("id", id)).await
    }

    async fn stored_booking(&self, id: &str) -> Booking {
        self.env.app.store.get_booking(id.parse::<BookingId>().unwrap()).await.unwrap().expect("the booking")
    }
}

fn ids(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {page}"))
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Public and account routes
// ---------------------------------------------------------------------------------------

async fn health() {
    let env = env().await;
    let r = respond(env.app, health::handle, Sample::http("health").request()).await;
    assert_eq!(r.ok(200), &json!({"status": "ok"}));
}

async fn openapi() {
    let env = env().await;
    let r = respond(env.app, openapi::handle, Sample::http("openapi").request()).await;
    let doc = r.ok(200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["paths"]["/bookings/{id}/review"]["post"]["x-function"], "create-review");
}

async fn not_found() {
    let env = env().await;
    let r = respond(env.app, not_found::handle, Sample::http("not-found").request()).await;
    assert_eq!(r.problem(404)["detail"], "no route for GET /nowhere");
}

async fn auth_register() {
    let env = env().await;
    let sample = Sample::http("auth-register");
    let r = respond(env.app, auth_register::handle, sample.request()).await;
    let body = r.ok(201);
    let user = &body["user"];
    assert_eq!(
        (&user["email"], &user["role"], &user["name"], &user["timezone"]),
        (&json!(ASHA_EMAIL), &json!("photographer"), &json!("Asha"), &json!("Asia/Kolkata"))
    );
    let id = user["id"].as_str().unwrap();
    // There is no public /users/{id}: the new account is the caller's own, at /me.
    assert_eq!(r.header("location"), Some("/me"));
    // A real account: its token reads it back and its password signs in.
    let me =
        call(env.app, get_me::handle, ApiEvent::new("GET /me").bearer(body["access_token"].as_str().unwrap())).await;
    assert_eq!(me.ok(200)["id"], id);
    let password = sample.body()["password"].as_str().unwrap().to_string();
    assert_eq!(login(&env, ASHA_EMAIL, &password).await.ok(200)["user"]["id"], id);
}

async fn auth_login() {
    let w = World::people().await;
    let r = respond(w.env.app, auth_login::handle, Sample::http("auth-login").request()).await;
    let body = r.ok(200);
    assert_eq!((&body["user"]["id"], &body["token_type"]), (&json!(ASHA), &json!("Bearer")));
    assert_eq!(w.me(body["access_token"].as_str().unwrap()).await.ok(200)["email"], ASHA_EMAIL);
}

async fn auth_refresh() {
    let w = World::people().await;
    let sample = Sample::http("auth-refresh").with_body_member("refresh_token", json!(w.asha.refresh));
    let body = respond(w.env.app, auth_refresh::handle, sample.request()).await.ok(200).clone();
    assert_eq!(body["user"]["id"], ASHA);
    assert_ne!(body["refresh_token"], json!(w.asha.refresh), "refresh tokens rotate");
    assert_eq!(w.me(body["access_token"].as_str().unwrap()).await.ok(200)["id"], ASHA);
    // The presented token is used up: presenting it again is refused (at once as a
    // concurrent twin, 409; the family is revoked only once it can only be a copy).
    respond(w.env.app, auth_refresh::handle, sample.request()).await.problem(409);
}

async fn auth_logout() {
    let w = World::people().await;
    let sample = Sample::http("auth-logout").with_body_member("refresh_token", json!(w.asha.refresh));
    let r = respond(w.env.app, auth_logout::handle, sample.request()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    // Logout answers 204 whatever it was given; the effect is that the token is dead.
    let refresh = call(
        w.env.app,
        auth_refresh::handle,
        ApiEvent::new("POST /auth/refresh").json(json!({"refresh_token": w.asha.refresh})),
    )
    .await;
    refresh.problem(401);
}

async fn get_me() {
    let w = World::people().await;
    let r = respond(w.env.app, get_me::handle, Sample::http("get-me").bearer(&w.asha.access).request()).await;
    let me = r.ok(200);
    assert_eq!((&me["id"], &me["email"], &me["role"]), (&json!(ASHA), &json!(ASHA_EMAIL), &json!("photographer")));
}

async fn update_me() {
    let w = World::people().await;
    let sample = Sample::http("update-me").bearer(&w.asha.access);
    let patch = sample.body();
    let updated = respond(w.env.app, update_me::handle, sample.request()).await.ok(200).clone();
    for key in ["name", "timezone", "notification_preferences"] {
        assert_eq!(updated[key], patch[key], "{key}");
    }
    assert_eq!(updated["id"], ASHA);
    assert_eq!(w.me(&w.asha.access).await.ok(200)["name"], patch["name"]);
}

async fn start_phone_verification() {
    let w = World::people().await;
    let sample = Sample::http("start-phone-verification").bearer(&w.asha.access);
    let texter = crate::phone::texter_ready().await;
    let r =
        respond(w.env.app, move |app, req| start_phone_verification::handle(app, texter, req), sample.request()).await;
    let body = r.ok(202);
    // The sample's number as typed, stored and texted in E.164.
    assert_eq!(body["phone"], "+447700900123");
    let texts = cm_tests::moto::sms_to("+447700900123").await;
    assert!(
        texts.iter().any(|t| t.ends_with("is your Capture Moments code. It expires in 10 minutes. Never share it.")),
        "{texts:?}"
    );
}

async fn confirm_phone_verification() {
    let w = World::people().await;
    // The sample's code is whatever the text said: a code is texted to a number of
    // this test's own first, and the sample carries it.
    let phone = cm_tests::moto::unique_phone(false);
    let texter = crate::phone::texter_ready().await;
    let start = ApiEvent::new("POST /me/phone/verification").bearer(&w.meera.access).json(json!({"phone": phone}));
    cm_tests::call(w.env.app, move |app, req| start_phone_verification::handle(app, texter, req), start).await.ok(202);
    let texts = cm_tests::moto::sms_to(&phone).await;
    let code = texts.last().and_then(|t| t.get(..6)).expect("a code").to_string();
    let sample =
        Sample::http("confirm-phone-verification").bearer(&w.meera.access).with_body_member("code", json!(code));
    let me = respond(w.env.app, confirm_phone_verification::handle, sample.request()).await.ok(200).clone();
    assert_eq!((me["phone"].as_str(), me["phone_verified"].as_bool()), (Some(phone.as_str()), Some(true)));
}

// ---------------------------------------------------------------------------------------
// Photographers and availability
// ---------------------------------------------------------------------------------------

async fn put_my_photographer_profile() {
    let w = World::people().await;
    let sample = Sample::http("put-my-photographer-profile").bearer(&w.asha.access);
    let sent = sample.body();
    let profile = respond(w.env.app, put_my_photographer_profile::handle, sample.request()).await.ok(200).clone();
    assert_eq!(profile["id"], ASHA);
    for key in ["display_name", "city", "specializations", "hourly_rate", "packages"] {
        assert_eq!(profile[key], sent[key], "{key}");
    }
    assert_eq!(w.public_profile(ASHA).await.ok(200)["display_name"], sent["display_name"], "listed at once");
}

async fn get_my_photographer_profile() {
    let w = World::listed().await;
    let sample = Sample::http("get-my-photographer-profile").bearer(&w.asha.access);
    let profile = respond(w.env.app, get_my_photographer_profile::handle, sample.request()).await;
    let profile = profile.ok(200);
    assert_eq!((&profile["id"], &profile["display_name"]), (&json!(ASHA), &json!("Asha Lens")));
}

async fn get_photographer() {
    let w = World::listed().await;
    let r = respond(w.env.app, get_photographer::handle, Sample::http("get-photographer").request()).await;
    let profile = r.ok(200);
    assert_eq!((&profile["id"], &profile["display_name"]), (&json!(ASHA), &json!("Asha Lens")));
    assert_eq!(profile["rating"], json!({"average": 0.0, "count": 0}));
}

async fn search_photographers() {
    let w = World::listed().await;
    let store = &w.env.app.store;
    // Asha rated 4.5; another Hyderabad wedding photographer below the sample's
    // `min_rating=4`, and a 5-star one in another city.
    for stars in [5, 4] {
        store.add_photographer_rating(ASHA.parse().unwrap(), stars, Utc::now()).await.unwrap();
    }
    let below =
        photographer_with_profile(&w.env, profile("Ravi Studio", "Hyderabad", &["wedding"], 200_000, "INR")).await;
    store.add_photographer_rating(below.id.parse().unwrap(), 3, Utc::now()).await.unwrap();
    let elsewhere =
        photographer_with_profile(&w.env, profile("Mumbai Frames", "Mumbai", &["wedding"], 200_000, "INR")).await;
    store.add_photographer_rating(elsewhere.id.parse().unwrap(), 5, Utc::now()).await.unwrap();

    let r = respond(w.env.app, search_photographers::handle, Sample::http("search-photographers").request()).await;
    let page = r.ok(200);
    assert_eq!(ids(page), [ASHA]);
    assert_eq!(page["items"][0]["rating"], json!({"average": 4.5, "count": 2}));
}

async fn admin_list_users() {
    let w = World::people().await;
    let sample = Sample::http("admin-list-users").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_list_users::handle, sample.request()).await;
    let page = r.ok(200);
    assert_eq!(ids(page), [ASHA], "photographers only: {page}");
    assert_eq!(page["items"][0]["email"], ASHA_EMAIL);
}

async fn admin_update_user() {
    let w = World::listed().await;
    let sample = Sample::http("admin-update-user").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_update_user::handle, sample.request()).await;
    let user = r.ok(200);
    assert_eq!((&user["id"], &user["active"]), (&json!(ASHA), &json!(false)));
    // Deactivated: unlisted, and unable to sign in.
    w.public_profile(ASHA).await.problem(404);
    login(&w.env, ASHA_EMAIL, PASSWORD).await.problem(403);
}

async fn put_my_availability() {
    let w = World::people().await;
    let sample = Sample::http("put-my-availability").bearer(&w.asha.access);
    let sent = sample.body();
    let stored = respond(w.env.app, put_my_availability::handle, sample.request()).await.ok(200).clone();
    for key in ["timezone", "weekly", "time_off", "buffer_before_minutes", "max_bookings_per_day", "slot_step_minutes"]
    {
        assert_eq!(stored[key], sent[key], "{key}");
    }
    assert_eq!(stored["overrides"][0]["date"], json!(moved("2026-12-25")));
    let mine = call(
        w.env.app,
        get_my_availability::handle,
        ApiEvent::new("GET /photographers/me/availability").bearer(&w.asha.access),
    )
    .await;
    assert_eq!(mine.ok(200), &stored);
}

async fn get_my_availability() {
    let w = World::listed().await;
    let sample = Sample::http("get-my-availability").bearer(&w.asha.access);
    let r = respond(w.env.app, get_my_availability::handle, sample.request()).await;
    let doc = r.ok(200);
    let put = Sample::http("put-my-availability").body();
    assert_eq!((&doc["timezone"], &doc["weekly"]), (&put["timezone"], &put["weekly"]));
}

async fn preview_my_pricing() {
    let w = World::listed().await;
    let sample = Sample::http("preview-my-pricing").bearer(&w.asha.access);
    let r = respond(w.env.app, preview_my_pricing::handle, sample.request()).await;
    let p = r.ok(200);
    // Asha's dynamic pricing is off; the preview prices as if it were on, within the
    // sample's 85-140 % of the package's ₹5,000.00, and seals nothing.
    assert_eq!(
        (&p["dynamic_pricing"], &p["package_id"], &p["event_type"]),
        (&json!(true), &json!("basic"), &json!("wedding"))
    );
    assert_eq!(p["bounds"]["floor"]["amount_minor"], 425_000);
    assert_eq!(p["bounds"]["ceiling"]["amount_minor"], 700_000);
    assert_eq!(p["factors"].as_array().map(Vec::len), Some(5), "{p}");
    assert!(p.get("quote_id").is_none(), "a preview is not a quote: {p}");
}

async fn get_my_photographer_stats() {
    let w = World::listed().await;
    let sample = Sample::http("get-my-photographer-stats").bearer(&w.asha.access);
    let r = respond(w.env.app, get_my_photographer_stats::handle, sample.request()).await;
    let s = r.ok(200);
    // September to December by month (moved with the samples' dates): the first period
    // starts on `from`, every other on the 1st; nobody has booked Asha yet, and her
    // hours make the months' working hours.
    let (from, to) = (moved("2026-09-01"), moved("2026-12-31"));
    assert_eq!((&s["from"], &s["to"], &s["granularity"]), (&json!(from), &json!(to), &json!("month")));
    let starts: Vec<NaiveDate> =
        s["series"].as_array().unwrap().iter().map(|p| p["start"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(starts[0], from);
    assert!(starts[1..].iter().all(|d| d.day() == 1), "{starts:?}");
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
    assert_eq!(starts.len() as i32, months);
    assert_eq!((&s["totals"]["requested"], &s["totals"]["session_hours"]), (&json!(0), &json!(0.0)), "{s}");
    assert!(s["totals"]["available_hours"].as_f64().is_some_and(|h| h > 100.0), "{s}");
    assert_eq!(s["totals"]["utilisation"], json!(0.0));
    let compared: Vec<&Value> =
        s["price_comparison"].as_array().unwrap().iter().map(|c| &c["specialization"]).collect();
    assert!(!compared.is_empty(), "one per specialization: {s}");
}

async fn get_photographer_quote() {
    let w = World::listed().await;
    let sample = Sample::http("get-photographer-quote");
    let r = respond(w.env.app, get_photographer_quote::handle, sample.request()).await;
    let q = r.ok(200);
    assert_eq!(
        (&q["photographer_id"], &q["package_id"], &q["event_type"], &q["duration_minutes"], &q["dynamic_pricing"]),
        (&json!(ASHA), &json!("basic"), &json!("wedding"), &json!(120), &json!(false))
    );
    assert_eq!(instant(q["start"].as_str().unwrap()), w.sample_start());
    assert_eq!(
        q["price"],
        json!({"amount_minor": 500000, "currency": "INR"}),
        "dynamic pricing off: the package's price"
    );
    // The create-booking sample, at this quote, is charged it.
    let mut booking = Sample::http("create-booking").bearer(&w.meera.access);
    let mut body = booking.body();
    body["quote_id"] = q["quote_id"].clone();
    booking.event["body"] = json!(body.to_string());
    let b = respond(w.env.app, create_booking::handle, booking.request()).await;
    assert_eq!(b.ok(201)["price"], q["price"]);
}

async fn get_photographer_availability() {
    let w = World::listed().await;
    // Meera's pending booking holds the sample's Saturday 10:00.
    let taken = w.sample_start();
    w.booking(BOOKING, taken, Utc::now()).await;
    let sample = Sample::http("get-photographer-availability");
    let r = respond(w.env.app, get_photographer_availability::handle, sample.request()).await;
    let body = r.ok(200);
    assert_eq!((&body["timezone"], &body["duration_minutes"]), (&json!("Asia/Kolkata"), &json!(120)));
    let starts: Vec<DateTime<chrono::FixedOffset>> = body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| DateTime::parse_from_rfc3339(s["start"].as_str().unwrap()).unwrap())
        .collect();
    let monday = moved("2027-01-04");
    let saturday = moved("2027-01-09");
    let at = |d: NaiveDate, hm: &str| starts.iter().any(|s| s.date_naive() == d && s.format("%H:%M").to_string() == hm);
    // Asha works Monday 09:00–13:00 and 14:00–19:00 and Saturday 08:00–20:00.
    assert!(at(monday, "09:00") && at(monday, "11:00") && at(monday, "14:00") && at(monday, "17:00"), "{body}");
    assert!(!at(monday, "11:30") && !at(monday, "13:00"), "{body}");
    assert!(starts.iter().all(|s| s.date_naive() == monday || s.date_naive() == saturday), "{body}");
    // The booking (10:00–12:00 at Banjara Hills) occupies 09:30–12:30 with its buffers; a
    // new session needs its own 30 minutes either side, and this one is at Chowmahalla
    // Palace, 6.6 km away: 14 minutes at 30 km/h, so nothing starts before 12:00 + 74
    // minutes, i.e. 13:30 on the half-hour grid (13:00 without the journey, 08:00 free).
    assert!(at(saturday, "13:30") && at(saturday, "18:00"), "{body}");
    let half_past_one = chrono::NaiveTime::from_hms_opt(13, 30, 0).unwrap();
    assert!(starts.iter().filter(|s| s.date_naive() == saturday).all(|s| s.time() >= half_past_one), "{body}");
}

/// Meera, who booked Asha before, asks for a wedding photographer near Banjara Hills
/// on a Saturday within her budget, in Hindi or English.
async fn get_recommendations() {
    let w = World::listed().await;
    w.completed_booking().await;
    let sample = Sample::http("get-recommendations").bearer(&w.meera.access);
    let date = sample.event["queryStringParameters"]["date"].as_str().unwrap().to_string();
    let r = respond(w.env.app, get_recommendations::handle, sample.request()).await;
    let body = r.ok(200);
    assert_eq!(body["personalized"], json!(true), "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "Asha is the only photographer: {body}");
    assert_eq!(items[0]["photographer"]["id"], ASHA);
    let reasons: Vec<(&str, &str)> = items[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["text"].as_str().unwrap()))
        .collect();
    let distance = format!("{:.1} km away", items[0]["distance_km"].as_f64().unwrap());
    assert_eq!(
        reasons,
        [
            ("specialist", "Wedding specialist"),
            ("free_on_date", format!("Free on {date}").as_str()),
            ("within_budget", "Within your budget"),
            ("distance", distance.as_str()),
            ("booked_before", "You booked them before"),
            ("language", "Speaks your language (en)"),
            ("new_photographer", "New on Capture Moments"),
        ]
    );
    assert!((items[0]["distance_km"].as_f64().unwrap() - 8.9).abs() < 0.5, "{body}");
}

/// Two clients confirmed both Asha and another photographer: after the run, each is
/// the other's co-booked photographer.
async fn snapshot_capacity() {
    let w = World::listed().await;
    let event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> =
        serde_json::from_value(Sample::load("snapshot-capacity").event).unwrap();
    let summary = snapshot_capacity::handle(w.env.app, lambda_runtime::LambdaEvent::new(event, Default::default()))
        .await
        .unwrap();
    // Asha alone, with hours: the platform, her city, and each specialization alone
    // and in her city, each for the coming four weeks.
    let specs = Sample::http("put-my-photographer-profile").body()["specializations"].as_array().unwrap().len();
    assert_eq!((summary.photographers, summary.with_hours, summary.emptied), (1, 1, 0));
    assert_eq!(summary.segments, 2 + 2 * specs);
    assert_eq!(summary.writes, summary.segments * 28);
    let today = Utc::now().date_naive().to_string();
    let r = call(
        w.env.app,
        admin_get_analytics::handle,
        ApiEvent::new("GET /admin/analytics").bearer(&w.admin.access).query("from", &today).query("to", &today),
    )
    .await;
    assert!(r.ok(200)["totals"]["available_hours"].as_f64().is_some(), "{}", r.text);
}

async fn refresh_co_booking() {
    let w = World::listed().await;
    let other =
        photographer_with_profile(&w.env, profile("Ravi Studio", "Hyderabad", &["wedding"], 200_000, "INR")).await;
    let (asha, ravi): (UserId, UserId) = (ASHA.parse().unwrap(), other.id.parse().unwrap());
    let store = &w.env.app.store;
    for _ in 0..2 {
        let client = UserId::new();
        for p in [asha, ravi] {
            cm_store::FeatureWriter::add_client(store, client, p, Utc::now()).await.unwrap();
        }
    }
    let event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> =
        serde_json::from_value(Sample::load("refresh-co-booking").event).unwrap();
    let summary = refresh_co_booking::handle(w.env.app, lambda_runtime::LambdaEvent::new(event, Default::default()))
        .await
        .unwrap();
    assert!(summary.pass_finished);
    assert_eq!(summary.refreshed, 2);
    let rows = cm_store::RecommendationReader::feature_rows(store, &[asha, ravi], None).await.unwrap();
    for (me, them) in [(asha, ravi), (ravi, asha)] {
        let co = &rows[&me].features.co_booked;
        assert_eq!(co.len(), 1, "{co:?}");
        assert_eq!((co[0].photographer, co[0].shared_clients, co[0].their_clients), (them, 2, 2));
    }
}

/// Asha asks for a calendar feed address: it opens her feed.
async fn put_my_calendar_feed() {
    let w = World::listed().await;
    let sample = Sample::http("put-my-calendar-feed").bearer(&w.asha.access);
    let feed = respond(w.env.app, put_my_calendar_feed::handle, sample.request()).await.ok(200).clone();
    let file = feed["file"].as_str().unwrap();
    assert_eq!(feed["url"], json!(format!("https://api.capturemoments.app/calendar/{file}")), "{feed}");
    assert_eq!(feed["path"], json!(format!("/calendar/{file}")));
    let r = call(w.env.app, get_calendar_feed::handle, ApiEvent::new("GET /calendar/{file}").path("file", file)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("X-WR-CALNAME:Capture Moments: Asha Reddy\r\n"), "{}", r.text);
}

/// Asha revokes her feed: its address answers 404 from then on.
async fn delete_my_calendar_feed() {
    let w = World::listed().await;
    let put = Sample::http("put-my-calendar-feed").bearer(&w.asha.access);
    let feed = respond(w.env.app, put_my_calendar_feed::handle, put.request()).await.ok(200).clone();
    let sample = Sample::http("delete-my-calendar-feed").bearer(&w.asha.access);
    let r = respond(w.env.app, delete_my_calendar_feed::handle, sample.request()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let file = feed["file"].as_str().unwrap();
    call(w.env.app, get_calendar_feed::handle, ApiEvent::new("GET /calendar/{file}").path("file", file))
        .await
        .problem(404);
}

/// A calendar app fetches the sample's address, which is Asha's: her booking by Meera
/// is in it, tentative while pending, under the UID of its emailed invites.
async fn get_calendar_feed() {
    let w = World::listed().await;
    let sample = Sample::http("get-calendar-feed");
    let file = sample.event["pathParameters"]["file"].as_str().unwrap().to_string();
    let hash = cm_accounts::feed::token_hash(cm_accounts::feed::token_of_file(&file).unwrap()).unwrap();
    let store = &w.env.app.store;
    assert!(
        cm_store::CalendarFeeds::replace_calendar_feed(store, ASHA.parse().unwrap(), None, Some(&hash), Utc::now())
            .await
            .unwrap()
    );
    w.booking(BOOKING, w.sample_start(), Utc::now()).await;
    let r = respond(w.env.app, get_calendar_feed::handle, sample.request()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/calendar; charset=utf-8"));
    let unfolded = r.text.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("UID:{}\r\n", cm_notify::booking_uid(BOOKING))), "{unfolded}");
    assert!(unfolded.contains("STATUS:TENTATIVE\r\n"), "{unfolded}");
    assert!(unfolded.contains("ATTENDEE;CN=\"Meera Shah\""), "{unfolded}");
}

async fn get_optimal_slots() {
    let w = World::listed().await;
    let sample = Sample::http("get-optimal-slots");
    let r = respond(w.env.app, get_optimal_slots::handle, sample.request()).await;
    let body = r.ok(200);
    assert_eq!((&body["event_type"], &body["location"]["source"]), (&json!("wedding"), &json!("photographer_base")));
    let slots = body["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 3, "{body}");
    for s in slots {
        // A wedding's best are in the evening golden hour (about 17:40–18:25 in Hyderabad in
        // January), which Asha's Mondays (to 19:00) and Saturdays (to 20:00) both reach.
        let start = DateTime::parse_from_rfc3339(s["start"].as_str().unwrap()).unwrap();
        let (first, last) = (moved("2027-01-04"), moved("2027-01-31"));
        assert!((first..=last).contains(&start.date_naive()), "{s}");
        assert!(s["reasons"].as_array().unwrap().iter().any(|r| r["code"] == "evening_golden_hour"), "{s}");
        assert_eq!(s["day"]["date"], start.date_naive().to_string());
    }
    assert!(slots.windows(2).all(|p| p[0]["score"].as_u64() >= p[1]["score"].as_u64()), "{body}");
}

// ---------------------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------------------

async fn create_booking() {
    let w = World::listed().await;
    let sample = Sample::http("create-booking").bearer(&w.meera.access);
    let r = respond(w.env.app, create_booking::handle, sample.request()).await;
    let b = r.ok(201);
    assert_eq!(
        (&b["photographer_id"], &b["client_id"], &b["status"], &b["package_id"], &b["duration_minutes"]),
        (&json!(ASHA), &json!(MEERA), &json!("pending"), &json!("basic"), &json!(120))
    );
    assert_eq!(instant(b["start"].as_str().unwrap()), w.sample_start());
    assert_eq!(b["price"], json!({"amount_minor": 500000, "currency": "INR"}), "the package's price");
    assert_eq!(b["location"]["city"], "Hyderabad");
    let stored = w.stored_booking(b["id"].as_str().unwrap()).await;
    assert_eq!(stored.status, BookingStatus::Pending);
}

async fn get_booking() {
    let w = World::listed().await;
    w.booking(BOOKING, w.sample_start(), Utc::now()).await;
    let sample = Sample::http("get-booking").bearer(&w.meera.access);
    let r = respond(w.env.app, get_booking::handle, sample.request()).await;
    let b = r.ok(200);
    assert_eq!((&b["id"], &b["status"], &b["client_id"]), (&json!(BOOKING), &json!("pending"), &json!(MEERA)));
    assert_eq!(instant(b["start"].as_str().unwrap()), w.sample_start());
}

async fn update_booking_status() {
    let w = World::listed().await;
    w.booking(BOOKING, w.sample_start(), Utc::now()).await;
    let sample = Sample::http("update-booking-status").bearer(&w.meera.access);
    let reason = sample.body()["reason"].clone();
    let r = respond(w.env.app, update_booking_status::handle, sample.request()).await;
    let b = r.ok(200);
    assert_eq!((&b["id"], &b["status"]), (&json!(BOOKING), &json!("cancelled")));
    let last = b["history"].as_array().unwrap().last().unwrap();
    assert_eq!((&last["actor"], &last["to"], &last["reason"]), (&json!("client"), &json!("cancelled"), &reason));
    let stored = w.stored_booking(BOOKING).await;
    assert_eq!(stored.status, BookingStatus::Cancelled);
    assert!(stored.lock_blocks.is_empty(), "a cancelled booking frees its slot");
}

async fn reschedule_booking() {
    let w = World::listed().await;
    let before = w.sample_start();
    w.booking(BOOKING, before, Utc::now()).await;
    let sample = Sample::http("reschedule-booking").bearer(&w.meera.access);
    let to = instant(sample.body()["start"].as_str().unwrap());
    assert_eq!(to - before, TimeDelta::days(7), "the sample moves the session a week on");
    let r = respond(w.env.app, reschedule_booking::handle, sample.request()).await;
    let b = r.ok(200);
    assert_eq!((&b["id"], &b["status"]), (&json!(BOOKING), &json!("pending")));
    assert_eq!(instant(b["start"].as_str().unwrap()), to);
    let last = b["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["action"], "rescheduled");
    assert_eq!(instant(last["previous_start"].as_str().unwrap()), before);
    assert_eq!(w.stored_booking(BOOKING).await.start, to);
}

async fn list_my_bookings() {
    let w = World::listed().await;
    let b = w.booking(BOOKING, w.sample_start(), Utc::now()).await;
    w.advance(b, BookingStatus::Confirmed, Actor::Photographer, Utc::now()).await;
    // Another of Meera's bookings, still pending: the sample lists confirmed ones only.
    let other = Sample::http("create-booking")
        .bearer(&w.meera.access)
        .with_body_member("start", json!(format!("{}T15:00:00+05:30", moved("2027-01-09"))));
    respond(w.env.app, create_booking::handle, other.request()).await.ok(201);
    let sample = Sample::http("list-my-bookings").bearer(&w.meera.access);
    let r = respond(w.env.app, list_my_bookings::handle, sample.request()).await;
    let page = r.ok(200);
    assert_eq!(ids(page), [BOOKING]);
    assert_eq!(page["items"][0]["status"], "confirmed");
}

async fn admin_list_bookings() {
    let w = World::listed().await;
    w.booking(BOOKING, w.sample_start(), Utc::now()).await;
    // Another booking, confirmed: the sample lists pending ones only.
    let other = Sample::http("create-booking")
        .bearer(&w.meera.access)
        .with_body_member("start", json!(format!("{}T09:00:00+05:30", moved("2027-01-04"))));
    let other =
        respond(w.env.app, create_booking::handle, other.request()).await.ok(201)["id"].as_str().unwrap().to_string();
    call(
        w.env.app,
        update_booking_status::handle,
        ApiEvent::new("PUT /bookings/{id}/status")
            .path("id", &other)
            .bearer(&w.asha.access)
            .json(json!({"status": "confirmed"})),
    )
    .await
    .ok(200);
    let sample = Sample::http("admin-list-bookings").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_list_bookings::handle, sample.request()).await;
    let page = r.ok(200);
    assert_eq!(ids(page), [BOOKING]);
}

/// The sweep runs at the sample's scheduled time: it expires what was due then and
/// nothing that fell due later, however late it actually runs.
async fn expire_bookings() {
    let w = World::listed().await;
    let sample = Sample::load("expire-bookings");
    let scheduled = instant(sample.event["time"].as_str().unwrap());
    let start = w.sample_start();
    // Requested 49 hours before the run: due an hour before it.
    w.booking(BOOKING, start, scheduled - TimeDelta::hours(49)).await;
    // Requested 47 hours before: due an hour after the run (and long due by now).
    let later = BookingId::new().to_string();
    w.booking(&later, start + TimeDelta::hours(5), scheduled - TimeDelta::hours(47)).await;

    let event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> = serde_json::from_value(sample.event).unwrap();
    assert_eq!(event.detail_type, "Scheduled Event");
    let summary =
        expire_bookings::handle(w.env.app, lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap();
    assert_eq!(summary, expire_bookings::Summary { expired: 1, skipped: 0, unreadable: 0 });
    let expired = w.stored_booking(BOOKING).await;
    assert_eq!(expired.status, BookingStatus::Expired);
    assert!(expired.lock_blocks.is_empty(), "an expired booking frees its slot");
    assert_eq!(expired.history.last().unwrap().reason.as_deref(), Some("not confirmed in time"));
    assert_eq!(w.stored_booking(&later).await.status, BookingStatus::Pending);
}

// ---------------------------------------------------------------------------------------
// Reviews, feedback and sentiment
// ---------------------------------------------------------------------------------------

async fn create_review() {
    let w = World::listed().await;
    w.completed_booking().await;
    let sample = Sample::http("create-review").bearer(&w.meera.access);
    let sent = sample.body();
    let r = respond(w.env.app, create_review::handle, sample.request()).await;
    let review = r.ok(201);
    assert_eq!((&review["id"], &review["rating"], &review["text"]), (&json!(BOOKING), &sent["rating"], &sent["text"]));
    assert_eq!((&review["author"], &review["analysis_state"]), (&json!("Meera"), &json!("pending")));
    assert_eq!(r.header("location"), Some(format!("/photographers/{ASHA}/reviews").as_str()));
    let stored = w.env.app.store.get_review(BOOKING.parse().unwrap()).await.unwrap().expect("stored");
    assert_eq!(stored.rating, 5);
}

async fn list_photographer_reviews() {
    let w = World::listed().await;
    w.completed_booking().await;
    w.reviewed().await;
    w.scored(&format!("BOOKING#{BOOKING}"), "REVIEW", Analyzer::Embedded).await;
    let r = respond(w.env.app, list_photographer_reviews::handle, Sample::http("list-photographer-reviews").request())
        .await;
    let page = r.ok(200);
    assert_eq!(ids(page), [BOOKING]);
    let review = &page["items"][0];
    assert_eq!((&review["rating"], &review["analysis_state"]), (&json!(5), &json!("done")));
    assert_eq!(review["sentiment"]["label"], "positive", "{review}");
    assert!(review.get("client_id").is_none(), "public: no client id");
}

async fn reply_to_review() {
    let w = World::listed().await;
    w.completed_booking().await;
    w.reviewed().await;
    let sample = Sample::http("reply-to-review").bearer(&w.asha.access);
    let text = sample.body()["text"].clone();
    let r = respond(w.env.app, reply_to_review::handle, sample.request()).await;
    let review = r.ok(200);
    assert_eq!((&review["id"], &review["reply"]["text"]), (&json!(BOOKING), &text));
    let stored = w.env.app.store.get_review(BOOKING.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.reply.map(|r| r.text), text.as_str().map(String::from));
}

async fn create_feedback() {
    let w = World::people().await;
    let sample = Sample::http("create-feedback").bearer(&w.meera.access);
    let sent = sample.body();
    let r = respond(w.env.app, create_feedback::handle, sample.request()).await;
    let f = r.ok(201);
    assert_eq!((&f["user_id"], &f["user_role"], &f["status"]), (&json!(MEERA), &json!("client"), &json!("open")));
    for key in ["category", "subject", "message"] {
        assert_eq!(f[key], sent[key], "{key}");
    }
    let id = f["id"].as_str().unwrap();
    assert_eq!(r.header("location"), Some(format!("/admin/feedback/{id}").as_str()));
    assert!(w.env.app.store.get_feedback(id.parse().unwrap()).await.unwrap().is_some());
}

async fn admin_list_feedback() {
    let w = World::people().await;
    w.feedback().await;
    w.scored(&format!("FEEDBACK#{FEEDBACK}"), "FEEDBACK", Analyzer::Embedded).await;
    // Open but positive: not what the sample asks for.
    let praise = Sample::http("create-feedback").bearer(&w.meera.access).with_body_member(
        "message",
        json!("Booking was quick and the photographer was wonderful. Thank you, great service!"),
    );
    let praise =
        respond(w.env.app, create_feedback::handle, praise.request()).await.ok(201)["id"].as_str().unwrap().to_string();
    w.scored(&format!("FEEDBACK#{praise}"), "FEEDBACK", Analyzer::Embedded).await;
    let sample = Sample::http("admin-list-feedback").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_list_feedback::handle, sample.request()).await;
    let page = r.ok(200);
    assert_eq!(ids(page), [FEEDBACK]);
    assert_eq!(page["items"][0]["sentiment"]["label"], "negative");
}

async fn admin_update_feedback() {
    let w = World::people().await;
    w.feedback().await;
    let sample = Sample::http("admin-update-feedback").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_update_feedback::handle, sample.request()).await;
    let f = r.ok(200);
    assert_eq!((&f["id"], &f["status"]), (&json!(FEEDBACK), &json!("in_progress")));
    let stored = w.env.app.store.get_feedback(FEEDBACK.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.status, FeedbackStatus::InProgress);
}

async fn admin_sentiment_insights() {
    let w = World::listed().await;
    // Today: Meera's 5-star review and her complaint, each scored by the stream.
    w.completed_booking().await;
    w.reviewed().await;
    w.scored(&format!("BOOKING#{BOOKING}"), "REVIEW", Analyzer::Embedded).await;
    w.feedback().await;
    w.scored(&format!("FEEDBACK#{FEEDBACK}"), "FEEDBACK", Analyzer::Embedded).await;
    let sample = Sample::http("admin-sentiment-insights").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_sentiment_insights::handle, sample.request()).await;
    let body = r.ok(200);
    assert_eq!((&body["from"], &body["to"]), (&json!(moved("2026-11-01")), &json!(moved("2026-11-30"))));
    assert_eq!(body["granularity"], "week");
    let d = &body["distribution"];
    assert_eq!((&d["total"], &d["positive"], &d["negative"]), (&json!(2), &json!(1), &json!(1)), "{body}");
    assert_eq!(ids(&json!({"items": body["most_negative_open"]})), [FEEDBACK]);
}

/// Meera's booking of Asha as the stream records it (requested, confirmed, completed;
/// each record delivered twice) through aggregate-activity, then the sample: the
/// admin's weekly CSV for Asha's city and the booking's specialization.
async fn admin_get_analytics() {
    let w = World::listed().await;
    let now = Utc::now();
    let mut start = w.sample_start();
    while start > now - TimeDelta::days(2) {
        start -= TimeDelta::days(7);
    }
    let key = format!("BOOKING#{BOOKING}");
    let b = w.booking(BOOKING, start, start - TimeDelta::days(10)).await;
    let v0 = item_json(&w.env.dynamo, &w.env.table, &key, "BOOKING").await.unwrap();
    let b = w.advance(b, BookingStatus::Confirmed, Actor::Photographer, start - TimeDelta::days(9)).await;
    let v1 = item_json(&w.env.dynamo, &w.env.table, &key, "BOOKING").await.unwrap();
    w.advance(b.clone(), BookingStatus::Completed, Actor::Photographer, b.end + TimeDelta::hours(2)).await;
    let v2 = item_json(&w.env.dynamo, &w.env.table, &key, "BOOKING").await.unwrap();
    let aggregator =
        aggregate_activity::Aggregator { app: App::new(DynamoStore::new(w.env.dynamo.clone(), &w.env.table)) };
    for r in [
        record("INSERT", None, Some(&v0)),
        record("MODIFY", Some(&v0), Some(&v1)),
        record("MODIFY", Some(&v1), Some(&v2)),
    ] {
        for _ in 0..2 {
            let ev = event(vec![r.clone()]);
            let resp =
                aggregate_activity::handle(&aggregator, lambda_runtime::LambdaEvent::new(ev, Default::default()))
                    .await
                    .unwrap();
            assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
        }
    }
    let sample = Sample::http("admin-get-analytics").bearer(&w.admin.access);
    assert_eq!(sample.event["headers"]["accept"], "text/csv");
    let r = respond(w.env.app, admin_get_analytics::handle, sample.request()).await;
    assert_eq!((r.status, r.header("content-type")), (200, Some("text/csv; charset=utf-8")), "{}", r.text);
    let rows: Vec<Vec<&str>> = r.text.lines().skip(1).map(|l| l.trim_end().split(',').collect()).collect();
    // 91 days from a Tuesday: the Monday weeks it touches, the first clipped to the range.
    assert_eq!(rows.len(), 14, "{}", r.text);
    assert_eq!(rows[0][0], moved("2026-09-01").to_string());
    let sum = |col: usize| rows.iter().map(|r| r[col].parse::<f64>().unwrap()).sum::<f64>();
    // requested, confirmed, completed, booked hours of the package.
    assert_eq!((sum(1), sum(2), sum(6)), (1.0, 1.0, 1.0), "{}", r.text);
    assert_eq!(sum(7), f64::from(b.duration_minutes) / 60.0);
}

/// Eight weeks of Hyderabad wedding requests (two a day, one on Sundays) in the
/// aggregates, as aggregate-activity keeps them, then the schedule's sample event: the
/// day's pass forecasts the platform, the city, the specialization and the pair.
async fn forecasted(w: &World) -> forecast_demand_job::Report {
    use cm_store::AnalyticsWriter;
    let store = DynamoStore::new(w.env.dynamo.clone(), &w.env.table);
    let yesterday = Utc::now().date_naive() - Days::new(1);
    for i in 0..56u64 {
        let day = yesterday - Days::new(i);
        let n = if i % 7 == 3 { 1 } else { 2 };
        let c = cm_booking::analytics::Contribution {
            event: format!("sample#{day}"),
            day,
            city: "hyderabad".into(),
            specialization: Some(cm_catalog::photographer::Specialization::Wedding),
            shard: (i % 4) as u32,
            deltas: std::collections::BTreeMap::from([(cm_booking::analytics::Counter::Requested, n)]),
        };
        store.add_booking_contribution(&c, Utc::now()).await.unwrap();
    }
    let sample = Sample::load("forecast-demand-job");
    let event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> = serde_json::from_value(sample.event).unwrap();
    assert_eq!(event.detail_type, "Scheduled Event");
    let job = forecast_demand_job::Job { app: App::new(store), budget: forecast_demand_job::BUDGET };
    forecast_demand_job::handle(&job, lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap()
}

async fn forecast_demand_job() {
    let w = World::people().await;
    let report = forecasted(&w).await;
    assert!(report.done, "{report:?}");
    assert_eq!((report.run.forecasts, report.run.failures), (4, 0), "{report:?}");
}

async fn admin_get_forecasts() {
    let w = World::people().await;
    forecasted(&w).await;
    let sample = Sample::http("admin-get-forecasts").bearer(&w.admin.access);
    let r = respond(w.env.app, admin_get_forecasts::handle, sample.request()).await;
    let body = r.ok(200);
    assert_eq!((&body["city"], &body["specialization"]), (&json!("hyderabad"), &json!("wedding")));
    assert_eq!(body["points"].as_array().unwrap().len(), forecast_demand_job::HORIZON);
    assert_eq!(body["history_requests"], 104);
}

/// The sample is the stream's record of Meera's review being written: the item it
/// records is put in the table as the record says, and the record replayed.
async fn score_sentiment() {
    let w = World::listed().await;
    w.completed_booking().await;
    let sample = Sample::load("score-sentiment");
    let image = sample.event["Records"][0]["dynamodb"]["NewImage"].clone();
    assert_eq!(image["client_id"]["S"], MEERA);
    let item: serde_dynamo::Item = serde_json::from_value(image).unwrap();
    w.env.dynamo.put_item().table_name(&w.env.table).set_item(Some(item.into())).send().await.unwrap();
    // The record is the item create-review writes, attribute for attribute.
    let stored = w.env.app.store.get_review(BOOKING.parse().unwrap()).await.unwrap().expect("a review item");
    assert_eq!((stored.rating, stored.analysis_state), (2, AnalysisState::Pending));

    let sns = aws_sdk_sns::Client::new(&sdk_config().await);
    let topic = sns.create_topic().name(format!("alerts-{}", w.env.table)).send().await.unwrap().topic_arn.unwrap();
    let scorer = w.scorer(Analyzer::Embedded, sns, Some(topic.clone()));
    let written = sample.event["Records"][0]["dynamodb"]["NewImage"].clone();
    let records: aws_lambda_events::dynamodb::Event = serde_json::from_value(sample.event).unwrap();
    let resp = scorer.handle(lambda_runtime::LambdaEvent::new(records, Default::default())).await.unwrap();
    assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    // The analysis is itself a stream record, which feeds the daily aggregates.
    w.aggregated(&format!("BOOKING#{BOOKING}"), "REVIEW", &written).await;

    let review = w.env.app.store.get_review(BOOKING.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(review.analysis_state, AnalysisState::Done);
    assert_eq!(review.sentiment.as_ref().map(|s| s.analysis.label), Some(cm_sentiment::Label::Negative));
    let asha = w.public_profile(ASHA).await.ok(200).clone();
    assert_eq!(asha["rating"], json!({"average": 2.0, "count": 1}));
    let alerts = sns_messages(&topic).await;
    assert_eq!(alerts.len(), 1, "one alert for a 2-star review: {alerts:?}");
    // moto records each notification as [id, message, subject, attributes, group].
    let alert: Value = serde_json::from_str(alerts[0][1].as_str().unwrap_or("{}")).unwrap_or_default();
    assert_eq!((&alert["id"], &alert["rating"]), (&json!(BOOKING), &json!(2)), "{alerts:?}");
    // Counted on the review's day in the insights.
    let day = review.created_at.date_naive();
    let insights = call(
        w.env.app,
        admin_sentiment_insights::handle,
        ApiEvent::new("GET /admin/insights/sentiment").bearer(&w.admin.access).query("from", day).query("to", day),
    )
    .await;
    assert_eq!(insights.ok(200)["distribution"]["negative"], 1);
}

/// After a change of analyzer: Meera's review was scored by Amazon Comprehend (moto's,
/// which calls everything neutral), and the sample's dry run reports that the
/// embedded analyzer would change it, and changes nothing.
async fn backfill_sentiment() {
    let w = World::listed().await;
    w.completed_booking().await;
    w.reviewed().await;
    let comprehend = aws_sdk_comprehend::Client::new(&sdk_config().await);
    w.scored(&format!("BOOKING#{BOOKING}"), "REVIEW", Analyzer::Comprehend(comprehend)).await;
    let before = w.env.app.store.get_review(BOOKING.parse().unwrap()).await.unwrap().unwrap();
    let label = before.sentiment.as_ref().map(|s| (s.analysis.label, s.analyzer.clone()));
    assert_eq!(label, Some((cm_sentiment::Label::Neutral, "comprehend".to_string())));

    let request: backfill_sentiment::Request =
        serde_json::from_value(Sample::load("backfill-sentiment").event).unwrap();
    assert!(request.dry_run);
    let backfill = backfill_sentiment::Backfill {
        app: App::new(DynamoStore::new(w.env.dynamo.clone(), &w.env.table)),
        analyzer: Analyzer::Embedded,
    };
    let report = backfill.run(request).await.unwrap();
    assert_eq!(
        report,
        backfill_sentiment::Report {
            examined: 1,
            rescored: 1,
            unchanged: 0,
            awaiting_first_analysis: 0,
            redriven: 0,
            skipped: 0,
            next_cursor: None
        }
    );
    let after = w.env.app.store.get_review(BOOKING.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(after, before, "a dry run writes nothing");
}

/// The sample is the stream's record of the scorer writing the analysis of Meera's
/// review: delivered twice (as a stream may), it is counted once, on the review's day.
async fn aggregate_activity() {
    use cm_store::InsightsReader;
    let w = World::people().await;
    let sample = Sample::load("aggregate-activity");
    let record = &sample.event["Records"][0]["dynamodb"];
    assert_eq!(
        (&record["OldImage"]["analysis_version"], &record["NewImage"]["analysis_version"]),
        (&json!({"N": "0"}), &json!({"N": "1"}))
    );
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_value(sample.event.clone()).unwrap();
    let aggregator =
        aggregate_activity::Aggregator { app: App::new(DynamoStore::new(w.env.dynamo.clone(), &w.env.table)) };
    for _ in 0..2 {
        let resp = aggregate_activity::handle(
            &aggregator,
            lambda_runtime::LambdaEvent::new(event.clone(), Default::default()),
        )
        .await
        .unwrap();
        assert!(resp.batch_item_failures.is_empty(), "{resp:?}");
    }
    let day = NaiveDate::parse_from_str(SAMPLE_DAY, "%Y-%m-%d").unwrap();
    let days = w.env.app.store.sentiment_days(day, day).await.unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!((days[0].get("n"), days[0].get("neg"), days[0].get("n_review")), (1, 1, 1));
    assert_eq!(days[0].get("t_punctuality_neg"), 1);
}

// ---------------------------------------------------------------------------------------
// Portfolio
// ---------------------------------------------------------------------------------------

/// Asha's pending portfolio item `ITEM` as the create-portfolio-upload sample asks for
/// it (only the store can give it that id), and its upload in the bucket.
async fn pending_item(w: &World, m: &cm_tests::media::Media) -> String {
    let body = Sample::http("create-portfolio-upload").body();
    let request = cm_media::UploadRequest::parse(
        body["filename"].as_str().unwrap(),
        body["content_type"].as_str().unwrap(),
        body["size_bytes"].as_i64().unwrap(),
        body["category"].as_str().unwrap(),
        body["caption"].as_str(),
    )
    .unwrap();
    let item = request.pending_item(ITEM.parse().unwrap(), ASHA.parse().unwrap(), 1, Utc::now());
    assert!(w.env.app.store.add_portfolio_item(&item, 0).await.unwrap());
    let key = cm_media::objects::incoming_key(item.photographer, item.id);
    m.put(&key, &cm_tests::images::jpeg_with_exif(1200, 800, 1)).await;
    key
}

/// ... processed, through process-upload.
async fn ready_item(w: &World, m: &cm_tests::media::Media) {
    let key = pending_item(w, m).await;
    let record = &cm_tests::media::s3_event(&m.bucket, &key, 1).payload.records[0];
    assert_eq!(m.processor.record(record).await.unwrap(), process_upload::Outcome::Ready);
}

async fn create_portfolio_upload() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    let signer = m.signer;
    let sample = Sample::http("create-portfolio-upload").bearer(&w.asha.access);
    let sent = sample.body();
    let r =
        respond(w.env.app, move |app, req| create_portfolio_upload::handle(app, signer, req), sample.request()).await;
    let ticket = r.ok(201);
    assert_eq!(ticket["item"]["status"], "pending");
    let fields = &ticket["upload"]["fields"];
    assert_eq!(fields["key"], format!("incoming/portfolio/{ASHA}/{}", ticket["item"]["id"].as_str().unwrap()));
    assert_eq!(fields["Content-Type"], sent["content_type"]);
}

async fn process_upload() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    pending_item(&w, &m).await;
    let mut sample = Sample::load("process-upload");
    // The sample names the deployed bucket; the replay uses this test's.
    sample.event["Records"][0]["s3"]["bucket"]["name"] = json!(m.bucket);
    let event: aws_lambda_events::s3::S3Event = serde_json::from_value(sample.event).unwrap();
    m.processor.handle(lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default())).await.unwrap();
    let item = w.env.app.store.get_portfolio_item(ASHA.parse().unwrap(), ITEM.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((item.status, item.width, item.height), (cm_media::ItemStatus::Ready, Some(1200), Some(800)));
    assert_eq!(m.keys().await.len(), 2, "two display sizes, the upload deleted");
}

async fn list_portfolio() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    ready_item(&w, &m).await;
    let sample = Sample::http("list-portfolio");
    let base = cm_tests::media::PUBLIC_BASE;
    let r = respond(w.env.app, move |app, req| list_portfolio::handle(app, base, req), sample.request()).await;
    let page = r.ok(200);
    assert_eq!(page["items"][0]["id"], ITEM);
    assert_eq!(page["items"][0]["category"], "wedding");
}

async fn update_portfolio_item() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    ready_item(&w, &m).await;
    let sample = Sample::http("update-portfolio-item").bearer(&w.asha.access);
    let sent = sample.body();
    let base = cm_tests::media::PUBLIC_BASE;
    let r = respond(w.env.app, move |app, req| update_portfolio_item::handle(app, base, req), sample.request()).await;
    let item = r.ok(200);
    assert_eq!((&item["id"], &item["caption"], &item["position"]), (&json!(ITEM), &sent["caption"], &sent["position"]));
}

async fn delete_portfolio_item() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    ready_item(&w, &m).await;
    let bucket: &'static cm_runtime::MediaBucket =
        Box::leak(Box::new(cm_runtime::MediaBucket { s3: m.s3.clone(), name: m.bucket.clone() }));
    let sample = Sample::http("delete-portfolio-item").bearer(&w.asha.access);
    let r = respond(w.env.app, move |app, req| delete_portfolio_item::handle(app, bucket, req), sample.request()).await;
    r.ok(204);
    assert!(m.keys().await.is_empty());
    let gone = w.env.app.store.get_portfolio_item(ASHA.parse().unwrap(), ITEM.parse().unwrap()).await.unwrap();
    assert!(gone.is_none());
}

/// BOOKING completed, with a client gallery holding PHOTO, processed by process-upload;
/// `delivered` as asked.
async fn gallery_with_photo(w: &World, m: &cm_tests::media::Media, delivered: bool) {
    use cm_store::{GalleryReader, GalleryWriter};
    let booking = w.completed_booking().await;
    let now = Utc::now();
    let gallery = cm_media::Gallery::open(&booking, 90, now).unwrap();
    assert!(w.env.app.store.create_gallery(&gallery).await.unwrap());
    let body = Sample::http("create-gallery-upload").body();
    let upload = cm_media::gallery::GalleryUpload::parse(
        body["filename"].as_str().unwrap(),
        body["content_type"].as_str().unwrap(),
        body["size_bytes"].as_i64().unwrap(),
    )
    .unwrap();
    let photo = upload.pending_photo(&gallery, PHOTO.parse().unwrap(), now);
    assert!(w.env.app.store.add_gallery_photo(&photo).await.unwrap());
    let key = cm_media::objects::gallery_incoming_key(booking.id, photo.id);
    m.put(&key, &cm_tests::images::jpeg_with_exif(1200, 800, 1)).await;
    let record = &cm_tests::media::s3_event(&m.bucket, &key, 1).payload.records[0];
    assert_eq!(m.processor.record(record).await.unwrap(), process_upload::Outcome::Ready);
    if delivered {
        let g = w.env.app.store.get_gallery(booking.id).await.unwrap().unwrap();
        let settings = cm_media::gallery::Settings { retention_days: 90, delivered: true };
        let next = g.apply(settings, now).unwrap().unwrap();
        assert!(w.env.app.store.update_gallery_settings(&g, &next).await.unwrap());
    }
}

fn media_bucket(m: &cm_tests::media::Media) -> &'static cm_runtime::MediaBucket {
    Box::leak(Box::new(cm_runtime::MediaBucket { s3: m.s3.clone(), name: m.bucket.clone() }))
}

async fn put_gallery() {
    let w = World::listed().await;
    w.completed_booking().await;
    let sample = Sample::http("put-gallery").bearer(&w.asha.access);
    let sent = sample.body();
    let r = respond(w.env.app, put_gallery::handle, sample.request()).await;
    let gallery = r.ok(201);
    assert_eq!((&gallery["booking_id"], &gallery["status"]), (&json!(BOOKING), &json!("open")));
    assert_eq!(gallery["retention_days"], sent["retention_days"]);
}

async fn create_gallery_upload() {
    let w = World::listed().await;
    w.completed_booking().await;
    let m = cm_tests::media::media(&w.env).await;
    let signer = m.signer;
    let sample = Sample::http("create-gallery-upload").bearer(&w.asha.access);
    let sent = sample.body();
    let r = respond(w.env.app, move |app, req| create_gallery_upload::handle(app, signer, req), sample.request()).await;
    let ticket = r.ok(201);
    assert_eq!(ticket["photo"]["status"], "pending");
    let fields = &ticket["upload"]["fields"];
    assert_eq!(fields["key"], format!("incoming/gallery/{BOOKING}/{}", ticket["photo"]["id"].as_str().unwrap()));
    assert_eq!(fields["Content-Type"], sent["content_type"]);
}

async fn get_gallery() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    gallery_with_photo(&w, &m, true).await;
    let bucket = media_bucket(&m);
    let sample = Sample::http("get-gallery").bearer(&w.meera.access);
    let r = respond(w.env.app, move |app, req| get_gallery::handle(app, bucket, req), sample.request()).await;
    let page = r.ok(200);
    assert_eq!(page["gallery"]["status"], "delivered");
    assert_eq!(page["items"][0]["id"], PHOTO);
    assert_eq!(page["items"][0]["filename"], Sample::http("create-gallery-upload").body()["filename"]);
    assert!(page["items"][0]["links"]["download"].as_str().unwrap().contains("X-Amz-Signature="));
}

async fn update_gallery_photo() {
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    gallery_with_photo(&w, &m, true).await;
    let sample = Sample::http("update-gallery-photo").bearer(&w.meera.access);
    let sent = sample.body();
    let r = respond(w.env.app, update_gallery_photo::handle, sample.request()).await;
    let photo = r.ok(200);
    assert_eq!((&photo["id"], &photo["favourite"]), (&json!(PHOTO), &sent["favourite"]));
}

async fn delete_gallery_photo() {
    use cm_store::GalleryReader;
    let w = World::listed().await;
    let m = cm_tests::media::media(&w.env).await;
    gallery_with_photo(&w, &m, false).await;
    let bucket = media_bucket(&m);
    let sample = Sample::http("delete-gallery-photo").bearer(&w.asha.access);
    let r = respond(w.env.app, move |app, req| delete_gallery_photo::handle(app, bucket, req), sample.request()).await;
    r.ok(204);
    assert!(m.keys().await.is_empty());
    let booking: BookingId = BOOKING.parse().unwrap();
    assert!(w.env.app.store.get_gallery_photo(booking, PHOTO.parse().unwrap()).await.unwrap().is_none());
    assert_eq!(w.env.app.store.get_gallery(booking).await.unwrap().unwrap().photos, 0);
}

// ---------------------------------------------------------------------------------------
// Payments (against the Stripe stand-in)
// ---------------------------------------------------------------------------------------

/// Asha listed with payouts active, and BOOKING of hers by Meera at `start` (by default
/// where the create-booking sample asks).
async fn paying_world(start: Option<DateTime<Utc>>) -> (World, cm_tests::stripe::StripeEnv, Booking) {
    let w = World::listed().await;
    let s = cm_tests::stripe::stripe().await;
    s.active_payouts(w.env.app, ASHA, ASHA_EMAIL).await;
    let b = w.booking(BOOKING, start.unwrap_or_else(|| w.sample_start()), Utc::now()).await;
    (w, s, b)
}

fn own_stripe(s: &cm_tests::stripe::StripeEnv) -> cm_stripe::Stripe {
    cm_stripe::Stripe::connect(&cm_tests::stripe::keys_json(), Some(&s.standin.base_url())).unwrap()
}

/// Meera pays the deposit of BOOKING with a card and Stripe's events are delivered.
async fn deposit_paid_by_card(w: &World, s: &cm_tests::stripe::StripeEnv) -> String {
    let stripe = s.stripe;
    let r = call(
        w.env.app,
        move |app, req| create_payment::handle(app, stripe, req),
        ApiEvent::new("POST /bookings/{id}/payments")
            .bearer(&w.meera.access)
            .path("id", BOOKING)
            .json(json!({"kind": "deposit"})),
    )
    .await;
    let body = r.ok(201).clone();
    s.pay(body["intent_id"].as_str().unwrap(), body["client_secret"].as_str().unwrap(), "pm_card_visa").await;
    s.deliver_new(w.env.app).await;
    body["intent_id"].as_str().unwrap().to_string()
}

async fn create_payment() {
    let (w, s, b) = paying_world(None).await;
    let sample = Sample::http("create-payment").bearer(&w.meera.access);
    let stripe = s.stripe;
    let r = respond(w.env.app, move |app, req| create_payment::handle(app, stripe, req), sample.request()).await;
    let body = r.ok(201);
    let deposit = b.payment_terms.schedule(&b.price).unwrap().deposit_minor;
    assert_eq!(
        (&body["kind"], &body["amount_minor"], &body["capture"]),
        (&json!("deposit"), &json!(deposit), &json!("on_confirmation"))
    );
    assert!(body["client_secret"].as_str().is_some_and(|c| c.contains("_secret_")));
    assert_eq!(s.intent_ids_for(BOOKING), [body["intent_id"].as_str().unwrap().to_string()]);
}

/// The sample is the authorisation of BOOKING's deposit as Stripe sends it; replayed
/// with a signature made now (a signature is only good for five minutes).
async fn stripe_webhook() {
    let w = World::listed().await;
    let b = w.booking(BOOKING, w.sample_start(), Utc::now()).await;
    let schedule = b.payment_terms.schedule(&b.price).unwrap();
    let ledger = cm_payments::Ledger::open(
        b.id,
        b.client_id,
        b.photographer_id,
        b.payment_terms.clone(),
        schedule,
        "acct_sample".into(),
        "cus_sample".into(),
        b.start,
        Utc::now(),
    );
    assert!(cm_store::PaymentWriter::create_ledger(&w.env.app.store, &ledger).await.unwrap());
    let mut sample = Sample::http("stripe-webhook");
    let payload = sample.event["body"].as_str().unwrap().to_string();
    let signature = cm_tests::stripe::signature(&payload, Utc::now().timestamp(), cm_tests::stripe::WEBHOOK_SECRET);
    sample.event["headers"]["stripe-signature"] = json!(signature);
    let s = cm_tests::stripe::stripe().await;
    let hook = s.hook;
    let r = respond(w.env.app, move |app, req| stripe_webhook::handle(app, hook, req), sample.request()).await;
    assert_eq!(r.ok(200)["outcome"], "applied");
    let stored = cm_store::PaymentReader::get_ledger(&w.env.app.store, b.id).await.unwrap().unwrap();
    let event: Value = serde_json::from_str(&payload).unwrap();
    let intent = stored.intent(event["data"]["object"]["id"].as_str().unwrap()).expect("the intent is recorded");
    assert_eq!(intent.status, cm_payments::IntentStatus::Authorized);
    assert_eq!(stored.state(), cm_payments::PaymentState::Authorized);
}

async fn start_payout_onboarding() {
    let w = World::listed().await;
    let s = cm_tests::stripe::stripe().await;
    let onboarding: &'static start_payout_onboarding::Onboarding =
        Box::leak(Box::new(start_payout_onboarding::Onboarding {
            stripe: own_stripe(&s),
            return_url: "https://capturemoments.app/photographer/payouts?done=1".into(),
            refresh_url: "https://capturemoments.app/photographer/payouts?refresh=1".into(),
        }));
    let sample = Sample::http("start-payout-onboarding").bearer(&w.asha.access);
    let r = respond(w.env.app, move |app, req| start_payout_onboarding::handle(app, onboarding, req), sample.request())
        .await;
    let body = r.ok(200);
    assert_eq!(body["status"], "pending");
    assert!(body["url"].as_str().is_some_and(|u| u.starts_with(&s.standin.base_url())));
    let stored =
        cm_store::PaymentReader::payout_account(&w.env.app.store, ASHA.parse().unwrap()).await.unwrap().unwrap();
    assert!(stored.account.starts_with("acct_"));
}

async fn list_payments() {
    let (w, s, _) = paying_world(None).await;
    deposit_paid_by_card(&w, &s).await;
    let sample = Sample::http("list-payments").bearer(&w.meera.access);
    let r = respond(w.env.app, list_payments::handle, sample.request()).await;
    let page = r.ok(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!((&page["items"][0]["booking_id"], &page["items"][0]["state"]), (&json!(BOOKING), &json!("authorized")));
}

async fn settle_payments() {
    let (w, s, b) = paying_world(None).await;
    let intent = deposit_paid_by_card(&w, &s).await;
    w.advance(b, BookingStatus::Confirmed, Actor::Photographer, Utc::now()).await;
    let sample = Sample::load("settle-payments");
    let event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> = serde_json::from_value(sample.event).unwrap();
    let settler = settle_payments::Settler { app: App::new(w.env.app.store.clone()), stripe: own_stripe(&s) };
    let summary = settler.handle(lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap();
    assert_eq!((summary.settled, summary.actions), (1, 1));
    assert_eq!(s.intent(&intent).await["status"], "succeeded", "captured on confirmation");
}

/// The balance of a session three days ahead fell due four days ago: the run charges it
/// with the card saved with the deposit.
async fn charge_balances() {
    let (w, s, b) = paying_world(Some(Utc::now() + TimeDelta::days(3))).await;
    deposit_paid_by_card(&w, &s).await;
    w.advance(b, BookingStatus::Confirmed, Actor::Photographer, Utc::now()).await;
    settle_payments::Settler { app: App::new(w.env.app.store.clone()), stripe: own_stripe(&s) }
        .settle_all()
        .await
        .unwrap();
    s.deliver_new(w.env.app).await;
    let sample = Sample::load("charge-balances");
    let mut event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> =
        serde_json::from_value(sample.event).unwrap();
    event.time = Some(Utc::now());
    let charger = charge_balances::Charger { app: App::new(w.env.app.store.clone()), stripe: own_stripe(&s) };
    let summary = charger.handle(lambda_runtime::LambdaEvent::new(event, Default::default())).await.unwrap();
    assert_eq!(summary.charged, 1, "{summary:?}");
    s.deliver_new(w.env.app).await;
    let ledger =
        cm_store::PaymentReader::get_ledger(&w.env.app.store, BOOKING.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(ledger.state(), cm_payments::PaymentState::Paid);
}

// ---------------------------------------------------------------------------------------
// Chat (the WebSocket API, its functions and the chat table's stream)
// ---------------------------------------------------------------------------------------

/// The samples' world with its chat: Asha listed, Meera's BOOKING of her, and the chat's
/// WebSocket API on the same table (cm_tests::realtime: the gateway on loopback with the
/// template's routes and the real handlers, the chat table, and its stream driving
/// deliver-chat).
struct Chat {
    w: World,
    cw: ChatWorld,
}

impl Chat {
    async fn new() -> Chat {
        let cw = cm_tests::realtime::world().await;
        let env = TestEnv { app: cw.env.app, dynamo: cw.env.dynamo.clone(), table: cw.env.table.clone() };
        let w = World::listed_in(env).await;
        w.booking(BOOKING, w.sample_start(), Utc::now()).await;
        Chat { w, cw }
    }

    fn rt(&self) -> &'static Realtime {
        self.cw.rt
    }

    async fn connections_of(&self, user: &str) -> BTreeSet<String> {
        let open = self.rt().chat.connections_of(user.parse().unwrap(), self.cw.clock.now()).await.unwrap();
        open.into_iter().map(|c| c.id).collect()
    }

    /// A socket of `who`, opened through the gateway as the web app opens one (the token
    /// as its second subprotocol), and the id API Gateway gave its connection.
    async fn socket(&self, who: &Session) -> (Socket, String) {
        let before = self.connections_of(&who.id).await;
        let socket = connect(&self.cw, &who.access).await.unwrap_or_else(|status| panic!("refused with {status}"));
        let opened: Vec<String> = self.connections_of(&who.id).await.difference(&before).cloned().collect();
        let [id] = <[String; 1]>::try_from(opened).unwrap_or_else(|o| panic!("one new connection, not {o:?}"));
        (socket, id)
    }

    /// MESSAGE, Meera's message as the deliver-chat sample records it, stored as
    /// ws-send-message stores one, through the store (the only way to give it the
    /// sample's id).
    async fn message(&self) -> Message {
        let (message, participants) = sample_message();
        let mut room: Vec<UserId> = chat_room().participants().into();
        let mut recorded = participants;
        room.sort();
        recorded.sort();
        assert_eq!(recorded, room, "the record names the room's participants");
        match self.rt().chat.send_message(&chat_room(), &message).await.unwrap() {
            Sent::Stored(m) => m,
            other => panic!("not stored: {other:?}"),
        }
    }
}

/// BOOKING's chat room.
fn chat_room() -> Room {
    Room { booking_id: BOOKING.parse().unwrap(), client: MEERA.parse().unwrap(), photographer: ASHA.parse().unwrap() }
}

/// MESSAGE and its room's participants, read from the deliver-chat sample's image the
/// way deliver-chat reads it.
fn sample_message() -> (Message, Vec<UserId>) {
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_value(Sample::load("deliver-chat").event).unwrap();
    let image: cm_store::Item = event.records[0].change.new_image.clone().into();
    let (message, participants) = cm_store::chat::stream::message(&image).expect("a chat message's image");
    assert_eq!(message.id.to_string(), MESSAGE);
    (message, participants)
}

/// What a WebSocket route function answered: its status and headers, and the frame it
/// sends back (only a two-way route's answer reaches the client).
struct WsAnswer {
    status: i64,
    headers: http::HeaderMap,
    frame: Option<Value>,
}

impl WsAnswer {
    /// The frame of a 200 answer.
    fn frame(&self) -> &Value {
        assert_eq!(self.status, 200, "{:?}", self.frame);
        self.frame.as_ref().expect("a frame back")
    }
}

/// Runs a WebSocket sample through its function's real handler, as Lambda would.
async fn invoke<F, Fut>(rt: &'static Realtime, handler: F, sample: &Sample) -> WsAnswer
where
    F: FnOnce(&'static Realtime, lambda_runtime::LambdaEvent<WsEvent>) -> Fut,
    Fut: std::future::Future<Output = Result<WsResponse, lambda_runtime::Error>>,
{
    let event = lambda_runtime::LambdaEvent::new(sample.socket_event(), lambda_runtime::Context::default());
    let r = handler(rt, event).await.unwrap_or_else(|e| panic!("{}: the function failed: {e}", sample.binary));
    let frame = match &r.body {
        None | Some(aws_lambda_events::encodings::Body::Empty) => None,
        Some(aws_lambda_events::encodings::Body::Text(t)) => Some(
            serde_json::from_str(t).unwrap_or_else(|e| panic!("{}: the frame is not JSON: {e}: {t}", sample.binary)),
        ),
        Some(other) => panic!("{}: a frame is text, not {other:?}", sample.binary),
    };
    if frame.is_some() {
        let route = sample.event["requestContext"]["routeKey"].as_str().unwrap_or_default();
        let two_way = cm_tests::realtime::routes_from_template().routes.get(route).is_some_and(|r| r.two_way);
        assert!(two_way, "{}: `{route}` has no route response, so API Gateway drops the frame", sample.binary);
    }
    WsAnswer { status: r.status_code, headers: r.headers, frame }
}

/// Meera's phone opens the chat socket with her token as the second subprotocol: the
/// handshake is accepted with `capture-moments` echoed (browsers require it), and the
/// connection is hers.
async fn ws_connect() {
    let c = Chat::new().await;
    let sample = Sample::ws("ws-connect").subprotocol_token(&c.w.meera.access);
    let id = sample.connection_id();
    let r = invoke(c.rt(), ws_connect::handle, &sample).await;
    assert_eq!(r.status, 200, "{:?}", r.frame);
    assert_eq!(r.headers.get("sec-websocket-protocol").and_then(|v| v.to_str().ok()), Some(ws_connect::SUBPROTOCOL));
    let conn = c.rt().chat.connection(&id, c.cw.clock.now()).await.unwrap().expect("the connection is stored");
    assert_eq!((conn.user_id.to_string().as_str(), conn.admin), (MEERA, false));
    assert_eq!(c.connections_of(MEERA).await, BTreeSet::from([id]), "one of Meera's sockets");
}

/// Meera's app closes the socket the ws-connect sample opened: its connection is gone.
async fn ws_disconnect() {
    let c = Chat::new().await;
    let connect = Sample::ws("ws-connect").subprotocol_token(&c.w.meera.access);
    assert_eq!(invoke(c.rt(), ws_connect::handle, &connect).await.status, 200);
    let sample = Sample::ws("ws-disconnect");
    let id = sample.connection_id();
    assert_eq!(id, connect.connection_id(), "the samples' socket");
    assert_eq!(sample.event["requestContext"]["disconnectStatusCode"], 1005);
    let r = invoke(c.rt(), ws_disconnect::handle, &sample).await;
    assert_eq!((r.status, &r.frame), (200, &None));
    assert!(c.rt().chat.connection(&id, c.cw.clock.now()).await.unwrap().is_none());
    assert!(c.connections_of(MEERA).await.is_empty());
}

/// A frame asking for an action the API does not have reaches $default: the answer is an
/// error frame naming the actions there are, and the socket stays open.
async fn ws_default() {
    let c = Chat::new().await;
    let (_socket, id) = c.socket(&c.w.meera).await;
    let sample = Sample::ws("ws-default").connection(&id);
    let r = invoke(c.rt(), ws_default::handle, &sample).await;
    let f = r.frame();
    assert_eq!((&f["type"], &f["status"], &f["code"]), (&json!("error"), &json!(400), &json!("unknown-action")), "{f}");
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("\"delete_message\"") && detail.contains("send_message, typing, mark_read, ping"), "{f}");
    assert_eq!(c.connections_of(MEERA).await, BTreeSet::from([id]));
}

/// Meera sends the sample's message from her socket: it is answered `sent`, stored once,
/// and pushed to Asha's open socket (by deliver-chat, from the chat table's stream).
async fn ws_send_message() {
    let c = Chat::new().await;
    let (_meera, id) = c.socket(&c.w.meera).await;
    let (mut asha, _) = c.socket(&c.w.asha).await;
    let sample = Sample::ws("ws-send-message").connection(&id);
    let sent: Value = serde_json::from_str(sample.event["body"].as_str().unwrap()).unwrap();
    let r = invoke(c.rt(), ws_send_message::handle, &sample).await;
    let f = r.frame();
    assert_eq!(
        (&f["type"], &f["client_id"], &f["duplicate"]),
        (&json!("sent"), &sent["client_id"], &json!(false)),
        "{f}"
    );
    let m = &f["message"];
    assert_eq!(
        (&m["booking_id"], &m["sender_id"], &m["client_id"], &m["text"]),
        (&json!(BOOKING), &json!(MEERA), &sent["client_id"], &sent["text"])
    );
    let (stored, more) = c.rt().chat.messages(BOOKING.parse().unwrap(), None, 10).await.unwrap();
    assert!(!more);
    assert_eq!(json!(stored.iter().map(MessageView::from).collect::<Vec<_>>()), json!([m]));
    let (pushed, _) = until(&mut asha, "message").await;
    assert_eq!(pushed["message"], *m);
}

/// Asha starts typing her reply: Meera's socket is told who is typing where; nothing is
/// stored and nothing answered.
async fn ws_typing() {
    let c = Chat::new().await;
    let (_asha, id) = c.socket(&c.w.asha).await;
    let (mut meera, _) = c.socket(&c.w.meera).await;
    let sample = Sample::ws("ws-typing").connection(&id);
    let r = invoke(c.rt(), ws_typing::handle, &sample).await;
    assert_eq!((r.status, &r.frame), (200, &None));
    assert_eq!(next(&mut meera).await, json!({"type": "typing", "booking_id": BOOKING, "user_id": ASHA}));
}

/// Asha reads Meera's message: nothing is left unread, her mark is stored, and Meera's
/// socket gets the read receipt (deliver-chat, from the mark's change on the stream).
async fn ws_mark_read() {
    let c = Chat::new().await;
    c.message().await;
    let (_asha, id) = c.socket(&c.w.asha).await;
    let (mut meera, _) = c.socket(&c.w.meera).await;
    let sample = Sample::ws("ws-mark-read").connection(&id);
    let r = invoke(c.rt(), ws_mark_read::handle, &sample).await;
    assert_eq!(r.frame(), &json!({"type": "marked", "booking_id": BOOKING, "message_id": MESSAGE, "unread": 0}));
    let room = c.rt().chat.room_of(ASHA.parse().unwrap(), BOOKING.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((room.read_upto.map(|m| m.to_string()), room.unread), (Some(MESSAGE.to_string()), 0));
    let (receipt, _) = until(&mut meera, "read").await;
    assert_eq!(receipt, json!({"type": "read", "booking_id": BOOKING, "user_id": ASHA, "message_id": MESSAGE}));
}

/// Meera's app keeps its socket alive: `pong`, with the server's time.
async fn ws_ping() {
    let c = Chat::new().await;
    let (_socket, id) = c.socket(&c.w.meera).await;
    let sample = Sample::ws("ws-ping").connection(&id);
    let r = invoke(c.rt(), ws_ping::handle, &sample).await;
    let f = r.frame();
    assert_eq!(f["type"], "pong", "{f}");
    assert_eq!(instant(f["at"].as_str().unwrap()), c.cw.clock.now());
}

/// The stream record of Meera's message: deliver-chat pushes it to the open sockets of
/// both participants (Meera's own too: her other devices show it). The record's image is
/// the very item ChatStore writes for that message.
async fn deliver_chat() {
    let c = Chat::new().await;
    let (mut asha, _) = c.socket(&c.w.asha).await;
    let (mut meera, _) = c.socket(&c.w.meera).await;
    let sample = Sample::load("deliver-chat");
    let event: aws_lambda_events::dynamodb::Event = serde_json::from_value(sample.event.clone()).unwrap();
    let answer = deliver_chat::handle(c.rt(), c.cw.media, lambda_runtime::LambdaEvent::new(event, Default::default()))
        .await
        .unwrap();
    assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
    let (message, _) = sample_message();
    let frame = json!({"type": "message", "message": MessageView::from(&message)});
    assert_eq!(next(&mut asha).await, frame);
    assert_eq!(next(&mut meera).await, frame);

    let record = &sample.event["Records"][0]["dynamodb"];
    let image = &record["NewImage"];
    assert_eq!(record["Keys"], json!({"pk": image["pk"], "sk": image["sk"]}));
    c.message().await;
    let (pk, sk) = (format!("ROOM#{BOOKING}"), format!("MSG#{MESSAGE}"));
    let written = cm_tests::stream::item_json(&c.w.env.dynamo, &c.cw.chat_table, &pk, &sk).await.expect("stored");
    // A string set has no order.
    let unordered = |mut item: Value| {
        if let Some(set) = item["participants"]["SS"].as_array_mut() {
            set.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
        item
    };
    assert_eq!(unordered(written), unordered(image.clone()));
}

/// Asha's chats after Meera's message: one, with Meera, the message unread.
async fn list_chats() {
    let c = Chat::new().await;
    let message = c.message().await;
    let chat = &c.rt().chat;
    let sample = Sample::http("list-chats").bearer(&c.w.asha.access);
    let r = respond(c.w.env.app, move |app, req| list_chats::handle(app, chat, req), sample.request()).await;
    let page = r.ok(200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let room = &items[0];
    assert_eq!(
        (&room["booking_id"], &room["with"], &room["unread"], &room["unread_capped"]),
        (&json!(BOOKING), &json!({"id": MEERA, "name": "Meera Shah"}), &json!(1), &json!(false)),
        "{room}"
    );
    let last = &room["last_message"];
    assert_eq!(
        (&last["id"], &last["sender_id"], &last["preview"]),
        (&json!(MESSAGE), &json!(MEERA), &json!(message.text))
    );
    assert!(room.get("read_upto").is_none() && page["next_cursor"].is_null(), "{page}");
    // The client reads the photographer's public display name, not her account's.
    let sample = Sample::http("list-chats").bearer(&c.w.meera.access);
    let r = respond(c.w.env.app, move |app, req| list_chats::handle(app, chat, req), sample.request()).await;
    assert_eq!(r.ok(200)["items"][0]["with"], json!({"id": ASHA, "name": "Asha Lens"}));
}

/// Meera's app, holding Asha's reply from its socket, asks for what came before it:
/// Meera's message, which Asha has read, and nothing older.
async fn list_booking_messages() {
    let c = Chat::new().await;
    let message = c.message().await;
    let chat = &c.rt().chat;
    let room = chat_room();
    chat.mark_read(&room, room.photographer, message.id).await.unwrap();
    let reply_id: MessageId = REPLY.parse().unwrap();
    let reply = Message {
        id: reply_id,
        booking_id: room.booking_id,
        sender_id: room.photographer,
        client_id: "a-7".into(),
        text: "Of course! I'll be there at 9:30 with a reflector for the portraits.".into(),
        attachment: None,
        sent_at: DateTime::from_timestamp_millis(ulid::Ulid::from_string(REPLY).unwrap().timestamp_ms() as i64)
            .unwrap(),
    };
    assert!(matches!(chat.send_message(&room, &reply).await.unwrap(), Sent::Stored(_)));
    let sample = Sample::http("list-booking-messages").bearer(&c.w.meera.access);
    assert_eq!(sample.event["queryStringParameters"]["before"], REPLY);
    let bucket = cm_tests::media::signing_only().await;
    let r =
        respond(c.w.env.app, move |app, req| list_booking_messages::handle(app, chat, bucket, req), sample.request())
            .await;
    let page = r.ok(200);
    assert_eq!(page["items"], json!([MessageView::from(&message)]), "{page}");
    assert!(page.get("next_before").is_none(), "nothing older: {page}");
    assert_eq!(page["read_upto"], json!({ASHA: MESSAGE}));
}

/// Meera asks to share her shot list: a ticket for one key under `incoming/chat/`,
/// limited to a PDF, and the attachment pending.
async fn create_chat_attachment() {
    let c = Chat::new().await;
    let m = cm_tests::media::media_in(&c.w.env, c.rt().chat.clone(), c.cw.media).await;
    let (signer, chat) = (m.signer, &c.rt().chat);
    let sample = Sample::http("create-chat-attachment").bearer(&c.w.meera.access);
    let sent = sample.body();
    let r =
        respond(c.w.env.app, move |app, req| create_chat_attachment::handle(app, chat, signer, req), sample.request())
            .await;
    let ticket = r.ok(201);
    let a = &ticket["attachment"];
    assert_eq!((&a["status"], &a["kind"], &a["filename"]), (&json!("pending"), &json!("document"), &sent["filename"]));
    let fields = &ticket["upload"]["fields"];
    assert_eq!(fields["key"], format!("incoming/chat/{BOOKING}/{}", a["id"].as_str().unwrap()));
    assert_eq!(fields["Content-Type"], "application/pdf");
}

/// NOTICE, kept as notify-booking-change keeps it for the booking's first change.
async fn asha_notice(c: &Chat) -> cm_chat::Notice {
    use cm_store::notices::Inbox;
    let at = DateTime::parse_from_rfc3339("2026-11-25T10:00:10Z").unwrap().with_timezone(&Utc);
    let notice = cm_chat::Notice::new(
        ASHA.parse().unwrap(),
        &format!("notify:{BOOKING}:1:notice:photographer"),
        at,
        "booking_created",
        "New booking request from Meera Shah",
        Some(BOOKING.parse().unwrap()),
    );
    assert_eq!(notice.id.to_string(), NOTICE, "the sample's notice id is the one the change derives");
    assert!(c.rt().chat.add_notice(&notice).await.unwrap());
    notice
}

/// Asha's bell: the request, unread, linking to the booking.
async fn list_notifications() {
    let c = Chat::new().await;
    let notice = asha_notice(&c).await;
    let chat = &c.rt().chat;
    let sample = Sample::http("list-notifications").bearer(&c.w.asha.access);
    let r = respond(c.w.env.app, move |app, req| list_notifications::handle(app, chat, req), sample.request()).await;
    let page = r.ok(200);
    assert_eq!((&page["unread"], &page["unread_capped"]), (&json!(1), &json!(false)), "{page}");
    let item = &page["items"][0];
    assert_eq!(
        (&item["id"], &item["kind"], &item["title"], &item["read"]),
        (&json!(NOTICE), &json!("booking_created"), &json!(notice.title), &json!(false))
    );
    assert_eq!(item["link"], format!("/bookings/{BOOKING}"));
    assert!(page.get("next_before").is_none(), "{page}");
}

/// Asha reads everything up to the request: nothing is left unread, and the bell says so.
async fn mark_notifications_read() {
    let c = Chat::new().await;
    asha_notice(&c).await;
    let chat = &c.rt().chat;
    let sample = Sample::http("mark-notifications-read").bearer(&c.w.asha.access);
    assert_eq!(sample.body(), json!({"up_to": NOTICE}));
    let handler = move |app, req| mark_notifications_read::handle(app, chat, req);
    let r = respond(c.w.env.app, handler, sample.request()).await;
    assert_eq!(*r.ok(200), json!({"unread": 0, "unread_capped": false}));
    let list = Sample::http("list-notifications").bearer(&c.w.asha.access);
    let r = respond(c.w.env.app, move |app, req| list_notifications::handle(app, chat, req), list.request()).await;
    assert_eq!(r.ok(200)["items"][0]["read"], true);
}

/// The day before Meera's confirmed session with Asha, the scheduled run reminds both:
/// an email with the invite each, and a notice each; the same run again sends nothing.
async fn send_reminders() {
    use cm_store::BookingWriter;
    let w = World::listed().await;
    let start = w.sample_start();
    let pending = w.booking(BOOKING, start, Utc::now()).await;
    let mut confirmed = pending.clone();
    confirmed.status = cm_booking::BookingStatus::Confirmed;
    confirmed.version += 1;
    confirmed.sequence += 1;
    w.env.app.store.update_booking_status(&pending, &confirmed).await.unwrap();
    let chat_table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    cm_tests::aws::create_table(&w.env.dynamo, &chat_table, "ChatTable").await;
    let sdk = cm_tests::moto::sdk_config().await;
    let from = "reminders@capturemoments.app";
    let _ = aws_sdk_sesv2::Client::new(&sdk).create_email_identity().email_identity(from).send().await;
    let clock = std::sync::Arc::new(cm_core::ManualClock::new(start - TimeDelta::hours(24) + TimeDelta::minutes(2)));
    let r: &'static send_reminders::Reminders<cm_store::DynamoStore> = Box::leak(Box::new(send_reminders::Reminders {
        app: cm_tests::aws::app(cm_store::DynamoStore::new(w.env.dynamo.clone(), &w.env.table)).with_clock(clock),
        inbox: cm_store::chat::ChatStore::new(w.env.dynamo.clone(), chat_table),
        mail: cm_mail::Mailer::new(&sdk, from),
        texter: cm_sms::Texter::new(&sdk, None),
    }));
    let event = || -> aws_lambda_events::eventbridge::EventBridgeEvent<Value> {
        serde_json::from_value(Sample::load("send-reminders").event).unwrap()
    };
    let first = send_reminders::handle(r, lambda_runtime::LambdaEvent::new(event(), Default::default())).await.unwrap();
    assert_eq!((first.emailed, first.noticed, first.failed), (2, 2, 0), "{first:?}");
    let again = send_reminders::handle(r, lambda_runtime::LambdaEvent::new(event(), Default::default())).await.unwrap();
    assert_eq!((again.emailed, again.noticed), (0, 0), "{again:?}");
    // The samples' people have fixed addresses that other replays mail too, so the
    // notices are what is counted here (emailed counts only sends SES accepted).
    use cm_store::notices::Inbox;
    for who in [ASHA, MEERA] {
        let (notices, _) = r.inbox.notices(who.parse().unwrap(), None, 10).await.unwrap();
        let kinds: Vec<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
        assert_eq!(kinds, ["booking_reminder"], "{who}");
        assert_eq!(notices[0].created_at, start - TimeDelta::hours(24));
    }
}

// ---------------------------------------------------------------------------------------
// Busy time in: external calendars
// ---------------------------------------------------------------------------------------

/// A fetcher with the tests' allowance (plain http to 127.0.0.1) and a short limit.
fn calendar_fetcher() -> &'static cm_webcal::Fetcher {
    let config = cm_webcal::FetchConfig {
        allow_loopback: true,
        timeout: std::time::Duration::from_secs(2),
        ..cm_webcal::FetchConfig::default()
    };
    Box::leak(Box::new(cm_webcal::Fetcher::new(config).unwrap()))
}

/// Asha's calendar with the samples' id, served by a fixture server on loopback: a
/// weekly hour from the sample day's week on.
async fn asha_calendar(w: &World) -> local_stack::calendars::FixtureCalendars {
    use cm_store::CalendarSources;
    let fixtures = local_stack::calendars::FixtureCalendars::start().await.unwrap();
    let first = w.sample_start().date_naive() + Days::new(1);
    let body = local_stack::calendars::demo_calendar(first, 3, first + Days::new(2));
    fixtures.set("/asha.ics", local_stack::calendars::Behavior::Calendar { body, etag: "\"1\"".into() });
    let url = cm_calsync::SourceUrl::parse(&fixtures.url("/asha.ics"), cm_calsync::UrlPolicy { allow_loopback: true })
        .unwrap();
    let mut source = cm_app::calendars::new_source(ASHA.parse().unwrap(), &url, "Personal".into(), Utc::now());
    source.source_id = CALENDAR.into();
    w.env.app.store.add_calendar_source(&source, cm_calsync::MAX_SOURCES).await.unwrap();
    fixtures
}

/// Asha lists her calendars: the one she added, its address masked.
async fn list_my_external_calendars() {
    let w = World::listed().await;
    let _fixtures = asha_calendar(&w).await;
    let sample = Sample::http("list-my-external-calendars").bearer(&w.asha.access);
    let r = respond(w.env.app, list_my_external_calendars::handle, sample.request()).await;
    let items = r.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{}", r.text);
    assert_eq!(items[0]["id"], CALENDAR);
    assert!(items[0]["url_masked"].as_str().unwrap().ends_with("/….ics"), "{}", r.text);
}

/// Asha adds the sample's Google address: answered masked, listed, pending its first sync.
async fn add_my_external_calendar() {
    let w = World::listed().await;
    let sample = Sample::http("add-my-external-calendar").bearer(&w.asha.access);
    let policy = cm_calsync::UrlPolicy::default();
    let r = respond(w.env.app, |a, req| add_my_external_calendar::handle(a, &policy, req), sample.request()).await;
    let added = r.ok(201).clone();
    assert_eq!((added["label"].as_str(), added["status"].as_str()), (Some("Personal"), Some("pending")), "{added}");
    assert_eq!(added["url_masked"], "https://calendar.google.com/….ics");
    assert!(!r.text.contains("private-5f1c0a9e3b7d2c4e"), "{}", r.text);
    assert_eq!(
        r.header("location"),
        Some(format!("/photographers/me/calendars/{}", added["id"].as_str().unwrap()).as_str())
    );
}

/// Asha removes the sample's calendar: gone, and its busy time with it.
async fn delete_my_external_calendar() {
    use cm_store::BusyTimeReader;
    let w = World::listed().await;
    let _fixtures = asha_calendar(&w).await;
    sync_external_calendars::sync_due(w.env.app, calendar_fetcher(), Utc::now()).await.unwrap();
    let asha: UserId = ASHA.parse().unwrap();
    let far = Utc::now() + TimeDelta::days(60);
    assert!(!w.env.app.store.busy_time(asha, Utc::now(), far).await.unwrap().is_empty());
    let sample = Sample::http("delete-my-external-calendar").bearer(&w.asha.access);
    let r = respond(w.env.app, delete_my_external_calendar::handle, sample.request()).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(w.env.app.store.busy_time(asha, Utc::now(), far).await.unwrap().is_empty());
}

/// Asha syncs the sample's calendar now: it is read, three weekly hours and a day.
async fn sync_my_external_calendar() {
    let w = World::listed().await;
    let fixtures = asha_calendar(&w).await;
    let fetcher = calendar_fetcher();
    let sample = Sample::http("sync-my-external-calendar").bearer(&w.asha.access);
    let r =
        respond(w.env.app, move |a, req| sync_my_external_calendar::handle(a, fetcher, req), sample.request()).await;
    let state = r.ok(200);
    assert_eq!((state["status"].as_str(), state["busy_intervals"].as_u64()), (Some("ok"), Some(3)), "{state}");
    assert_eq!(fixtures.hits("/asha.ics"), 1);
}

/// The scheduled run syncs Asha's due calendar once; run again, nothing is due.
async fn sync_external_calendars() {
    let w = World::listed().await;
    let fixtures = asha_calendar(&w).await;
    let event: aws_lambda_events::eventbridge::EventBridgeEvent<Value> =
        serde_json::from_value(Sample::load("sync-external-calendars").event).unwrap();
    assert_eq!(event.detail_type, "Scheduled Event");
    let syncer: &'static sync_external_calendars::Syncer<cm_store::DynamoStore> =
        Box::leak(Box::new(sync_external_calendars::Syncer {
            app: cm_tests::aws::app(cm_store::DynamoStore::new(w.env.dynamo.clone(), &w.env.table)),
            fetcher: cm_webcal::Fetcher::new(cm_webcal::FetchConfig {
                allow_loopback: true,
                ..cm_webcal::FetchConfig::default()
            })
            .unwrap(),
        }));
    let summary =
        sync_external_calendars::handle(syncer, lambda_runtime::LambdaEvent::new(event.clone(), Default::default()))
            .await
            .unwrap();
    assert_eq!(summary, sync_external_calendars::Summary { synced: 1, unchanged: 0, failed: 0, skipped: 0 });
    let again = sync_external_calendars::handle(syncer, lambda_runtime::LambdaEvent::new(event, Default::default()))
        .await
        .unwrap();
    assert_eq!(again, sync_external_calendars::Summary::default());
    assert_eq!(fixtures.hits("/asha.ics"), 1);
}
