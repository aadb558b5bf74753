//! Signing in: the response body shared by register, login and refresh.

use crate::auth::{RefreshToken, issue_access_token};
use crate::{ApiError, App};
use chrono::{DateTime, Utc};
use cm_domain::account::{User, UserView};
use cm_store::tokens::RefreshFamily;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct SessionBody {
    pub user: UserView,
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
}

pub fn session_body(
    app: &App,
    user: &User,
    refresh: &RefreshToken,
    now: DateTime<Utc>,
) -> Result<SessionBody, ApiError> {
    Ok(SessionBody {
        user: UserView::from(user),
        access_token: issue_access_token(app.keys()?, user, now)?,
        token_type: "Bearer",
        expires_in: app.keys()?.access_ttl.num_seconds(),
        refresh_token: refresh.to_string(),
    })
}

/// Starts a new refresh-token family (a new device or sign-in) and answers with it.
pub async fn start_session(app: &App, user: &User, now: DateTime<Utc>) -> Result<SessionBody, ApiError> {
    let token = RefreshToken::new_family();
    app.store
        .create_refresh_family(&RefreshFamily {
            family: token.family.clone(),
            user_id: user.id,
            generation: token.generation,
            secret_hash: token.secret_hash(),
            revoked: false,
            created_at: now,
            expires_at: now + app.keys()?.refresh_ttl,
        })
        .await?;
    session_body(app, user, &token, now)
}
