//! `GET /recommendations?event_type=&date=&lat=&lon=&budget_minor=&currency=&languages=&limit=`:
//! photographers ranked for a client, each with the reasons that placed it
//! (`cm_catalog::recommend`; docs/recommendations.md). Anyone may ask; a signed-in
//! client also gets the signals of their own history (whom they booked and how they
//! rated them, and who is co-booked with those).
//!
//! Reads, all bounded by the area, never by the platform: the listings of the point's
//! geo cells (or, without a point, the best-rated of the event type's listing), one
//! batch of feature rows for those candidates (with the date: their hours and booked
//! days), and for a client their latest bookings. Never a Scan.

use chrono::NaiveDate;
use cm_accounts::account::Role;
use cm_app::auth::{AuthError, authenticate};
use cm_app::{App, store_problem};
use cm_booking::free_on;
use cm_catalog::recommend::{Candidate, Reason, RecQuery, recommend};
use cm_catalog::search::{partition_for, partitions_near};
use cm_catalog::{PublicProfile, Specialization};
use cm_core::UserId;
use cm_core::money::{Currency, MAX_AMOUNT_MINOR, Money};
use cm_geo::Point;
use cm_http::params::BearerError;
use cm_http::{Body, Internal, IntoProblem, Problem, Query, Request, RequestError, Response};
use cm_store::photographers::Listed;
use cm_store::{RecommendationReader, StoreError, UserReader};
use serde::Serialize;
use std::collections::HashMap;

const PARAMS: &[&str] = &["event_type", "date", "lat", "lon", "budget_minor", "currency", "languages", "limit"];
pub const DEFAULT_LIMIT: i64 = 10;
pub const MAX_LIMIT: i64 = 50;
/// Without a point, the candidates are this many of the best rated.
const UNPLACED_CANDIDATES: usize = 200;
/// How many past photographers of a client the collaborative signal weighs.
const HISTORY: usize = 20;
const MAX_LANGUAGES: usize = 5;
/// How far ahead a date may be asked about.
const MAX_DAYS_AHEAD: i64 = 3 * 365;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Request(e) => e.to_problem(),
            Error::Auth(e) => e.to_problem(),
            Error::Store(e) => store_problem(e),
            Error::Internal(_) => Problem::internal(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Item {
    pub photographer: PublicProfile,
    /// Relevance in 0..≈1.06 (the weighted signals plus the new-photographer bonus).
    pub score: f64,
    /// From the asked point to the photographer's base, to 0.1 km.
    pub distance_km: Option<f64>,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Serialize)]
pub struct Answer {
    pub items: Vec<Item>,
    /// Whether the caller's own history was used.
    pub personalized: bool,
}

fn language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

pub async fn handle<S: RecommendationReader + UserReader>(app: &App<S>, req: Request) -> Result<Response<Body>, Error> {
    let today = app.now().date_naive();
    let mut q = Query::of(&req);
    let event_type =
        q.parse("event_type", &format!("one of: {}", Specialization::allowed_list()), Specialization::parse);
    // From yesterday in UTC: west of Greenwich it is still that day for hours.
    let earliest = today - chrono::Days::new(1);
    let date = q.parse("date", "a date (YYYY-MM-DD) from yesterday in UTC on, at most three years ahead", |s| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|d| *d >= earliest && (*d - today).num_days() <= MAX_DAYS_AHEAD)
    });
    let degrees = |max: f64| move |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite() && v.abs() <= max);
    let lat = q.parse("lat", "a number from -90 to 90", degrees(90.0));
    let lon = q.parse("lon", "a number from -180 to 180", degrees(180.0));
    let budget = q.int_in("budget_minor", 1, MAX_AMOUNT_MINOR);
    let currency = q.parse("currency", "an ISO 4217 currency code", |c| Currency::try_from(c.to_string()).ok());
    let languages = q.parse(
        "languages",
        &format!("a comma-separated list of at most {MAX_LANGUAGES} language tags (such as hi,en-IN)"),
        |s| {
            let tags: Vec<String> = s.split(',').map(|t| t.trim().to_string()).collect();
            (tags.len() <= MAX_LANGUAGES && tags.iter().all(|t| language_tag(t))).then_some(tags)
        },
    );
    let limit = q.int_in("limit", 1, MAX_LIMIT).unwrap_or(DEFAULT_LIMIT) as usize;
    let mut pairs = cm_core::FieldErrors::new();
    match (lat, lon) {
        (Some(_), None) => pairs.add("lon", "give both lat and lon, or neither"),
        (None, Some(_)) => pairs.add("lat", "give both lat and lon, or neither"),
        _ => {}
    }
    match (&budget, &currency) {
        (Some(_), None) => pairs.add("currency", "give the budget's currency with budget_minor"),
        (None, Some(_)) => pairs.add("budget_minor", "give budget_minor with its currency"),
        _ => {}
    }
    q.finish(PARAMS)?;
    if !pairs.is_empty() {
        return Err(RequestError::InvalidQuery(pairs).into());
    }

    // Anyone may ask; a token, when sent, must be good. Only a client's own bookings
    // personalise the answer (a photographer or an admin asking sees what anyone would).
    let caller = match cm_http::bearer_token(&req) {
        Err(BearerError::Missing) => None,
        _ => Some(authenticate(app, &req).await?),
    };
    let client: Option<UserId> = caller.filter(|c| c.role() == Role::Client).map(|c| c.id());

    let point = lat.zip(lon).and_then(|(lat, lon)| Point::new(lat, lon));
    // The client's history does not depend on the area: read it alongside.
    let area = async {
        match point {
            Some(p) => app.store.listed_in(&partitions_near(p)).await,
            None => app.store.best_listed(&partition_for(event_type, None), UNPLACED_CANDIDATES).await,
        }
    };
    let past = async {
        match client {
            Some(c) => app.store.client_history(c, HISTORY).await,
            None => Ok(Vec::new()),
        }
    };
    let (listed, history): (Vec<Listed>, _) = futures::try_join!(area, past)?;
    let ids: Vec<UserId> = listed.iter().map(|l| l.profile.id).collect();
    let mut rows = app.store.feature_rows(&ids, date).await?;
    let candidates: Vec<Candidate> = listed
        .iter()
        .map(|l| {
            let row = rows.remove(&l.profile.id).unwrap_or_default();
            let mut c = Candidate::from_profile(
                l.profile.id,
                &l.profile.profile,
                l.rating,
                l.sentiment,
                // A listing from before recommendations: not new (it predates them).
                l.listed_since.unwrap_or(NaiveDate::MIN),
            );
            c.response_minutes = row.features.response.median_minutes();
            c.completed_bookings = row.features.completed_bookings;
            c.clients = row.features.clients;
            c.co_booked = row.features.co_booked;
            c.free_on_date = date.and_then(|d| {
                let hours = row.availability.as_ref().and_then(|doc| doc.validate().ok());
                free_on(d, row.booked_on_date, hours.as_ref())
            });
            c
        })
        .collect();
    let query = RecQuery {
        event_type,
        date,
        point,
        budget: budget.zip(currency).map(|(amount_minor, currency)| Money { amount_minor, currency }),
        languages: languages.unwrap_or_default(),
        history,
        limit,
    };
    let personalized = !query.history.is_empty();
    let profiles: HashMap<UserId, &PublicProfile> = listed.iter().map(|l| (l.profile.id, &l.profile)).collect();
    let items = recommend(&query, &candidates, today)
        .into_iter()
        .filter_map(|r| {
            Some(Item {
                photographer: (*profiles.get(&r.photographer)?).clone(),
                score: (r.score * 1000.0).round() / 1000.0,
                distance_km: r.distance_km,
                reasons: r.reasons,
            })
        })
        .collect();
    Ok(cm_http::ok(&Answer { items, personalized }))
}
