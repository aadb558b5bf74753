//! `GET /admin/bookings?status=&from=&to=&limit=&cursor=`: every booking by start time.

use cm_domain::account::Role;
use cm_http::{ApiError, App, Body, Query, Request, Response};
use cm_store::bookings::Party;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    cm_http::authenticate_as(app, &req, &[Role::Admin]).await?;
    cm_http::booking_list::list(app, Query::of(&req), Party::Everyone, "admin-bookings", &[]).await
}
