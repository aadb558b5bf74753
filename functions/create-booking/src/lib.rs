//! `POST /bookings`: a client requests a session. The request is checked against every
//! availability rule for a helpful answer, but the guarantee against double booking is
//! the DynamoDB transaction in `Store::create_booking`: whoever loses a race for a lock
//! block gets 409, however many requests race.

use base64::Engine;
use chrono::{TimeDelta, Utc};
use cm_domain::account::Role;
use cm_domain::{BookingId, FieldErrors};
use cm_http::booking::{occupied_intervals, rule_problem, view};
use cm_http::{ApiError, App, Body, Caller, Problem, Request, Response};
use cm_scheduling::request::{BookingRequest, BookingRequestInput, quote};
use cm_scheduling::{
    Actor, Availability, BookingDuration, BookingStatus, DEFAULT_SUGGESTIONS, RuleViolation, TransitionContext,
    booking_footprint, check_booking, nearest_starts,
};
use cm_store::bookings::{Booking, BookingWriteError, HistoryAction, HistoryEntry, IdempotentResponse};
use sha2::{Digest, Sha256};

const IDEMPOTENCY_HEADER: &str = "idempotency-key";

pub async fn handle(app: &App, req: Request) -> Result<Response<Body>, ApiError> {
    let caller = cm_http::authenticate_as(app, &req, &[Role::Client]).await?;
    let idempotency_key = idempotency_key(&req)?;
    let input: BookingRequestInput = cm_http::parse_json(&req)?;
    let request_hash = body_hash(&req);
    if let Some(key) = &idempotency_key
        && let Some(stored) = app.store.get_idempotent_response(caller.id(), key).await?
    {
        return replay(&stored, &request_hash);
    }
    let request = input.validate()?;
    let now = Utc::now();

    let photographer = match app.store.get_photographer(request.photographer_id).await? {
        Some(p) if p.listed => p,
        _ => return Err(FieldErrors::single("photographer_id", "no such photographer").into()),
    };
    let (duration, price) = quote(&photographer.profile, &request)?;
    let Some(doc) = app.store.get_availability(request.photographer_id).await? else {
        return Err(rule_problem(&RuleViolation::OutsideWorkingHours, &[]));
    };
    let availability =
        Availability::try_from(doc).map_err(|e| ApiError::internal(format!("stored availability: {e}")))?;

    let window = holding_window(&request);
    let existing = app.store.slot_holding_bookings(request.photographer_id, window.0, window.1).await?;
    let occupied = occupied_intervals(&existing);
    if let Err(violation) = check_booking(&availability, &occupied, request.start, duration.minutes(), now) {
        // A concurrent retry of this very request may have committed since we looked:
        // its booking is not a conflict with itself.
        if let Some(stored) = stored_answer(app, &caller, idempotency_key.as_deref()).await? {
            return replay(&stored, &request_hash);
        }
        let suggestions = nearest_starts(&availability, &occupied, request.start, duration, now, DEFAULT_SUGGESTIONS);
        return Err(rule_problem(&violation, &suggestions));
    }

    let booking = new_booking(&caller, &request, &availability, duration, price, now)?;
    let body = serde_json::to_string(&view(&booking)).map_err(ApiError::internal)?;
    let stored =
        IdempotentResponse { request_hash: request_hash.clone(), status: 201, body: body.clone(), created_at: now };
    let result = app
        .store
        .create_booking(&booking, availability.max_bookings_per_day(), idempotency_key.as_deref().map(|k| (k, &stored)))
        .await;
    match result {
        Ok(()) => created(&booking.id, body),
        Err(BookingWriteError::Overlap | BookingWriteError::DailyLimit)
            if let Some(stored) = stored_answer(app, &caller, idempotency_key.as_deref()).await? =>
        {
            replay(&stored, &request_hash)
        }
        Err(BookingWriteError::Overlap) => {
            // Lost a race: offer what is still free now.
            let existing = app.store.slot_holding_bookings(request.photographer_id, window.0, window.1).await?;
            let suggestions = nearest_starts(
                &availability,
                &occupied_intervals(&existing),
                request.start,
                duration,
                now,
                DEFAULT_SUGGESTIONS,
            );
            Err(rule_problem(&RuleViolation::Overlap, &suggestions))
        }
        Err(BookingWriteError::DailyLimit) => Err(rule_problem(
            &RuleViolation::DailyLimit {
                date: booking.local_date,
                limit: availability.max_bookings_per_day().unwrap_or(0),
            },
            &[],
        )),
        Err(BookingWriteError::IdempotencyKeyTaken) => {
            match stored_answer(app, &caller, idempotency_key.as_deref()).await? {
                Some(stored) => replay(&stored, &request_hash),
                // The other request's transaction collided with ours and has not committed.
                None => Err(ApiError::conflict(
                    "idempotent-request-in-progress",
                    "Request in progress",
                    "a request with this Idempotency-Key is being processed; retry shortly",
                )),
            }
        }
        Err(BookingWriteError::Stale) => Err(cm_http::booking::stale()),
        Err(BookingWriteError::Store(e)) => Err(e.into()),
    }
}

fn new_booking(
    caller: &Caller,
    request: &BookingRequest,
    availability: &Availability,
    duration: BookingDuration,
    price: cm_domain::money::Money,
    now: chrono::DateTime<Utc>,
) -> Result<Booking, ApiError> {
    let footprint = booking_footprint(availability, request.start, duration)
        .ok_or_else(|| ApiError::Validation(FieldErrors::single("start", "is out of range")))?;
    let ctx = TransitionContext::new(now, now, footprint.start, footprint.end, availability.cancellation_window());
    Ok(Booking {
        id: BookingId::new(),
        client_id: caller.id(),
        photographer_id: request.photographer_id,
        package_id: request.package_id.clone(),
        event_type: request.event_type.as_str().to_string(),
        start: footprint.start,
        end: footprint.end,
        duration_minutes: duration.minutes(),
        timezone: availability.timezone().name().to_string(),
        location: request.location.clone(),
        notes: request.notes.clone(),
        price,
        status: BookingStatus::Pending,
        lock_blocks: footprint.lock_blocks.iter().map(|b| b.index()).collect(),
        local_date: footprint.local_date,
        requested_at: now,
        expires_at: ctx.expires_at(),
        cancellation_window_hours: u32::try_from(availability.cancellation_window().num_hours()).unwrap_or(0),
        version: 1,
        sequence: 0,
        history: vec![HistoryEntry {
            at: now,
            by: Some(caller.id()),
            actor: Actor::Client,
            action: HistoryAction::Created,
            from: None,
            to: BookingStatus::Pending,
            reason: None,
            previous_start: None,
            new_start: Some(footprint.start),
        }],
        created_at: now,
        updated_at: now,
    })
}

/// Bookings that can touch the requested time: starting up to a day either side.
fn holding_window(request: &BookingRequest) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    (request.start - TimeDelta::days(1), request.start + TimeDelta::days(1))
}

async fn stored_answer(app: &App, caller: &Caller, key: Option<&str>) -> Result<Option<IdempotentResponse>, ApiError> {
    match key {
        Some(k) => Ok(app.store.get_idempotent_response(caller.id(), k).await?),
        None => Ok(None),
    }
}

fn idempotency_key(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(IDEMPOTENCY_HEADER) else { return Ok(None) };
    let key = value.to_str().ok().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::BadRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into()));
    }
    Ok(Some(key.to_string()))
}

/// Hash of the request as the client sent it, compared on replays.
fn body_hash(req: &Request) -> String {
    let bytes: &[u8] = match req.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    // Hash the parsed JSON, so whitespace and key order do not make a retry "different".
    let canonical = serde_json::from_slice::<serde_json::Value>(bytes).map(|v| v.to_string()).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn replay(stored: &IdempotentResponse, request_hash: &str) -> Result<Response<Body>, ApiError> {
    if stored.request_hash != request_hash {
        let problem = Problem::new(
            422,
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was already used with a different request body",
        );
        return Err(ApiError::Conflict(Box::new(problem)));
    }
    let mut resp = Response::builder()
        .status(stored.status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("idempotent-replayed", "true")
        .body(Body::Text(stored.body.clone()))
        .map_err(ApiError::internal)?;
    if let Ok(id) = serde_json::from_str::<serde_json::Value>(&stored.body)
        .map(|v| v["id"].as_str().unwrap_or_default().to_string())
        && let Ok(loc) = format!("/bookings/{id}").parse()
    {
        resp.headers_mut().insert(http::header::LOCATION, loc);
    }
    Ok(resp)
}

fn created(id: &BookingId, body: String) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .header("location", format!("/bookings/{id}"))
        .body(Body::Text(body))
        .map_err(ApiError::internal)
}
