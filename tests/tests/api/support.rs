use cm_accounts::account::{Email, Registration, Role};
use cm_store::{BookingWriter, UserWriter};
use cm_tests::{ApiEvent, TestEnv, call};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";

pub struct Session {
    pub id: String,
    pub access: String,
    pub refresh: String,
}

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}.{}@example.com", ulid::Ulid::new().to_string().to_lowercase())
}

pub async fn register(env: &TestEnv, role: &str) -> Session {
    register_as(env, role, &unique_email(role)).await
}

pub async fn register_as(env: &TestEnv, role: &str, email: &str) -> Session {
    register_named(env, role, email, "Test User").await
}

pub async fn register_named(env: &TestEnv, role: &str, email: &str, name: &str) -> Session {
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register")
            .json(json!({"email": email, "password": PASSWORD, "name": name, "role": role})),
    )
    .await;
    session(r.ok(201))
}

pub fn session(body: &Value) -> Session {
    Session {
        id: body["user"]["id"].as_str().expect("user id").to_string(),
        access: body["access_token"].as_str().expect("access token").to_string(),
        refresh: body["refresh_token"].as_str().expect("refresh token").to_string(),
    }
}

pub async fn login(env: &TestEnv, email: &str, password: &str) -> cm_tests::TestResponse {
    call(
        env.app,
        auth_login::handle,
        ApiEvent::new("POST /auth/login").json(json!({"email": email, "password": password})),
    )
    .await
}

/// An admin made the way the `create-admin` command makes one, then signed in.
pub async fn admin(env: &TestEnv) -> Session {
    let email = unique_email("admin");
    let reg = Registration {
        email: Email::parse(&email).unwrap(),
        password: PASSWORD.into(),
        name: "Ada Admin".into(),
        role: Role::Admin,
        phone: None,
        timezone: "UTC".into(),
    };
    let user = reg.into_user(chrono::Utc::now()).unwrap();
    env.app.store.create_user(&user, &email).await.unwrap();
    session(login(env, &email, PASSWORD).await.ok(200))
}

pub fn profile(name: &str, city: &str, specs: &[&str], hourly_minor: i64, currency: &str) -> Value {
    json!({"display_name": name, "bio": "Available for shoots.", "specializations": specs,
      "city": city, "country": "IN", "lat": 17.385, "lon": 78.4867, "service_radius_km": 50,
      "years_experience": 7, "hourly_rate": {"amount_minor": hourly_minor, "currency": currency},
      "packages": [{"id": "basic", "name": "Basic", "duration_minutes": 120,
                    "price": {"amount_minor": hourly_minor * 2, "currency": currency}}],
      "portfolio_links": ["https://example.com/portfolio"], "languages": ["en", "hi"]})
}

pub async fn photographer_with_profile(env: &TestEnv, profile_doc: Value) -> Session {
    let s = register(env, "photographer").await;
    call(
        env.app,
        put_my_photographer_profile::handle,
        ApiEvent::new("PUT /photographers/me").bearer(&s.access).json(profile_doc),
    )
    .await
    .ok(200);
    s
}

/// A booking that finished yesterday. Written through the store: the API rightly
/// refuses to create bookings in the past.
pub async fn booking(
    env: &TestEnv,
    client: &Session,
    photographer: &Session,
    status: cm_booking::BookingStatus,
) -> cm_booking::booking::Booking {
    booking_at(env, client, photographer, status, chrono::Utc::now() - chrono::Duration::days(1)).await
}

/// The same booking starting at `start`.
pub async fn booking_at(
    env: &TestEnv,
    client: &Session,
    photographer: &Session,
    status: cm_booking::BookingStatus,
    start: chrono::DateTime<chrono::Utc>,
) -> cm_booking::booking::Booking {
    let b = cm_booking::booking::Booking {
        id: cm_core::BookingId::new(),
        client_id: client.id.parse().unwrap(),
        photographer_id: photographer.id.parse().unwrap(),
        package_id: None,
        event_type: "portrait".into(),
        start,
        end: start + chrono::Duration::hours(2),
        duration_minutes: 120,
        timezone: "Asia/Kolkata".into(),
        location: cm_core::location::Location {
            address: "1 MG Road".into(),
            city: "Pune".into(),
            lat: None,
            lon: None,
        },
        notes: None,
        price: serde_json::from_value(json!({"amount_minor": 500000, "currency": "INR"})).unwrap(),
        status,
        lock_blocks: vec![],
        local_date: start.date_naive(),
        daily_limit: None,
        requested_at: start - chrono::Duration::days(3),
        expires_at: start,
        cancellation_window_hours: 48,
        payment_terms: cm_payments::PaymentTerms::default(),
        version: 1,
        sequence: 1,
        history: vec![cm_booking::booking::HistoryEntry {
            at: start - chrono::Duration::days(3),
            by: Some(client.id.parse().unwrap()),
            actor: cm_booking::Actor::Client,
            action: cm_booking::booking::HistoryAction::Created,
            from: None,
            to: cm_booking::BookingStatus::Pending,
            reason: None,
            previous_start: None,
            new_start: Some(start),
        }],
        created_at: start - chrono::Duration::days(3),
        updated_at: start,
    };
    env.app.store.create_booking(&b, None, None).await.unwrap();
    b
}

/// A single booking's page (`GET /bookings/{id}`) as the answers that changed it show
/// it: they carry the payment terms and quote, the page also where the money stands and
/// the other party's name. Checks that standing is "nothing paid yet" and removes it and
/// the names.
pub fn as_answered(page: &Value) -> Value {
    let mut v = page.clone();
    let members = v.as_object_mut().expect("a booking");
    members.remove("client_name");
    members.remove("photographer_name");
    let payment = v["payment"].as_object_mut().expect("a payment member");
    assert_eq!(payment.remove("state"), Some(json!("unpaid")), "{page}");
    for amount in ["authorized_minor", "paid_minor", "refunded_minor"] {
        assert_eq!(payment.remove(amount), Some(json!(0)), "{amount}: {page}");
    }
    assert!(payment.remove("due_minor").is_some_and(|d| d == page["price"]["amount_minor"]), "{page}");
    v
}

/// A photographer open for bookings: a profile in Hyderabad (weddings and portraits at
/// ₹2,500.00 an hour) and the sample event's working hours.
pub async fn open_for_bookings(env: &TestEnv, photographer: &Session, display_name: &str) {
    let studio = profile(display_name, "Hyderabad", &["wedding", "portrait"], 250_000, "INR");
    call(
        env.app,
        put_my_photographer_profile::handle,
        ApiEvent::new("PUT /photographers/me").bearer(&photographer.access).json(studio),
    )
    .await
    .ok(200);
    sample_hours(env, photographer).await;
}

/// The put-my-availability sample's working hours, put for `photographer`.
pub async fn sample_hours(env: &TestEnv, photographer: &Session) {
    let sample: Value = serde_json::from_str(
        &std::fs::read_to_string(cm_tests::template::repo_root().join("events/put-my-availability.json")).unwrap(),
    )
    .unwrap();
    let hours: Value = serde_json::from_str(sample["body"].as_str().unwrap()).unwrap();
    call(
        env.app,
        put_my_availability::handle,
        ApiEvent::new("PUT /photographers/me/availability").bearer(&photographer.access).json(hours),
    )
    .await
    .ok(200);
}
