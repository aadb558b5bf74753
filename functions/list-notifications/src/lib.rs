//! `GET /notifications?before=&limit=`: the caller's in-app notifications, newest first,
//! each marked read or not, with how many are unread (counted up to 99). `before` is the
//! id of the oldest notification already shown; `next_before` says where the next page
//! starts. Notifications arrive live on the chat WebSocket too (`notification` frames);
//! this is the bell's list on page load and after a reconnect. Three reads on the chat
//! table: the read mark (GetItem), then the page and the unread count (Queries) at once.

use cm_app::{App, AuthError, store_problem};
use cm_chat::notice::MAX_UNREAD_COUNTED;
use cm_chat::{NoticeId, NoticeView};
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::notices::Inbox;
use cm_store::{CalendarFeeds, StoreError, UserReader};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Notifications {
    pub items: Vec<NoticeView>,
    /// Pass as `before` for older notifications; absent when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<NoticeId>,
    /// Unread notifications, counted up to 99.
    pub unread: u32,
    /// True when `unread` reached its cap ("99+").
    pub unread_capped: bool,
}

pub async fn handle<S: UserReader + CalendarFeeds, I: Inbox>(
    app: &App<S>,
    inbox: &I,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let mut q = Query::of(&req);
    let before = q.parse("before", "a notification id", |s| s.parse::<NoticeId>().ok());
    let limit = q.limit();
    q.finish(&["before", "limit"])?;
    let user = caller.id();
    let mark = inbox.notice_mark(user).await?;
    let ((notices, more), unread) =
        tokio::try_join!(inbox.notices(user, before, limit), inbox.unread_notices(user, mark))?;
    let next_before = if more { notices.last().map(|n| n.id) } else { None };
    Ok(cm_http::ok(&Notifications {
        items: notices.iter().map(|n| NoticeView::of(n, mark)).collect(),
        next_before,
        unread,
        unread_capped: unread >= MAX_UNREAD_COUNTED,
    }))
}
