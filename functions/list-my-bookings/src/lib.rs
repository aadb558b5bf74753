//! `GET /bookings?as=client|photographer&status=&from=&to=&limit=&cursor=`: the
//! caller's own bookings by start time. `as` defaults to the caller's role.

use cm_domain::account::Role;
use cm_http::{ApiError, App, Body, Query, Request, Response};
use cm_store::bookings::Party;

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate(app, &req).await?;
    let mut q = Query::of(&req);
    let as_role = q.parse("as", "client or photographer", |s| match s {
        "client" => Some(Role::Client),
        "photographer" => Some(Role::Photographer),
        _ => None,
    });
    let party = match as_role.unwrap_or(caller.role()) {
        Role::Client => Party::Client(caller.id()),
        Role::Photographer if caller.role() == Role::Photographer => Party::Photographer(caller.id()),
        Role::Photographer => {
            return Err(ApiError::Forbidden("only photographers have bookings as a photographer".into()));
        }
        Role::Admin => return Err(ApiError::Forbidden("admins list bookings with GET /admin/bookings".into())),
    };
    let scope = format!("my-bookings|{}|{:?}", caller.id(), party_name(party));
    cm_http::booking_list::list(app, q, party, &scope, &["as"]).await
}

fn party_name(p: Party) -> &'static str {
    match p {
        Party::Client(_) => "client",
        Party::Photographer(_) => "photographer",
        Party::Everyone => "everyone",
    }
}
