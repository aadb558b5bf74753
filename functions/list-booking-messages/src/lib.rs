//! `GET /bookings/{id}/messages?before=&limit=`: a booking's chat history, newest first,
//! for its client and photographer (and admins, for disputes). `before` is the id of the
//! oldest message already shown; `next_before` says where the next page starts, and is
//! absent at the beginning of the chat. `read_upto` gives each participant's read mark,
//! so a client can draw read receipts. Each attachment comes with links to it,
//! presigned for 15 minutes (its objects are private; signing is local work, no
//! request). One GetItem for the booking, one Query, one BatchGetItem for the marks.

use cm_app::{App, AuthError, store_problem};
use cm_chat::{Access, MessageId, MessageView, Room};
use cm_core::{BookingId, UserId};
use cm_http::{Body, Internal, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_runtime::MediaBucket;
use cm_store::chat::ChatReader;
use cm_store::{BookingReader, StoreError, UserReader};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no such booking")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::NotFound => Problem::not_found(self.to_string()),
            Error::Store(e) => store_problem(e),
            Error::Internal(e) => e.to_problem(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct History {
    pub items: Vec<MessageView>,
    /// Pass as `before` for older messages; absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<MessageId>,
    pub read_upto: BTreeMap<UserId, MessageId>,
}

pub async fn handle<S: UserReader + BookingReader, C: ChatReader>(
    app: &App<S>,
    chat: &C,
    bucket: &MediaBucket,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let mut q = Query::of(&req);
    let before = q.parse("before", "a message id", |s| s.parse::<MessageId>().ok());
    let limit = q.limit();
    q.finish(&["before", "limit"])?;
    let booking = app.store.get_booking(id).await?.ok_or(Error::NotFound)?;
    let room = Room { booking_id: booking.id, client: booking.client_id, photographer: booking.photographer_id };
    if room.access(caller.id(), caller.is_admin()) == Access::None {
        return Err(Error::NotFound);
    }
    let ((messages, more), marks) = tokio::try_join!(chat.messages(id, before, limit), chat.read_marks(&room))?;
    let next_before = if more { messages.last().map(|m| m.id) } else { None };
    let now = app.now();
    let mut items = Vec::with_capacity(messages.len());
    for m in &messages {
        let mut view = MessageView::from(m);
        bucket.link_attachment(&mut view, now).await?;
        items.push(view);
    }
    Ok(cm_http::ok(&History { items, next_before, read_upto: marks.into_iter().collect() }))
}
