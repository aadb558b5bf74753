//! `POST /bookings/{id}/payments` `{kind: "deposit" | "balance" | "full"}`: the
//! booking's client starts paying and gets a Stripe PaymentIntent's `client_secret` to
//! confirm with their card in the browser.
//!
//! - A deposit (or a full prepayment) is only authorised now: it is captured when the
//!   photographer confirms and released if they decline or the request expires
//!   (settle-payments does both). A deposit keeps the card for the balance.
//! - The money goes to the photographer's connected account less the platform's
//!   commission (a destination charge), so payment waits until their payouts are active.
//! - Asking again while an intent of that kind still waits for the card hands out the
//!   same intent; a new one is only created after the last was cancelled. Its
//!   idempotency key is derived from booking, kind and attempt, so a retried request
//!   (or a Lambda retried after Stripe answered) never creates a second charge.

use cm_app::galleries::not_yours;
use cm_app::payments::{LedgerUpdate, update_ledger};
use cm_app::{App, AuthError, store_problem};
use cm_booking::{Actor, BookingStatus};
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_payments::currency::rules_for;
use cm_payments::ledger::{Intent, PaymentKind};
use cm_payments::request::{Decision, PaymentRuleError, Stage, decide};
use cm_payments::{ChargeError, Ledger, PayoutStatus};
use cm_store::{BookingReader, PaymentReader, PaymentWriter, StoreError, UserReader};
use cm_stripe::{GatewayError, IntentAnswer, NewIntent, Stripe};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid payment request: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error("only the booking's client pays for it")]
    NotClient,
    #[error(transparent)]
    Rule(#[from] PaymentRuleError),
    #[error("this booking's price cannot be charged: {0}")]
    Uncharged(#[from] ChargeError),
    #[error("the photographer cannot receive payments yet")]
    PayoutsNotActive,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("the payment ledger kept changing while this payment was recorded")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stripe's failures as a client sees them: its outage is ours (503 and retry), a
/// refusal of our own request is a bad gateway, never the client's fault.
fn gateway_problem(e: &GatewayError) -> Problem {
    match e {
        GatewayError::Unavailable(_) => cm_app::payments::provider_unavailable(),
        GatewayError::Declined { code, message, .. } => cm_app::payments::declined(code, message),
        GatewayError::Rejected { .. } => cm_app::payments::provider_error(),
    }
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => cm_app::bookings::booking_not_found(*id),
            Error::NotClient => not_yours("client"),
            Error::Rule(e) => {
                let code = match e {
                    PaymentRuleError::Closed => "payment-booking-closed",
                    PaymentRuleError::AlreadyPaid(_) => "payment-already-made",
                    PaymentRuleError::NoDeposit => "payment-no-deposit",
                    PaymentRuleError::OtherKindStarted => "payment-other-kind-started",
                    PaymentRuleError::BalanceNotYet => "payment-balance-not-yet",
                    PaymentRuleError::NothingDue => "payment-nothing-due",
                };
                Problem::conflict(code, "Payment not possible now", e.to_string())
            }
            Error::Uncharged(e) => Problem::conflict("payment-currency", "Price cannot be charged", e.to_string()),
            Error::PayoutsNotActive => Problem::conflict(
                "payouts-not-active",
                "Photographer cannot receive payments yet",
                "the booking stands, but payment waits until the photographer has set up payouts",
            ),
            Error::Gateway(e) => gateway_problem(e),
            Error::Contended => cm_app::busy(),
            Error::Store(e) => store_problem(e),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentBody {
    kind: String,
}

#[derive(Serialize)]
struct PaymentAnswer<'a> {
    booking_id: BookingId,
    kind: PaymentKind,
    intent_id: &'a str,
    /// For Stripe.js `confirmPayment` in the client's browser; never stored by us.
    client_secret: Option<&'a str>,
    publishable_key: Option<&'a str>,
    amount_minor: i64,
    currency: &'a str,
    /// Stripe's status of the intent (`requires_payment_method`, …).
    status: &'a str,
    /// `on_confirmation` for deposits and full payments (authorised now, captured when
    /// the photographer confirms), `immediate` for the balance.
    capture: &'static str,
}

fn stage(status: BookingStatus) -> Stage {
    match status {
        BookingStatus::Pending => Stage::Pending,
        BookingStatus::Confirmed => Stage::Confirmed,
        BookingStatus::Declined | BookingStatus::Cancelled | BookingStatus::Completed | BookingStatus::Expired => {
            Stage::Closed
        }
    }
}

pub async fn handle<S: UserReader + BookingReader + PaymentReader + PaymentWriter>(
    app: &App<S>,
    stripe: &Stripe,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let body = cm_http::parse_json::<PaymentBody>(&req)?;
    let kind = PaymentKind::parse(&body.kind)
        .ok_or_else(|| FieldErrors::single("kind", "must be one of: deposit, balance, full"))?;
    let (booking, actor) =
        cm_app::bookings::visible_booking(&app.store, &caller, id).await?.ok_or(Error::NotFound(id))?;
    if actor != Actor::Client {
        return Err(Error::NotClient);
    }
    let rules = rules_for(&booking.price)?;
    let schedule = booking.payment_terms.schedule(&booking.price)?;
    let existing = app.store.get_ledger(id).await?;
    let decision = decide(kind, stage(booking.status), &schedule, existing.as_ref())?;
    let (amount, attempt) = match decision {
        Decision::Resume(intent) => {
            let answer = stripe.gateway.retrieve_intent(&intent.id).await?;
            return Ok(cm_http::ok(&answer_of(&booking.id, kind, &answer, stripe, rules.code)));
        }
        Decision::Create { amount_minor, attempt } => (amount_minor, attempt),
    };
    let payout = app.store.payout_account(booking.photographer_id).await?;
    let Some(payout) = payout.filter(|p| p.status == PayoutStatus::Active) else {
        return Err(Error::PayoutsNotActive);
    };

    let customer = match app.store.stripe_customer(caller.id()).await? {
        Some(c) => c,
        None => {
            let user = &caller.user;
            let c = stripe.gateway.create_customer(&user.id.to_string(), &user.email, &user.name).await?;
            app.store.save_stripe_customer(user.id, &c).await?
        }
    };
    let now = app.now();
    let ledger = match existing {
        Some(l) => l,
        None => {
            let new = Ledger::open(
                id,
                booking.client_id,
                booking.photographer_id,
                booking.payment_terms.clone(),
                schedule.clone(),
                payout.account.clone(),
                customer.clone(),
                booking.start,
                now,
            );
            if app.store.create_ledger(&new).await? {
                new
            } else {
                app.store.get_ledger(id).await?.ok_or(Error::Contended)?
            }
        }
    };

    let fee = ledger.terms.application_fee(amount);
    let metadata = HashMap::from([
        ("booking_id".to_string(), id.to_string()),
        ("kind".to_string(), kind.as_str().to_string()),
        ("attempt".to_string(), attempt.to_string()),
    ]);
    let answer = stripe
        .gateway
        .create_intent(&NewIntent {
            amount_minor: amount,
            currency: rules.stripe_code(),
            customer: &ledger.customer,
            destination: &ledger.destination,
            application_fee_minor: fee,
            manual_capture: kind != PaymentKind::Balance,
            save_card: kind == PaymentKind::Deposit,
            off_session_with: None,
            description: format!("Capture Moments booking {id} ({kind})"),
            metadata,
            idempotency_key: format!("pi-{id}-{kind}-{attempt}"),
        })
        .await?;

    let intent = Intent::created(kind, attempt, amount, fee, &answer.report);
    let recorded = update_ledger(app, id, Some(ledger), |l| {
        l.add_intent(intent.clone());
        l.report(&answer.report);
    })
    .await;
    match recorded {
        // Unchanged: a webhook recorded it first.
        Ok(LedgerUpdate::Saved(_) | LedgerUpdate::Unchanged(_)) => {
            Ok(cm_http::created(&format!("/bookings/{id}"), &answer_of(&id, kind, &answer, stripe, rules.code)))
        }
        Ok(LedgerUpdate::Missing) | Err(StoreError::Contended(_)) => {
            tracing::warn!(booking = %id, intent = %answer.report.id, "intent created but not yet recorded; the webhook will");
            Err(Error::Contended)
        }
        Err(e) => Err(e.into()),
    }
}

fn answer_of<'a>(
    booking: &BookingId,
    kind: PaymentKind,
    answer: &'a IntentAnswer,
    stripe: &'a Stripe,
    currency: &'a str,
) -> PaymentAnswer<'a> {
    PaymentAnswer {
        booking_id: *booking,
        kind,
        intent_id: &answer.report.id,
        client_secret: answer.client_secret.as_deref(),
        publishable_key: stripe.keys.publishable_key.as_deref(),
        amount_minor: answer.amount_minor,
        currency,
        status: &answer.stripe_status,
        capture: if kind == PaymentKind::Balance { "immediate" } else { "on_confirmation" },
    }
}
