//! Recommendations: which photographers to suggest to a client for an event, in which
//! order, and why. A hybrid ranker over one precomputed feature row per photographer in
//! the area ([`Candidate`]): content match, availability on the date, quality, a
//! collaborative signal from co-booking, fair exposure for new photographers and
//! diversity across the top results. Pure: the request's reads hand in the rows, this
//! module only scores and orders them. docs/recommendations.md explains every signal
//! and weight and how the ranker was evaluated.

use crate::photographer::{PhotographerProfile, RatingTotals, Specialization};
use crate::record::SentimentCounts;
use chrono::NaiveDate;
use cm_core::UserId;
use cm_core::money::Money;
use cm_geo::Point;
use serde::{Deserialize, Serialize};

/// What the client asked for. Every part is optional: an anonymous client with no
/// filters still gets a ranking (by quality, exposure and diversity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecQuery {
    pub event_type: Option<Specialization>,
    pub date: Option<NaiveDate>,
    pub point: Option<Point>,
    pub budget: Option<Money>,
    /// Languages the client speaks (BCP 47 tags; matched on the primary subtag).
    pub languages: Vec<String>,
    /// Photographers this client booked before, newest first; empty when anonymous.
    pub history: Vec<PastPhotographer>,
    pub limit: usize,
}

/// A photographer the client booked before, with the name the reasons quote and the
/// stars the client gave them (their latest review, if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastPhotographer {
    pub id: UserId,
    pub display_name: String,
    pub stars: Option<u8>,
}

/// One package's length and price, for quoting an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackagePrice {
    pub duration_minutes: u32,
    pub price: Money,
}

/// A photographer another one is often booked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoBooked {
    pub photographer: UserId,
    /// Distinct clients who booked both.
    pub shared_clients: u32,
    /// Distinct clients who booked `photographer`.
    pub their_clients: u32,
}

impl CoBooked {
    /// The cosine similarity of the two photographers' sets of clients: shared clients
    /// over the geometric mean of both counts. Unlike the raw count it does not favour
    /// whoever is booked most.
    pub fn similarity(&self, own_clients: u32) -> f64 {
        let denominator = (f64::from(own_clients.max(1)) * f64::from(self.their_clients.max(1))).sqrt();
        (f64::from(self.shared_clients) / denominator).min(1.0)
    }
}

/// The feature row a request reads for one photographer in the area. The profile
/// parts are copied when the profile is saved; the behavioural parts are kept by jobs
/// (docs/recommendations.md, "Features"); `free_on_date` is filled by the request for
/// the asked date from the photographer's booked days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: UserId,
    pub display_name: String,
    /// As the photographer listed them; the first is their primary specialization.
    pub specializations: Vec<Specialization>,
    pub languages: Vec<String>,
    /// `None` only for a stored profile whose coordinates are off the globe.
    pub base: Option<Point>,
    pub service_radius_km: u32,
    pub hourly_rate: Money,
    pub packages: Vec<PackagePrice>,
    pub rating: RatingTotals,
    /// Mean review sentiment in −1..=1 (positive 1, neutral 0, negative −1).
    pub sentiment: Option<f64>,
    /// Median minutes from a booking request to the photographer's answer.
    pub response_minutes: Option<u32>,
    pub completed_bookings: u32,
    pub listed_since: NaiveDate,
    /// Whether the photographer is free on the asked date; `None` when unknown.
    pub free_on_date: Option<bool>,
    /// Distinct clients who booked this photographer.
    pub clients: u32,
    /// The photographers most similar by their clients ([`CoBooked::similarity`]),
    /// most similar first, a bounded number (the precomputing job keeps ten).
    pub co_booked: Vec<CoBooked>,
}

impl Candidate {
    /// The row as far as the profile and its review totals tell; the behavioural
    /// features (response time, completed bookings, co-booking, the date) start unknown
    /// or empty.
    pub fn from_profile(
        id: UserId,
        profile: &PhotographerProfile,
        rating: RatingTotals,
        sentiment: SentimentCounts,
        listed_since: NaiveDate,
    ) -> Candidate {
        Candidate {
            id,
            display_name: profile.display_name.clone(),
            specializations: profile.specializations.clone(),
            languages: profile.languages.clone(),
            base: profile.base(),
            service_radius_km: profile.service_radius_km,
            hourly_rate: profile.hourly_rate.clone(),
            packages: profile
                .packages
                .iter()
                .map(|p| PackagePrice { duration_minutes: p.duration_minutes, price: p.price.clone() })
                .collect(),
            rating,
            sentiment: mean_sentiment(sentiment),
            response_minutes: None,
            completed_bookings: 0,
            listed_since,
            free_on_date: None,
            clients: 0,
            co_booked: Vec::new(),
        }
    }

    /// What the event would cost: the cheapest of the hourly rate for the event's
    /// typical length (whole hours, rounded up) and every package at least that long.
    pub fn quote(&self, event_type: Option<Specialization>) -> Money {
        let minutes = typical_minutes(event_type);
        let hours = i64::from(minutes.div_ceil(60));
        let hourly = Money {
            amount_minor: self.hourly_rate.amount_minor.saturating_mul(hours),
            currency: self.hourly_rate.currency.clone(),
        };
        self.packages
            .iter()
            .filter(|p| p.duration_minutes >= minutes && p.price.currency == hourly.currency)
            .map(|p| &p.price)
            .fold(hourly.clone(), |best, p| if p.amount_minor < best.amount_minor { p.clone() } else { best })
    }
}

/// How long a shoot of this kind usually runs, for quoting it.
pub fn typical_minutes(event_type: Option<Specialization>) -> u32 {
    match event_type {
        Some(Specialization::Wedding) => 480,
        Some(Specialization::Event) => 180,
        Some(Specialization::Commercial | Specialization::Fashion) => 240,
        Some(Specialization::Product) => 180,
        Some(Specialization::Newborn) => 120,
        Some(Specialization::Family | Specialization::RealEstate) => 90,
        Some(Specialization::Portrait) => 60,
        None => 120,
    }
}

/// Mean sentiment of the labelled reviews in −1..=1, `None` before any.
pub fn mean_sentiment(counts: SentimentCounts) -> Option<f64> {
    let total = counts.positive + counts.neutral + counts.negative;
    (total > 0).then(|| (counts.positive as f64 - counts.negative as f64) / total as f64)
}

/// The weights and constants of the ranking (docs/recommendations.md says why each
/// has its value). The main weights sum to 1, so a score is at most 1 plus the new
/// photographer bonus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub specialization: f64,
    pub availability: f64,
    pub budget: f64,
    pub proximity: f64,
    pub language: f64,
    pub rating: f64,
    pub sentiment: f64,
    pub response: f64,
    pub collaborative: f64,
    pub popularity: f64,
    /// The largest bonus a brand-new photographer gets (see [`novelty`]).
    pub new_photographer: f64,
    /// MMR trade-off: how much similarity to a result already chosen costs.
    pub diversity: f64,
    /// Whether one of the top results is kept for a new photographer (limit ≥ 5).
    pub exposure_slot: bool,
    /// The Bayesian rating's prior: `prior_weight` imaginary reviews of `prior_mean`.
    pub rating_prior_mean: f64,
    pub rating_prior_weight: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            specialization: 0.20,
            availability: 0.15,
            budget: 0.12,
            proximity: 0.08,
            language: 0.05,
            rating: 0.14,
            sentiment: 0.04,
            response: 0.04,
            collaborative: 0.13,
            popularity: 0.05,
            new_photographer: 0.06,
            diversity: 0.08,
            exposure_slot: true,
            rating_prior_mean: 4.3,
            rating_prior_weight: 5.0,
        }
    }
}

/// A photographer is "new" while both hold: fewer than this many completed bookings …
pub const NEW_BOOKINGS: u32 = 5;
/// … and listed for fewer than this many days.
pub const NEW_DAYS: i64 = 180;
/// The exposure slot applies from this many results up.
pub const EXPOSURE_SLOT_MIN_LIMIT: usize = 5;
/// Co-booking counts from this many shared clients: one client booking two
/// photographers is an anecdote, and a one-in-one overlap has a similarity of 1.
pub const MIN_SHARED_CLIENTS: u32 = 2;
/// Co-booking saturates: this summed similarity to the client's past photographers
/// gives half the signal.
const CO_BOOKING_HALF: f64 = 0.1;
/// Completed bookings at which the popularity signal is full (log scale).
const POPULARITY_FULL: f64 = 200.0;
/// Distance at which proximity falls to 1/e.
const PROXIMITY_KM: f64 = 20.0;
/// Minutes of answer time at which the response signal is one half.
const RESPONSE_HALF_MINUTES: f64 = 120.0;
/// Signal for a part the client did not ask about, or the row does not know.
const NEUTRAL: f64 = 0.5;

/// How new a photographer is, in 0..=1: `(1 − bookings/5) × (1 − days listed/180)`,
/// both floored at 0; 0 for anyone established.
pub fn novelty(c: &Candidate, today: NaiveDate) -> f64 {
    let age = (today - c.listed_since).num_days().max(0) as f64;
    let by_bookings = (1.0 - f64::from(c.completed_bookings) / f64::from(NEW_BOOKINGS)).max(0.0);
    let by_age = (1.0 - age / NEW_DAYS as f64).max(0.0);
    by_bookings * by_age
}

/// Each signal of one candidate for one query, in 0..=1 (before weighting).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    pub specialization: f64,
    pub availability: f64,
    pub budget: f64,
    pub proximity: f64,
    pub language: f64,
    pub rating: f64,
    pub sentiment: f64,
    pub response: f64,
    pub collaborative: f64,
    pub popularity: f64,
    pub novelty: f64,
}

impl Signals {
    pub fn score(&self, p: &Params) -> f64 {
        p.specialization * self.specialization
            + p.availability * self.availability
            + p.budget * self.budget
            + p.proximity * self.proximity
            + p.language * self.language
            + p.rating * self.rating
            + p.sentiment * self.sentiment
            + p.response * self.response
            + p.collaborative * self.collaborative
            + p.popularity * self.popularity
            + p.new_photographer * self.novelty
    }
}

/// The stable machine name of a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    Specialist,
    TakesEventType,
    FreeOnDate,
    BusyOnDate,
    WithinBudget,
    Distance,
    Rating,
    PositiveReviews,
    QuickReplies,
    BookedBefore,
    CoBooked,
    Language,
    NewPhotographer,
}

impl ReasonCode {
    /// Every code, in the order reasons are given.
    pub const ALL: [ReasonCode; 13] = [
        ReasonCode::Specialist,
        ReasonCode::TakesEventType,
        ReasonCode::FreeOnDate,
        ReasonCode::BusyOnDate,
        ReasonCode::WithinBudget,
        ReasonCode::Distance,
        ReasonCode::Rating,
        ReasonCode::PositiveReviews,
        ReasonCode::QuickReplies,
        ReasonCode::BookedBefore,
        ReasonCode::CoBooked,
        ReasonCode::Language,
        ReasonCode::NewPhotographer,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: ReasonCode,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub photographer: UserId,
    pub score: f64,
    /// From the asked point to the photographer's base, to 0.1 km.
    pub distance_km: Option<f64>,
    pub reasons: Vec<Reason>,
}

/// Why a candidate is left out whatever its score.
fn covers(c: &Candidate, point: Option<Point>) -> Option<Option<f64>> {
    match point {
        None => Some(None),
        Some(p) => {
            let d = c.base?.distance_km(&p);
            (d <= f64::from(c.service_radius_km)).then_some(Some(d))
        }
    }
}

fn primary_language(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

fn shared_language<'a>(query: &RecQuery, c: &'a Candidate) -> Option<&'a str> {
    c.languages
        .iter()
        .map(String::as_str)
        .find(|l| query.languages.iter().any(|q| primary_language(q).eq_ignore_ascii_case(primary_language(l))))
}

/// The candidate's summed similarity to the client's past photographers, and the past
/// photographer most similar (ties: the most recent booking, as listed first).
fn co_booking(query: &RecQuery, c: &Candidate) -> (f64, Option<usize>) {
    let mut total = 0.0;
    let mut best: Option<(f64, usize)> = None;
    for (i, past) in query.history.iter().enumerate() {
        if past.id == c.id {
            continue;
        }
        if let Some(cb) =
            c.co_booked.iter().find(|cb| cb.photographer == past.id && cb.shared_clients >= MIN_SHARED_CLIENTS)
        {
            let sim = cb.similarity(c.clients);
            total += sim;
            if best.is_none_or(|(b, _)| sim > b) {
                best = Some((sim, i));
            }
        }
    }
    (total, best.map(|(_, i)| i))
}

fn budget_signal(quote: &Money, budget: &Money) -> Option<f64> {
    if quote.currency != budget.currency {
        return None;
    }
    if quote.amount_minor <= budget.amount_minor {
        return Some(1.0);
    }
    if budget.amount_minor <= 0 {
        return Some(0.0);
    }
    // Linear fall to zero at half as much again as the budget.
    let over = quote.amount_minor as f64 / budget.amount_minor as f64 - 1.0;
    Some((1.0 - 2.0 * over).max(0.0))
}

/// The signals of `c` for `query`, and its distance; `None` when the candidate's
/// service area does not cover the asked point.
pub fn signals(query: &RecQuery, c: &Candidate, today: NaiveDate, params: &Params) -> Option<(Signals, Option<f64>)> {
    let distance = covers(c, query.point)?;
    let specialization = match query.event_type {
        None => NEUTRAL,
        Some(e) if c.specializations.first() == Some(&e) => 1.0,
        Some(e) if c.specializations.contains(&e) => 0.7,
        Some(_) => 0.0,
    };
    let availability = match (query.date, c.free_on_date) {
        (None, _) => NEUTRAL,
        (Some(_), Some(true)) => 1.0,
        (Some(_), None) => NEUTRAL,
        (Some(_), Some(false)) => 0.0,
    };
    let budget = query.budget.as_ref().and_then(|b| budget_signal(&c.quote(query.event_type), b)).unwrap_or(NEUTRAL);
    let proximity = distance.map_or(NEUTRAL, |d| (-d / PROXIMITY_KM).exp());
    let language = if query.languages.is_empty() {
        NEUTRAL
    } else if shared_language(query, c).is_some() {
        1.0
    } else {
        0.0
    };
    let prior_sum = params.rating_prior_mean * params.rating_prior_weight;
    let bayes = (prior_sum + c.rating.sum as f64) / (params.rating_prior_weight + c.rating.count as f64);
    let rating = ((bayes - 1.0) / 4.0).clamp(0.0, 1.0);
    let sentiment = c.sentiment.filter(|s| s.is_finite()).map_or(NEUTRAL, |s| (s.clamp(-1.0, 1.0) + 1.0) / 2.0);
    let response = c.response_minutes.map_or(NEUTRAL, |m| 1.0 / (1.0 + f64::from(m) / RESPONSE_HALF_MINUTES));
    let collaborative = if query.history.is_empty() {
        NEUTRAL
    } else if let Some(past) = query.history.iter().find(|p| p.id == c.id) {
        // The client's own experience outweighs what others did.
        match past.stars {
            Some(4..=5) => 1.0,
            None => 0.75,
            Some(3) => 0.3,
            Some(_) => 0.0,
        }
    } else {
        let (sim, _) = co_booking(query, c);
        sim / (sim + CO_BOOKING_HALF)
    };
    let popularity = (f64::from(c.completed_bookings).ln_1p() / POPULARITY_FULL.ln_1p()).min(1.0);
    let novelty = novelty(c, today);
    let s = Signals {
        specialization,
        availability,
        budget,
        proximity,
        language,
        rating,
        sentiment,
        response,
        collaborative,
        popularity,
        novelty,
    };
    Some((s, distance))
}

/// The relevance of `c` for `query` before diversity: the weighted sum of its signals.
/// `None` when its service area does not cover the asked point.
pub fn score(query: &RecQuery, c: &Candidate, today: NaiveDate, params: &Params) -> Option<f64> {
    signals(query, c, today, params).map(|(s, _)| s.score(params))
}

fn title(s: Specialization) -> &'static str {
    match s {
        Specialization::Wedding => "Wedding",
        Specialization::Portrait => "Portrait",
        Specialization::Event => "Event",
        Specialization::Commercial => "Commercial",
        Specialization::Family => "Family",
        Specialization::Fashion => "Fashion",
        Specialization::Product => "Product",
        Specialization::Newborn => "Newborn",
        Specialization::RealEstate => "Real estate",
    }
}

fn reason(code: ReasonCode, text: impl Into<String>) -> Reason {
    Reason { code, text: text.into() }
}

/// The reasons that placed `c`, in a fixed order of kinds. Every one states a fact of
/// the row and the query exactly.
fn reasons(query: &RecQuery, c: &Candidate, distance: Option<f64>, today: NaiveDate) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(e) = query.event_type {
        if c.specializations.first() == Some(&e) {
            out.push(reason(ReasonCode::Specialist, format!("{} specialist", title(e))));
        } else if c.specializations.contains(&e) {
            out.push(reason(ReasonCode::TakesEventType, format!("Takes {} shoots", title(e).to_lowercase())));
        }
    }
    if let Some(date) = query.date {
        match c.free_on_date {
            Some(true) => out.push(reason(ReasonCode::FreeOnDate, format!("Free on {date}"))),
            Some(false) => out.push(reason(ReasonCode::BusyOnDate, format!("Not available on {date}"))),
            None => {}
        }
    }
    if let Some(budget) = &query.budget {
        let quote = c.quote(query.event_type);
        if quote.currency == budget.currency && quote.amount_minor <= budget.amount_minor {
            out.push(reason(ReasonCode::WithinBudget, "Within your budget"));
        }
    }
    if let Some(d) = distance {
        out.push(reason(ReasonCode::Distance, format!("{:.1} km away", round_tenth(d))));
    }
    if c.rating.count > 0 && c.rating.average_centi() >= 400 {
        let tenths = (c.rating.average_centi() + 5) / 10;
        let noun = if c.rating.count == 1 { "review" } else { "reviews" };
        out.push(reason(ReasonCode::Rating, format!("{}.{} from {} {noun}", tenths / 10, tenths % 10, c.rating.count)));
    }
    if c.sentiment.is_some_and(|s| s >= 0.5) {
        out.push(reason(ReasonCode::PositiveReviews, "Reviews are mostly positive"));
    }
    if let Some(m) = c.response_minutes {
        if m <= 60 {
            out.push(reason(ReasonCode::QuickReplies, "Usually replies within an hour"));
        } else if m <= 24 * 60 {
            out.push(reason(ReasonCode::QuickReplies, format!("Usually replies within {} hours", m.div_ceil(60))));
        }
    }
    if query.history.iter().any(|p| p.id == c.id && p.stars.is_none_or(|s| s >= 4)) {
        out.push(reason(ReasonCode::BookedBefore, "You booked them before"));
    } else if let (_, Some(i)) = co_booking(query, c) {
        out.push(reason(
            ReasonCode::CoBooked,
            format!("Clients who booked {} also booked", query.history[i].display_name),
        ));
    }
    if let Some(l) = shared_language(query, c) {
        out.push(reason(ReasonCode::Language, format!("Speaks your language ({l})")));
    }
    if novelty(c, today) > 0.0 {
        out.push(reason(ReasonCode::NewPhotographer, "New on Capture Moments"));
    }
    out
}

fn round_tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// How alike two results are, in 0..=1, for diversity: the mean of the overlap of
/// their specializations (Jaccard), the closeness of their quotes (smaller over larger,
/// 0 across currencies) and of their bases (e^(−km/5)). Near-duplicates (same kind of
/// work, same price, same neighbourhood) score near 1.
fn similarity(a: &Scored<'_>, b: &Scored<'_>) -> f64 {
    let (sa, sb) = (&a.candidate.specializations, &b.candidate.specializations);
    let common = sa.iter().filter(|s| sb.contains(s)).count() as f64;
    let union = (sa.len() + sb.len()) as f64 - common;
    let specs = if union > 0.0 { common / union } else { 0.0 };
    let price = if a.quote.currency == b.quote.currency && a.quote.amount_minor > 0 && b.quote.amount_minor > 0 {
        let (x, y) = (a.quote.amount_minor as f64, b.quote.amount_minor as f64);
        x.min(y) / x.max(y)
    } else {
        0.0
    };
    let place = match (a.candidate.base, b.candidate.base) {
        (Some(x), Some(y)) => (-x.distance_km(&y) / 5.0).exp(),
        _ => 0.0,
    };
    (specs + price + place) / 3.0
}

struct Scored<'a> {
    candidate: &'a Candidate,
    score: f64,
    distance: Option<f64>,
    quote: Money,
    /// Eligible for the exposure slot.
    new_and_fitting: bool,
}

/// The best `query.limit` candidates for the query, best first, with default weights.
pub fn recommend(query: &RecQuery, candidates: &[Candidate], today: NaiveDate) -> Vec<Recommendation> {
    recommend_with(query, candidates, today, &Params::default())
}

/// [`recommend`] with explicit weights (the offline evaluation's ablations).
///
/// 1. Candidates whose service area does not cover the asked point are left out; a
///    photographer given twice counts once (its higher-scored row).
/// 2. Each is scored ([`score`]); ties are broken by id, so the order is total and
///    independent of the input order.
/// 3. Results are chosen greedily by maximal marginal relevance: each next result is
///    the one maximising `score − diversity × (max similarity to those chosen)`.
/// 4. Exposure slot: when `limit ≥ 5` and no new photographer made the list, the last
///    place goes to the best-scored new photographer who fits (lists the event type,
///    is not known to be busy on the date, and is not over budget).
pub fn recommend_with(
    query: &RecQuery,
    candidates: &[Candidate],
    today: NaiveDate,
    params: &Params,
) -> Vec<Recommendation> {
    if query.limit == 0 {
        return Vec::new();
    }
    let mut scored: Vec<Scored<'_>> = candidates
        .iter()
        .filter_map(|c| {
            let (s, distance) = signals(query, c, today, params)?;
            let fits = query.event_type.is_none_or(|e| c.specializations.contains(&e))
                && !(query.date.is_some() && c.free_on_date == Some(false))
                && s.budget > 0.0;
            Some(Scored {
                candidate: c,
                score: s.score(params),
                distance,
                quote: c.quote(query.event_type),
                new_and_fitting: s.novelty > 0.0 && fits,
            })
        })
        .collect();
    scored.sort_by(|a, b| a.candidate.id.cmp(&b.candidate.id).then(b.score.total_cmp(&a.score)));
    scored.dedup_by(|later, first| later.candidate.id == first.candidate.id);
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.candidate.id.cmp(&b.candidate.id)));

    let limit = query.limit.min(scored.len());
    let diversity = params.diversity.max(0.0);
    // Greedy MMR over the pool that can win a place: while fewer than `limit` are
    // chosen, one of the `limit` best-scored is still free with a value of at least
    // the limit-th score − diversity (similarity is at most 1), so anyone scored below
    // that never wins. `max_sim[i]` is candidate i's greatest similarity to those
    // chosen, updated with each choice: choosing k of a pool of p costs O(k·p).
    let pool = match limit.checked_sub(1).map(|k| scored[k].score - diversity) {
        Some(floor) => scored.partition_point(|s| s.score >= floor),
        None => 0,
    };
    let mut chosen: Vec<usize> = Vec::with_capacity(limit);
    let mut taken = vec![false; scored.len()];
    let mut max_sim = vec![0.0f64; pool];
    while chosen.len() < limit {
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in scored[..pool].iter().enumerate() {
            if taken[i] {
                continue;
            }
            let mmr = s.score - diversity * max_sim[i];
            // Strictly greater: among equal values the earlier (higher score, then
            // lower id) wins.
            if best.is_none_or(|(_, b)| mmr > b) {
                best = Some((i, mmr));
            }
            // Nothing later can win: scores only fall and the penalty is ≥ 0.
            if best.is_some_and(|(_, b)| s.score < b) {
                break;
            }
        }
        let Some((pick, _)) = best else { break };
        taken[pick] = true;
        chosen.push(pick);
        if diversity > 0.0 {
            for (i, s) in scored[..pool].iter().enumerate() {
                if !taken[i] {
                    max_sim[i] = max_sim[i].max(similarity(s, &scored[pick]));
                }
            }
        }
    }
    if params.exposure_slot
        && query.limit >= EXPOSURE_SLOT_MIN_LIMIT
        && !chosen.is_empty()
        && !chosen.iter().any(|&i| scored[i].new_and_fitting)
        && let Some(newcomer) = (0..scored.len()).find(|&i| !taken[i] && scored[i].new_and_fitting)
    {
        if chosen.len() == query.limit {
            chosen.pop();
        }
        chosen.push(newcomer);
    }

    chosen
        .into_iter()
        .map(|i| {
            let s = &scored[i];
            Recommendation {
                photographer: s.candidate.id,
                score: s.score,
                distance_km: s.distance.map(round_tenth),
                reasons: reasons(query, s.candidate, s.distance, today),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cm_core::money::Currency;
    use proptest::prelude::*;

    fn id(n: u32) -> UserId {
        format!("01HZ{n:022}").parse().unwrap()
    }

    fn money(amount_minor: i64, currency: &str) -> Money {
        Money { amount_minor, currency: Currency::try_from(currency.to_string()).unwrap() }
    }

    fn at(lat: f64, lon: f64) -> Point {
        Point::new(lat, lon).unwrap()
    }

    const PUNE: (f64, f64) = (18.52, 73.85);
    /// 3.2 km north of Pune's centre (1° of latitude is 111.195 km on the mean sphere).
    const KM_PER_DEG: f64 = 111.195;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 12).unwrap()
    }

    /// An established wedding photographer at Pune's centre, 4.6 from 20 reviews.
    fn candidate(n: u32) -> Candidate {
        Candidate {
            id: id(n),
            display_name: format!("P{n}"),
            specializations: vec![Specialization::Wedding, Specialization::Portrait],
            languages: vec!["en".into()],
            base: Some(at(PUNE.0, PUNE.1)),
            service_radius_km: 50,
            hourly_rate: money(300_000, "INR"),
            packages: Vec::new(),
            rating: RatingTotals { sum: 92, count: 20 },
            sentiment: Some(0.2),
            response_minutes: Some(240),
            completed_bookings: 40,
            listed_since: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            free_on_date: None,
            clients: 30,
            co_booked: Vec::new(),
        }
    }

    fn query(limit: usize) -> RecQuery {
        RecQuery {
            event_type: Some(Specialization::Wedding),
            date: Some(date()),
            point: Some(at(PUNE.0, PUNE.1)),
            budget: Some(money(3_000_000, "INR")),
            languages: vec!["hi".into()],
            history: Vec::new(),
            limit,
        }
    }

    fn ids(recs: &[Recommendation]) -> Vec<UserId> {
        recs.iter().map(|r| r.photographer).collect()
    }

    #[test]
    fn reasons_state_the_facts_exactly() {
        let ana = PastPhotographer { id: id(900), display_name: "Ana".into(), stars: Some(5) };
        let asha = Candidate {
            display_name: "Asha".into(),
            base: Some(at(PUNE.0 + 3.2 / KM_PER_DEG, PUNE.1)),
            languages: vec!["en".into(), "hi".into()],
            rating: RatingTotals { sum: 152, count: 31 },
            sentiment: Some(0.8),
            response_minutes: Some(45),
            free_on_date: Some(true),
            clients: 30,
            co_booked: vec![CoBooked { photographer: id(900), shared_clients: 4, their_clients: 20 }],
            ..candidate(1)
        };
        let q = RecQuery { history: vec![ana], ..query(10) };
        let recs = recommend(&q, &[asha], today());
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].distance_km, Some(3.2));
        let texts: Vec<(ReasonCode, &str)> = recs[0].reasons.iter().map(|r| (r.code, r.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (ReasonCode::Specialist, "Wedding specialist"),
                (ReasonCode::FreeOnDate, "Free on 2026-06-12"),
                (ReasonCode::WithinBudget, "Within your budget"),
                (ReasonCode::Distance, "3.2 km away"),
                (ReasonCode::Rating, "4.9 from 31 reviews"),
                (ReasonCode::PositiveReviews, "Reviews are mostly positive"),
                (ReasonCode::QuickReplies, "Usually replies within an hour"),
                (ReasonCode::CoBooked, "Clients who booked Ana also booked"),
                (ReasonCode::Language, "Speaks your language (hi)"),
            ]
        );
        assert_eq!(serde_json::to_value(ReasonCode::CoBooked).unwrap(), "co_booked");
    }

    #[test]
    fn the_other_reasons_and_their_wording() {
        let c = Candidate {
            specializations: vec![Specialization::RealEstate, Specialization::Wedding],
            rating: RatingTotals { sum: 4, count: 1 },
            response_minutes: Some(121),
            free_on_date: Some(false),
            completed_bookings: 0,
            listed_since: today() - chrono::Duration::days(10),
            languages: vec!["pt-BR".into()],
            ..candidate(1)
        };
        let q = RecQuery { languages: vec!["pt".into()], budget: None, ..query(5) };
        let texts: Vec<String> = recommend(&q, &[c], today())[0].reasons.iter().map(|r| r.text.clone()).collect();
        assert_eq!(
            texts,
            [
                "Takes wedding shoots",
                "Not available on 2026-06-12",
                "0.0 km away",
                "4.0 from 1 review",
                "Usually replies within 3 hours",
                "Speaks your language (pt-BR)",
                "New on Capture Moments"
            ]
        );
        // A rating under 4 and slow replies are no reasons.
        let meh =
            Candidate { rating: RatingTotals { sum: 39, count: 10 }, response_minutes: Some(2000), ..candidate(2) };
        let codes: Vec<ReasonCode> = recommend(&q, &[meh], today())[0].reasons.iter().map(|r| r.code).collect();
        assert!(!codes.contains(&ReasonCode::Rating) && !codes.contains(&ReasonCode::QuickReplies), "{codes:?}");
    }

    #[test]
    fn those_whose_service_area_misses_the_point_are_left_out() {
        let near =
            Candidate { service_radius_km: 5, base: Some(at(PUNE.0 + 4.0 / KM_PER_DEG, PUNE.1)), ..candidate(1) };
        let short =
            Candidate { service_radius_km: 5, base: Some(at(PUNE.0 + 6.0 / KM_PER_DEG, PUNE.1)), ..candidate(2) };
        let nowhere = Candidate { base: None, ..candidate(3) };
        let recs = recommend(&query(10), &[near, short, nowhere.clone()], today());
        assert_eq!(ids(&recs), [id(1)]);
        assert_eq!(recs[0].distance_km, Some(4.0));
        // Without a point, nobody is excluded for distance and none is given.
        let anywhere = RecQuery { point: None, ..query(10) };
        let recs = recommend(&anywhere, &[nowhere], today());
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].distance_km, None);
    }

    #[test]
    fn busy_photographers_are_demoted_below_unknown_and_free_but_kept() {
        let free = Candidate { free_on_date: Some(true), ..candidate(3) };
        let unknown = Candidate { free_on_date: None, ..candidate(2) };
        let busy = Candidate { free_on_date: Some(false), ..candidate(1) };
        let recs = recommend(&query(10), &[busy, unknown, free], today());
        assert_eq!(ids(&recs), [id(3), id(2), id(1)]);
        // Without a date the calendar does not matter: the twins tie and ids decide.
        let undated = RecQuery { date: None, ..query(10) };
        let cs: Vec<Candidate> = [Some(true), None, Some(false)]
            .into_iter()
            .enumerate()
            .map(|(i, f)| Candidate { free_on_date: f, ..candidate(3 - i as u32) })
            .collect();
        assert_eq!(ids(&recommend(&undated, &cs, today())), [id(1), id(2), id(3)]);
    }

    #[test]
    fn a_quote_is_the_cheapest_way_to_cover_the_event() {
        let c = Candidate {
            hourly_rate: money(10_000, "EUR"),
            packages: vec![
                PackagePrice { duration_minutes: 480, price: money(70_000, "EUR") },
                PackagePrice { duration_minutes: 420, price: money(20_000, "EUR") }, // too short for a wedding
                PackagePrice { duration_minutes: 600, price: money(60_000, "USD") }, // another currency
            ],
            ..candidate(1)
        };
        assert_eq!(c.quote(Some(Specialization::Wedding)), money(70_000, "EUR"), "8 h: the package beats 80,000");
        assert_eq!(c.quote(Some(Specialization::Portrait)), money(10_000, "EUR"), "one hour at the rate");
        assert_eq!(c.quote(Some(Specialization::Family)), money(20_000, "EUR"), "90 minutes bill two hours");
        assert_eq!(c.quote(None), money(20_000, "EUR"));
    }

    #[test]
    fn the_budget_reason_needs_the_same_currency_and_a_quote_within_it() {
        let c = candidate(1); // a wedding quote: 8 × 3,000.00 INR = 24,000.00 INR
        let has_budget_reason = |budget: Money| {
            let q = RecQuery { budget: Some(budget), ..query(5) };
            recommend(&q, std::slice::from_ref(&c), today())[0]
                .reasons
                .iter()
                .any(|r| r.code == ReasonCode::WithinBudget)
        };
        assert!(has_budget_reason(money(2_400_000, "INR")), "exactly the budget");
        assert!(!has_budget_reason(money(2_399_999, "INR")));
        assert!(!has_budget_reason(money(100_000_000, "USD")), "no comparing across currencies");
        // Over budget costs rank; far over costs the whole budget weight.
        let p = Params::default();
        let s = |b: i64| score(&RecQuery { budget: Some(money(b, "INR")), ..query(5) }, &c, today(), &p).unwrap();
        assert!(s(2_400_000) > s(2_000_000) && s(2_000_000) > s(1_600_000));
        assert_eq!(s(1_600_000), s(100));
    }

    #[test]
    fn co_booking_lifts_whom_the_same_clients_booked() {
        let ana = PastPhotographer { id: id(900), display_name: "Ana".into(), stars: Some(5) };
        let other = PastPhotographer { id: id(901), display_name: "Ravi".into(), stars: None };
        let co = Candidate {
            co_booked: vec![
                CoBooked { photographer: id(901), shared_clients: 3, their_clients: 100 },
                CoBooked { photographer: id(900), shared_clients: 2, their_clients: 4 },
            ],
            ..candidate(2)
        };
        let plain = candidate(1);
        let q = RecQuery { history: vec![other, ana], ..query(5) };
        let recs = recommend(&q, &[plain.clone(), co.clone()], today());
        assert_eq!(ids(&recs), [id(2), id(1)]);
        let cobooked: Vec<&str> =
            recs[0].reasons.iter().filter(|r| r.code == ReasonCode::CoBooked).map(|r| r.text.as_str()).collect();
        assert_eq!(cobooked, ["Clients who booked Ana also booked"], "the most similar past photographer");
        // An anonymous client has no history: the twins tie and ids decide.
        assert_eq!(ids(&recommend(&query(5), &[co, plain], today())), [id(1), id(2)]);
    }

    #[test]
    fn a_photographer_the_client_liked_comes_back_and_one_they_did_not_is_not_lifted() {
        let twin = candidate(1);
        let past = candidate(2);
        let booked = |stars| RecQuery {
            history: vec![PastPhotographer { id: id(2), display_name: "P2".into(), stars }],
            ..query(5)
        };
        for stars in [Some(5), Some(4), None] {
            let recs = recommend(&booked(stars), &[twin.clone(), past.clone()], today());
            assert_eq!(ids(&recs), [id(2), id(1)], "{stars:?}");
            assert!(recs[0].reasons.iter().any(|r| r.text == "You booked them before"));
        }
        let p = Params::default();
        let s = |stars| score(&booked(stars), &past, today(), &p).unwrap();
        assert!(s(Some(5)) > s(None) && s(None) > s(Some(3)) && s(Some(3)) > s(Some(2)));
        let recs = recommend(&booked(Some(2)), &[twin.clone(), past.clone()], today());
        assert_eq!(ids(&recs), [id(1), id(2)], "a two-star experience ties with a stranger; ids decide");
        assert!(recs[1].reasons.iter().all(|r| r.code != ReasonCode::BookedBefore));
    }

    #[test]
    fn the_bayesian_rating_trusts_many_reviews_over_a_few() {
        let p = Params::default();
        let q = query(5);
        let few_perfect = Candidate { rating: RatingTotals { sum: 10, count: 2 }, ..candidate(1) };
        let many_great = Candidate { rating: RatingTotals { sum: 960, count: 200 }, ..candidate(2) };
        let unrated = Candidate { rating: RatingTotals::default(), ..candidate(3) };
        let many_poor = Candidate { rating: RatingTotals { sum: 600, count: 200 }, ..candidate(4) };
        let s = |c: &Candidate| score(&q, c, today(), &p).unwrap();
        // Prior 4.3 × 5: 2 × 5.0 → 4.5; 200 × 4.8 → 4.79; unrated → 4.3; 200 × 3.0 → 3.03.
        assert!(s(&many_great) > s(&few_perfect));
        assert!(s(&few_perfect) > s(&unrated));
        assert!(s(&unrated) > s(&many_poor));
    }

    #[test]
    fn diversity_lets_a_different_photographer_into_the_top() {
        // Three clones (same work, price and place) and one slightly less rated
        // photographer of other work and price across town.
        let clones: Vec<Candidate> = (1..=3).map(candidate).collect();
        let different = Candidate {
            specializations: vec![Specialization::Wedding, Specialization::Family],
            hourly_rate: money(150_000, "INR"),
            base: Some(at(PUNE.0 + 12.0 / KM_PER_DEG, PUNE.1)),
            rating: RatingTotals { sum: 90, count: 20 },
            ..candidate(4)
        };
        let q = RecQuery { point: None, budget: None, ..query(3) };
        let mut all = clones;
        all.push(different);
        let plain = Params { diversity: 0.0, ..Params::default() };
        assert_eq!(ids(&recommend_with(&q, &all, today(), &plain)), [id(1), id(2), id(3)]);
        assert_eq!(ids(&recommend(&q, &all, today())), [id(1), id(4), id(2)]);
    }

    #[test]
    fn a_new_photographer_gets_the_last_of_five_places_when_they_fit() {
        let established: Vec<Candidate> = (1..=8)
            .map(|n| Candidate {
                rating: RatingTotals { sum: 490, count: 100 },
                free_on_date: Some(true),
                response_minutes: Some(10),
                ..candidate(n)
            })
            .collect();
        let newcomer = Candidate {
            rating: RatingTotals::default(),
            sentiment: None,
            response_minutes: None,
            completed_bookings: 0,
            listed_since: today() - chrono::Duration::days(30),
            ..candidate(50)
        };
        let mut all = established.clone();
        all.push(newcomer.clone());
        let recs = recommend(&query(5), &all, today());
        assert_eq!(recs.len(), 5);
        assert_eq!(recs[4].photographer, id(50));
        assert!(recs[4].reasons.iter().any(|r| r.code == ReasonCode::NewPhotographer));
        let no_slot = Params { exposure_slot: false, ..Params::default() };
        assert!(!ids(&recommend_with(&query(5), &all, today(), &no_slot)).contains(&id(50)), "the slot placed it");
        assert!(!ids(&recommend(&query(4), &all, today())).contains(&id(50)), "no slot under five places");
        // Not for one who is booked that day, does not take weddings, or is over budget.
        for unfit in [
            Candidate { free_on_date: Some(false), ..newcomer.clone() },
            Candidate { specializations: vec![Specialization::Product], ..newcomer.clone() },
            Candidate { hourly_rate: money(1_000_000, "INR"), ..newcomer.clone() },
            Candidate { listed_since: today() - chrono::Duration::days(NEW_DAYS), ..newcomer.clone() },
        ] {
            let mut all = established.clone();
            all.push(unfit);
            assert!(!ids(&recommend(&query(5), &all, today())).contains(&id(50)));
        }
    }

    #[test]
    fn profiles_and_sentiment_counts_become_rows() {
        assert_eq!(mean_sentiment(SentimentCounts::default()), None);
        assert_eq!(mean_sentiment(SentimentCounts { positive: 6, neutral: 2, negative: 2 }), Some(0.4));
        let profile = serde_json::from_value::<crate::photographer::PhotographerProfileInput>(serde_json::json!({
            "display_name": "Asha Lens", "specializations": ["wedding", "portrait"], "city": "Hyderabad",
            "country": "IN", "lat": 17.385, "lon": 78.4867, "service_radius_km": 50, "years_experience": 7,
            "hourly_rate": {"amount_minor": 250000, "currency": "INR"},
            "packages": [{"id": "basic", "name": "Basic", "duration_minutes": 120,
                          "price": {"amount_minor": 500000, "currency": "INR"}}],
            "languages": ["en", "hi"]}))
        .unwrap()
        .validate()
        .unwrap();
        let c = Candidate::from_profile(
            id(1),
            &profile,
            RatingTotals { sum: 9, count: 2 },
            SentimentCounts { positive: 1, neutral: 1, negative: 0 },
            today(),
        );
        assert_eq!(c.base, Some(at(17.385, 78.4867)));
        assert_eq!(c.sentiment, Some(0.5));
        // The sample's 2-hour package (5,000.00) is too short for a wedding: 8 × 2,500.00.
        assert_eq!(c.quote(Some(Specialization::Wedding)), money(2_000_000, "INR"));
        assert_eq!(c.quote(Some(Specialization::Newborn)), money(500_000, "INR"));
    }

    #[test]
    fn nothing_asked_for_still_ranks_and_limit_zero_is_empty() {
        let good = Candidate { rating: RatingTotals { sum: 480, count: 100 }, ..candidate(2) };
        let q = RecQuery { limit: 10, ..RecQuery::default() };
        let recs = recommend(&q, &[candidate(1), good.clone()], today());
        assert_eq!(ids(&recs), [id(2), id(1)]);
        let codes: Vec<ReasonCode> = recs[0].reasons.iter().map(|r| r.code).collect();
        assert_eq!(codes, [ReasonCode::Rating, ReasonCode::QuickReplies], "only what the row itself tells");
        assert!(recommend(&query(0), &[good], today()).is_empty());
    }

    // ---- properties ----

    const SPECS: [Specialization; 3] = [Specialization::Wedding, Specialization::Portrait, Specialization::Product];

    prop_compose! {
        fn any_candidate()(
            n in 0u32..60,
            specs in proptest::sample::subsequence(SPECS.to_vec(), 1..=3),
            hi in any::<bool>(),
            dlat in -0.6f64..0.6, dlon in -0.6f64..0.6,
            radius in 0u32..80,
            rate in 1i64..600_000, usd in proptest::bool::weighted(0.2),
            count in 0u64..50, avg in 1u64..=5,
            sentiment in proptest::option::of(-1.0f64..=1.0),
            response in proptest::option::of(0u32..3000),
            completed in 0u32..12,
            age in 0i64..400,
            free in proptest::option::of(any::<bool>()),
            co in proptest::collection::vec((900u32..904, 0u32..6), 0..3),
        ) -> Candidate {
            Candidate {
                id: id(n),
                display_name: format!("P{n}"),
                specializations: specs,
                languages: if hi { vec!["hi".into()] } else { vec!["en".into()] },
                base: Some(at(PUNE.0 + dlat, PUNE.1 + dlon)),
                service_radius_km: radius,
                hourly_rate: money(rate, if usd { "USD" } else { "INR" }),
                packages: Vec::new(),
                rating: RatingTotals { sum: count * avg, count },
                sentiment,
                response_minutes: response,
                completed_bookings: completed,
                listed_since: today() - chrono::Duration::days(age),
                free_on_date: free,
                clients: completed,
                co_booked: co.into_iter().map(|(p, shared)| CoBooked { photographer: id(p), shared_clients: shared, their_clients: 5 }).collect(),
            }
        }
    }

    prop_compose! {
        fn any_query()(
            event in proptest::option::of(proptest::sample::select(SPECS.to_vec())),
            dated in any::<bool>(),
            located in any::<bool>(),
            budget in proptest::option::of((1i64..5_000_000, proptest::bool::weighted(0.2))),
            hi in any::<bool>(),
            history in proptest::collection::vec(900u32..904, 0..3),
            limit in 0usize..15,
        ) -> RecQuery {
            RecQuery {
                event_type: event,
                date: dated.then(date),
                point: located.then(|| at(PUNE.0, PUNE.1)),
                budget: budget.map(|(b, usd)| money(b, if usd { "USD" } else { "INR" })),
                languages: if hi { vec!["hi".into()] } else { Vec::new() },
                history: history.into_iter().map(|p| PastPhotographer { id: id(p), display_name: format!("H{p}"), stars: None }).collect(),
                limit,
            }
        }
    }

    /// Candidates with distinct ids (the generator draws ids from a small range).
    fn distinct(cs: Vec<Candidate>) -> Vec<Candidate> {
        let mut seen = std::collections::BTreeSet::new();
        cs.into_iter().filter(|c| seen.insert(c.id)).collect()
    }

    proptest! {
        #[test]
        fn results_are_bounded_distinct_and_cover_the_point(
            q in any_query(), cs in proptest::collection::vec(any_candidate(), 0..40),
        ) {
            let cs = distinct(cs);
            let recs = recommend(&q, &cs, today());
            let twice: Vec<Candidate> = cs.iter().chain(&cs).cloned().collect();
            prop_assert_eq!(&recommend(&q, &twice, today()), &recs, "a row given twice counts once");
            prop_assert!(recs.len() <= q.limit);
            let unique: std::collections::BTreeSet<UserId> = recs.iter().map(|r| r.photographer).collect();
            prop_assert_eq!(unique.len(), recs.len(), "no photographer twice");
            let covering: std::collections::BTreeSet<UserId> = cs.iter()
                .filter(|c| q.point.is_none_or(|p| c.base.unwrap().distance_km(&p) <= f64::from(c.service_radius_km)))
                .map(|c| c.id).collect();
            prop_assert_eq!(recs.len(), q.limit.min(covering.len()), "fills the limit from whoever covers the point");
            for r in &recs {
                prop_assert!(covering.contains(&r.photographer));
                prop_assert!(r.score.is_finite());
                prop_assert_eq!(r.distance_km.is_some(), q.point.is_some());
                let c = cs.iter().find(|c| c.id == r.photographer).unwrap();
                let quote = c.quote(q.event_type);
                let within = q.budget.as_ref().is_some_and(|b| b.currency == quote.currency && quote.amount_minor <= b.amount_minor);
                prop_assert_eq!(r.reasons.iter().any(|x| x.code == ReasonCode::WithinBudget), within);
                let codes: std::collections::BTreeSet<ReasonCode> = r.reasons.iter().map(|x| x.code).collect();
                prop_assert_eq!(codes.len(), r.reasons.len(), "each kind of reason once");
            }
        }

        #[test]
        fn the_pruned_greedy_choice_is_plain_mmr(
            q in any_query(), cs in proptest::collection::vec(any_candidate(), 0..40), diversity in 0.0f64..0.6,
        ) {
            // Plain greedy MMR, as written in the literature: every candidate, every
            // round, its greatest similarity to all chosen so far.
            let p = Params { diversity, exposure_slot: false, ..Params::default() };
            let cs = distinct(cs);
            let mut scored: Vec<Scored<'_>> = cs
                .iter()
                .filter_map(|c| {
                    let (s, distance) = signals(&q, c, today(), &p)?;
                    Some(Scored { candidate: c, score: s.score(&p), distance, quote: c.quote(q.event_type), new_and_fitting: false })
                })
                .collect();
            scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.candidate.id.cmp(&b.candidate.id)));
            let mut chosen: Vec<usize> = Vec::new();
            while chosen.len() < q.limit.min(scored.len()) {
                let value = |i: usize| {
                    scored[i].score - diversity * chosen.iter().map(|&j| similarity(&scored[i], &scored[j])).fold(0.0, f64::max)
                };
                let pick = (0..scored.len())
                    .filter(|i| !chosen.contains(i))
                    .fold(None, |best: Option<usize>, i| match best {
                        Some(b) if value(b) >= value(i) => Some(b),
                        _ => Some(i),
                    })
                    .unwrap();
                chosen.push(pick);
            }
            let expected: Vec<UserId> = chosen.iter().map(|&i| scored[i].candidate.id).collect();
            prop_assert_eq!(ids(&recommend_with(&q, &cs, today(), &p)), expected);
        }

        #[test]
        fn the_input_order_does_not_matter(
            q in any_query(), cs in proptest::collection::vec(any_candidate(), 0..40), seed in any::<u64>(),
        ) {
            let cs = distinct(cs);
            let mut shuffled = cs.clone();
            // A Fisher–Yates shuffle driven by the seed (proptest shrinks the seed too).
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(recommend(&q, &cs, today()), recommend(&q, &shuffled, today()));
        }

        #[test]
        fn a_candidate_better_on_every_signal_ranks_above_its_dominated_twin(
            a in any_candidate(),
            q in any_query(),
            spec_drop in 0usize..3,
            busier in 0usize..3,
            farther_km in 0.0f64..30.0,
            dearer in 0i64..300_000,
            lang_drop in any::<bool>(),
            worse_sum in 1u64..40,
            sadder in 0.0f64..1.0,
            slower in 0u32..2000,
            fewer_co in 0u32..6,
        ) {
            // `a` is the better twin: it covers the point, and `b` differs only by
            // being worse (or equal) on each signal, and strictly worse rated.
            let a = Candidate {
                id: id(1),
                base: Some(at(PUNE.0 + 0.05, PUNE.1)),
                service_radius_km: 100,
                specializations: q.event_type.map_or(a.specializations.clone(), |e| vec![e]),
                rating: RatingTotals { sum: a.rating.sum + 40, count: a.rating.count },
                sentiment: Some(a.sentiment.unwrap_or(0.0)),
                response_minutes: Some(a.response_minutes.unwrap_or(60)),
                ..a
            };
            let other_spec = SPECS.into_iter().find(|s| Some(*s) != q.event_type).unwrap();
            let b = Candidate {
                id: id(0), // the lower id, so a tie would put `b` first
                specializations: match (q.event_type, spec_drop) {
                    (Some(e), 1) => vec![other_spec, e],
                    (Some(_), 2) => vec![other_spec],
                    _ => a.specializations.clone(),
                },
                free_on_date: match (a.free_on_date, busier) {
                    (Some(true), 1) => None,
                    (Some(true) | None, 2) => Some(false),
                    (f, _) => f,
                },
                base: Some(at(PUNE.0 + 0.05 + farther_km / KM_PER_DEG, PUNE.1)),
                hourly_rate: Money { amount_minor: a.hourly_rate.amount_minor + dearer, ..a.hourly_rate.clone() },
                languages: if lang_drop { vec!["de".into()] } else { a.languages.clone() },
                rating: RatingTotals { sum: a.rating.sum - worse_sum, count: a.rating.count },
                sentiment: a.sentiment.map(|s| (s - sadder).max(-1.0)),
                response_minutes: a.response_minutes.map(|m| m + slower),
                co_booked: a.co_booked.iter().map(|c| CoBooked { shared_clients: c.shared_clients.saturating_sub(fewer_co), ..*c }).collect(),
                ..a.clone()
            };
            let p = Params { diversity: 0.0, exposure_slot: false, ..Params::default() };
            let (sa, sb) = (score(&q, &a, today(), &p).unwrap(), score(&q, &b, today(), &p));
            prop_assert!(sb.is_none_or(|sb| sa > sb), "{sa} vs {sb:?}");
            let order = ids(&recommend_with(&RecQuery { limit: 2, ..q }, &[b, a], today(), &p));
            prop_assert_eq!(order.first(), Some(&id(1)));
        }

        #[test]
        fn a_new_photographer_who_fits_reaches_the_top_five(
            q in any_query(),
            cs in proptest::collection::vec(any_candidate(), 0..40),
            limit in EXPOSURE_SLOT_MIN_LIMIT..15,
            free in proptest::option::of(Just(true)),
        ) {
            // Established competitors, and one new photographer with no reviews who
            // covers the point, takes the event, is not booked and is within budget.
            let cs: Vec<Candidate> = cs.into_iter().map(|c| Candidate { completed_bookings: 5 + c.completed_bookings, ..c }).collect();
            let q = RecQuery { limit, ..q };
            let newcomer = Candidate {
                rating: RatingTotals::default(),
                sentiment: None,
                response_minutes: None,
                completed_bookings: 0,
                listed_since: today(),
                free_on_date: free,
                service_radius_km: 100,
                hourly_rate: q.budget.clone().map_or(money(1, "INR"), |b| Money { amount_minor: 1, ..b }),
                specializations: q.event_type.map_or(vec![Specialization::Family], |e| vec![e]),
                ..candidate(99)
            };
            let mut all = distinct(cs);
            all.push(newcomer);
            prop_assert!(ids(&recommend(&q, &all, today())).contains(&id(99)));
        }
    }
}
