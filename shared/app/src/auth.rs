//! Who is calling: the access token verified, then the account loaded fresh from
//! storage, so a deactivated user's unexpired token stops working at once and the role
//! is the stored one, not the token's.

use crate::{App, store_problem};
use cm_accounts::account::{Role, User};
use cm_accounts::tokens::TokenError;
use cm_core::UserId;
use cm_http::params::BearerError;
use cm_http::{Internal, IntoProblem, Problem, Request};
use cm_store::{StoreError, UserReader};

#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
}

impl Caller {
    pub fn id(&self) -> UserId {
        self.user.id
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    NoToken(BearerError),
    #[error("invalid access token ({0})")]
    BadToken(TokenError),
    #[error("this account is deactivated")]
    Deactivated,
    #[error("this account no longer exists")]
    Gone,
    #[error("this action is for {} accounts", .0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" or "))]
    WrongRole(&'static [Role]),
    /// The token keys could not be read (Secrets Manager slow or down).
    #[error("the token keys are unavailable: {0}")]
    KeysUnavailable(Internal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for AuthError {
    fn to_problem(&self) -> Problem {
        match self {
            AuthError::NoToken(_) | AuthError::BadToken(_) | AuthError::Deactivated | AuthError::Gone => {
                Problem::unauthorized(self.to_string())
            }
            AuthError::WrongRole(_) => Problem::forbidden(self.to_string()),
            AuthError::KeysUnavailable(_) => crate::busy(),
            AuthError::Store(e) => store_problem(e),
            AuthError::Internal(_) => Problem::internal(),
        }
    }
}

pub async fn authenticate<S: UserReader>(app: &App<S>, req: &Request) -> Result<Caller, AuthError> {
    let token = cm_http::bearer_token(req).map_err(AuthError::NoToken)?;
    let id = verify_token(app, token).await?;
    match app.store.get_user(id).await? {
        Some(user) if user.active => Ok(Caller { user }),
        Some(_) => Err(AuthError::Deactivated),
        None => Err(AuthError::Gone),
    }
}

/// The user an access token names, if the token is genuine and unexpired (the account
/// itself is not read).
pub async fn verify_token<S>(app: &App<S>, token: &str) -> Result<UserId, AuthError> {
    app.load_keys().await.map_err(AuthError::KeysUnavailable)?;
    match app.tokens()?.verify(token, app.now()) {
        // A key id this process does not know: the keys may have rotated since it
        // loaded them. Reload (at most once per interval) and look again.
        Err(TokenError::UnknownKey) => {
            app.reload_keys().await.map_err(AuthError::KeysUnavailable)?;
            app.tokens()?.verify(token, app.now())
        }
        verified => verified,
    }
    .map_err(AuthError::BadToken)
}

pub async fn authenticate_as<S: UserReader>(
    app: &App<S>,
    req: &Request,
    roles: &'static [Role],
) -> Result<Caller, AuthError> {
    let caller = authenticate(app, req).await?;
    if roles.contains(&caller.role()) { Ok(caller) } else { Err(AuthError::WrongRole(roles)) }
}
