//! Signing in (register, login): a new refresh-token family, and the session answer.

use crate::App;
use cm_accounts::account::User;
use cm_accounts::refresh::RefreshToken;
use cm_accounts::session::{SessionBody, new_family};
use cm_http::Internal;
use cm_store::{RefreshFamilies, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

/// Starts a new refresh-token family (a new device or sign-in) and answers with it.
pub async fn start_session<S: RefreshFamilies>(app: &App<S>, user: &User) -> Result<SessionBody, SessionError> {
    let now = app.now();
    let tokens = app.tokens()?;
    let token = RefreshToken::new_family();
    app.store.create_refresh_family(&new_family(user, &token, &tokens, now)).await?;
    Ok(session_body(app, user, &token)?)
}

/// The answer for `user` holding `refresh`, with a fresh access token.
pub fn session_body<S>(app: &App<S>, user: &User, refresh: &RefreshToken) -> Result<SessionBody, Internal> {
    SessionBody::new(&*app.tokens()?, user, refresh, app.now()).map_err(Internal::new)
}
