//! `GET /payments?state=&currency=&from=&to=&limit=&cursor=`: payment history, one entry
//! per booking that has taken payments, newest first.
//!
//! - A client sees what they paid and got back.
//! - A photographer also sees what the platform kept and what they earned.
//! - An admin sees every booking's payments.
//!
//! Each listing is a Query on its own index (`docs/data-model.md`, Y8); `state` and
//! `currency` filter it. Cursors are bound to the caller and the filters. Each record
//! names the other party (`cm_app::names`): one BatchGetItem for the whole page.

use cm_accounts::Role;
use cm_app::listing::instant;
use cm_app::names::{Named, Parties};
use cm_app::{App, AuthError, store_problem};
use cm_core::FieldErrors;
use cm_http::{Body, Internal, IntoProblem, PageBody, Problem, Query, Request, RequestError, Response};
use cm_payments::PaymentState;
use cm_payments::view::{LedgerView, Reader};
use cm_store::payments::{PaymentQuery, PaymentScope};
use cm_store::{NameReader, PageKey, PaymentHistory, StoreError, UserReader};

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
            Error::Internal(e) => e.to_problem(),
        }
    }
}

pub async fn handle<S: UserReader + PaymentHistory + NameReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let (scope, reader) = match caller.role() {
        Role::Client => (PaymentScope::Client(caller.id()), Reader::Client),
        Role::Photographer => (PaymentScope::Photographer(caller.id()), Reader::Photographer),
        Role::Admin => (PaymentScope::All, Reader::Admin),
    };
    let mut q = Query::of(&req);
    let state = q.parse("state", "a payment state (unpaid, authorized, deposit_paid, paid, refunded, …)", |s| {
        PaymentState::ALL.into_iter().find(|st| st.as_str() == s)
    });
    let currency = q.parse("currency", "a currency the platform charges in, such as INR", |s| {
        cm_payments::CurrencyRules::of(s).map(|r| r.code.to_string())
    });
    let from = q.parse("from", "a date (YYYY-MM-DD) or an RFC 3339 time", instant);
    let to = q.parse("to", "a date (YYYY-MM-DD) or an RFC 3339 time", instant);
    let limit = q.limit();
    let cursor = q.text("cursor");
    q.finish(&["state", "currency", "from", "to", "limit", "cursor"])?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(RequestError::InvalidQuery(FieldErrors::single("to", "must not be before from")).into());
    }
    let who = match scope {
        PaymentScope::Client(id) | PaymentScope::Photographer(id) => id.to_string(),
        // Every ledger is read over shards, with a cursor of another shape than the
        // one-partition listings': a name of its own refuses a cursor from before.
        PaymentScope::All => format!("all/{}", cm_store::keys::PAYMENT_SHARDS),
    };
    let cursor_scope = format!("payments|{who}|{state:?}|{currency:?}|{from:?}|{to:?}");
    let after: Option<PageKey> = cursor
        .map(|c| app.cursors().map_err(Error::from)?.decode(&cursor_scope, &c).map_err(Error::from))
        .transpose()?;
    let query = PaymentQuery {
        scope,
        state,
        currency,
        from: from.unwrap_or(chrono::DateTime::UNIX_EPOCH),
        to: to.unwrap_or_else(|| app.now() + chrono::TimeDelta::days(1)),
        limit,
    };
    if query.from > query.to {
        // Only `to` was given, before any payment could exist: nothing to list.
        return Ok(cm_http::ok(&PageBody::<Named<LedgerView>> { items: vec![], next_cursor: None }));
    }
    let page = app.store.list_payments(&query, after.as_ref()).await?;
    let next_cursor = page.next.map(|k| app.cursors()?.encode(&cursor_scope, &k)).transpose()?;
    let parties = Parties::of(&app.store, reader, page.items.iter().map(|l| (l.client_id, l.photographer_id))).await?;
    let items: Vec<_> =
        page.items.iter().map(|l| parties.name(l.history_view(reader), l.client_id, l.photographer_id)).collect();
    Ok(cm_http::ok(&PageBody { items, next_cursor }))
}
