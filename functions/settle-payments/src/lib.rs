//! Scheduled (EventBridge, every minute): money follows the bookings. Each booking whose
//! status changed (confirmed, declined, cancelled, expired, completed), and each whose
//! payment Stripe reported on, left a settle request in the same write
//! (`cm_store::payments`); this works through them, oldest first:
//!
//! - confirmed or completed: capture the authorised deposit (or full payment);
//! - declined or expired: release every hold and cancel intents still waiting for a card;
//! - cancelled: release holds, and refund what was captured: by the tier of the policy
//!   frozen into the booking when the client cancelled (by how long before the start),
//!   everything when the photographer or an admin did.
//!
//! The decision is `cm_payments::settle::next_actions` over the ledger, so a run that
//! stopped halfway (Stripe down, a timeout) asks next time only for what is still
//! missing, and every call's idempotency key (capture-, release-, refund-<intent>) makes
//! a repeat at Stripe the same operation. A request is removed only once nothing is left
//! to do, and only if nobody asked again meanwhile.
//!
//! Why a schedule and not the table's stream: the stream already has three consumers, and
//! DynamoDB throttles a shard's readers beyond two. A minute's delay before a capture or a
//! refund is well inside what Stripe itself takes.

use aws_lambda_events::eventbridge::EventBridgeEvent;

use cm_app::App;
use cm_app::payments::update_ledger;
use cm_booking::booking::Booking;
use cm_booking::{Actor, BookingStatus};
use cm_core::BookingId;
use cm_payments::Ledger;
use cm_payments::ledger::{IntentReport, Refund};
use cm_payments::settle::{Action, Outcome, next_actions};
use cm_store::payments::SettleRequest;
use cm_store::{BookingReader, PageKey, PaymentReader, PaymentWriter, SettleRequests, StoreError};
use cm_stripe::{GatewayError, Stripe};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use lambda_runtime::LambdaEvent;
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

/// Requests read per page.
const BATCH: usize = 50;
/// Bookings settled at once. Each mostly waits on Stripe (a capture takes ~300 ms), so
/// throughput is this divided by Stripe's latency: 32 keeps one run near ~100 a second,
/// Stripe's default live-mode rate limit (docs/scaling.md), where 8 settled page by page
/// managed 18 (`scripts/bench-settle`).
const CONCURRENCY: usize = 32;
/// No new request is taken after this long, so a backlog never runs into the 60 s
/// timeout (stacks/workers.yaml) with Stripe calls in flight; the next run continues.
const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(40);
/// After this many "unavailable" answers (a 429, a 5xx, a timeout) a run takes no new
/// requests: Stripe is down or throttling us, and more calls would only make that
/// worse. What was taken finishes; the next minute's run tries again.
const UNAVAILABLE_BREAKER: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} settlement(s) failed for a reason a retry cannot fix; see the log")]
    Failed(usize),
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Requests fully settled (and removed).
    pub settled: usize,
    /// Stripe calls made: captures, releases and refunds.
    pub actions: usize,
    /// Left for the next run: Stripe unavailable, or asked again meanwhile.
    pub deferred: usize,
    /// Refused by Stripe in a way a retry cannot fix; logged, kept, and the run fails so
    /// the function's error alarm fires.
    pub failed: usize,
    /// Stripe calls answered "unavailable" (429, 5xx, timeout); their requests are
    /// among `deferred`.
    pub unavailable: usize,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.settled += other.settled;
        self.actions += other.actions;
        self.deferred += other.deferred;
        self.failed += other.failed;
        self.unavailable += other.unavailable;
    }
}

pub struct Settler<S> {
    pub app: App<S>,
    pub stripe: Stripe,
}

/// How the booking's payments should end up.
pub fn outcome(b: &Booking) -> Outcome {
    match b.status {
        BookingStatus::Pending => Outcome::Pending,
        BookingStatus::Confirmed => Outcome::Confirmed,
        BookingStatus::Completed => Outcome::Completed,
        BookingStatus::Declined => Outcome::Declined,
        BookingStatus::Expired => Outcome::Expired,
        BookingStatus::Cancelled => {
            // The entry that cancelled it says who did, and how long before the start.
            let entry = b.history.iter().rev().find(|h| h.to == BookingStatus::Cancelled);
            let at = entry.map_or(b.updated_at, |h| h.at);
            Outcome::Cancelled {
                by_client: entry.is_some_and(|h| h.actor == Actor::Client),
                minutes_before: (b.start - at).num_minutes(),
            }
        }
    }
}

enum Step {
    Done,
    Deferred,
    Failed,
}

impl<S: SettleRequests + BookingReader + PaymentReader + PaymentWriter> Settler<S> {
    pub async fn handle(
        &self,
        _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
    ) -> Result<Summary, lambda_runtime::Error> {
        let summary = self.settle_all().await?;
        tracing::info!(
            settled = summary.settled,
            actions = summary.actions,
            deferred = summary.deferred,
            failed = summary.failed,
            unavailable = summary.unavailable,
            "settlement run"
        );
        if summary.failed > 0 {
            return Err(Error::Failed(summary.failed).into());
        }
        Ok(summary)
    }

    /// Works through the queue oldest first, `CONCURRENCY` bookings at a time, until it
    /// is empty, the time budget is spent, a store read fails, or Stripe stops answering.
    /// A freed slot takes the next request at once (the next page is read when the
    /// last is used up), so one slow capture holds up nothing but itself.
    ///
    /// A booking asked about again while this run is settling it waits for the next run:
    /// settling it twice at once would only race its own ledger write.
    pub async fn settle_all(&self) -> Result<Summary, Error> {
        let started = std::time::Instant::now();
        let mut summary = Summary::default();
        let mut queue: VecDeque<SettleRequest> = VecDeque::new();
        let mut after: Option<PageKey> = None;
        let mut queue_ended = false;
        let mut in_flight = FuturesUnordered::new();
        let mut settling: HashSet<BookingId> = HashSet::new();
        let mut error: Option<Error> = None;
        loop {
            while in_flight.len() < CONCURRENCY
                && error.is_none()
                && summary.unavailable < UNAVAILABLE_BREAKER
                && started.elapsed() < TIME_BUDGET
            {
                let Some(request) = queue.pop_front() else {
                    if queue_ended {
                        break;
                    }
                    // A page may come back short, even empty, with a cursor: read on.
                    match self.app.store.settle_requests(BATCH, after.as_ref()).await {
                        Ok(page) => {
                            queue.extend(page.items);
                            queue_ended = page.next.is_none();
                            after = page.next;
                        }
                        Err(e) => error = Some(e.into()),
                    }
                    continue;
                };
                if settling.insert(request.booking) {
                    in_flight.push(self.settle_one(request));
                } else {
                    summary.deferred += 1;
                }
            }
            let Some((booking, one)) = in_flight.next().await else { break };
            settling.remove(&booking);
            match one {
                Ok(one) => summary.add(&one),
                Err(e) => {
                    error.get_or_insert(e);
                }
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok(summary),
        }
    }

    /// One request settled, and removed when done: what it adds to the run's summary.
    async fn settle_one(&self, request: SettleRequest) -> (BookingId, Result<Summary, Error>) {
        (request.booking, self.settle_and_remove(request).await)
    }

    async fn settle_and_remove(&self, request: SettleRequest) -> Result<Summary, Error> {
        let mut summary = Summary::default();
        match self.settle(&request, &mut summary).await? {
            Step::Done => {
                if self.app.store.settlement_done(&request).await? {
                    summary.settled += 1;
                } else {
                    summary.deferred += 1;
                }
            }
            Step::Deferred => summary.deferred += 1,
            Step::Failed => summary.failed += 1,
        }
        Ok(summary)
    }

    async fn settle(&self, request: &SettleRequest, summary: &mut Summary) -> Result<Step, Error> {
        let id = request.booking;
        let Some(booking) = self.app.store.get_booking(id).await? else { return Ok(Step::Done) };
        let Some(ledger) = self.app.store.get_ledger(id).await? else { return Ok(Step::Done) };
        let actions = next_actions(&ledger, outcome(&booking));
        let mut results: Vec<Result<Done, GatewayError>> = Vec::new();
        for action in &actions {
            let result = self.act(&booking, action).await;
            let stop = matches!(result, Err(GatewayError::Unavailable(_)));
            results.push(result);
            summary.actions += 1;
            if stop {
                summary.unavailable += 1;
                break;
            }
        }
        let done: Vec<&Done> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        // A live booking may have moved (or, unpaid, changed price): the ledger follows.
        let live = matches!(booking.status, BookingStatus::Pending | BookingStatus::Confirmed);
        if !done.is_empty() || live {
            self.record(ledger, &done, live.then_some(&booking)).await?;
        }
        let mut step = Step::Done;
        for (action, result) in actions.iter().zip(&results) {
            match result {
                Ok(_) => {}
                Err(GatewayError::Unavailable(e)) => {
                    tracing::warn!(booking = %id, intent = action.intent(), error = %e, "Stripe unavailable; retried next run");
                    step = Step::Deferred;
                }
                Err(e) => {
                    tracing::error!(booking = %id, intent = action.intent(), error = %e, "settlement refused by Stripe");
                    return Ok(Step::Failed);
                }
            }
        }
        if results.len() < actions.len() {
            step = Step::Deferred;
        }
        Ok(step)
    }

    async fn act(&self, booking: &Booking, action: &Action) -> Result<Done, GatewayError> {
        let now = self.app.now().timestamp();
        let gateway = &self.stripe.gateway;
        let answered = |mut report: IntentReport| {
            // Our own call's answer is as recent as now, whatever the intent's age.
            report.at = now;
            Done::Intent(report)
        };
        match action {
            Action::Capture { intent, idempotency_key } | Action::Release { intent, idempotency_key } => {
                let call = match action {
                    Action::Capture { .. } => gateway.capture(intent, idempotency_key).await,
                    _ => gateway.cancel(intent, idempotency_key).await,
                };
                match call {
                    Ok(answer) => Ok(answered(answer.report)),
                    // Already captured, cancelled, or its authorisation lapsed: learn
                    // where it stands instead, so the ledger stops asking.
                    Err(GatewayError::Rejected { .. }) => Ok(answered(gateway.retrieve_intent(intent).await?.report)),
                    Err(e) => Err(e),
                }
            }
            Action::Refund { intent, amount_minor, reason, idempotency_key } => {
                let metadata = HashMap::from([
                    ("booking_id".to_string(), booking.id.to_string()),
                    ("reason".to_string(), format!("{reason:?}")),
                ]);
                let refund = gateway.refund(intent, *amount_minor, idempotency_key, metadata).await?;
                Ok(Done::Refund(Refund {
                    id: refund.id,
                    intent: intent.clone(),
                    amount_minor: refund.amount_minor,
                    reason: *reason,
                    at: self.app.now(),
                }))
            }
        }
    }

    /// Writes what Stripe answered into the ledger (and, for a live booking, its start
    /// and price), re-reading on a lost race (a webhook may be writing the same news).
    async fn record(&self, ledger: Ledger, done: &[&Done], follow: Option<&Booking>) -> Result<(), Error> {
        let booking = ledger.booking_id;
        update_ledger(&self.app, booking, Some(ledger), |l| {
            if let Some(b) = follow {
                l.follow_booking(b.start, &b.price);
            }
            for d in done {
                match d {
                    Done::Intent(report) => {
                        l.report(report);
                    }
                    Done::Refund(refund) => {
                        l.add_refund(refund.clone());
                    }
                }
            }
        })
        .await?;
        Ok(())
    }
}

enum Done {
    Intent(IntentReport),
    Refund(Refund),
}
