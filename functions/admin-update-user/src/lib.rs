//! `PATCH /admin/users/{id}` `{active}`: deactivate or reactivate an account. A
//! deactivated user cannot sign in, their tokens stop working, and a deactivated
//! photographer disappears from search and from their public profile URL.

use chrono::Utc;
use cm_domain::UserId;
use cm_domain::account::{Role, UserView};
use cm_http::{ApiError, App, Body, Request, Response};
use cm_store::photographers::ProfileWriteError;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateUserInput {
    active: bool,
}

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let admin = cm_http::authenticate_as(app, &req, &[Role::Admin]).await?;
    let id: UserId = cm_http::path_param(&req, "id", "user")?;
    let input: UpdateUserInput = cm_http::parse_json(&req)?;
    if id == admin.id() && !input.active {
        return Err(ApiError::conflict(
            "self-deactivation",
            "Cannot deactivate yourself",
            "ask another admin; this keeps at least one admin able to sign in",
        ));
    }
    let now = Utc::now();
    let user = app
        .store
        .set_user_active(id, input.active, now)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user with id `{id}`")))?;
    if user.role == Role::Photographer {
        match app.store.set_photographer_listed(id, input.active, now).await {
            Ok(_) => {}
            Err(ProfileWriteError::Contended) => {
                return Err(ApiError::conflict(
                    "concurrent-update",
                    "Concurrent update",
                    "the profile changed meanwhile; retry",
                ));
            }
            Err(ProfileWriteError::Store(e)) => return Err(e.into()),
        }
    }
    cm_http::ok(&UserView::from(&user))
}
