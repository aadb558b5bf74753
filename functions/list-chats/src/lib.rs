//! `GET /chats?limit=&cursor=`: the caller's booking chats, latest activity first, each
//! with the other participant, the last message and how many of the other side's
//! messages are unread. A chat appears with its first message. One Query on the chat
//! table's index, one BatchGetItem for the other participants' names: a photographer's
//! public display name, a client's name, as a booking's page names them
//! (`cm_store::names`; nobody is named once deactivated).

use chrono::{DateTime, Utc};
use cm_app::{App, AuthError, store_problem};
use cm_chat::MessageId;
use cm_core::{BookingId, UserId};
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_store::chat::{ChatReader, MAX_UNREAD_COUNTED};
use cm_store::{CalendarFeeds, NameReader, PageKey, StoreError, UserReader};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
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
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct LastMessage {
    pub id: MessageId,
    pub sender_id: UserId,
    pub preview: String,
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Chat {
    pub booking_id: BookingId,
    pub with: Person,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<LastMessage>,
    /// Messages from the other side after the caller's read mark, counted up to 999.
    pub unread: u32,
    /// True when `unread` reached its cap ("999+").
    pub unread_capped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_upto: Option<MessageId>,
}

pub async fn handle<S: UserReader + CalendarFeeds + NameReader, C: ChatReader>(
    app: &App<S>,
    chat: &C,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let mut q = Query::of(&req);
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["limit", "cursor"])?;
    let scope = format!("chats|{}", caller.id());
    let after: Option<PageKey> = cursor.map(|c| app.cursors()?.decode(&scope, &c).map_err(Error::from)).transpose()?;
    let page = chat.rooms_of(caller.id(), limit, after.as_ref()).await?;
    // A member item written before `other_role` names the other by account, as a client.
    let (mut clients, mut photographers) = (Vec::new(), Vec::new());
    for r in &page.items {
        if r.other_is_photographer == Some(true) { &mut photographers } else { &mut clients }.push(r.other_id);
    }
    let names = app.store.party_names(&clients, &photographers).await?;
    let items: Vec<Chat> = page
        .items
        .into_iter()
        .map(|r| Chat {
            booking_id: r.booking_id,
            with: Person {
                id: r.other_id,
                name: if r.other_is_photographer == Some(true) {
                    names.photographer(r.other_id)
                } else {
                    names.client(r.other_id)
                }
                .unwrap_or_else(|| "a Capture Moments member".into()),
            },
            last_message: r.last_message.map(|m| LastMessage {
                id: m.id,
                sender_id: m.sender_id,
                preview: m.preview,
                sent_at: m.sent_at,
            }),
            unread: r.unread,
            unread_capped: r.unread >= MAX_UNREAD_COUNTED,
            read_upto: r.read_upto,
        })
        .collect();
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&scope, &k)).transpose()?;
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}
