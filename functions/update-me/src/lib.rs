//! `PATCH /me`: change name, phone, timezone or notification preferences.

use chrono::Utc;
use cm_domain::account::{ProfilePatchInput, UserView};
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    let patch = cm_http::parse_json::<ProfilePatchInput>(&req)?.validate()?;
    let user = app
        .store
        .patch_user(caller.id(), &patch, Utc::now())
        .await?
        .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
    cm_http::ok(&UserView::from(&user))
}
