//! `PUT /photographers/me/availability`: replace the caller's availability rules.

use chrono::Utc;
use cm_domain::account::Role;
use cm_http::{ApiError, App, Body, Request, Response};
use cm_scheduling::AvailabilityDoc;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let doc: AvailabilityDoc = cm_http::parse_json(&req)?;
    let availability = doc.validate()?;
    // Stored and answered in canonical form: defaults filled in, as it will be applied.
    let canonical = availability.to_doc();
    app.store.put_availability(caller.id(), &canonical, Utc::now()).await?;
    cm_http::ok(&canonical)
}
