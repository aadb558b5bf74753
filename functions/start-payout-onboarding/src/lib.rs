//! `POST /photographers/me/payouts/onboarding`: a photographer sets up where their money
//! goes. The first call opens a Stripe Connect Express account for them (one per
//! photographer: the call's idempotency key is theirs); every call answers a fresh,
//! short-lived onboarding link to Stripe's hosted form. Stripe then reports the
//! account's state by `account.updated` webhooks (`stripe-webhook`), which is what
//! `GET /photographers/me` shows as `payouts.status`.

use cm_accounts::Role;
use cm_app::{App, AuthError, store_problem};
use cm_http::{Body, IntoProblem, Problem, Request, Response};
use cm_payments::{PayoutAccount, PayoutStatus};
use cm_store::{PaymentReader, PaymentWriter, PhotographerReader, StoreError, UserReader};
use cm_stripe::{GatewayError, Stripe};
use serde::Serialize;

pub struct Onboarding {
    pub stripe: Stripe,
    /// Where Stripe sends the photographer back when they finish (the web app).
    pub return_url: String,
    /// Where Stripe sends them when the link expired, to ask for a new one.
    pub refresh_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("no photographer profile yet")]
    NoProfile,
    #[error("payouts are already active")]
    AlreadyActive,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::NoProfile => Problem::conflict(
                "profile-required",
                "Profile required",
                "create your photographer profile (PUT /photographers/me) before setting up payouts",
            ),
            Error::AlreadyActive => Problem::conflict(
                "payouts-active",
                "Payouts already active",
                "your payout account is active; clients can already pay you",
            ),
            Error::Gateway(GatewayError::Unavailable(_)) => cm_app::payments::provider_unavailable(),
            Error::Gateway(GatewayError::Declined { .. } | GatewayError::Rejected { .. }) => {
                cm_app::payments::provider_error()
            }
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Serialize)]
struct Link<'a> {
    /// Stripe's hosted onboarding form; open it at once, it expires within minutes.
    url: &'a str,
    status: PayoutStatus,
}

pub async fn handle<S: UserReader + PhotographerReader + PaymentReader + PaymentWriter>(
    app: &App<S>,
    onboarding: &Onboarding,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate_as(app, &req, &[Role::Photographer]).await?;
    let me = caller.id();
    let record = app.store.get_photographer(me).await?.ok_or(Error::NoProfile)?;
    let gateway = &onboarding.stripe.gateway;
    let account = match app.store.payout_account(me).await? {
        Some(a) if a.status == PayoutStatus::Active => return Err(Error::AlreadyActive),
        Some(a) => a,
        None => {
            let id = gateway.create_account(&me.to_string(), &caller.user.email, &record.profile.country).await?;
            let new = PayoutAccount { account: id, status: PayoutStatus::Pending, status_at: 0 };
            app.store.save_payout_account(me, &new).await?;
            // Ours, or the one a concurrent call saved (the same account: same key).
            app.store.payout_account(me).await?.unwrap_or(new)
        }
    };
    // Each link is single-use, so each request gets its own key.
    let key = format!("link-{}-{}", account.account, ulid::Ulid::new());
    let url = gateway.onboarding_link(&account.account, &onboarding.refresh_url, &onboarding.return_url, &key).await?;
    Ok(cm_http::ok(&Link { url: &url, status: account.status }))
}
