use chrono::{DateTime, Days, TimeDelta, Utc};
use cm_accounts::account::{NotificationPreferences, Role, User};
use cm_app::App;
use cm_core::{BookingId, ManualClock, UserId};
use cm_store::UserWriter;
use cm_tests::fakes::{self, FakeStore};
use cm_tests::{ApiEvent, TestResponse, call};
use serde_json::{Value, json};
use std::sync::OnceLock;

pub const PASSWORD: &str = "correct horse battery";

/// Hourly rate of every test photographer (₹2,500.00); the `basic` package is 120
/// minutes for twice that.
pub const HOURLY: i64 = 250_000;
pub const PACKAGE_PRICE: i64 = 2 * HOURLY;

/// Where every test's clock starts: Monday 7 January 2030, 08:00 UTC.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2030-01-07T08:00:00Z").unwrap().with_timezone(&Utc)
}

/// `hh:mm` UTC, `days` after t0's date.
pub fn at(days: u64, hh: u32, mm: u32) -> DateTime<Utc> {
    t0().date_naive().checked_add_days(Days::new(days)).unwrap().and_hms_opt(hh, mm, 0).unwrap().and_utc()
}

/// As the API writes instants.
pub fn rfc(t: DateTime<Utc>) -> String {
    cm_booking::view::utc(t)
}

pub fn instant(v: &Value) -> DateTime<Utc> {
    let text = v.as_str().unwrap_or_else(|| panic!("{v} is not a string"));
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// One hash for every test user: hashing is deliberately slow.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| cm_accounts::password::hash_password(PASSWORD).unwrap())
}

pub struct Person {
    pub user: User,
}

impl Person {
    pub fn id(&self) -> UserId {
        self.user.id
    }

    pub fn email(&self) -> &str {
        &self.user.email
    }
}

/// One test's world: a fake store, a clock it controls, and the app around them.
pub struct World {
    pub clock: ManualClock,
    pub app: &'static App<FakeStore>,
}

impl World {
    pub fn new() -> World {
        let clock = ManualClock::new(t0());
        let app = fakes::app(&clock);
        World { clock, app }
    }

    pub fn store(&self) -> &FakeStore {
        &self.app.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.app.now()
    }

    pub fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
    }

    /// A fresh access token for `p`: tokens live 15 minutes and tests move the clock.
    pub fn token(&self, p: &Person) -> String {
        self.app.tokens().unwrap().issue(&p.user, self.now()).unwrap()
    }

    /// An active account with [`PASSWORD`], stored as registration stores it.
    pub async fn person(&self, role: Role) -> Person {
        let email = format!("{}.{}@example.com", role.as_str(), ulid::Ulid::new().to_string().to_lowercase());
        let now = self.now();
        let user = User {
            id: UserId::new(),
            email: email.clone(),
            name: "Test Person".into(),
            role,
            phone: None,
            phone_verified_at: None,
            timezone: "UTC".into(),
            notification_preferences: NotificationPreferences::default(),
            active: true,
            sessions_valid_after: None,
            password_hash: password_hash().to_string(),
            created_at: now,
            updated_at: now,
        };
        self.store().create_user(&user, &email.to_lowercase()).await.unwrap();
        Person { user }
    }

    /// A listed photographer with the standard profile and this availability.
    pub async fn photographer(&self, availability: Value) -> Person {
        let p = self.person(Role::Photographer).await;
        self.put_profile(&p, HOURLY).await.ok(200);
        let r = call(
            self.app,
            put_my_availability::handle,
            ApiEvent::new("PUT /photographers/me/availability").bearer(&self.token(&p)).json(availability),
        )
        .await;
        r.ok(200);
        p
    }

    pub async fn put_profile(&self, p: &Person, hourly: i64) -> TestResponse {
        call(
            self.app,
            put_my_photographer_profile::handle,
            ApiEvent::new("PUT /photographers/me").bearer(&self.token(p)).json(profile(hourly)),
        )
        .await
    }

    pub async fn book(&self, client: &Person, body: Value) -> TestResponse {
        call(self.app, create_booking::handle, ApiEvent::new("POST /bookings").bearer(&self.token(client)).json(body))
            .await
    }

    pub async fn book_with_key(&self, client: &Person, key: &str, body: Value) -> TestResponse {
        call(
            self.app,
            create_booking::handle,
            ApiEvent::new("POST /bookings").bearer(&self.token(client)).header("Idempotency-Key", key).json(body),
        )
        .await
    }

    /// Books `minutes` at `start` and returns the new booking's id.
    pub async fn booked(
        &self,
        client: &Person,
        photographer: &Person,
        start: DateTime<Utc>,
        minutes: u32,
    ) -> BookingId {
        let r = self.book(client, request(photographer, start, minutes)).await;
        r.ok(201)["id"].as_str().unwrap().parse().unwrap()
    }

    pub async fn set_status(&self, who: &Person, id: BookingId, status: &str, reason: Option<&str>) -> TestResponse {
        let mut body = json!({"status": status});
        if let Some(r) = reason {
            body["reason"] = json!(r);
        }
        call(
            self.app,
            update_booking_status::handle,
            ApiEvent::new("PUT /bookings/{id}/status").path("id", id).bearer(&self.token(who)).json(body),
        )
        .await
    }

    pub async fn reschedule(&self, who: &Person, id: BookingId, body: Value) -> TestResponse {
        call(
            self.app,
            reschedule_booking::handle,
            ApiEvent::new("POST /bookings/{id}/reschedule").path("id", id).bearer(&self.token(who)).json(body),
        )
        .await
    }

    pub async fn get_booking(&self, who: &Person, id: BookingId) -> TestResponse {
        call(self.app, get_booking::handle, ApiEvent::new("GET /bookings/{id}").path("id", id).bearer(&self.token(who)))
            .await
    }
}

/// UTC, 09:00–17:00 every day, defaults otherwise; `extra` replaces top-level keys.
pub fn availability(extra: Value) -> Value {
    let day = json!([{"start": "09:00", "end": "17:00"}]);
    let weekly: serde_json::Map<String, Value> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().map(|d| (d.to_string(), day.clone())).collect();
    let mut doc = json!({"timezone": "UTC", "weekly": weekly});
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    doc
}

pub fn profile(hourly: i64) -> Value {
    json!({"display_name": "Asha Lens", "bio": "Available for shoots.", "specializations": ["portrait", "wedding"],
      "city": "Pune", "country": "IN", "lat": 18.52, "lon": 73.85, "service_radius_km": 50,
      "years_experience": 7, "hourly_rate": {"amount_minor": hourly, "currency": "INR"},
      "packages": [{"id": "basic", "name": "Basic", "duration_minutes": 120,
                    "price": {"amount_minor": PACKAGE_PRICE, "currency": "INR"}}],
      "languages": ["en"]})
}

pub fn request(photographer: &Person, start: DateTime<Utc>, minutes: u32) -> Value {
    json!({"photographer_id": photographer.id().to_string(), "event_type": "portrait", "start": rfc(start),
           "duration_minutes": minutes, "location": {"address": "1 MG Road", "city": "Pune"}})
}

/// The problem's `type` after the common prefix.
#[track_caller]
pub fn problem_type(r: &TestResponse, status: u16) -> String {
    let p = r.problem(status);
    p["type"].as_str().unwrap().rsplit("/problems/").next().unwrap().to_string()
}

/// Starts the problem suggests, as instants.
pub fn suggestions(r: &TestResponse) -> Vec<DateTime<Utc>> {
    r.body["suggested_starts"].as_array().unwrap().iter().map(|s| instant(&s["start"])).collect()
}
