//! A signed-in session as the API answers it (register, login, refresh), and the
//! refresh-token family a new sign-in starts.

use crate::account::{User, UserView};
use crate::refresh::{RefreshFamily, RefreshToken};
use crate::tokens::AccessTokens;
use chrono::{DateTime, Utc};
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

impl SessionBody {
    pub fn new(
        tokens: &AccessTokens,
        user: &User,
        refresh: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<SessionBody, jsonwebtoken::errors::Error> {
        Ok(SessionBody {
            user: UserView::from(user),
            access_token: tokens.issue(user, now)?,
            token_type: "Bearer",
            expires_in: tokens.access_ttl.num_seconds(),
            refresh_token: refresh.to_string(),
        })
    }
}

/// The family a new sign-in (a new device) starts, holding the first token's hash.
pub fn new_family(user: &User, token: &RefreshToken, tokens: &AccessTokens, now: DateTime<Utc>) -> RefreshFamily {
    RefreshFamily {
        family: token.family.clone(),
        user_id: user.id,
        generation: token.generation,
        secret_hash: token.secret_hash(),
        revoked: false,
        created_at: now,
        expires_at: now + tokens.refresh_ttl,
        previous_hash: None,
        rotated_at: None,
    }
}
