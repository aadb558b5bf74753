//! `scripts/smoke`: one end-to-end journey over real HTTP against a running stack (one
//! is started, and stopped after, when no URL is given). Steps that need endpoints not
//! built yet run only once template.yaml declares their routes, so the journey grows
//! as features land.

use crate::client::{Reply, send};
use crate::seed::catalog::{ADMIN_EMAIL, DEMO_CLIENT, DEMO_PASSWORD, DEMO_PHOTOGRAPHER};
use crate::seed::photos;
use crate::template::Template;
use chrono::{Days, Utc};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Booking requests for one slot sent at once by the race step: more than the stack's
/// default instances per function, so some wait for a free instance too.
const RACERS: usize = 8;

struct Journey {
    api: String,
    /// The control port of the stack serving `api`, when it runs from this checkout.
    control: Option<String>,
    routes: Vec<String>,
    passed: usize,
}

impl Journey {
    fn has_route(&self, key: &str) -> bool {
        self.routes.iter().any(|r| r == key)
    }

    fn ok(&mut self, what: &str) {
        self.passed += 1;
        eprintln!("  ok    {what}");
    }

    async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Result<Reply, String> {
        send(method, &format!("{}{path}", self.api), token, body.as_ref()).await
    }

    async fn expect(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        status: u16,
    ) -> Result<Value, String> {
        let r = self.call(method, path, token, body).await?;
        if r.status != status {
            return Err(format!("{method} {path}: expected {status}, got {}: {}", r.status, r.text));
        }
        Ok(r.json)
    }

    async fn login(&self, email: &str) -> Result<String, String> {
        let body = json!({"email": email, "password": DEMO_PASSWORD});
        let v = self.expect("POST", "/auth/login", None, Some(body), 200).await?;
        v["access_token"].as_str().map(String::from).ok_or(format!("login of {email}: no access_token"))
    }
}

pub async fn run(root: &Path, api: Option<String>) -> Result<(), String> {
    let template = Template::load(&root.join("template.yaml"), "us-east-1").map_err(|e| e.to_string())?;
    let routes = crate::websocket::read_api(&template, "HTTP")?
        .map(|api| {
            api.routes.into_keys().map(|k| if k == "$default" { "ANY $default".to_string() } else { k }).collect()
        })
        .unwrap_or_default();
    let started = Instant::now();
    let (api, mut stack) = match api {
        Some(url) => (url.trim_end_matches('/').to_string(), None),
        None => {
            let (url, child) = start_stack(root).await?;
            (url, Some(child))
        }
    };
    eprintln!("smoke: journey against {api}");
    let control = control_of(root, &api);
    let mut journey = Journey { api, control, routes, passed: 0 };
    let result = journey_steps(&mut journey).await;
    let mut failed = usize::from(result.is_err());
    if let Err(e) = &result {
        eprintln!("  FAIL  {e}");
    }
    if let Some(child) = stack.as_mut() {
        match stop_stack(child).await {
            Ok(()) => journey.ok("the stack stopped and left no process behind"),
            Err(e) => {
                eprintln!("  FAIL  {e}");
                failed += 1;
            }
        }
        if failed > 0 {
            let log = root.join(".local/smoke/stack.log");
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            eprintln!("--- last lines of {} ---", log.display());
            for l in tail.into_iter().rev() {
                eprintln!("{l}");
            }
        }
    }
    eprintln!("smoke: finished in {:.1} s", started.elapsed().as_secs_f64());
    println!("{} passed, {failed} failed", journey.passed);
    if failed == 0 { Ok(()) } else { Err("the smoke journey failed".into()) }
}

async fn journey_steps(j: &mut Journey) -> Result<(), String> {
    let health = j.expect("GET", "/health", None, None, 200).await?;
    j.ok(&format!("GET /health answers {health}"));

    let unknown = j.call("GET", "/no/such/route", None, None).await?;
    if unknown.status != 404 || unknown.headers.get("content-type").is_none_or(|v| v != "application/problem+json") {
        return Err(format!("an unknown route should be a 404 problem, got {}: {}", unknown.status, unknown.text));
    }
    j.ok("unknown routes reach the $default function (404 problem+json)");

    let email = format!("smoke-{}@clients.test", ulid::Ulid::new().to_string().to_lowercase());
    let reg = json!({"email": email, "password": DEMO_PASSWORD, "name": "Smoke Tester", "role": "client", "timezone": "Asia/Kolkata"});
    let session = j.expect("POST", "/auth/register", None, Some(reg), 201).await?;
    let client_token = match session["access_token"].as_str() {
        Some(t) => t.to_string(),
        None => j.login(&email).await?,
    };
    j.ok(&format!("registered client {email}"));

    let found = j.expect("GET", "/photographers?city=Hyderabad&specialization=wedding", None, None, 200).await?;
    let items = found["items"].as_array().cloned().unwrap_or_default();
    let asha = items
        .iter()
        .find(|p| p["display_name"] == "Asha Reddy")
        .ok_or(format!("search did not find the demo photographer: {found}"))?;
    let photographer_id = asha["id"].as_str().unwrap_or_default().to_string();
    j.ok(&format!("search found {} wedding photographer(s) in Hyderabad", items.len()));

    // HITEC City, about 14 km from the centre where Asha is based: she serves it.
    let nearby =
        j.expect("GET", "/photographers?lat=17.4435&lon=78.3772&specialization=wedding", None, None, 200).await?;
    let asha_near = nearby["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["id"] == photographer_id.as_str())
        .ok_or(format!("a search near HITEC City should find Asha: {nearby}"))?;
    j.ok(&format!("a search near a point found Asha {} km away", asha_near["distance_km"]));

    let today = Utc::now().date_naive();
    let to = today.checked_add_days(Days::new(13)).unwrap_or(today);
    let path = format!(
        "/photographers/{photographer_id}/availability?from={today}&to={to}&duration_minutes=60&event_type=wedding"
    );
    let slots = j.expect("GET", &path, None, None, 200).await?;
    let days = slots["days"].as_array().cloned().unwrap_or_default();
    if days.len() != 14 || days.iter().any(|d| d["sun"]["sunrise"].as_str().is_none_or(|t| !t.ends_with("+05:30"))) {
        return Err(format!("availability should give the light of each of 14 dates in Asha's zone: {slots}"));
    }
    let best_path = format!(
        "/photographers/{photographer_id}/optimal-slots?date_from={today}&date_to={to}&duration_minutes=60&event_type=wedding&limit=3"
    );
    let best = j.expect("GET", &best_path, None, None, 200).await?;
    let top = slots["slots"].as_array().into_iter().flatten().filter_map(|s| s["score"].as_u64()).max();
    let first = &best["slots"][0];
    if first["score"].as_u64() != top || first["reasons"].as_array().is_none_or(Vec::is_empty) {
        return Err(format!("the best wedding slot should be the availability's top score ({top:?}): {best}"));
    }
    let golden = first["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["code"] == "evening_golden_hour" || r["code"] == "morning_golden_hour");
    j.ok(&format!(
        "each date's sunrise, sunset, golden and blue hours; best wedding slot {} (score {}{})",
        first["start"].as_str().unwrap_or_default(),
        first["score"],
        if golden { ", golden hour" } else { "" }
    ));
    // A session a few days out: its balance (charged a week before) is due as soon as
    // the deposit is taken, and a cancellation then refunds by a partial tier.
    let soon: Vec<&str> = slots["slots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["start"].as_str())
        .filter(|s| {
            chrono::DateTime::parse_from_rfc3339(s).is_ok_and(|t| {
                let ahead = t.with_timezone(&Utc) - Utc::now();
                ahead > chrono::TimeDelta::days(3) && ahead < chrono::TimeDelta::days(6)
            })
        })
        .collect();
    let start = soon.get(soon.len() / 2).ok_or(format!("no bookable slot 3 to 6 days ahead: {slots}"))?.to_string();
    j.ok(&format!("read availability: {} slot(s), booking {start}", slots["slots"].as_array().map_or(0, Vec::len)));

    let mut booking = json!({"photographer_id": photographer_id, "package_id": "essentials", "event_type": "portrait",
        "start": start, "location": {"address": "1 Smoke Test Road", "city": "Hyderabad"}, "notes": "smoke test"});
    // The price the client is shown, sealed in a quote the booking is then charged at.
    let quoted = if j.has_route("GET /photographers/{id}/quote") {
        // An RFC 3339 instant's only character a query must escape is its offset's `+`.
        let start_param = start.replace('+', "%2B");
        let path = format!(
            "/photographers/{photographer_id}/quote?start={start_param}&package_id=essentials&event_type=portrait"
        );
        let q = j.expect("GET", &path, None, None, 200).await?;
        booking["quote_id"] = q["quote_id"].clone();
        Some(q)
    } else {
        None
    };
    let created = j.expect("POST", "/bookings", Some(&client_token), Some(booking), 201).await?;
    let booking_id = created["id"].as_str().unwrap_or_default().to_string();
    if created["status"] != "pending" {
        return Err(format!("a new booking should be pending: {created}"));
    }
    if let Some(q) = &quoted {
        if created["price"] != q["price"] {
            return Err(format!("the booking should be charged its quote's price {}: {created}", q["price"]));
        }
        j.ok(&format!(
            "quoted {} {} ({} factor(s)) and booked at it",
            q["price"]["amount_minor"],
            q["price"]["currency"].as_str().unwrap_or_default(),
            q["factors"].as_array().map_or(0, Vec::len)
        ));
    }
    j.ok(&format!("booked {booking_id} (pending)"));

    let photographer_token = j.login(DEMO_PHOTOGRAPHER).await?;
    let paying = j.has_route("POST /bookings/{id}/payments") && j.control.is_some();
    if paying {
        pay_deposit(j, &photographer_token, &client_token, &booking_id).await?;
    }
    let confirm = json!({"status": "confirmed"});
    let confirmed = j
        .expect("PUT", &format!("/bookings/{booking_id}/status"), Some(&photographer_token), Some(confirm), 200)
        .await?;
    if confirmed["status"] != "confirmed" {
        return Err(format!("the booking should be confirmed: {confirmed}"));
    }
    let seen = j.expect("GET", &format!("/bookings/{booking_id}"), Some(&client_token), None, 200).await?;
    if seen["status"] != "confirmed" {
        return Err(format!("the client should see the booking confirmed: {seen}"));
    }
    j.ok("the photographer confirmed it and the client sees it confirmed");
    if j.has_route("GET /admin/analytics") {
        analytics(j, &created).await?;
    }
    if j.has_route("GET /admin/forecasts") && j.control.is_some() {
        forecasts(j).await?;
    }
    if j.has_route("GET /photographers/me/stats") && j.control.is_some() {
        utilisation(j, &photographer_token).await?;
    }
    if j.has_route("GET /recommendations") {
        recommended(j, &client_token, &photographer_id, &start).await?;
    }
    if j.has_route("PUT /me/calendar-feed") {
        calendar_feed(j, &client_token, &booking_id).await?;
    }
    if j.has_route("GET /notifications") {
        bell(j, &client_token, &booking_id).await?;
    }
    if j.has_route("GET /chats") {
        chat_journey(j, &client_token, &photographer_token, &booking_id).await?;
    }
    if paying {
        deposit_captured(j, &client_token, &booking_id).await?;
        balance_charged(j, &client_token, &booking_id).await?;
    }

    if j.has_route("PUT /bookings/{id}/gallery") {
        gallery_journey(j, &photographer_token, &client_token, &booking_id).await?;
    }
    if paying {
        cancelled_and_refunded(j, &client_token, &photographer_token, &booking_id).await?;
    }

    let free = slots["slots"].as_array().cloned().unwrap_or_default();
    travel_between_shoots(j, &client_token, &photographer_id, &free).await?;
    race_for_one_slot(j, &client_token, &photographer_id, &free, &start).await?;
    if j.has_route("POST /photographers/me/calendars") && j.control.is_some() {
        busy_time_in(j, &photographer_token, &photographer_id).await?;
    }

    if j.has_route("POST /photographers/me/portfolio/uploads") {
        seeded_portfolio(j, &photographer_id).await?;
        portfolio_journey(j, &photographer_token, &photographer_id).await?;
    }

    if !j.has_route("POST /bookings/{id}/review") {
        eprintln!("  skip  review and its stream effects (no POST /bookings/{{id}}/review in template.yaml yet)");
        return Ok(());
    }
    review_journey(j, &photographer_token, &photographer_id).await
}

/// The demo data's portfolios went through the real upload pipeline at start-up: once
/// that seeding is over, the demo photographer has a ready portfolio whose every size
/// the CDN (the stack's `/media/`) serves, and search shows their cover photo.
async fn seeded_portfolio(j: &mut Journey, photographer_id: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(300);
    let cover = loop {
        // The stack from this checkout says when seeding is over (and why it failed);
        // any other stack is watched through search alone.
        if let Some(control) = &j.control {
            let (_, status) = crate::client::get(&format!("{control}/status")).await?;
            let status: Value = serde_json::from_str(&status).map_err(|e| format!("control /status: {e}"))?;
            let seeding = &status["seeding"];
            if seeding["state"] == "failed" {
                return Err(format!("seeding the demo data failed: {}", seeding["detail"]));
            }
            if seeding["state"] != "done" && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        }
        let found = j.expect("GET", "/photographers?city=Hyderabad&specialization=wedding", None, None, 200).await?;
        let asha = found["items"].as_array().into_iter().flatten().find(|p| p["id"] == photographer_id).cloned();
        let cover = asha.as_ref().map(|p| p["cover_photo"].clone()).filter(|c| !c.is_null());
        if let Some(cover) = cover {
            break cover;
        }
        if Instant::now() > deadline {
            return Err(format!("no cover photo for the demo photographer in search after 300 s: {asha:?}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let page = j.expect("GET", &format!("/photographers/{photographer_id}/portfolio"), None, None, 200).await?;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    if items.len() < photos::PER_PHOTOGRAPHER {
        return Err(format!("the demo photographer should have {} seeded photos: {page}", photos::PER_PHOTOGRAPHER));
    }
    if !items.iter().any(|i| i["id"] == cover["item_id"]) {
        return Err(format!("the cover photo {cover} is not in the portfolio: {page}"));
    }
    let mut urls: Vec<String> = items
        .iter()
        .flat_map(|i| i["urls"].as_object().into_iter().flatten().filter_map(|(_, u)| u.as_str().map(String::from)))
        .collect();
    urls.extend([&cover["url"], &cover["large_url"]].into_iter().filter_map(|u| u.as_str().map(String::from)));
    if urls.len() < 2 * items.len() + 2 {
        return Err(format!("every photo should have two sizes, and the cover two URLs: {page} {cover}"));
    }
    for url in &urls {
        if !url.starts_with(&format!("{}/media/", j.api)) {
            return Err(format!("{url} is not served by the stack's CDN ({}/media/)", j.api));
        }
        let image = send("GET", url, None, None).await?;
        let content_type = image.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if image.status != 200 || content_type != "image/jpeg" {
            return Err(format!("{url}: expected a JPEG, got {} {content_type}", image.status));
        }
    }
    j.ok(&format!(
        "the seeded demo portfolio is ready ({} photos, {} URLs served by /media/) and search shows its cover photo",
        items.len(),
        urls.len()
    ));
    Ok(())
}

/// A phone photo (GPS position in its EXIF, turned a quarter by its orientation) goes
/// from an upload ticket straight to S3, through the S3 notification to process-upload,
/// into the public portfolio, and out of the CDN upright and without its EXIF; deleting
/// it removes what was published.
async fn portfolio_journey(j: &mut Journey, token: &str, photographer_id: &str) -> Result<(), String> {
    const PHOTO: &[u8] = include_bytes!("../assets/smoke-photo.jpg");
    let item = photos::upload(&j.api, token, PHOTO, "IMG_0001.JPG", "wedding", Some("smoke test")).await?;
    j.ok(&format!("uploaded a photo straight to S3 with a ticket ({} bytes)", PHOTO.len()));
    let published =
        photos::wait_published(&j.api, photographer_id, std::slice::from_ref(&item), Duration::from_secs(60))
            .await?
            .remove(0);
    // Stored 96 × 64 with orientation 6: shown 64 × 96.
    if (published["width"].as_u64(), published["height"].as_u64()) != (Some(64), Some(96)) {
        return Err(format!("the photo should be upright, 64 × 96: {published}"));
    }
    let small = published["urls"]["400"].as_str().ok_or(format!("no 400 px URL: {published}"))?.to_string();
    let image = send("GET", &small, None, None).await?;
    let content_type = image.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if image.status != 200 || content_type != "image/jpeg" || image.text.contains("Exif") {
        return Err(format!("{small}: expected a JPEG without EXIF, got {} {content_type}", image.status));
    }
    j.ok("process-upload published it upright, and the CDN serves it without its EXIF (GPS)");
    j.expect("DELETE", &format!("/photographers/me/portfolio/{item}"), Some(token), None, 204).await?;
    let gone = send("GET", &small, None, None).await?;
    if gone.status != 404 {
        return Err(format!("{small} should be gone after the delete, got {}", gone.status));
    }
    j.ok("deleting the photo removed what was published");
    Ok(())
}

/// The photographer delivers a private gallery for the confirmed booking: a photo with
/// GPS EXIF goes through a ticket straight to S3 and process-upload; once delivered,
/// the client opens it and downloads through a presigned link, upright and without
/// EXIF; another client (and the CDN) get nothing.
async fn gallery_journey(j: &mut Journey, token: &str, client_token: &str, booking: &str) -> Result<(), String> {
    const PHOTO: &[u8] = include_bytes!("../assets/smoke-photo.jpg");
    let gallery = format!("/bookings/{booking}/gallery");
    j.expect("PUT", &gallery, Some(token), Some(json!({"retention_days": 30})), 201).await?;
    let ask = json!({"filename": "DSC_0001.JPG", "content_type": "image/jpeg", "size_bytes": PHOTO.len()});
    let ticket = j.expect("POST", &format!("{gallery}/uploads"), Some(token), Some(ask), 201).await?;
    let photo = ticket["photo"]["id"].as_str().unwrap_or_default().to_string();
    let url = ticket["upload"]["url"].as_str().ok_or(format!("no upload url: {ticket}"))?;
    let fields = ticket["upload"]["fields"].as_object().ok_or(format!("no upload fields: {ticket}"))?;
    let posted = crate::client::post_form(url, fields, PHOTO, "image/jpeg").await?;
    if !(200..300).contains(&posted.status) {
        return Err(format!("S3 refused the gallery upload: {} {}", posted.status, posted.text));
    }
    j.expect("GET", &gallery, Some(client_token), None, 404).await?;
    j.ok("uploaded a gallery photo with a ticket; the client cannot see the gallery before delivery");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let page = j.expect("GET", &gallery, Some(token), None, 200).await?;
        let ready =
            page["items"].as_array().into_iter().flatten().any(|i| i["id"] == photo.as_str() && i["status"] == "ready");
        if ready {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("the gallery photo was not processed within 60 s: {page}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    j.expect("PUT", &gallery, Some(token), Some(json!({"delivered": true})), 200).await?;
    let page = j.expect("GET", &gallery, Some(client_token), None, 200).await?;
    let item = page["items"].as_array().and_then(|i| i.first()).cloned().ok_or(format!("no photo: {page}"))?;
    if (item["width"].as_u64(), item["height"].as_u64()) != (Some(64), Some(96)) {
        return Err(format!("the gallery photo should be upright, 64 × 96: {item}"));
    }
    let download = item["links"]["download"].as_str().ok_or(format!("no download link: {item}"))?.to_string();
    let file = send("GET", &download, None, None).await?;
    let disposition = file.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if file.status != 200 || file.text.contains("Exif") || !disposition.starts_with("attachment") {
        return Err(format!(
            "{download}: expected a JPEG attachment without EXIF, got {} ({disposition})",
            file.status
        ));
    }
    j.ok("delivered: the client downloads the full-size photo through a presigned link, without its EXIF");
    let email = format!("smoke-{}@clients.test", ulid::Ulid::new().to_string().to_lowercase());
    let reg = json!({"email": email, "password": DEMO_PASSWORD, "name": "Nosy Neighbour", "role": "client", "timezone": "UTC"});
    let other = j.expect("POST", "/auth/register", None, Some(reg), 201).await?;
    let other = other["access_token"].as_str().unwrap_or_default().to_string();
    j.expect("GET", &gallery, Some(&other), None, 404).await?;
    let key = format!("galleries/{booking}/{photo}/full.jpg");
    let cdn = j.call("GET", &format!("/media/{key}"), None, None).await?;
    // S3 behind CloudFront refuses keys outside `public/` (403), as the local stack does.
    if !matches!(cdn.status, 403 | 404) {
        return Err(format!("the CDN must not serve gallery photos, got {}", cdn.status));
    }
    j.ok("another client gets 404 for the gallery, and the CDN refuses its objects");
    Ok(())
}

/// Polls `GET path` until `done` holds (Stripe's webhooks and the settle run are
/// asynchronous), at most `secs` seconds.
async fn until(
    j: &Journey,
    path: &str,
    token: &str,
    secs: u64,
    done: impl Fn(&Value) -> bool,
) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = j.expect("GET", path, Some(token), None, 200).await?;
        if done(&v) {
            return Ok(v);
        }
        if Instant::now() > deadline {
            return Err(format!("GET {path}: not there within {secs} s: {v}"));
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The photographer sets up payouts (Stripe's hosted onboarding, played by the stand-in,
/// reports back by a signed webhook), then the client pays the deposit with a test card:
/// it is authorised, not yet taken.
async fn pay_deposit(j: &mut Journey, photographer: &str, client: &str, booking: &str) -> Result<(), String> {
    let control = j.control.clone().unwrap_or_default();
    let (_, status) = crate::client::get(&format!("{control}/status")).await?;
    let status: Value = serde_json::from_str(&status).map_err(|e| format!("control /status: {e}"))?;
    let stripe =
        status["stripe"].as_str().ok_or(format!("the stack reports no Stripe stand-in: {status}"))?.to_string();
    let started = j.call("POST", "/photographers/me/payouts/onboarding", Some(photographer), None).await?;
    match started.status {
        200 => {
            let url = started.json["url"].as_str().unwrap_or_default();
            let account =
                url.split("/standin/onboarding/").nth(1).and_then(|r| r.split('?').next()).unwrap_or_default();
            let done = send(
                "POST",
                &format!("{stripe}/standin/accounts/{account}/onboarding"),
                None,
                Some(&json!({"outcome": "complete"})),
            )
            .await?;
            if done.status != 200 {
                return Err(format!("the stand-in did not complete onboarding: {} {}", done.status, done.text));
            }
        }
        409 => {}
        other => return Err(format!("payout onboarding: expected 200 or 409, got {other}: {}", started.text)),
    }
    until(j, "/photographers/me", photographer, 30, |v| v["payouts"]["status"] == "active").await?;
    j.ok("the photographer set up payouts; Stripe's signed account.updated made them active");

    let intent = j
        .expect("POST", &format!("/bookings/{booking}/payments"), Some(client), Some(json!({"kind": "deposit"})), 201)
        .await?;
    let (id, secret) =
        (intent["intent_id"].as_str().unwrap_or_default(), intent["client_secret"].as_str().unwrap_or_default());
    let confirm = format!("{stripe}/v1/payment_intents/{id}/confirm");
    let paid = crate::client::post_urlencoded(
        &confirm,
        intent["publishable_key"].as_str().unwrap_or_default(),
        &[("payment_method", "pm_card_visa"), ("client_secret", secret)],
    )
    .await?;
    if paid.status != 200 {
        return Err(format!("confirming the deposit with a test card: {} {}", paid.status, paid.text));
    }
    let seen = until(j, &format!("/bookings/{booking}"), client, 30, |v| v["payment"]["state"] == "authorized").await?;
    j.ok(&format!("the client's deposit of {} is authorised, not yet taken", seen["payment"]["authorized_minor"]));
    Ok(())
}

/// The booking's request and confirmation reach the admin's analytics through the
/// table's stream (aggregate-activity), in the series of its city and kind.
async fn analytics(j: &mut Journey, booking: &Value) -> Result<(), String> {
    let admin = j.login(ADMIN_EMAIL).await?;
    history_aggregated(j, &admin).await?;
    let day: chrono::NaiveDate = booking["created_at"]
        .as_str()
        .and_then(|s| s.get(..10))
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| format!("a booking with a created_at: {booking}"))?;
    // The next day too: the confirmation may come after midnight (UTC).
    let path = format!(
        "/admin/analytics?from={day}&to={}&city=Hyderabad&specialization=portrait",
        day.succ_opt().unwrap_or(day)
    );
    let seen = until(j, &path, &admin, 30, |v| {
        v["totals"]["requested"].as_i64() >= Some(1) && v["totals"]["confirmed"].as_i64() >= Some(1)
    })
    .await?;
    j.ok(&format!(
        "the admin's analytics count Hyderabad portraits today: {} requested, {} confirmed",
        seen["totals"]["requested"], seen["totals"]["confirmed"]
    ));
    Ok(())
}

/// A fresh stack's aggregator starts with the seeded history to take off the stream
/// (seed::history): polls the admin's analytics over the seeded days until they show
/// at least what the seed wrote (the stack's `/status` says what that is), then checks
/// the history's weekly shape in the dense series: more requests at weekends than
/// midweek over its last whole weeks (52 of them in a full history).
async fn history_aggregated(j: &mut Journey, admin: &str) -> Result<(), String> {
    let Some(control) = j.control.clone() else { return Ok(()) };
    let (_, status) = crate::client::get(&format!("{control}/status")).await?;
    let status: Value = serde_json::from_str(&status).map_err(|e| format!("control /status: {e}"))?;
    let history = status["history"].clone();
    if history["state"] == "none" {
        // Seeded by an earlier start: its history went through the stream back then.
        return Ok(());
    }
    let expected = history["expected"].as_object().cloned().ok_or(format!("no expected history: {history}"))?;
    let (from, to) = (history["from"].as_str().unwrap_or_default(), history["to"].as_str().unwrap_or_default());
    let started = Instant::now();
    let path = format!("/admin/analytics?from={from}&to={to}&granularity=month");
    let all_there = |v: &Value| expected.iter().all(|(k, n)| v["totals"][k].as_i64() >= n.as_i64());
    // Measured: 2.8 to 5.4 minutes on two cores shared with other builds (load 9-10).
    let seen = until(j, &path, admin, 600, all_there).await?;
    j.ok(&format!(
        "the seeded history reached the admin's analytics through the stream in {:.0} s: {} requests, {} completed, {} cancelled from {from} to {to}",
        started.elapsed().as_secs_f64(),
        seen["totals"]["requested"],
        seen["totals"]["completed"],
        seen["totals"]["cancelled"]
    ));

    let to_day: chrono::NaiveDate = to.parse().map_err(|e| format!("history to {to}: {e}"))?;
    let from_day: chrono::NaiveDate = from.parse().map_err(|e| format!("history from {from}: {e}"))?;
    let weeks = ((to_day - from_day).num_days() + 1).div_euclid(7).clamp(1, 52) as u64;
    let year_from = to_day.checked_sub_days(Days::new(7 * weeks - 1)).unwrap_or(to_day);
    let (city, spec) = crate::seed::history::DENSE;
    let path = format!(
        "/admin/analytics?from={year_from}&to={to}&granularity=day&city={city}&specialization={}",
        spec.as_str()
    );
    let days = j.expect("GET", &path, Some(admin), None, 200).await?;
    let mut by_weekday = [0i64; 7];
    for d in days["series"].as_array().into_iter().flatten() {
        let day: Option<chrono::NaiveDate> = d["start"].as_str().and_then(|s| s.parse().ok());
        if let Some(day) = day {
            use chrono::Datelike;
            by_weekday[day.weekday().num_days_from_monday() as usize] += d["requested"].as_i64().unwrap_or(0);
        }
    }
    // Means per day: as many of each weekday as there are weeks in the range.
    let weekend = (by_weekday[5] + by_weekday[6]) as f64 / 2.0;
    let midweek = (by_weekday[1] + by_weekday[2] + by_weekday[3]) as f64 / 3.0;
    if weekend <= midweek {
        return Err(format!(
            "{city} {} requests should be busier at weekends than midweek: {by_weekday:?}",
            spec.as_str()
        ));
    }
    j.ok(&format!(
        "over {weeks} weeks, {city} {}s are requested more at weekends ({weekend:.0} a weekend day) than midweek ({midweek:.0})",
        spec.as_str()
    ));
    Ok(())
}

/// The nightly forecast pass, fired now: every segment with bookings gets a 90-day
/// forecast. The seeded history's dense series (Hyderabad weddings) is forecast by a
/// model of its own, backtested; a sparse one (London weddings) as its share of its
/// city's forecast.
async fn forecasts(j: &mut Journey) -> Result<(), String> {
    let control = j.control.clone().unwrap_or_default();
    // As the night's schedule does: invocations until the day's pass is done.
    let mut report = Value::Null;
    for _ in 0..10 {
        let fired = send("POST", &format!("{control}/schedules/forecast-demand/fire"), None, None).await?;
        if fired.status != 200 {
            return Err(format!("firing forecast-demand: {} {}", fired.status, fired.text));
        }
        let run: Value = serde_json::from_str(&fired.text).unwrap_or_default();
        report = run["response"].clone();
        if report["done"] == true {
            break;
        }
    }
    if report["done"] != true || report["failures"] != 0 {
        return Err(format!("the forecast pass should finish without failures within 10 invocations: {report}"));
    }
    let admin = j.login(ADMIN_EMAIL).await?;
    let (city, spec) = crate::seed::history::DENSE;
    let path = format!("/admin/forecasts?city={city}&specialization={}", spec.as_str());
    let f = j.expect("GET", &path, Some(&admin), None, 200).await?;
    let points = f["points"].as_array().cloned().unwrap_or_default();
    let model = f["model"].as_str().unwrap_or_default().to_string();
    if points.len() != 90 || model.is_empty() || model.starts_with("pooled") || f["backtest"].is_null() {
        return Err(format!("{path}: 90 days by a backtested model of its own, not pooled: {f}"));
    }
    let ahead: f64 = points.iter().filter_map(|p| p["forecast"].as_f64()).sum();
    let banded = points.iter().all(|p| {
        let (lo, mid, hi) = (p["lower"].as_f64(), p["forecast"].as_f64(), p["upper"].as_f64());
        matches!((lo, mid, hi), (Some(lo), Some(mid), Some(hi)) if lo <= mid && mid <= hi)
    });
    if ahead <= 0.0 || !banded {
        return Err(format!("{path}: a forecast of some demand, each day within its interval: {f}"));
    }
    let sparse =
        j.expect("GET", "/admin/forecasts?city=London&specialization=wedding", Some(&admin), None, 200).await?;
    let sparse_model = sparse["model"].as_str().unwrap_or_default();
    if !sparse_model.starts_with("pooled") || report["pooled"].as_u64().unwrap_or(0) == 0 {
        return Err(format!("a sparse series (London weddings) should be pooled: {sparse_model}, {report}"));
    }
    j.ok(&format!(
        "the forecast pass made {} forecasts ({} pooled); {city} {}s: {ahead:.0} requests in 90 days by {model} (backtest MASE {}), London weddings by {sparse_model}",
        report["forecasts"],
        report["pooled"],
        spec.as_str(),
        f["backtest"]["mase"]
    ));
    Ok(())
}

/// The nightly capacity snapshot, fired now: the coming four weeks have working hours
/// for the platform, so its utilisation is a number; the photographer's own stats show
/// the session just confirmed (3 to 6 days ahead) against their hours.
async fn utilisation(j: &mut Journey, photographer: &str) -> Result<(), String> {
    let control = j.control.clone().unwrap_or_default();
    let fired = send("POST", &format!("{control}/schedules/snapshot-capacity/fire"), None, None).await?;
    if fired.status != 200 {
        return Err(format!("firing snapshot-capacity: {} {}", fired.status, fired.text));
    }
    let run: Value = serde_json::from_str(&fired.text).unwrap_or_default();
    let admin = j.login(ADMIN_EMAIL).await?;
    let today = chrono::Utc::now().date_naive();
    let path = format!("/admin/analytics?from={today}&to={}&granularity=week", today + chrono::Days::new(27));
    let report = j.expect("GET", &path, Some(&admin), None, 200).await?;
    let totals = &report["totals"];
    let available = totals["available_hours"].as_f64().unwrap_or(0.0);
    if available <= 0.0 || !totals["utilisation"].is_number() {
        return Err(format!(
            "{path}: the coming four weeks should have working hours and a utilisation: {totals} ({run})"
        ));
    }
    let stats = until(j, "/photographers/me/stats", photographer, 60, |v| {
        v["totals"]["session_hours"].as_f64().is_some_and(|h| h > 0.0)
    })
    .await?;
    let mine = &stats["totals"];
    if !mine["utilisation"].is_number() {
        return Err(format!("the photographer's stats should have a utilisation: {mine}"));
    }
    j.ok(&format!(
        "the capacity snapshot wrote {} segment-days ({} photographers with hours): the next four weeks have {available:.0} working hours, {} % booked; the demo photographer's twelve weeks and four ahead: {} session hours of {}",
        run["response"]["writes"],
        run["response"]["with_hours"],
        (totals["utilisation"].as_f64().unwrap_or(0.0) * 1000.0).round() / 10.0,
        mine["session_hours"],
        mine["available_hours"]
    ));
    Ok(())
}

/// Confirming the booking captures the deposit (settle-payments, fired now rather than
/// waiting for its minute).
async fn deposit_captured(j: &mut Journey, client: &str, booking: &str) -> Result<(), String> {
    let control = j.control.clone().unwrap_or_default();
    let fired = send("POST", &format!("{control}/schedules/settle-payments/fire"), None, None).await?;
    if fired.status != 200 {
        return Err(format!("firing settle-payments: {} {}", fired.status, fired.text));
    }
    let seen =
        until(j, &format!("/bookings/{booking}"), client, 30, |v| v["payment"]["state"] == "deposit_paid").await?;
    j.ok(&format!(
        "confirming captured the deposit: {} paid, {} due",
        seen["payment"]["paid_minor"], seen["payment"]["due_minor"]
    ));
    Ok(())
}

/// The balance falls due a week before the session, so the daily run (fired now)
/// charges the card saved with the deposit, off-session.
async fn balance_charged(j: &mut Journey, client: &str, booking: &str) -> Result<(), String> {
    let control = j.control.clone().unwrap_or_default();
    let fired = send("POST", &format!("{control}/schedules/charge-balances/fire"), None, None).await?;
    if fired.status != 200 {
        return Err(format!("firing charge-balances: {} {}", fired.status, fired.text));
    }
    let seen = until(j, &format!("/bookings/{booking}"), client, 30, |v| v["payment"]["state"] == "paid").await?;
    j.ok(&format!(
        "the balance fell due: charge-balances charged the saved card off-session ({} paid, {} due)",
        seen["payment"]["paid_minor"], seen["payment"]["due_minor"]
    ));
    Ok(())
}

/// The client cancels days before the session: settle-payments refunds what the
/// booking's frozen policy gives back at this notice (a partial tier), and the
/// photographer's history shows what they keep of the rest, net of the platform's fee.
async fn cancelled_and_refunded(
    j: &mut Journey,
    client: &str,
    photographer: &str,
    booking: &str,
) -> Result<(), String> {
    let before = j.expect("GET", &format!("/bookings/{booking}"), Some(client), None, 200).await?;
    let notice = chrono::DateTime::parse_from_rfc3339(before["start"].as_str().unwrap_or_default())
        .map(|t| (t.with_timezone(&Utc) - Utc::now()).num_minutes())
        .map_err(|e| format!("the booking's start: {e}: {before}"))?;
    let percent = before["payment"]["cancellation_policy"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["min_hours_before"].as_i64().is_some_and(|h| h * 60 <= notice))
        .filter_map(|t| t["refund_percent"].as_i64())
        .max()
        .ok_or(format!("no tier applies {notice} minutes ahead: {before}"))?;
    let cancel = json!({"status": "cancelled", "reason": "smoke test: plans changed"});
    j.expect("PUT", &format!("/bookings/{booking}/status"), Some(client), Some(cancel), 200).await?;
    let control = j.control.clone().unwrap_or_default();
    let fired = send("POST", &format!("{control}/schedules/settle-payments/fire"), None, None).await?;
    if fired.status != 200 {
        return Err(format!("firing settle-payments: {} {}", fired.status, fired.text));
    }
    let want = if percent == 100 { "refunded" } else { "partially_refunded" };
    let seen = until(j, &format!("/bookings/{booking}"), client, 30, |v| v["payment"]["state"] == want).await?;
    let (paid, refunded) =
        (seen["payment"]["paid_minor"].as_i64().unwrap_or(0), seen["payment"]["refunded_minor"].as_i64().unwrap_or(0));
    // Each payment's refund rounds down to the currency's step: at most a unit short each.
    let exact = paid * percent / 100;
    if refunded > exact || refunded < exact - 2 {
        return Err(format!("a {percent} % tier should refund about {exact} of {paid}, refunded {refunded}: {seen}"));
    }
    j.ok(&format!("the client cancelled {} h ahead: the {percent} % tier refunded {refunded} of {paid}", notice / 60));

    let history = j.expect("GET", "/payments", Some(photographer), None, 200).await?;
    let entry = history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["booking_id"] == booking)
        .ok_or(format!("the photographer's history lacks the booking: {history}"))?;
    let (earned, fee) =
        (entry["earnings_minor"].as_i64().unwrap_or(-1), entry["platform_fee_minor"].as_i64().unwrap_or(-1));
    if earned <= 0 || fee < 0 || earned + fee != paid - refunded {
        return Err(format!("earnings and fee should add up to the {} kept: {entry}", paid - refunded));
    }
    j.ok(&format!(
        "the photographer's payouts: {earned} earned after the platform's {fee}, of {} kept",
        paid - refunded
    ));
    money_messages(j, booking).await
}

/// The ledger's stream records reached notify-booking-change: the platform topic (moto,
/// read through its own state endpoint) carries a receipt for each payment and a
/// refund notice for each refund of this booking.
async fn money_messages(j: &mut Journey, booking: &str) -> Result<(), String> {
    let control = j.control.clone().unwrap_or_default();
    let (_, status) = crate::client::get(&format!("{control}/status")).await?;
    let status: Value = serde_json::from_str(&status).map_err(|e| format!("control /status: {e}"))?;
    let aws = status["aws"].as_str().ok_or(format!("the stack reports no AWS endpoint: {status}"))?.to_string();
    let want = ["payment_received", "payment_received", "payment_refunded", "payment_refunded"];
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (code, body) = crate::client::get(&format!("{aws}/moto-api/data.json")).await?;
        let mut events: Vec<String> = Vec::new();
        if code == 200
            && let Ok(state) = serde_json::from_str::<Value>(&body)
        {
            let topics = state["sns"]["Topic"].as_array().cloned().unwrap_or_default();
            // moto may list a topic twice: count each notification id once.
            let mut seen = std::collections::HashSet::new();
            for n in topics.iter().flat_map(|t| t["sent_notifications"].as_array().cloned().unwrap_or_default()) {
                let message: Value = serde_json::from_str(n[1].as_str().unwrap_or_default()).unwrap_or_default();
                if message["booking_id"] == booking
                    && message["event"].as_str().is_some_and(|e| e.starts_with("payment_"))
                    && seen.insert(n[0].to_string())
                {
                    events.push(message["event"].as_str().unwrap_or_default().to_string());
                }
            }
        }
        events.sort();
        if events == want {
            j.ok("the ledger's stream published a receipt for each payment and a refund notice for each refund");
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("money messages for {booking} within 60 s: expected {want:?}, got {events:?}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Overlapping requests for one slot, all at once, from two clients: exactly one is
/// created (201) and every other is refused (409), while several instances of
/// create-booking run them side by side, as Lambda would. `taken` is the slot booked
/// earlier; the contested one is on another day, so only the racers compete for it.
/// Two free hours 90 minutes apart on one day a week or more out: a shoot in HITEC City,
/// then one in LB Nagar (about 20 km across town) 30 minutes after it ends, which the
/// photographer could not reach in time. The first is withdrawn afterwards.
/// The client asks for wedding photographers near HITEC City on the day of the shoot
/// they just booked: Asha is recommended as booked before (their history) and, once
/// aggregate-activity has taken the confirmation off the table's stream, as not
/// available that day (her booked days).
async fn recommended(j: &mut Journey, client: &str, photographer_id: &str, start: &str) -> Result<(), String> {
    let day = start.get(..10).ok_or(format!("not a start: {start}"))?;
    let path = format!("/recommendations?event_type=wedding&lat=17.4435&lon=78.3772&date={day}&languages=en");
    let asha = |v: &Value| -> Option<Value> {
        v["items"].as_array().into_iter().flatten().find(|i| i["photographer"]["id"] == photographer_id).cloned()
    };
    let codes = |item: &Value| -> Vec<String> {
        item["reasons"].as_array().into_iter().flatten().filter_map(|r| r["code"].as_str().map(String::from)).collect()
    };
    let v =
        until(j, &path, client, 30, |v| asha(v).is_some_and(|a| codes(&a).iter().any(|c| c == "busy_on_date"))).await?;
    let found = asha(&v).ok_or(format!("Asha is not recommended: {v}"))?;
    if v["personalized"] != true || !codes(&found).iter().any(|c| c == "booked_before") {
        return Err(format!("the client's own booking should personalise the answer: {v}"));
    }
    let texts: Vec<&str> =
        found["reasons"].as_array().into_iter().flatten().filter_map(|r| r["text"].as_str()).collect();
    j.ok(&format!("recommended near HITEC City: Asha ({})", texts.join("; ")));
    Ok(())
}

/// Busy time in: the photographer adds a private calendar (a fixture served by this
/// journey on loopback, reachable under the local stack's test allowance) with an
/// all-day event on a day they work; the schedule fired now reads it, that day offers
/// nothing, and removing the calendar gives the day back.
async fn busy_time_in(j: &mut Journey, photographer: &str, photographer_id: &str) -> Result<(), String> {
    let today = chrono::Utc::now().date_naive();
    let slots_on = |date: chrono::NaiveDate| {
        format!("/photographers/{photographer_id}/availability?from={date}&to={date}&duration_minutes=60")
    };
    let mut day = None;
    for ahead in 20..34 {
        let date = today + chrono::Days::new(ahead);
        let page = j.expect("GET", &slots_on(date), None, None, 200).await?;
        if page["slots"].as_array().is_some_and(|s| !s.is_empty()) {
            day = Some(date);
            break;
        }
    }
    let day = day.ok_or("the demo photographer should work some day 20 to 33 days ahead")?;
    let fixtures = crate::calendars::FixtureCalendars::start().await.map_err(|e| format!("fixture calendar: {e}"))?;
    let body = crate::calendars::demo_calendar(day + chrono::Days::new(1), 1, day);
    fixtures.set("/smoke.ics", crate::calendars::Behavior::Calendar { body, etag: "\"s1\"".into() });
    let added = j
        .expect(
            "POST",
            "/photographers/me/calendars",
            Some(photographer),
            Some(json!({"url": fixtures.url("/smoke.ics"), "label": "Smoke"})),
            201,
        )
        .await?;
    let id = added["id"].as_str().unwrap_or_default().to_string();
    let control = j.control.clone().unwrap_or_default();
    let fired = send("POST", &format!("{control}/schedules/sync-external-calendars/fire"), None, None).await?;
    if fired.status != 200 {
        return Err(format!("firing sync-external-calendars: {} {}", fired.status, fired.text));
    }
    let listed = j.expect("GET", "/photographers/me/calendars", Some(photographer), None, 200).await?;
    let mine = listed["items"].as_array().into_iter().flatten().find(|c| c["id"] == id.as_str()).cloned();
    if mine.as_ref().map(|c| c["status"].clone()) != Some(json!("ok")) || fixtures.hits("/smoke.ics") == 0 {
        return Err(format!("the calendar should be synced: {listed} ({})", fired.text));
    }
    let blocked = j.expect("GET", &slots_on(day), None, None, 200).await?;
    if blocked["slots"].as_array().is_none_or(|s| !s.is_empty()) || blocked.to_string().contains("Family wedding") {
        return Err(format!("the all-day busy day should offer nothing, and say nothing of why: {blocked}"));
    }
    j.expect("DELETE", &format!("/photographers/me/calendars/{id}"), Some(photographer), None, 204).await?;
    let freed = j.expect("GET", &slots_on(day), None, None, 200).await?;
    if freed["slots"].as_array().is_none_or(|s| s.is_empty()) {
        return Err(format!("removing the calendar should give the day back: {freed}"));
    }
    j.ok(&format!(
        "an external calendar's all-day event took {day} off the booking page, and gave it back when removed"
    ));
    Ok(())
}

/// The client subscribes to their bookings: the secret address the API gives is a
/// calendar with the booking just confirmed, under the UID of its emailed invite.
async fn calendar_feed(j: &mut Journey, client: &str, booking: &str) -> Result<(), String> {
    let feed = j.expect("PUT", "/me/calendar-feed", Some(client), None, 200).await?;
    let path = feed["path"].as_str().ok_or(format!("no feed path: {feed}"))?.to_string();
    let r = j.call("GET", &path, None, None).await?;
    let uid = format!("UID:booking-{booking}@capturemoments.app");
    let unfolded = r.text.replace("\r\n ", "");
    if r.status != 200 || !unfolded.contains(&uid) || !unfolded.contains("STATUS:CONFIRMED") {
        return Err(format!("the calendar feed should hold the confirmed booking ({}): {}", r.status, r.text));
    }
    j.ok(&format!("subscribed to a calendar feed holding {booking}"));
    Ok(())
}

/// The stack's WebSocket address, from its control port's status.
/// The confirmation reached the client's bell: notify-booking-change kept it off the
/// table's stream; reading it clears it.
async fn bell(j: &mut Journey, client: &str, booking: &str) -> Result<(), String> {
    let confirmed = |v: &Value| {
        v["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|n| n["kind"] == "booking_confirmed" && n["booking_id"] == booking)
            .cloned()
    };
    let page = until(j, "/notifications", client, 30, |v| confirmed(v).is_some()).await?;
    let notice = confirmed(&page).unwrap_or_default();
    if notice["read"] != false || notice["link"] != format!("/bookings/{booking}") {
        return Err(format!("the confirmation should be unread and link to the booking: {notice}"));
    }
    let read = json!({"ids": [notice["id"]]});
    j.expect("POST", "/notifications/read", Some(client), Some(read), 200).await?;
    let after = j.expect("GET", "/notifications", Some(client), None, 200).await?;
    if confirmed(&after).is_none_or(|n| n["read"] != true) {
        return Err(format!("the confirmation should now be read: {after}"));
    }
    j.ok(&format!("the client's bell holds \"{}\", read once opened", notice["title"].as_str().unwrap_or_default()));
    Ok(())
}

async fn websocket_url(j: &Journey) -> Result<Option<String>, String> {
    let Some(control) = &j.control else { return Ok(None) };
    let (status, text) = crate::client::get(&format!("{control}/status")).await?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("control status ({status}): {e}"))?;
    Ok(v["websocket"]["url"].as_str().map(String::from))
}

/// Client and photographer chat about the booking just confirmed: a message goes
/// through the WebSocket API, the chat table's stream and deliver-chat to the
/// photographer's socket; their read receipt comes back; the HTTP side shows the chat.
async fn chat_journey(j: &mut Journey, client: &str, photographer: &str, booking: &str) -> Result<(), String> {
    let Some(ws) = websocket_url(j).await? else {
        eprintln!("  skip  chat (no WebSocket address: the journey runs against a stack it cannot see)");
        return Ok(());
    };
    let mut p = crate::chat::connect(&ws, photographer).await?;
    let mut c = crate::chat::connect(&ws, client).await?;
    let text = "Hi! Could we start at the lake at 7?";
    c.send(&crate::chat::say(booking, "smoke-1", text)).await?;
    let sent = c.until("sent", Duration::from_secs(20)).await?;
    let got = p.until("message", Duration::from_secs(30)).await?;
    if got["message"]["text"] != text || got["message"]["id"] != sent["message"]["id"] {
        return Err(format!("the photographer should get the message as sent ({sent}), got {got}"));
    }
    let id = got["message"]["id"].as_str().unwrap_or_default().to_string();
    p.send(&json!({"action": "mark_read", "booking_id": booking, "message_id": id})).await?;
    let marked = p.until("marked", Duration::from_secs(20)).await?;
    let receipt = c.until("read", Duration::from_secs(30)).await?;
    if marked["unread"] != 0 || receipt["message_id"] != id.as_str() {
        return Err(format!("reading should clear the count and reach the client: {marked} / {receipt}"));
    }
    let chats = j.expect("GET", "/chats", Some(photographer), None, 200).await?;
    let room = chats["items"].as_array().into_iter().flatten().find(|r| r["booking_id"] == booking);
    if room.is_none_or(|r| r["unread"] != 0 || r["last_message"]["preview"] != text) {
        return Err(format!("GET /chats should show the chat, read: {chats}"));
    }
    let history = j.expect("GET", &format!("/bookings/{booking}/messages"), Some(client), None, 200).await?;
    if history["items"][0]["id"] != id.as_str() {
        return Err(format!("the history should hold the message: {history}"));
    }
    j.ok("client and photographer chatted over the WebSocket API: delivered, read receipt back, history and unread count over HTTP");
    if j.has_route("POST /bookings/{id}/attachments") {
        chat_attachment(j, &mut c, &mut p, client, booking).await?;
    }
    p.close().await;
    c.close().await;
    Ok(())
}

/// The client shares a photo in the chat: a ticket, the form POST straight to S3, S3's
/// notification to process-upload, the `attachment` frame when it is ready, the message
/// with it, and the photographer opening it through the link the push carries.
async fn chat_attachment(
    j: &mut Journey,
    c: &mut crate::chat::Socket,
    p: &mut crate::chat::Socket,
    client: &str,
    booking: &str,
) -> Result<(), String> {
    const PHOTO: &[u8] = include_bytes!("../assets/smoke-photo.jpg");
    let ask = json!({"filename": "lake at dawn.jpg", "content_type": "image/jpeg", "size_bytes": PHOTO.len()});
    let ticket = j.expect("POST", &format!("/bookings/{booking}/attachments"), Some(client), Some(ask), 201).await?;
    let id = ticket["attachment"]["id"].as_str().unwrap_or_default().to_string();
    let url = ticket["upload"]["url"].as_str().ok_or(format!("no upload url: {ticket}"))?;
    let fields = ticket["upload"]["fields"].as_object().ok_or(format!("no upload fields: {ticket}"))?;
    let posted = crate::client::post_form(url, fields, PHOTO, "image/jpeg").await?;
    if !(200..300).contains(&posted.status) {
        return Err(format!("S3 refused the attachment: {} {}", posted.status, posted.text));
    }
    let settled = c.until("attachment", Duration::from_secs(60)).await?;
    if settled["attachment"]["id"] != id.as_str() || settled["attachment"]["status"] != "ready" {
        return Err(format!("the client should hear the attachment is ready: {settled}"));
    }
    let frame = json!({"action": "send_message", "booking_id": booking, "client_id": "smoke-2", "attachment_id": id});
    c.send(&frame).await?;
    c.until("sent", Duration::from_secs(20)).await?;
    let got = p.until("message", Duration::from_secs(30)).await?;
    let view = got["message"]["attachment"]["links"]["view"].as_str().ok_or(format!("no link in the push: {got}"))?;
    let file = send("GET", view, None, None).await?;
    if file.status != 200 || file.text.contains("Exif") {
        return Err(format!("{view}: expected the photo without EXIF, got {}", file.status));
    }
    j.ok("the client shared a photo in the chat: ticket, S3, process-upload, ready frame, message, link for the photographer");
    Ok(())
}

async fn travel_between_shoots(
    j: &mut Journey,
    client_token: &str,
    photographer_id: &str,
    free: &[Value],
) -> Result<(), String> {
    let starts: Vec<chrono::DateTime<chrono::FixedOffset>> = free
        .iter()
        .filter_map(|s| s["start"].as_str())
        .filter_map(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .filter(|t| t.with_timezone(&Utc) - Utc::now() > chrono::TimeDelta::days(7))
        .collect();
    let (first, second) = starts
        .iter()
        .find_map(|a| starts.iter().find(|b| **b - *a == chrono::TimeDelta::minutes(90)).map(|b| (*a, *b)))
        .ok_or(format!("no two free hours 90 minutes apart a week out: {free:?}"))?;
    let at = |start: chrono::DateTime<chrono::FixedOffset>, address: &str, lat: f64, lon: f64| {
        json!({"photographer_id": photographer_id, "event_type": "portrait", "duration_minutes": 60,
               "start": start.to_rfc3339(), "notes": "smoke travel",
               "location": {"address": address, "city": "Hyderabad", "lat": lat, "lon": lon}})
    };
    let hitec = at(first, "HITEC City", 17.4435, 78.3772);
    let created = j.expect("POST", "/bookings", Some(client_token), Some(hitec), 201).await?;
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let lb_nagar = at(second, "LB Nagar", 17.3457, 78.5522);
    let refused = j.expect("POST", "/bookings", Some(client_token), Some(lb_nagar), 409).await?;
    if refused["rule"] != "travel_time" {
        return Err(format!("a shoot 20 km away 30 minutes later should break travel_time: {refused}"));
    }
    let cancel = json!({"status": "cancelled", "reason": "smoke test"});
    j.expect("PUT", &format!("/bookings/{id}/status"), Some(client_token), Some(cancel), 200).await?;
    j.ok(&format!("no time to travel: {}", refused["detail"].as_str().unwrap_or_default()));
    Ok(())
}

async fn race_for_one_slot(
    j: &mut Journey,
    client_token: &str,
    photographer_id: &str,
    free: &[Value],
    taken: &str,
) -> Result<(), String> {
    let day = taken.get(..10).unwrap_or(taken);
    let start = free
        .iter()
        .filter_map(|s| s["start"].as_str())
        .find(|s| !s.starts_with(day))
        .ok_or(format!("no free slot on another day than {day} to race for"))?
        .to_string();
    let tokens = [client_token.to_string(), j.login(DEMO_CLIENT).await?];
    let body = json!({"photographer_id": photographer_id, "package_id": "essentials", "event_type": "portrait",
        "start": start, "location": {"address": "2 Race Lane", "city": "Hyderabad"}, "notes": "smoke race"});
    let url = format!("{}/bookings", j.api);
    let mut racers = JoinSet::new();
    for i in 0..RACERS {
        let (url, token, body) = (url.clone(), tokens[i % tokens.len()].clone(), body.clone());
        racers.spawn(async move { send("POST", &url, Some(&token), Some(&body)).await });
    }
    let mut statuses = Vec::new();
    while let Some(answer) = racers.join_next().await {
        statuses.push(answer.map_err(|e| e.to_string())??.status);
    }
    statuses.sort_unstable();
    let created = statuses.iter().filter(|s| **s == 201).count();
    if created != 1 || statuses.iter().any(|s| *s != 201 && *s != 409) {
        return Err(format!(
            "{RACERS} requests for {start} at once: expected one 201 and the rest 409, got {statuses:?}"
        ));
    }
    let mut how = String::new();
    if let Some(control) = &j.control {
        let (_, status) = crate::client::get(&format!("{control}/status")).await?;
        let status: Value = serde_json::from_str(&status).map_err(|e| format!("control /status: {e}"))?;
        let limit = status["concurrency"].as_u64().unwrap_or(1);
        let usage = &status["usage"]["create-booking"];
        let peak = usage["peak_concurrent"].as_u64().unwrap_or(0);
        // All racers are in flight together and each takes an instance until it
        // answers, so they overlap; seeing one at a time means they were serialised.
        if limit > 1 && peak < 2 {
            return Err(format!("create-booking never ran two invocations at once (limit {limit}): {usage}"));
        }
        how = format!(", up to {peak} at once in {} instance(s)", usage["instances"]);
    }
    j.ok(&format!("{RACERS} overlapping requests for {start} at once: one 201, {} 409{how}", RACERS - 1));
    Ok(())
}

/// The control URL of the stack from this checkout if it is the one serving `api`.
fn control_of(root: &Path, api: &str) -> Option<String> {
    let url = crate::running_control_url(root).ok()?;
    let state: Value = serde_json::from_str(&std::fs::read_to_string(root.join(".local/dev/state.json")).ok()?).ok()?;
    (state["api"].as_str() == Some(api)).then_some(url)
}

/// Completes a seeded confirmed session that is over, reviews it as its client, and
/// waits for the stream-triggered scoring to show.
async fn review_journey(j: &mut Journey, photographer_token: &str, photographer_id: &str) -> Result<(), String> {
    let mine = j.expect("GET", "/bookings?status=confirmed&limit=100", Some(photographer_token), None, 200).await?;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let over = mine["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["end"].as_str().is_some_and(|e| e < now.as_str()))
        .ok_or("no seeded confirmed booking is over any more (scripts/dev reset brings them back)")?;
    let booking_id = over["id"].as_str().unwrap_or_default().to_string();
    let completed = j
        .expect(
            "PUT",
            &format!("/bookings/{booking_id}/status"),
            Some(photographer_token),
            Some(json!({"status": "completed"})),
            200,
        )
        .await?;
    if completed["status"] != "completed" {
        return Err(format!("the booking should be completed: {completed}"));
    }
    j.ok(&format!("the photographer completed past session {booking_id}"));

    let before = j.expect("GET", &format!("/photographers/{photographer_id}"), None, None, 200).await?;
    let count_before = before["rating"]["count"].as_u64().unwrap_or(0);
    let client_token = j.login(DEMO_CLIENT).await?;
    let review = json!({"rating": 5, "text": "Wonderful session, relaxed and fun. The photos are beautiful!"});
    j.expect("POST", &format!("/bookings/{booking_id}/review"), Some(&client_token), Some(review), 201).await?;
    j.ok("the client reviewed it");

    let reviews_route = j.has_route("GET /photographers/{id}/reviews");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let profile = j.expect("GET", &format!("/photographers/{photographer_id}"), None, None, 200).await?;
        let count = profile["rating"]["count"].as_u64().unwrap_or(0);
        let scored = if reviews_route {
            let list =
                j.expect("GET", &format!("/photographers/{photographer_id}/reviews?limit=50"), None, None, 200).await?;
            list["items"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["booking_id"] == booking_id.as_str() && !r["sentiment"].is_null())
        } else {
            true
        };
        if count > count_before && scored {
            j.ok(&format!("the stream scored the review and the rating count moved {count_before} → {count}"));
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "after 60 s the stream effects had not arrived (rating count {count}, scored: {scored})"
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn start_stack(root: &Path) -> Result<(String, tokio::process::Child), String> {
    let port = crate::procs::free_port().map_err(|e| e.to_string())?;
    let dir = root.join(".local/smoke");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(dir.join("stack.log")).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = tokio::process::Command::new(crate::debug_dir(root).join("local-stack"));
    cmd.arg("up")
        .current_dir(root)
        .env("PORT", port.to_string())
        // Any free port: a stack the developer runs may hold the default.
        .env("WS_PORT", "0")
        .env_remove("AWS_PORT")
        .env_remove("LAMBDA_PORT")
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2));
    let mut child = crate::procs::spawn(&mut cmd).map_err(|e| format!("starting the stack: {e}"))?;
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the stack exited ({status}) before serving; see .local/smoke/stack.log"));
        }
        if crate::client::get(&format!("{url}/health")).await.is_ok_and(|(s, _)| s == 200) {
            eprintln!("smoke: started a stack on {url}; first answer after {:.1} s", started.elapsed().as_secs_f64());
            return Ok((url, child));
        }
        if started.elapsed() > Duration::from_secs(300) {
            crate::procs::stop(&mut child, Duration::from_secs(5)).await;
            return Err("the stack did not answer /health within 300 s".into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// SIGTERM, as Ctrl-C would, then checks that every process the stack had started is gone.
async fn stop_stack(child: &mut tokio::process::Child) -> Result<(), String> {
    let pid = child.id().ok_or("the stack already exited")?;
    let family = descendants(pid);
    crate::procs::signal_group(pid, libc::SIGTERM);
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .map_err(|_| "the stack did not stop within 20 s of SIGTERM".to_string())?
        .map_err(|e| e.to_string())?;
    let left: Vec<u32> = family.into_iter().filter(|p| Path::new(&format!("/proc/{p}")).exists()).collect();
    if !left.is_empty() {
        return Err(format!("processes left behind after stopping: {left:?}"));
    }
    if !status.success() {
        return Err(format!("the stack exited with {status}"));
    }
    Ok(())
}

fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let ppid = status.lines().find_map(|l| l.strip_prefix("PPid:"))?.trim().parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parents {
            if parent == p && !out.contains(&child) {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}
