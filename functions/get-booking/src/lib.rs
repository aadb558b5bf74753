//! `GET /bookings/{id}`: for its client, its photographer and admins; 404 for anyone
//! else, exactly as for a booking that does not exist.

use cm_domain::BookingId;
use cm_http::booking::{load_visible, view};
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let (booking, _) = load_visible(app, &caller, id).await?;
    cm_http::ok(&view(&booking))
}
