use cm_accounts::account::{Email, Registration, Role};
use cm_store::UserWriter;
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
    let r = call(
        env.app,
        auth_register::handle,
        ApiEvent::new("POST /auth/register")
            .json(json!({"email": email, "password": PASSWORD, "name": "Test User", "role": role})),
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
