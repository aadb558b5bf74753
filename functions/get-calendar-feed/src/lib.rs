//! `GET /calendar/{token}.ics`: a user's bookings as an RFC 5545 calendar feed, for
//! calendar apps subscribed to the secret address `PUT /me/calendar-feed` gave them.
//! The token is the only credential (calendar apps cannot sign in), so it opens this
//! feed and nothing else, and an unknown, malformed or revoked token, or a deactivated
//! account, all answer the same 404.
//!
//! A photographer's feed holds their bookings, a client's theirs, from 90 days back to
//! the booking horizon, each with the UID and SEQUENCE of its emailed invites
//! (`cm_notify::render_feed`); bookings that will not happen are STATUS:CANCELLED.
//! Reads: one GetItem for the token, one for the account, a Query of the bookings by
//! start (bounded) and one batch of the other parties' accounts. Never a Scan.

use chrono::TimeDelta;
use cm_accounts::User;
use cm_accounts::account::Role;
use cm_accounts::feed::{token_hash, token_of_file};
use cm_app::{App, store_problem};
use cm_booking::booking::Booking;
use cm_core::UserId;
use cm_http::{Body, IntoProblem, Problem, Request, RequestError, Response};
use cm_notify::{FeedEntry, Party, render_feed, snapshot};
use cm_store::bookings::{BookingListQuery, Party as BookingsOf};
use cm_store::{BookingReader, CalendarFeeds, PageKey, StoreError, UserReader};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("no such calendar")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("calendar: {0}")]
    Render(#[from] cm_notify::NotifyError),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::NotFound => Problem::not_found("no such calendar (the address may have been revoked or replaced)"),
            Error::Store(e) => store_problem(e),
            Error::Render(_) => Problem::internal(),
        }
    }
}

/// How far back a feed reaches: past shoots stay visible for a season.
const PAST: TimeDelta = TimeDelta::days(90);
/// Bookings can be made at most 730 days ahead.
const AHEAD: TimeDelta = TimeDelta::days(731);
/// The most events one feed carries; the oldest go first beyond it.
pub const MAX_EVENTS: usize = 1000;
const PAGE: usize = 100;

fn party(u: Option<&User>, role: cm_notify::Role) -> Party {
    match u {
        Some(u) => Party { name: u.name.clone(), email: u.email.clone(), timezone: u.timezone.clone(), role },
        // Accounts are deactivated, never deleted; should one be missing, the event stays.
        None => Party {
            name: "a Capture Moments member".into(),
            email: "noreply@capturemoments.app".into(),
            timezone: "UTC".into(),
            role,
        },
    }
}

pub async fn handle<S: UserReader + CalendarFeeds + BookingReader>(
    app: &App<S>,
    req: Request,
) -> Result<Response<Body>, Error> {
    let file: String = cm_http::path_param(&req, "file", "calendar")?;
    let hash = token_of_file(&file).and_then(token_hash).ok_or(Error::NotFound)?;
    let owner = app.store.calendar_feed_owner(&hash).await?.ok_or(Error::NotFound)?;
    let user = app.store.get_user(owner).await?.filter(|u| u.active).ok_or(Error::NotFound)?;
    let party_of = match user.role {
        Role::Photographer => BookingsOf::Photographer(user.id),
        Role::Client => BookingsOf::Client(user.id),
        Role::Admin => return Err(Error::NotFound),
    };
    let now = app.now();
    let query = BookingListQuery {
        party: party_of,
        status: None,
        from: Some(now - PAST),
        to: Some(now + AHEAD),
        limit: PAGE,
        descending: false,
    };
    let mut bookings: Vec<Booking> = Vec::new();
    let mut after: Option<PageKey> = None;
    loop {
        let page = app.store.list_bookings(&query, after.as_ref()).await?;
        bookings.extend(page.items);
        match page.next {
            Some(next) if bookings.len() < MAX_EVENTS * 2 => after = Some(next),
            _ => break,
        }
    }
    // Soonest last kept: drop the oldest past the cap.
    let skip = bookings.len().saturating_sub(MAX_EVENTS);
    let bookings = &bookings[skip..];
    let others: Vec<UserId> = bookings
        .iter()
        .map(|b| if user.role == Role::Photographer { b.client_id } else { b.photographer_id })
        .collect();
    let people = app.store.users_by_id(&others).await?;
    let entries: Vec<FeedEntry> = bookings
        .iter()
        .map(|b| {
            let (photographer, client) = if user.role == Role::Photographer {
                (Some(&user), people.get(&b.client_id))
            } else {
                (people.get(&b.photographer_id), Some(&user))
            };
            FeedEntry {
                snapshot: snapshot(b),
                organizer: party(photographer, cm_notify::Role::Photographer),
                attendee: party(client, cm_notify::Role::Client),
            }
        })
        .collect();
    let text = render_feed(&format!("Capture Moments: {}", user.name), &entries, now)?;
    let mut r = Response::new(Body::Text(text));
    let headers = r.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    Ok(r)
}
