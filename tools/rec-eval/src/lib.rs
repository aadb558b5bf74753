//! Offline evaluation of `cm_catalog::recommend` on a deterministic synthetic booking
//! history (docs/recommendations.md, "Evaluation").
//!
//! The generator: five cities, each with photographers (base near the centre, service
//! radius, a primary and up to two further specializations, a price level, a latent
//! quality that drives their ratings, a latent *style* the ranker never sees, a
//! response time, a listing date, and days they are personally unavailable), and
//! clients (home near the centre, one or two event types they need, a budget level, a
//! taste for one style, a language). Clients book one to seven times over two years;
//! each booking request goes to the photographer who maximises the client's utility
//! among those listed, covering the place and free on the date: specialization fit,
//! quality, style match, price against budget, distance, language, responsiveness,
//! social proof and loyalty, plus Gumbel noise (a logit choice). Style is the hidden
//! taste that only co-booking can reveal: clients of one style keep booking that
//! style's photographers.
//!
//! The protocol: each client's last booking (of those with at least two) is held out;
//! every feature row is computed from the other bookings; the ranker is asked what the
//! client asked then (event type, date, place, budget, language, history) with the
//! calendar as it stood when the request was made; a hit is the held-out photographer
//! in the top ten.

use chrono::{Duration, NaiveDate};
use cm_catalog::recommend::{self, Candidate, CoBooked, PackagePrice, Params, PastPhotographer, RecQuery};
use cm_catalog::{RatingTotals, SentimentCounts, Specialization};
use cm_core::UserId;
use cm_core::money::{Currency, Money};
use cm_geo::Point;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub seed: u64,
    pub photographers_per_city: usize,
    pub clients: usize,
}

impl Config {
    /// The history docs/recommendations.md reports on.
    pub fn demo() -> Config {
        Config { seed: 2026, photographers_per_city: 150, clients: 5000 }
    }
}

pub struct City {
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub currency: &'static str,
    pub language: &'static str,
    /// The typical hourly rate there, in minor units.
    pub hourly_median_minor: i64,
}

pub const CITIES: [City; 5] = [
    City { name: "Pune", lat: 18.52, lon: 73.85, currency: "INR", language: "mr", hourly_median_minor: 250_000 },
    City {
        name: "Hyderabad",
        lat: 17.385,
        lon: 78.4867,
        currency: "INR",
        language: "te",
        hourly_median_minor: 220_000,
    },
    City { name: "Lisbon", lat: 38.7223, lon: -9.1393, currency: "EUR", language: "pt", hourly_median_minor: 8_000 },
    City { name: "Austin", lat: 30.2672, lon: -97.7431, currency: "USD", language: "es", hourly_median_minor: 12_000 },
    City { name: "Berlin", lat: 52.52, lon: 13.405, currency: "EUR", language: "de", hourly_median_minor: 9_000 },
];

/// How often each kind of shoot is a client's need and a photographer's primary work.
const EVENT_MIX: [(Specialization, f64); 9] = [
    (Specialization::Wedding, 0.24),
    (Specialization::Portrait, 0.20),
    (Specialization::Event, 0.14),
    (Specialization::Family, 0.12),
    (Specialization::Commercial, 0.08),
    (Specialization::Fashion, 0.06),
    (Specialization::Product, 0.06),
    (Specialization::Newborn, 0.05),
    (Specialization::RealEstate, 0.05),
];

const STYLES: usize = 6;
/// Requests are made over two years from this date; shoots are 7 to 90 days later.
pub const START: (i32, u32, u32) = (2024, 1, 1);
const DAYS: i64 = 730;
const HORIZON: usize = DAYS as usize + 91;
const KM_PER_DEG: f64 = 111.195;

pub fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(START.0, START.1, START.2).expect("a date")
}

pub struct Photographer {
    pub id: UserId,
    pub city: usize,
    pub base: Point,
    pub radius_km: u32,
    pub specializations: Vec<Specialization>,
    pub languages: Vec<String>,
    pub hourly: Money,
    pub packages: Vec<PackagePrice>,
    pub style: usize,
    pub quality: f64,
    pub response_minutes: u32,
    pub listed_since: NaiveDate,
    /// Whether they keep their calendar on the platform (else the ranker sees unknown).
    pub calendar_known: bool,
    /// Days (from [`start`]) they are unavailable for reasons of their own.
    busy: Vec<bool>,
}

impl Photographer {
    fn personally_busy(&self, date: NaiveDate) -> bool {
        let day = (date - start()).num_days();
        usize::try_from(day).ok().and_then(|d| self.busy.get(d)).copied().unwrap_or(false)
    }

    fn row(&self) -> Candidate {
        Candidate {
            id: self.id,
            display_name: format!("Photographer {}", self.id),
            specializations: self.specializations.clone(),
            languages: self.languages.clone(),
            base: Some(self.base),
            service_radius_km: self.radius_km,
            hourly_rate: self.hourly.clone(),
            packages: self.packages.clone(),
            rating: RatingTotals::default(),
            sentiment: None,
            response_minutes: None,
            completed_bookings: 0,
            listed_since: self.listed_since,
            free_on_date: None,
            clients: 0,
            co_booked: Vec::new(),
        }
    }
}

pub struct Client {
    pub city: usize,
    pub home: Point,
    pub events: Vec<Specialization>,
    pub budget_level: f64,
    pub style: usize,
    /// How much style matters to them, 0..1.
    pub taste: f64,
    pub language: String,
}

#[derive(Debug, Clone)]
pub struct Booking {
    /// The order requests were made in.
    pub seq: usize,
    pub client: usize,
    pub photographer: usize,
    pub event: Specialization,
    pub created: NaiveDate,
    pub date: NaiveDate,
    pub at: Point,
    pub stars: Option<u8>,
    /// The review's sentiment label: 1, 0 or −1.
    pub sentiment: Option<i8>,
}

pub struct History {
    pub photographers: Vec<Photographer>,
    pub clients: Vec<Client>,
    pub bookings: Vec<Booking>,
}

/// Deterministic ids that sort by their number.
pub fn user_id(n: usize) -> UserId {
    format!("01HZ{n:022}").parse().expect("a ULID")
}

fn money(amount_minor: i64, currency: &str) -> Money {
    Money { amount_minor, currency: Currency::try_from(currency.to_string()).expect("a currency") }
}

fn normal(rng: &mut StdRng) -> f64 {
    // Box–Muller; 1 − u keeps the logarithm finite.
    let u: f64 = 1.0 - rng.r#gen::<f64>();
    let v: f64 = rng.r#gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn gumbel(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.gen_range(1e-12..1.0);
    -(-u.ln()).ln()
}

fn pick_event(rng: &mut StdRng) -> Specialization {
    let total: f64 = EVENT_MIX.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0.0..total);
    for (s, w) in EVENT_MIX {
        if x < w {
            return s;
        }
        x -= w;
    }
    EVENT_MIX[0].0
}

/// A point uniformly spread within `max_km` of `centre`.
fn near(rng: &mut StdRng, centre: Point, max_km: f64) -> Point {
    let r = max_km * rng.r#gen::<f64>().sqrt();
    let theta = rng.gen_range(0.0..std::f64::consts::TAU);
    let dlat = r * theta.cos() / KM_PER_DEG;
    let dlon = r * theta.sin() / (KM_PER_DEG * centre.lat().to_radians().cos());
    Point::new(centre.lat() + dlat, centre.lon() + dlon).expect("near a city")
}

fn centre(city: &City) -> Point {
    Point::new(city.lat, city.lon).expect("a city")
}

/// What a client of this city is prepared to pay for the event: their budget level
/// times the city's typical quote (the typical hours at the typical rate).
pub fn budget(client: &Client, event: Specialization) -> Money {
    let city = &CITIES[client.city];
    let hours = i64::from(recommend::typical_minutes(Some(event)).div_ceil(60));
    let amount = (client.budget_level * 1.1 * (city.hourly_median_minor * hours) as f64).round() as i64;
    money(amount.max(1), city.currency)
}

struct Request {
    client: usize,
    created: NaiveDate,
    date: NaiveDate,
    event: Specialization,
    at: Point,
}

pub fn generate(cfg: Config) -> History {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut photographers = Vec::new();
    for (c, city) in CITIES.iter().enumerate() {
        for _ in 0..cfg.photographers_per_city {
            let n = photographers.len();
            let primary = pick_event(&mut rng);
            let mut specializations = vec![primary];
            for _ in 0..rng.gen_range(0..=2) {
                let s = pick_event(&mut rng);
                if !specializations.contains(&s) {
                    specializations.push(s);
                }
            }
            let quality = normal(&mut rng);
            let mult = (0.35 * normal(&mut rng) + 0.15 * quality).exp();
            let hourly = ((city.hourly_median_minor as f64 * mult / 100.0).round() as i64).max(1) * 100;
            let packages = if rng.gen_bool(0.5) {
                vec![PackagePrice { duration_minutes: 480, price: money(hourly * 13 / 2, city.currency) }]
            } else {
                Vec::new()
            };
            let mut languages = vec![city.language.to_string()];
            if rng.gen_bool(0.6) {
                languages.push("en".to_string());
            }
            let response = (180f64.ln() + 0.9 * normal(&mut rng) - 0.3 * quality).exp().clamp(5.0, 5000.0) as u32;
            let listed_since = if rng.gen_bool(0.2) {
                start() + Duration::days(rng.gen_range(0..DAYS))
            } else {
                start() - Duration::days(rng.gen_range(30..1000))
            };
            let busy_rate = rng.gen_range(0.05..0.35);
            photographers.push(Photographer {
                id: user_id(n),
                city: c,
                base: near(&mut rng, centre(city), 15.0),
                radius_km: rng.gen_range(10..=60),
                specializations,
                languages,
                hourly: money(hourly, city.currency),
                packages,
                style: rng.gen_range(0..STYLES),
                quality,
                response_minutes: response,
                listed_since,
                calendar_known: rng.gen_bool(0.85),
                busy: (0..HORIZON).map(|_| rng.gen_bool(busy_rate)).collect(),
            });
        }
    }

    let mut clients = Vec::new();
    let mut requests = Vec::new();
    for i in 0..cfg.clients {
        let city = rng.gen_range(0..CITIES.len());
        let mut events = vec![pick_event(&mut rng)];
        if rng.gen_bool(0.4) {
            let s = pick_event(&mut rng);
            if s != events[0] {
                events.push(s);
            }
        }
        let client = Client {
            city,
            home: near(&mut rng, centre(&CITIES[city]), 12.0),
            events,
            budget_level: (0.4 * normal(&mut rng)).exp(),
            style: rng.gen_range(0..STYLES),
            taste: rng.r#gen(),
            language: if rng.gen_bool(0.75) { CITIES[city].language.to_string() } else { "en".to_string() },
        };
        let mut count = 1;
        while count < 7 && rng.gen_bool(0.6) {
            count += 1;
        }
        let mut created: Vec<i64> = (0..count).map(|_| rng.gen_range(0..DAYS)).collect();
        created.sort_unstable();
        for day in created {
            let event = if rng.gen_bool(0.75) {
                client.events[0]
            } else if let Some(&second) = client.events.get(1) {
                second
            } else {
                pick_event(&mut rng)
            };
            let created = start() + Duration::days(day);
            requests.push(Request {
                client: i,
                created,
                date: created + Duration::days(rng.gen_range(7..=90)),
                event,
                at: near(&mut rng, client.home, 5.0),
            });
        }
        clients.push(client);
    }
    // Requests are answered in the order they were made (a stable sort keeps each
    // client's own order for a shared day).
    requests.sort_by_key(|r| r.created);

    let mut booked: BTreeSet<(usize, NaiveDate)> = BTreeSet::new();
    let mut so_far = vec![0u32; photographers.len()];
    let mut past: Vec<Vec<(usize, Option<u8>)>> = vec![Vec::new(); clients.len()];
    let mut bookings = Vec::new();
    for r in requests {
        let client = &clients[r.client];
        let budget = budget(client, r.event);
        let mut best: Option<(usize, f64)> = None;
        for (p, ph) in photographers.iter().enumerate() {
            if ph.city != client.city
                || ph.listed_since > r.created
                || ph.base.distance_km(&r.at) > f64::from(ph.radius_km)
                || ph.personally_busy(r.date)
                || booked.contains(&(p, r.date))
            {
                continue;
            }
            let spec = if ph.specializations[0] == r.event {
                1.0
            } else if ph.specializations.contains(&r.event) {
                0.5
            } else {
                -3.0
            };
            let quote = ph.row().quote(Some(r.event));
            let over = (quote.amount_minor as f64 / budget.amount_minor as f64 - 1.0).max(0.0);
            let style = if ph.style == client.style { 2.5 * client.taste } else { 0.0 };
            let lang = if ph.languages.contains(&client.language) { 0.4 } else { 0.0 };
            let loyalty = past[r.client]
                .iter()
                .filter(|(q, _)| *q == p)
                .map(|(_, stars)| match stars {
                    Some(s) if *s <= 2 => -2.0,
                    _ => 1.0,
                })
                .fold(0.0, f64::max);
            let u = 2.0 * spec + ph.quality + style - 2.5 * over - ph.base.distance_km(&r.at) / 15.0 + lang
                - 0.25 * (f64::from(ph.response_minutes) / 180.0).ln()
                + 0.2 * f64::from(so_far[p]).ln_1p()
                + loyalty
                + gumbel(&mut rng);
            if best.is_none_or(|(_, b)| u > b) {
                best = Some((p, u));
            }
        }
        let Some((p, _)) = best else { continue };
        let reviewed = rng.gen_bool(0.7);
        let stars = (4.1 + 0.7 * photographers[p].quality + 0.6 * normal(&mut rng)).round().clamp(1.0, 5.0) as u8;
        let label = if rng.gen_bool(0.1) {
            rng.gen_range(-1..=1)
        } else {
            match stars {
                4..=5 => 1,
                3 => 0,
                _ => -1,
            }
        };
        booked.insert((p, r.date));
        so_far[p] += 1;
        past[r.client].push((p, reviewed.then_some(stars)));
        bookings.push(Booking {
            seq: bookings.len(),
            client: r.client,
            photographer: p,
            event: r.event,
            created: r.created,
            date: r.date,
            at: r.at,
            stars: reviewed.then_some(stars),
            sentiment: reviewed.then_some(label),
        });
    }
    History { photographers, clients, bookings }
}

/// The feature rows as the precomputing jobs would keep them from `train`.
fn rows(h: &History, train: &[&Booking]) -> Vec<Candidate> {
    let mut rows: Vec<Candidate> = h.photographers.iter().map(Photographer::row).collect();
    let mut sentiment = vec![SentimentCounts::default(); rows.len()];
    let mut by_client: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for b in train {
        let row = &mut rows[b.photographer];
        row.completed_bookings += 1;
        row.response_minutes = Some(h.photographers[b.photographer].response_minutes);
        if let Some(s) = b.stars {
            row.rating.sum += u64::from(s);
            row.rating.count += 1;
        }
        let counts = &mut sentiment[b.photographer];
        match b.sentiment {
            Some(1) => counts.positive += 1,
            Some(0) => counts.neutral += 1,
            Some(_) => counts.negative += 1,
            None => {}
        }
        by_client.entry(b.client).or_default().insert(b.photographer);
    }
    let mut pairs: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for booked in by_client.values() {
        for &a in booked {
            for &b in booked {
                if a != b {
                    *pairs.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    let mut clients = vec![0u32; rows.len()];
    for booked in by_client.values() {
        for &p in booked {
            clients[p] += 1;
        }
    }
    let mut co: Vec<Vec<CoBooked>> = vec![Vec::new(); rows.len()];
    for ((a, b), shared) in pairs {
        co[a].push(CoBooked { photographer: h.photographers[b].id, shared_clients: shared, their_clients: clients[b] });
    }
    for (p, row) in rows.iter_mut().enumerate() {
        row.sentiment = recommend::mean_sentiment(sentiment[p]);
        row.clients = clients[p];
        let mut list = std::mem::take(&mut co[p]);
        list.sort_by(|x, y| {
            y.similarity(clients[p]).total_cmp(&x.similarity(clients[p])).then(x.photographer.cmp(&y.photographer))
        });
        list.truncate(10);
        row.co_booked = list;
    }
    rows
}

/// A ranking method: the ids it would show, best first.
pub enum Method {
    Hybrid(&'static str, Params),
    /// The hybrid on rows without their co-booking lists (rebooking kept).
    HybridWithoutCoBooked(&'static str, Params),
    /// The most booked photographers whose area covers the point.
    Popular,
    /// The same, among those who list the event type.
    PopularForEvent,
}

impl Method {
    pub fn name(&self) -> &'static str {
        match self {
            Method::Hybrid(name, _) | Method::HybridWithoutCoBooked(name, _) => name,
            Method::Popular => "popularity: most booked in the area",
            Method::PopularForEvent => "popularity: most booked in the area for the event type",
        }
    }

    /// The hybrid, its ablations, and the baselines.
    pub fn all() -> Vec<Method> {
        let d = Params::default();
        vec![
            Method::Hybrid("hybrid", d),
            Method::HybridWithoutCoBooked("hybrid without co-booking (rebooking kept)", d),
            Method::Hybrid(
                "hybrid without the collaborative signal (co-booking, rebooking)",
                Params { collaborative: 0.0, ..d },
            ),
            Method::Hybrid("hybrid without availability", Params { availability: 0.0, ..d }),
            Method::Hybrid("hybrid without diversity", Params { diversity: 0.0, ..d }),
            Method::Hybrid(
                "hybrid without new-photographer exposure",
                Params { new_photographer: 0.0, exposure_slot: false, ..d },
            ),
            Method::Popular,
            Method::PopularForEvent,
        ]
    }

    fn rank(&self, q: &RecQuery, candidates: &[Candidate], today: NaiveDate) -> Vec<UserId> {
        match self {
            Method::Hybrid(_, params) => {
                recommend::recommend_with(q, candidates, today, params).into_iter().map(|r| r.photographer).collect()
            }
            Method::HybridWithoutCoBooked(_, params) => {
                let rows: Vec<Candidate> =
                    candidates.iter().map(|c| Candidate { co_booked: Vec::new(), ..c.clone() }).collect();
                recommend::recommend_with(q, &rows, today, params).into_iter().map(|r| r.photographer).collect()
            }
            Method::Popular | Method::PopularForEvent => {
                let point = q.point.expect("every held-out booking has a place");
                let mut found: Vec<&Candidate> = candidates
                    .iter()
                    .filter(|c| c.base.is_some_and(|b| b.distance_km(&point) <= f64::from(c.service_radius_km)))
                    .filter(|c| {
                        matches!(self, Method::Popular) || q.event_type.is_none_or(|e| c.specializations.contains(&e))
                    })
                    .collect();
                found.sort_by(|a, b| b.completed_bookings.cmp(&a.completed_bookings).then(a.id.cmp(&b.id)));
                found.into_iter().take(q.limit).map(|c| c.id).collect()
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub method: &'static str,
    pub hit_rate: f64,
    pub ndcg: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub bookings: usize,
    pub queries: usize,
    /// Mean number of photographers whose area covers a query's point.
    pub mean_in_area: f64,
    pub scores: Vec<Score>,
}

pub const K: usize = 10;

/// Hold out each client's last booking and score every method on them.
pub fn evaluate(h: &History, methods: &[Method]) -> Report {
    let mut last: BTreeMap<usize, usize> = BTreeMap::new();
    let mut count: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, b) in h.bookings.iter().enumerate() {
        last.insert(b.client, i);
        *count.entry(b.client).or_default() += 1;
    }
    let held: BTreeSet<usize> = last.iter().filter(|(c, _)| count[c] >= 2).map(|(_, &i)| i).collect();
    let train: Vec<&Booking> =
        h.bookings.iter().enumerate().filter(|(i, _)| !held.contains(i)).map(|(_, b)| b).collect();
    let base_rows = rows(h, &train);
    // When each photographer's day was first taken, by request order.
    let mut taken: BTreeMap<(usize, NaiveDate), usize> = BTreeMap::new();
    for b in &h.bookings {
        taken.entry((b.photographer, b.date)).or_insert(b.seq);
    }

    let mut hits = vec![0.0; methods.len()];
    let mut gains = vec![0.0; methods.len()];
    let mut in_area = 0usize;
    for &i in &held {
        let b = &h.bookings[i];
        let client = &h.clients[b.client];
        let mut history: Vec<PastPhotographer> = Vec::new();
        for t in train.iter().rev().filter(|t| t.client == b.client) {
            let id = h.photographers[t.photographer].id;
            if !history.iter().any(|p| p.id == id) {
                history.push(PastPhotographer { id, display_name: format!("Photographer {id}"), stars: t.stars });
            }
        }
        let q = RecQuery {
            event_type: Some(b.event),
            date: Some(b.date),
            point: Some(b.at),
            budget: Some(budget(client, b.event)),
            languages: vec![client.language.clone()],
            history,
            limit: K,
        };
        let candidates: Vec<Candidate> = h
            .photographers
            .iter()
            .enumerate()
            .filter(|(_, p)| p.listed_since <= b.created)
            .map(|(p, ph)| {
                let busy = ph.personally_busy(b.date) || taken.get(&(p, b.date)).is_some_and(|&seq| seq < b.seq);
                Candidate { free_on_date: ph.calendar_known.then_some(!busy), ..base_rows[p].clone() }
            })
            .collect();
        in_area += candidates
            .iter()
            .filter(|c| c.base.is_some_and(|p| p.distance_km(&b.at) <= f64::from(c.service_radius_km)))
            .count();
        let target = h.photographers[b.photographer].id;
        for (m, method) in methods.iter().enumerate() {
            let ranked = method.rank(&q, &candidates, b.created);
            if let Some(rank) = ranked.iter().take(K).position(|id| *id == target) {
                hits[m] += 1.0;
                gains[m] += 1.0 / ((rank + 2) as f64).log2();
            }
        }
    }
    let n = held.len().max(1) as f64;
    Report {
        bookings: h.bookings.len(),
        queries: held.len(),
        mean_in_area: in_area as f64 / n,
        scores: methods
            .iter()
            .enumerate()
            .map(|(m, method)| Score { method: method.name(), hit_rate: hits[m] / n, ndcg: gains[m] / n })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hybrid_beats_popularity_on_held_out_bookings() {
        let h = generate(Config { seed: 7, photographers_per_city: 30, clients: 800 });
        let report =
            evaluate(&h, &[Method::Hybrid("hybrid", Params::default()), Method::Popular, Method::PopularForEvent]);
        assert!(report.queries > 300, "{report:?}");
        let [hybrid, popular, for_event] = &report.scores[..] else { unreachable!() };
        for baseline in [popular, for_event] {
            assert!(hybrid.hit_rate > baseline.hit_rate, "{report:?}");
            assert!(hybrid.ndcg > baseline.ndcg, "{report:?}");
        }
    }

    #[test]
    fn the_history_is_the_same_for_the_same_seed() {
        let cfg = Config { seed: 11, photographers_per_city: 8, clients: 60 };
        let (a, b) = (generate(cfg), generate(cfg));
        let key = |h: &History| h.bookings.iter().map(|b| (b.client, b.photographer, b.date)).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&b));
        assert!(!a.bookings.is_empty());
        assert_ne!(key(&a), key(&generate(Config { seed: 12, ..cfg })));
    }

    #[test]
    fn every_booking_respects_the_area_the_listing_and_the_calendar() {
        let h = generate(Config { seed: 3, photographers_per_city: 10, clients: 200 });
        let mut days = BTreeSet::new();
        for b in &h.bookings {
            let p = &h.photographers[b.photographer];
            assert!(p.base.distance_km(&b.at) <= f64::from(p.radius_km));
            assert!(p.listed_since <= b.created && b.created < b.date);
            assert!(!p.personally_busy(b.date));
            assert!(days.insert((b.photographer, b.date)), "one booking a day");
        }
    }
}
