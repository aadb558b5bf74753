//! The key-distribution simulation of docs/scaling.md.
//!
//! A seeded workload at the platform's modelled peak: booking lifecycles (requested,
//! paid, confirmed or declined, expired, cancelled, rescheduled, completed, reviewed),
//! the payments and settle requests they cause, the analytics and features the stream
//! consumers add, sign-ups and feedback. Every write's partition keys, on the table and
//! on each GSI it is projected into, come from `cm_store::keys` (and the shard functions
//! the store and the analytics use), so the simulation follows the code: shard a key
//! there and its load spreads here. Each write costs WCU by its item's size (the sizes
//! are the model's, in [`sizes`], with where each comes from), twice on the table inside
//! a transaction; a GSI write costs the projected item's size (every GSI projects all
//! attributes), once per index the item enters, stays in or leaves.
//!
//! The rates are scaled so that the booking items take [`Config::booking_writes_per_s`]
//! writes a second; every key's WCU a second is then compared with DynamoDB's limit of
//! 1,000 WCU a second per partition.

use chrono::{Datelike, NaiveDate};
use cm_booking::analytics::{Segment, shard_of_id};
use cm_catalog::Specialization;
use cm_catalog::search::partition_for;
use cm_core::{BookingId, UserId};
use cm_store::analytics::Dimension;
use cm_store::keys;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::fmt::Write as _;

/// DynamoDB's write limit of one partition (and so of one partition key: a key's items
/// never spread over partitions by their key alone), WCU a second.
pub const PARTITION_WCU: f64 = 1_000.0;
/// The most of [`PARTITION_WCU`] any one key may take at the modelled peak: half, so
/// a burst twice the model's peak still fits, as does DynamoDB's own imbalance.
pub const MAX_SHARE_OF_LIMIT: f64 = 0.5;

/// Item sizes in bytes, as DynamoDB counts them (names and values). Measured where the
/// repository has the item (the sample stream events in `events/`), else estimated from
/// the stored fields.
pub mod sizes {
    /// A booking with one history entry: 1,276 B measured on the confirmed booking of
    /// `events/notify-booking-change.json` (two entries) less one entry.
    pub const BOOKING_BASE: u32 = 1_150;
    /// Each history entry (at, by, actor, action, from, to, reason).
    pub const BOOKING_HISTORY_ENTRY: u32 = 130;
    /// A payment ledger: frozen schedule and terms, one to three PaymentIntents,
    /// refunds, state (estimated from `cm_payments::Ledger`).
    pub const LEDGER: u32 = 1_900;
    pub const SETTLE_REQUEST: u32 = 250;
    pub const SLOT_LOCK: u32 = 150;
    pub const DAY_ITEM: u32 = 450;
    /// The stored answer of create-booking (the booking's JSON) and its request hash.
    pub const IDEMPOTENCY: u32 = 1_600;
    pub const STRIPE_LINK: u32 = 150;
    pub const CLAIM: u32 = 200;
    /// An analytics day or top-list item: ~30 counters and revenue per currency.
    pub const ANALYTICS_DAY: u32 = 1_200;
    pub const ANALYTICS_SEGMENT: u32 = 200;
    pub const AGGREGATED: u32 = 200;
    /// 557 B new, 863 B analysed: `events/score-sentiment.json`, `events/aggregate-activity.json`.
    pub const REVIEW: u32 = 870;
    pub const PROFILE: u32 = 1_500;
    pub const LISTING: u32 = 1_400;
    /// A day of `INSIGHTS#SENTIMENT`: counts, sums and per-topic counters.
    pub const SENTIMENT_DAY: u32 = 2_000;
    pub const FEATURES: u32 = 400;
    pub const BOOKED_MONTH: u32 = 600;
    pub const USER: u32 = 800;
    pub const EMAIL: u32 = 200;
    pub const REFRESH: u32 = 300;
    pub const FEEDBACK: u32 = 700;
    pub const CLIENT_PHOTOGRAPHERS: u32 = 150;
}

/// The workload.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub photographers: u32,
    pub clients: u32,
    pub cities: u32,
    /// How many booking lifecycles are sampled (the rates are scaled from them).
    pub lifecycles: u32,
    /// Writes of booking items a second at the peak: what everything is scaled to.
    pub booking_writes_per_s: f64,
    pub signups_per_s: f64,
    pub feedback_per_s: f64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            seed: 19,
            photographers: 100_000,
            clients: 2_000_000,
            cities: 300,
            lifecycles: 60_000,
            booking_writes_per_s: 1_000.0,
            signups_per_s: 30.0,
            feedback_per_s: 2.0,
        }
    }
}

/// Where a write lands: the table or one of its GSIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Index {
    Table,
    Gsi(u8),
}

impl std::fmt::Display for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Index::Table => write!(f, "table"),
            Index::Gsi(n) => write!(f, "gsi{n}"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    pub writes: f64,
    pub wcu: f64,
}

/// What a sampled workload wrote, per partition key.
#[derive(Debug, Default)]
pub struct Tally {
    pub keys: HashMap<(Index, String), Load>,
    /// Writes of booking items on the table (what the rates are scaled by).
    booking_writes: u64,
    /// Booking lifecycles sampled.
    pub lifecycles: u64,
}

fn wcu(bytes: u32) -> f64 {
    f64::from(bytes.div_ceil(1024).max(1))
}

impl Tally {
    /// One item write; `factor` multiplies its WCU.
    fn add(&mut self, index: Index, pk: String, bytes: u32, factor: f64) {
        let load = self.keys.entry((index, pk)).or_default();
        load.writes += 1.0;
        load.wcu += wcu(bytes) * factor;
    }

    /// A write of a table item: `transactional` doubles its cost on the table.
    fn table(&mut self, pk: String, bytes: u32, transactional: bool) {
        self.add(Index::Table, pk, bytes, if transactional { 2.0 } else { 1.0 });
    }

    /// What one item write does to a GSI whose partition key was `before` and is
    /// `after`: a put, an update, a delete, or (key or sort key moved) a delete and a
    /// put. Transactions do not double index writes.
    fn gsi(&mut self, n: u8, before: Option<&str>, after: Option<&str>, moved: bool, bytes: u32) {
        match (before, after) {
            (None, None) => {}
            (Some(a), None) => self.add(Index::Gsi(n), a.to_string(), bytes, 1.0),
            (None, Some(b)) => self.add(Index::Gsi(n), b.to_string(), bytes, 1.0),
            (Some(a), Some(b)) if a == b && !moved => self.add(Index::Gsi(n), a.to_string(), bytes, 1.0),
            (Some(a), Some(b)) => {
                self.add(Index::Gsi(n), a.to_string(), bytes, 1.0);
                self.add(Index::Gsi(n), b.to_string(), bytes, 1.0);
            }
        }
    }
}

/// A photographer as the workload sees them.
#[derive(Clone)]
struct Photographer {
    id: UserId,
    city: String,
    specializations: Vec<Specialization>,
    /// The geo cells their service area is listed under.
    cells: Vec<String>,
}

struct World {
    photographers: Vec<Photographer>,
    /// Cumulative popularity (Zipf, s = 0.8): who gets booked.
    popularity: Vec<f64>,
    clients: u32,
    today: NaiveDate,
}

fn id_from(rng: &mut StdRng) -> String {
    // Deterministic ULIDs: a fixed time and seeded random bits.
    ulid::Ulid::from_parts(1_798_000_000_000, rng.r#gen::<u128>()).to_string()
}

fn user_id(rng: &mut StdRng) -> UserId {
    id_from(rng).parse().expect("a ULID")
}

fn booking_id(rng: &mut StdRng) -> BookingId {
    id_from(rng).parse().expect("a ULID")
}

fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = (1..=n)
        .map(|k| {
            acc += 1.0 / (k as f64).powf(s);
            acc
        })
        .collect();
    for v in &mut out {
        *v /= acc;
    }
    out
}

fn pick(cdf: &[f64], rng: &mut StdRng) -> usize {
    let u: f64 = rng.r#gen();
    cdf.partition_point(|&c| c < u).min(cdf.len() - 1)
}

impl World {
    fn new(c: &Config, rng: &mut StdRng) -> World {
        let city_cdf = zipf_cdf(c.cities as usize, 1.0);
        // City centres spread over the inhabited latitudes.
        let centres: Vec<(f64, f64)> =
            (0..c.cities).map(|_| (rng.gen_range(-40.0..60.0), rng.gen_range(-179.0..179.0))).collect();
        let photographers = (0..c.photographers)
            .map(|_| {
                let city = pick(&city_cdf, rng);
                let n = rng.gen_range(1..=3);
                let mut specializations: Vec<Specialization> = Vec::new();
                while specializations.len() < n {
                    let s = Specialization::ALL[rng.gen_range(0..Specialization::ALL.len())];
                    if !specializations.contains(&s) {
                        specializations.push(s);
                    }
                }
                let (lat, lon) = centres[city];
                let base = cm_geo::Point::new(lat + rng.gen_range(-0.3..0.3), lon + rng.gen_range(-0.3..0.3))
                    .expect("a point on the globe");
                let radius = rng.gen_range(10.0..150.0);
                let cells = cm_geo::cells::service_area_cells(base, radius)
                    .iter()
                    // cm_catalog::search's partition of a cell.
                    .map(|cell| format!("geo#{}", cell.key()))
                    .collect();
                Photographer { id: user_id(rng), city: format!("city {city}"), specializations, cells }
            })
            .collect();
        World {
            photographers,
            popularity: zipf_cdf(c.photographers as usize, 0.8),
            clients: c.clients,
            today: NaiveDate::from_ymd_opt(2026, 12, 5).expect("a date"),
        }
    }

    /// Every search partition a photographer is listed in (`cm_catalog::search::partitions_of`).
    fn listings(p: &Photographer) -> Vec<String> {
        let mut out = vec![partition_for(None, None), partition_for(None, Some(&p.city))];
        for &s in &p.specializations {
            out.push(partition_for(Some(s), None));
            out.push(partition_for(Some(s), Some(&p.city)));
        }
        out.extend(p.cells.iter().cloned());
        out.into_iter().map(|p| keys::listing(&p)).collect()
    }
}

/// One booking as it moves: what its items' keys are.
struct Lifecycle {
    id: BookingId,
    client: UserId,
    photographer: Photographer,
    spec: Specialization,
    history: u32,
    pending: bool,
    blocks: u32,
    paid: bool,
    /// A balance still to charge (a deposit was paid): the ledger is in gsi4.
    balance_due: bool,
}

impl Lifecycle {
    fn size(&self) -> u32 {
        sizes::BOOKING_BASE + sizes::BOOKING_HISTORY_ENTRY * self.history
    }

    fn gsi4(&self, pending: bool) -> Option<String> {
        pending.then(|| keys::pending(keys::booking_shard(self.id)))
    }

    /// A write of the booking item (in a transaction, as every booking write is), from
    /// `was_pending` to its current state; `moved` when its start (the sort keys) moved.
    fn write_booking(&mut self, t: &mut Tally, was_pending: bool, moved: bool) {
        self.history += 1;
        let size = self.size();
        t.table(keys::booking(self.id), size, true);
        t.booking_writes += 1;
        let (g1, g2) = (keys::client_bookings(self.client), keys::photographer_bookings(self.photographer.id));
        let g3 = keys::all_bookings(keys::booking_shard(self.id));
        let created = self.history == 1;
        let before = |k: &str| (!created).then(|| k.to_string());
        t.gsi(1, before(&g1).as_deref(), Some(&g1), moved, size);
        t.gsi(2, before(&g2).as_deref(), Some(&g2), moved, size);
        t.gsi(3, before(&g3).as_deref(), Some(&g3), moved, size);
        let (b4, a4) = (if created { None } else { self.gsi4(was_pending) }, self.gsi4(self.pending));
        t.gsi(4, b4.as_deref(), a4.as_deref(), moved, size);
    }

    fn slots(&self, t: &mut Tally, block0: i64) {
        for b in 0..self.blocks {
            t.table(keys::slot(self.photographer.id, block0 + i64::from(b)), sizes::SLOT_LOCK, true);
        }
    }

    fn day(&self, t: &mut Tally, today: NaiveDate) {
        t.table(keys::day(self.photographer.id, today), sizes::DAY_ITEM, true);
    }

    /// The settle request a status change leaves, and settle-payments deleting it.
    fn settle(&self, t: &mut Tally) {
        let queue = keys::settle_queue(keys::payment_shard(self.id));
        t.table(keys::settle(self.id), sizes::SETTLE_REQUEST, true);
        t.gsi(4, None, Some(&queue), false, sizes::SETTLE_REQUEST);
        t.table(keys::settle(self.id), sizes::SETTLE_REQUEST, false);
        t.gsi(4, Some(&queue), None, false, sizes::SETTLE_REQUEST);
    }

    /// One write of the ledger (compare-and-set on its version), moving it in or out
    /// of the balances due.
    fn ledger(&mut self, t: &mut Tally, first: bool, balance_due_after: bool) {
        t.table(keys::booking(self.id), sizes::LEDGER, first);
        let shard = keys::payment_shard(self.id);
        let (g1, g2, g3) = (
            keys::client_payments(self.client),
            keys::photographer_payments(self.photographer.id),
            keys::all_payments(shard),
        );
        let before = |k: &str| (!first).then(|| k.to_string());
        t.gsi(1, before(&g1).as_deref(), Some(&g1), false, sizes::LEDGER);
        t.gsi(2, before(&g2).as_deref(), Some(&g2), false, sizes::LEDGER);
        t.gsi(3, before(&g3).as_deref(), Some(&g3), false, sizes::LEDGER);
        let due = keys::balance_due(shard);
        let (b4, a4) = (self.balance_due.then_some(due.as_str()), balance_due_after.then_some(due.as_str()));
        t.gsi(4, b4, a4, false, sizes::LEDGER);
        self.balance_due = balance_due_after;
    }

    /// A Stripe event handled once: its claim, then the ledger write it causes.
    fn webhook(&mut self, t: &mut Tally, event: &str, balance_due_after: bool) {
        let claim = keys::claim(&format!("stripe-event:evt_{}_{event}", self.id));
        t.table(claim.clone(), sizes::CLAIM, false);
        t.table(claim, sizes::CLAIM, false);
        self.ledger(t, false, balance_due_after);
    }

    /// aggregate-activity adding a change to the analytics once (Z1): its marker, the
    /// four segment series, the photographer's own series, the three top lists and the
    /// segment registry, in the booking's shard.
    fn analytics(&self, t: &mut Tally, today: NaiveDate, what: &str) {
        let shard = shard_of_id(self.id);
        let year = today.year();
        t.table(keys::aggregated(&format!("analytics#{what}#{}", self.id)), sizes::AGGREGATED, true);
        let city = Some(self.photographer.city.as_str());
        let segments = [
            Segment::ALL,
            Segment::new(city, None),
            Segment::new(None, Some(self.spec)),
            Segment::new(city, Some(self.spec)),
        ];
        for segment in &segments {
            t.table(keys::analytics_series(&segment.key(), year, shard), sizes::ANALYTICS_DAY, true);
        }
        t.table(keys::analytics_photographer(&self.photographer.id.to_string(), year), sizes::ANALYTICS_DAY, true);
        for dimension in [Dimension::City, Dimension::Specialization, Dimension::Photographer] {
            t.table(keys::analytics_top(dimension.key(), year, shard), sizes::ANALYTICS_DAY, true);
        }
        t.table(keys::analytics_segments(shard), sizes::ANALYTICS_SEGMENT, true);
    }

    /// notify-booking-change: a claim per channel (email, in-app), taken and marked done.
    fn notify(&self, t: &mut Tally, seq: u32) {
        for channel in ["email", "inapp"] {
            for _ in 0..2 {
                t.table(keys::claim(&format!("notify:{}:{seq}:{channel}", self.id)), sizes::CLAIM, false);
            }
        }
    }

    fn booked_days(&self, t: &mut Tally, today: NaiveDate) {
        t.table(keys::booked_month(self.photographer.id, today), sizes::BOOKED_MONTH, false);
    }

    /// The stream's consumers of a booking change.
    fn consumers(&self, t: &mut Tally, today: NaiveDate, what: &str) {
        self.analytics(t, today, what);
        self.notify(t, self.history);
        self.booked_days(t, today);
    }
}

/// Runs the workload and tallies its writes.
pub fn simulate(c: &Config) -> Tally {
    let mut rng = StdRng::seed_from_u64(c.seed);
    let world = World::new(c, &mut rng);
    let mut t = Tally::default();
    let today = world.today;
    for _ in 0..c.lifecycles {
        lifecycle(&world, &mut rng, &mut t, today);
    }
    t.lifecycles = u64::from(c.lifecycles);
    // Sign-ups and feedback at their own rates over the same stretch of time.
    let seconds = t.booking_writes as f64 / c.booking_writes_per_s;
    for _ in 0..(c.signups_per_s * seconds).round() as u64 {
        signup(&world, &mut rng, &mut t);
    }
    for _ in 0..(c.feedback_per_s * seconds).round() as u64 {
        feedback(&mut rng, &mut t, today);
    }
    t
}

fn lifecycle(w: &World, rng: &mut StdRng, t: &mut Tally, today: NaiveDate) {
    let p = w.photographers[pick(&w.popularity, rng)].clone();
    let spec = p.specializations[rng.gen_range(0..p.specializations.len())];
    let mut b = Lifecycle {
        id: booking_id(rng),
        client: format!("{}", ulid::Ulid::from_parts(1, u128::from(rng.gen_range(0..w.clients)))).parse().expect("id"),
        photographer: p,
        spec,
        history: 0,
        pending: true,
        // 1 to 8 hours and the buffers, in 15-minute blocks.
        blocks: rng.gen_range(6..=34),
        paid: false,
        balance_due: false,
    };
    let block0: i64 = rng.gen_range(1_900_000..2_000_000);
    // create-booking: booking, day, idempotency key, slot locks in one transaction.
    b.write_booking(t, true, false);
    b.day(t, today);
    t.table(keys::idempotency(b.client, &id_from(rng)), sizes::IDEMPOTENCY, true);
    b.slots(t, block0);
    b.consumers(t, today, "requested");
    // 70 % pay while pending; 70 % of those a deposit (a balance follows), the rest in full.
    if rng.gen_bool(0.7) {
        b.paid = true;
        let deposit = rng.gen_bool(0.7);
        t.table(keys::stripe(&format!("pi_{}", b.id)), sizes::STRIPE_LINK, true);
        b.ledger(t, true, deposit);
        b.webhook(t, "authorized", deposit);
    }
    let leave: f64 = rng.r#gen();
    let was = b.pending;
    b.pending = false;
    if leave < 0.75 {
        // Confirmed: the features count the answer and the client-photographer pair.
        b.write_booking(t, was, false);
        b.settle(t);
        b.consumers(t, today, "confirmed");
        t.table(keys::counted(&format!("answer:{}", b.id)), sizes::CLAIM, true);
        t.table(keys::user(b.photographer.id), sizes::FEATURES, true);
        t.table(keys::client_photographers(b.client), sizes::CLIENT_PHOTOGRAPHERS, true);
        t.table(keys::client_photographers(b.client), sizes::CLIENT_PHOTOGRAPHERS, true);
        if b.paid {
            let due = b.balance_due;
            b.ledger(t, false, due); // capture
            b.webhook(t, "captured", due);
            b.analytics(t, today, "payments-captured");
        }
        confirmed(&mut b, rng, t, today, block0);
    } else {
        // Declined (8 %), expired (9 %) or cancelled while pending (8 %): slots and day go.
        b.write_booking(t, was, false);
        b.day(t, today);
        b.slots(t, block0);
        b.settle(t);
        b.consumers(t, today, "ended");
        if b.paid {
            b.ledger(t, false, false); // release
            b.webhook(t, "canceled", false);
        }
    }
}

fn confirmed(b: &mut Lifecycle, rng: &mut StdRng, t: &mut Tally, today: NaiveDate, block0: i64) {
    // Reminders: two offsets, both parties, by email: claims taken and marked done.
    for n in 0..8 {
        t.table(keys::claim(&format!("remind:{}:{n}", b.id)), sizes::CLAIM, false);
    }
    if rng.gen_bool(0.05) {
        // Rescheduled by the photographer: new blocks in, old out, both days.
        b.write_booking(t, false, true);
        b.day(t, today);
        b.day(t, today);
        b.slots(t, block0 + 1_000);
        b.slots(t, block0);
        b.settle(t);
        b.consumers(t, today, "moved");
        if b.balance_due {
            b.ledger(t, false, true);
        }
    }
    if b.balance_due {
        // charge-balances: the attempt, then Stripe's answer takes it out of the index.
        b.ledger(t, false, true);
        b.webhook(t, "balance", false);
        b.analytics(t, today, "payments-balance");
    }
    if rng.gen_bool(0.08) {
        b.write_booking(t, false, false);
        b.day(t, today);
        b.slots(t, block0);
        b.settle(t);
        b.consumers(t, today, "cancelled");
        if b.paid {
            b.ledger(t, false, false); // refund
            b.webhook(t, "refunded", false);
            b.analytics(t, today, "payments-refunded");
        }
        return;
    }
    // Completed: counted in the features; 40 % of clients review.
    b.write_booking(t, false, false);
    b.settle(t);
    b.consumers(t, today, "completed");
    t.table(keys::counted(&format!("completed:{}", b.id)), sizes::CLAIM, true);
    t.table(keys::user(b.photographer.id), sizes::FEATURES, true);
    if rng.gen_bool(0.4) {
        review(b, t, today);
    }
}

/// A review: written (R1), analysed with the stars added to the profile and every
/// listing (S1, P4), counted in the daily sentiment once (S3) and in the analytics.
fn review(b: &Lifecycle, t: &mut Tally, today: NaiveDate) {
    let pk = keys::booking(b.id);
    let (g2, g3) = (keys::photographer_reviews(b.photographer.id), keys::ALL_REVIEWS.to_string());
    t.table(pk.clone(), sizes::REVIEW, false);
    t.gsi(2, None, Some(&g2), false, sizes::REVIEW);
    t.gsi(3, None, Some(&g3), false, sizes::REVIEW);
    t.table(pk.clone(), sizes::REVIEW, true);
    t.gsi(2, Some(&g2), Some(&g2), false, sizes::REVIEW);
    t.gsi(3, Some(&g3), Some(&g3), false, sizes::REVIEW);
    t.table(keys::user(b.photographer.id), sizes::PROFILE, true);
    for listing in World::listings(&b.photographer) {
        t.table(listing, sizes::LISTING, true);
    }
    let analysis = format!("{pk}#{}#v1", keys::REVIEW_SK);
    t.table(keys::aggregated(&analysis), sizes::AGGREGATED, true);
    t.table(keys::insights_sentiment(keys::insights_shard(&analysis)), sizes::SENTIMENT_DAY, true);
    // The alert flag cleared, and the review counted in the analytics.
    t.table(pk, sizes::REVIEW, false);
    t.gsi(2, Some(&g2), Some(&g2), false, sizes::REVIEW);
    t.gsi(3, Some(&g3), Some(&g3), false, sizes::REVIEW);
    b.analytics(t, today, "review");
}

/// A sign-up (A1) and its first refresh family; one in ten a photographer, who then
/// saves a profile and its listings (P2).
fn signup(w: &World, rng: &mut StdRng, t: &mut Tally) {
    let id = user_id(rng);
    let photographer = rng.gen_bool(0.1);
    let role = if photographer { "photographer" } else { "client" };
    t.table(keys::user(id), sizes::USER, true);
    t.table(keys::email(&format!("{id}@example.com")), sizes::EMAIL, true);
    t.gsi(1, None, Some(&keys::role(role)), false, sizes::USER);
    t.gsi(3, None, Some(keys::ALL_USERS), false, sizes::USER);
    t.table(keys::refresh_family(&id_from(rng)), sizes::REFRESH, false);
    if photographer {
        let p = &w.photographers[rng.gen_range(0..w.photographers.len())];
        t.table(keys::user(id), sizes::PROFILE, true);
        for listing in World::listings(p) {
            t.table(listing, sizes::LISTING, true);
        }
    }
}

/// Feedback (F1), analysed (S1) and counted in the daily sentiment (S3).
fn feedback(rng: &mut StdRng, t: &mut Tally, _today: NaiveDate) {
    let id = id_from(rng);
    let pk = keys::feedback(id.parse().expect("a ULID"));
    let (g1, g3) = (keys::feedback_by_status("open"), keys::ALL_FEEDBACK.to_string());
    t.table(pk.clone(), sizes::FEEDBACK, false);
    t.gsi(1, None, Some(&g1), false, sizes::FEEDBACK);
    t.gsi(3, None, Some(&g3), false, sizes::FEEDBACK);
    t.table(pk, sizes::FEEDBACK, true);
    t.gsi(1, Some(&g1), Some(&g1), false, sizes::FEEDBACK);
    t.gsi(2, None, Some(&keys::feedback_by_score("open")), false, sizes::FEEDBACK);
    t.gsi(3, Some(&g3), Some(&g3), false, sizes::FEEDBACK);
    let analysis = format!("{}#{}#v1", keys::feedback(id.parse().expect("a ULID")), keys::FEEDBACK_SK);
    t.table(keys::aggregated(&analysis), sizes::AGGREGATED, true);
    t.table(keys::insights_sentiment(keys::insights_shard(&analysis)), sizes::SENTIMENT_DAY, true);
}

/// A key's load at the peak.
#[derive(Debug, Clone)]
pub struct KeyRate {
    pub index: Index,
    pub pk: String,
    pub writes_per_s: f64,
    pub wcu_per_s: f64,
    /// Its share of every WCU the table and its indexes take.
    pub share: f64,
}

/// A sharded key family (`BOOKINGS#<shard>`, …) added up: what one unsharded key would take.
#[derive(Debug, Clone)]
pub struct Family {
    pub index: Index,
    pub name: String,
    pub shards: usize,
    pub wcu_per_s: f64,
    pub busiest_shard_wcu_per_s: f64,
}

#[derive(Debug)]
pub struct Report {
    pub config: Config,
    pub lifecycles_per_s: f64,
    pub booking_writes_per_lifecycle: f64,
    pub total_wcu_per_s: f64,
    pub keys: Vec<KeyRate>,
    pub families: Vec<Family>,
}

/// The family of a sharded key: the key without its shard suffix, for the families the
/// store shards by id (`cm_store::keys`) and the analytics series (`cm_booking::analytics`).
fn family_of(pk: &str) -> Option<String> {
    let (head, tail) = pk.rsplit_once('#')?;
    if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sharded = ["BOOKINGS", "PENDING", "PAYMENTS", "BALANCEDUE", "SETTLE", "INSIGHTS#SENTIMENT"].contains(&head)
        || (pk.starts_with("ANALYTICS#") && !pk.starts_with("ANALYTICS#PHOTOGRAPHER#"));
    sharded.then(|| format!("{head}#*"))
}

impl Report {
    pub fn of(config: &Config, t: &Tally) -> Report {
        let scale = config.booking_writes_per_s / t.booking_writes as f64;
        let total: f64 = t.keys.values().map(|l| l.wcu).sum::<f64>() * scale;
        let mut keys: Vec<KeyRate> = t
            .keys
            .iter()
            .map(|((index, pk), l)| KeyRate {
                index: *index,
                pk: pk.clone(),
                writes_per_s: l.writes * scale,
                wcu_per_s: l.wcu * scale,
                share: l.wcu * scale / total,
            })
            .collect();
        keys.sort_by(|a, b| b.wcu_per_s.total_cmp(&a.wcu_per_s).then(a.pk.cmp(&b.pk)));
        let mut families: HashMap<(Index, String), Family> = HashMap::new();
        for k in &keys {
            let Some(name) = family_of(&k.pk) else { continue };
            let f = families.entry((k.index, name.clone())).or_insert(Family {
                index: k.index,
                name,
                shards: 0,
                wcu_per_s: 0.0,
                busiest_shard_wcu_per_s: 0.0,
            });
            f.shards += 1;
            f.wcu_per_s += k.wcu_per_s;
            f.busiest_shard_wcu_per_s = f.busiest_shard_wcu_per_s.max(k.wcu_per_s);
        }
        let mut families: Vec<Family> = families.into_values().collect();
        families.sort_by(|a, b| b.wcu_per_s.total_cmp(&a.wcu_per_s).then(a.name.cmp(&b.name)));
        Report {
            config: config.clone(),
            lifecycles_per_s: t.lifecycles as f64 * scale,
            booking_writes_per_lifecycle: t.booking_writes as f64 / t.lifecycles as f64,
            total_wcu_per_s: total,
            keys,
            families,
        }
    }

    /// The keys over [`MAX_SHARE_OF_LIMIT`] of a partition's limit.
    pub fn over_limit(&self) -> Vec<&KeyRate> {
        self.keys.iter().filter(|k| k.wcu_per_s > PARTITION_WCU * MAX_SHARE_OF_LIMIT).collect()
    }

    /// The report as Markdown, `top` keys listed.
    pub fn render(&self, top: usize) -> String {
        let c = &self.config;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "seed {}, {} photographers, {} clients, {} cities, {} lifecycles sampled; \
             {:.0} booking writes/s = {:.0} lifecycles/s ({:.2} booking writes each), \
             {:.0} sign-ups/s, {:.0} feedback/s\n",
            c.seed,
            c.photographers,
            c.clients,
            c.cities,
            c.lifecycles,
            c.booking_writes_per_s,
            self.lifecycles_per_s,
            self.booking_writes_per_lifecycle,
            c.signups_per_s,
            c.feedback_per_s,
        );
        let _ = writeln!(
            out,
            "all keys: {:.0} WCU/s (table and GSIs), {:.0} WRU per booking lifecycle\n",
            self.total_wcu_per_s,
            self.total_wcu_per_s / self.lifecycles_per_s
        );
        let _ = writeln!(out, "| index | item writes/s | WCU/s | partition keys written |");
        let _ = writeln!(out, "|---|---|---|---|");
        let mut indexes: Vec<Index> = self.keys.iter().map(|k| k.index).collect();
        indexes.sort();
        indexes.dedup();
        for index in indexes {
            let of = || self.keys.iter().filter(move |k| k.index == index);
            let _ = writeln!(
                out,
                "| {index} | {:.0} | {:.0} | {} |",
                of().map(|k| k.writes_per_s).sum::<f64>(),
                of().map(|k| k.wcu_per_s).sum::<f64>(),
                of().count()
            );
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "busiest partition keys (a sharded family by its busiest shard only):\n");
        let _ = writeln!(out, "| # | index | partition key | writes/s | WCU/s | share of all WCU | of 1,000 WCU |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        let mut families_seen = std::collections::HashSet::new();
        let busiest = self.keys.iter().filter(|k| match family_of(&k.pk) {
            Some(f) => families_seen.insert((k.index, f)),
            None => true,
        });
        for (i, k) in busiest.take(top).enumerate() {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {:.0} | {:.0} | {:.2} % | {:.0} % |",
                i + 1,
                k.index,
                k.pk,
                k.writes_per_s,
                k.wcu_per_s,
                k.share * 100.0,
                k.wcu_per_s / PARTITION_WCU * 100.0
            );
        }
        let _ = writeln!(out, "\nsharded families (the sum is what one unsharded key would take):\n");
        let _ = writeln!(out, "| index | family | shards | sum WCU/s | busiest shard WCU/s | busiest / mean |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for f in self.families.iter().filter(|f| f.wcu_per_s >= 100.0) {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {:.0} | {:.0} | {:.2} |",
                f.index,
                f.name,
                f.shards,
                f.wcu_per_s,
                f.busiest_shard_wcu_per_s,
                f.busiest_shard_wcu_per_s / (f.wcu_per_s / f.shards as f64)
            );
        }
        let over = self.over_limit();
        let _ = writeln!(
            out,
            "\nkeys over {:.0} % of a partition's 1,000 WCU/s: {}",
            MAX_SHARE_OF_LIMIT * 100.0,
            if over.is_empty() {
                "none".to_string()
            } else {
                over.iter().map(|k| format!("{} `{}`", k.index, k.pk)).collect::<Vec<_>>().join(", ")
            }
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> &'static Report {
        static REPORT: std::sync::OnceLock<Report> = std::sync::OnceLock::new();
        REPORT.get_or_init(|| {
            let c = Config::default();
            Report::of(&c, &simulate(&c))
        })
    }

    #[test]
    fn no_key_takes_more_than_half_a_partition_at_the_peak() {
        let r = report();
        let over: Vec<String> =
            r.over_limit().iter().map(|k| format!("{} {} {:.0}", k.index, k.pk, k.wcu_per_s)).collect();
        assert!(over.is_empty(), "over {} WCU/s: {over:?}", PARTITION_WCU * MAX_SHARE_OF_LIMIT);
    }

    #[test]
    fn the_sharded_families_would_saturate_one_partition_and_spread_evenly() {
        let r = report();
        let family = |index: Index, name: &str| {
            r.families.iter().find(|f| f.index == index && f.name == name).unwrap_or_else(|| panic!("{name}")).clone()
        };
        // (index, family, shards now, shards before this change)
        for (index, name, shards, before) in [
            (Index::Gsi(3), "BOOKINGS#*", keys::BOOKING_SHARDS, 1),
            (Index::Gsi(4), "PENDING#*", keys::BOOKING_SHARDS, 1),
            (Index::Gsi(3), "PAYMENTS#*", keys::PAYMENT_SHARDS, 1),
            (Index::Gsi(4), "BALANCEDUE#*", keys::PAYMENT_SHARDS, 1),
            (Index::Gsi(4), "SETTLE#*", keys::PAYMENT_SHARDS, 1),
            (Index::Table, "ANALYTICS#ALL#2026#*", cm_booking::analytics::SHARDS, 4),
            (Index::Table, "ANALYTICS#TOP#CITY#2026#*", cm_booking::analytics::SHARDS, 4),
        ] {
            let f = family(index, name);
            // As it was sharded before, each would be over a partition's limit: why it
            // is sharded (further).
            assert!(f.wcu_per_s / f64::from(before) > PARTITION_WCU, "{name}: {:.0} WCU/s", f.wcu_per_s);
            // Every shard takes writes, and none much more than its share.
            assert_eq!(f.shards, shards as usize, "{name}");
            let mean = f.wcu_per_s / f.shards as f64;
            assert!(f.busiest_shard_wcu_per_s < 1.25 * mean, "{name}: {f:?}");
        }
        // The daily sentiment is sharded for its transactions a second on one item, not
        // its WCU: spread evenly all the same.
        let f = family(Index::Table, "INSIGHTS#SENTIMENT#*");
        assert_eq!(f.shards, keys::INSIGHTS_SHARDS as usize);
        assert!(f.busiest_shard_wcu_per_s < 1.25 * f.wcu_per_s / f.shards as f64, "{f:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_report() {
        let c = Config { lifecycles: 2_000, ..Config::default() };
        assert_eq!(Report::of(&c, &simulate(&c)).render(10), Report::of(&c, &simulate(&c)).render(10));
    }

    #[test]
    fn a_rewrite_of_a_booking_lands_on_its_first_shard() {
        // The shard comes from the id alone, so conditional rewrites find their item.
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..100 {
            let id = booking_id(&mut rng);
            let again: BookingId = id.to_string().parse().unwrap();
            assert_eq!(keys::all_bookings(keys::booking_shard(id)), keys::all_bookings(keys::booking_shard(again)));
            assert_eq!(keys::payment_shard(id), keys::payment_shard(again));
        }
    }
}
