//! `GET /admin/insights/sentiment?from=&to=&granularity=day|week`: trend, distribution,
//! topic sentiment and the most negative open feedback. Served from the daily
//! aggregates the sentiment stream keeps (one Query) and the score index (one Query):
//! never a scan, whatever the volume.

use chrono::NaiveDate;
use cm_accounts::Role;
use cm_app::store_problem;
use cm_app::{App, AuthError};
use cm_http::{Body, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_reviews::insights::{Granularity, Summary, summarize};
use cm_reviews::view::{FeedbackView, feedback_view};
use cm_store::{FeedbackReader, InsightsReader, StoreError, UserReader};
use serde::Serialize;

pub const MAX_RANGE_DAYS: u64 = 366;
const DEFAULT_RANGE_DAYS: u64 = 30;
const NEGATIVE_ITEMS: usize = 10;

#[derive(Serialize)]
struct InsightsBody<'a> {
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
    #[serde(flatten)]
    summary: Summary,
    most_negative_open: Vec<FeedbackView<'a>>,
}

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

pub async fn handle<S: UserReader + InsightsReader + FeedbackReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    cm_app::authenticate_as(app, &req, &[Role::Admin]).await?;
    let mut q = Query::of(&req);
    let days = q.days();
    let granularity = q.parse("granularity", "day or week", Granularity::parse).unwrap_or(Granularity::Day);
    q.finish(&["from", "to", "granularity"])?;
    let (from, to) = days.resolve(app.now().date_naive(), DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS as i64)?;
    let (days, negative) =
        tokio::try_join!(app.store.sentiment_days(from, to), app.store.most_negative_open_feedback(NEGATIVE_ITEMS))?;
    let days: Vec<_> = days.into_iter().map(|d| (d.date, d.counters)).collect();
    let body = InsightsBody {
        from,
        to,
        granularity,
        summary: summarize(&days, from, to, granularity),
        most_negative_open: negative.iter().map(feedback_view).collect(),
    };
    Ok(cm_http::ok(&body))
}
