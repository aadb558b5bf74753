//! `POST /notifications/read` with `{"up_to": id}` (everything up to and including that
//! notification: "mark all read" sends the newest it shows) or `{"ids": [..]}` (these,
//! 1 to 100: opening one). Every id must be one of the caller's notifications, or
//! nothing is marked and the answer is 404 naming them (`errors`); a stranger's id is
//! therefore indistinguishable from one that never existed. Marking twice is harmless, and the
//! mark never moves back. Answers how many stay unread.

use cm_app::{App, AuthError, store_problem};
use cm_chat::notice::{self, MAX_UNREAD_COUNTED, MarkRead};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_store::notices::{Inbox, MarkOutcome};
use cm_store::{CalendarFeeds, StoreError, UserReader};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no such notification")]
    Unknown(FieldErrors),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
            Error::Unknown(fields) => {
                Problem::not_found("no such notification; nothing was marked").with_errors(fields.clone())
            }
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Unread {
    pub unread: u32,
    pub unread_capped: bool,
}

pub async fn handle<S: UserReader + CalendarFeeds, I: Inbox>(
    app: &App<S>,
    inbox: &I,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let body: Value = cm_http::parse_json(&req)?;
    let what = notice::parse_mark_read(&body).map_err(RequestError::Validation)?;
    let user = caller.id();
    if let MarkOutcome::Unknown(ids) = inbox.mark_notices_read(user, &what, app.now()).await? {
        let mut errors = FieldErrors::new();
        match &what {
            MarkRead::UpTo(_) => errors.add("up_to", "no such notification"),
            MarkRead::Ids(asked) => {
                // Named by their place in the request as sent (repeats collapse, so by id).
                let list = body["ids"].as_array().cloned().unwrap_or_default();
                for (i, raw) in list.iter().enumerate() {
                    if raw
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .is_some_and(|id| ids.contains(&id) && asked.contains(&id))
                    {
                        errors.add(format!("ids[{i}]"), "no such notification");
                    }
                }
            }
        }
        return Err(Error::Unknown(errors));
    }
    let mark = inbox.notice_mark(user).await?;
    let unread = inbox.unread_notices(user, mark).await?;
    Ok(cm_http::ok(&Unread { unread, unread_capped: unread >= MAX_UNREAD_COUNTED }))
}
