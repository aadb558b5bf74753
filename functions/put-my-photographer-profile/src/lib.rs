//! `PUT /photographers/me`: create or replace the caller's photographer profile.

use chrono::Utc;
use cm_domain::account::Role;
use cm_domain::photographer::PhotographerProfileInput;
use cm_http::{ApiError, App, Body, Request, Response};
use cm_store::photographers::ProfileWriteError;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let profile = cm_http::parse_json::<PhotographerProfileInput>(&req)?.validate()?;
    let record = match app.store.put_photographer_profile(caller.id(), &profile, caller.user.active, Utc::now()).await {
        Ok(r) => r,
        Err(ProfileWriteError::Contended) => {
            return Err(ApiError::conflict(
                "concurrent-update",
                "Concurrent update",
                "the profile changed while saving; retry",
            ));
        }
        Err(ProfileWriteError::Store(e)) => return Err(e.into()),
    };
    cm_http::ok(&record.public())
}
