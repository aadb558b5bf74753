//! `POST /auth/refresh`: trade a refresh token for a new pair. Tokens rotate; a
//! rotated-out token coming back means it was copied, so its family is revoked.

use chrono::Utc;
use cm_http::auth::RefreshToken;
use cm_http::session::session_body;
use cm_http::{ApiError, App, Body, Request, Response};
use cm_store::tokens::Rotation;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshInput {
    refresh_token: String,
}

fn rejected() -> ApiError {
    ApiError::Unauthorized("the refresh token is invalid, expired or revoked; sign in again".into())
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let input: RefreshInput = cm_http::parse_json(&req)?;
    let token = RefreshToken::parse(&input.refresh_token).ok_or_else(rejected)?;
    let now = Utc::now();
    let family = app.store.get_refresh_family(&token.family).await?.ok_or_else(rejected)?;
    if family.revoked || family.expires_at <= now {
        return Err(rejected());
    }
    if token.generation != family.generation || !token.matches_hash(&family.secret_hash) {
        if token.generation < family.generation {
            tracing::warn!(family = %token.family, "refresh token reuse; revoking the family");
            app.store.revoke_refresh_family(&token.family, now).await?;
        }
        return Err(rejected());
    }
    let user = match app.store.get_user(family.user_id).await? {
        Some(u) if u.active => u,
        _ => return Err(rejected()),
    };
    let next = token.next();
    match app.store.rotate_refresh_family(&token.family, token.generation, &next.secret_hash()).await? {
        Rotation::Rotated => cm_http::ok(&session_body(app, &user, &next, now)?),
        Rotation::Lost => {
            // A concurrent refresh with the same token won: one of the two is a copy.
            app.store.revoke_refresh_family(&token.family, now).await?;
            Err(rejected())
        }
    }
}
