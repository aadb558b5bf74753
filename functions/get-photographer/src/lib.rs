//! `GET /photographers/{id}`: a photographer's public profile. Unknown and
//! deactivated photographers are indistinguishable: both 404.

use cm_domain::UserId;
use cm_http::{ApiError, App, Body, Request, Response};

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let id: UserId = cm_http::path_param(&req, "id", "photographer")?;
    match app.store.get_photographer(id).await? {
        Some(record) if record.listed => cm_http::ok(&record.public()),
        _ => Err(ApiError::NotFound(format!("no photographer with id `{id}`"))),
    }
}
