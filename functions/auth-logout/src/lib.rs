//! `POST /auth/logout`: kill a refresh token (and with it its whole family). Always
//! 204 for a well-formed request, so logout never tells anyone whether a token was live.

use chrono::Utc;
use cm_http::auth::RefreshToken;
use cm_http::{ApiError, App, Body, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogoutInput {
    refresh_token: String,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let input: LogoutInput = cm_http::parse_json(&req)?;
    let Some(token) = RefreshToken::parse(&input.refresh_token) else { return cm_http::no_content() };
    let Some(family) = app.store.get_refresh_family(&token.family).await? else { return cm_http::no_content() };
    // Only the current holder may end the family; a stale copy must not log the real
    // owner out.
    if token.generation == family.generation && token.matches_hash(&family.secret_hash) {
        app.store.revoke_refresh_family(&token.family, Utc::now()).await?;
    }
    cm_http::no_content()
}
