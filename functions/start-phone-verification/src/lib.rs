//! `POST /me/phone/verification` `{"phone": "+447700900123"}`: texts a six-digit code
//! to the number (`cm_accounts::phone`), which `POST /me/phone/verification/confirm`
//! then takes. A new request replaces an earlier code; sends are limited per account
//! (one a minute, five an hour: 429 with Retry-After), and a number that replied STOP
//! is refused, as no text can reach it.

use cm_accounts::account::check_phone;
use cm_accounts::phone::{self, SendRefusal};
use cm_app::{App, AuthError, store_problem};
use cm_core::FieldErrors;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_sms::Texter;
use cm_store::phone::Written;
use cm_store::{PhoneVerifications, StoreError, UserReader};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub phone: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid phone: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("send refused: {0:?}")]
    Refused(SendRefusal),
    #[error("another code was asked for at the same moment")]
    Raced,
    #[error("texting failed: {0}")]
    Sms(#[from] cm_sms::SmsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::Refused(r) => {
                let wait = r.retry_after().num_seconds().max(1);
                let detail = match r {
                    SendRefusal::TooSoon { .. } => format!("a code was just sent; ask for another in {wait} seconds"),
                    SendRefusal::TooMany { .. } => {
                        format!(
                            "{} codes were sent in the last hour; ask again in {wait} seconds",
                            phone::SENDS_PER_WINDOW
                        )
                    }
                };
                Problem::new(429, "too-many-requests", "Too many requests", detail)
                    .with_header("retry-after", wait.to_string())
            }
            Error::Raced => Problem::conflict(
                "verification-changed",
                "Verification changed",
                "another code was asked for at the same moment; try again",
            ),
            // Ours, not the caller's; the code already counts against the limits, so
            // they wait a minute like after any send.
            Error::Sms(_) => Problem::new(
                503,
                "sms-unavailable",
                "Texts unavailable",
                "we could not send the text just now; ask again in a minute",
            )
            .with_header("retry-after", phone::RESEND_AFTER.num_seconds().to_string()),
            Error::Store(e) => store_problem(e),
        }
    }
}

pub async fn handle<S: UserReader + PhoneVerifications>(
    app: &App<S>,
    texter: &Texter,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let input = cm_http::parse_json::<Input>(&req)?;
    let number = check_phone(&input.phone).map_err(|m| FieldErrors::single("phone", m))?;
    // Asked first, so that a number no text can reach does not use up a send.
    if texter.opted_out(&number).await? {
        return Err(FieldErrors::single(
            "phone",
            "this number has turned off texts from us (it replied STOP); reply START from it to turn them back on",
        )
        .into());
    }
    let now = app.now();
    let previous = app.store.pending_verification(caller.id()).await?;
    let code = phone::new_code();
    let hash = phone::hash_code(&caller.id().to_string(), &number, &code);
    let pending = phone::start(previous.as_ref(), &number, hash, now).map_err(Error::Refused)?;
    // Recorded before the text goes out: a text whose record failed would be a code
    // nobody can use, and a retry after a lost answer must count against the limits.
    if app.store.put_pending_verification(caller.id(), &pending, previous.as_ref().map(|p| p.version)).await?
        == Written::Raced
    {
        return Err(Error::Raced);
    }
    texter.publish(&number, &cm_notify::verification_sms(&code)).await?;
    Ok(cm_http::json(
        202,
        &serde_json::json!({
            "phone": number,
            "expires_at": pending.expires_at,
            "resend_after": now + phone::RESEND_AFTER,
        }),
    ))
}
