//! The single-table key design, in one place. Every item has `pk`/`sk`; four
//! overloaded GSIs (`gsi1`..`gsi4`, each keyed `gsiNpk`/`gsiNsk`) serve the secondary
//! access patterns. docs/data-model.md lists each pattern and its key.

use chrono::{DateTime, NaiveDate, Utc};
use cm_core::{BookingId, FeedbackId, UserId};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI2: &str = "gsi2";
pub const GSI3: &str = "gsi3";
/// Sparse: only items waiting for something (pending bookings by expiry).
pub const GSI4: &str = "gsi4";

/// The key attribute names of an index.
pub fn index_keys(index: &str) -> (String, String) {
    (format!("{index}pk"), format!("{index}sk"))
}

/// Instants in sort keys: fixed width, so string order is time order.
pub fn instant(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Instants with microseconds, for listings where many items share a second.
pub fn instant_micros(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The shard of an id among `shards`: FNV-1a over its text (std's hasher is seeded
/// per process, and a shard must be the same in every process and every release). Ids
/// are ULIDs, whose random part spreads them evenly.
pub fn shard_of(id: &str, shards: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in id.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h % shards.max(1)
}

// Accounts
pub fn user(id: impl std::fmt::Display) -> String {
    format!("USER#{id}")
}
pub const USER_SK: &str = "USER";
pub const PHOTOGRAPHER_SK: &str = "PHOTOGRAPHER";
pub const AVAILABILITY_SK: &str = "AVAILABILITY";
pub fn email(normalized: &str) -> String {
    format!("EMAIL#{normalized}")
}
pub const EMAIL_SK: &str = "EMAIL";
pub fn role(role: &str) -> String {
    format!("ROLE#{role}")
}
pub const ALL_USERS: &str = "USERS";
pub fn login(key: &str) -> String {
    format!("LOGIN#{key}")
}
pub const LOGIN_SK: &str = "LOGIN";
pub fn refresh_family(family: &str) -> String {
    format!("REFRESH#{family}")
}
pub const REFRESH_SK: &str = "FAMILY";

// Catalog
pub fn listing(partition: &str) -> String {
    format!("LISTING#{partition}")
}

// Bookings
pub fn booking(id: BookingId) -> String {
    format!("BOOKING#{id}")
}
pub const BOOKING_SK: &str = "BOOKING";
pub fn client_bookings(id: UserId) -> String {
    format!("CLIENT#{id}")
}
pub fn photographer_bookings(id: UserId) -> String {
    format!("PHOTOGRAPHER#{id}")
}
/// How many partitions every booking's writes to gsi3 (all bookings by start) and gsi4
/// (pending bookings by expiry) are spread over. docs/scaling.md: at 1,000 booking
/// writes a second one unsharded gsi3 partition takes ~2,000 WCU/s (every write of a
/// ~1.5 KB booking item is re-projected in full), twice a partition's 1,000, and gsi4
/// ~1,400 (a put on entering pending, a delete on leaving it); over 8 shards each takes
/// at most ~26 % of the limit (the key-distribution simulation, `tools/key-sim`), with
/// room for a peak twice the model's. Readers query all 8 at once and merge, so each
/// more shard costs every admin page and reminder run one more Query: 8, not 64.
pub const BOOKING_SHARDS: u32 = 8;
/// Every booking by start, one of [`BOOKING_SHARDS`] partitions (gsi3).
pub fn all_bookings(shard: u32) -> String {
    format!("BOOKINGS#{shard}")
}
/// Pending bookings by expiry, one of [`BOOKING_SHARDS`] partitions (gsi4, sparse).
pub fn pending(shard: u32) -> String {
    format!("PENDING#{shard}")
}
/// The partitions every booking is read from: the shards, and the one key written
/// before sharding ([`UNSHARDED_ALL_BOOKINGS`]).
pub fn all_bookings_partitions() -> Vec<String> {
    (0..BOOKING_SHARDS).map(all_bookings).chain([UNSHARDED_ALL_BOOKINGS.to_string()]).collect()
}
/// The partitions pending bookings are read from, as [`all_bookings_partitions`].
pub fn pending_partitions() -> Vec<String> {
    (0..BOOKING_SHARDS).map(pending).chain([UNSHARDED_PENDING.to_string()]).collect()
}
/// The unsharded keys of before. Nothing writes them any more; readers still read each
/// as one more shard, so an item written before is still listed, expired, settled or
/// charged, and it moves to its shard the next time it is written. Once a table has
/// none left (a Query of each says so), the readers can stop reading them.
pub const UNSHARDED_ALL_BOOKINGS: &str = "BOOKINGS";
pub const UNSHARDED_PENDING: &str = "PENDING";
pub const UNSHARDED_ALL_PAYMENTS: &str = "PAYMENTS";
pub const UNSHARDED_BALANCE_DUE: &str = "BALANCEDUE";
pub const UNSHARDED_SETTLE_QUEUE: &str = "SETTLE";
pub const UNSHARDED_INSIGHTS_SENTIMENT: &str = "INSIGHTS#SENTIMENT";
/// A booking's shard: from its id alone, so every rewrite of the booking (a status
/// change, a reschedule) lands in the partition its earlier versions are in.
pub fn booking_shard(id: BookingId) -> u32 {
    shard_of(&id.to_string(), BOOKING_SHARDS)
}
pub fn slot(photographer: UserId, block: i64) -> String {
    format!("SLOT#{photographer}#{block}")
}
pub const SLOT_SK: &str = "SLOT";
pub fn day(photographer: UserId, date: NaiveDate) -> String {
    format!("DAY#{photographer}#{date}")
}
pub const DAY_SK: &str = "DAY";
pub fn idempotency(owner: UserId, key: &str) -> String {
    format!("IDEMPOTENCY#{owner}#{key}")
}
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";

// Reviews and feedback
/// A review lives beside its booking: one per booking is a key constraint.
pub const REVIEW_SK: &str = "REVIEW";
pub fn photographer_reviews(id: UserId) -> String {
    format!("REVIEWS#{id}")
}
pub const ALL_REVIEWS: &str = "REVIEWS";
pub fn feedback(id: FeedbackId) -> String {
    format!("FEEDBACK#{id}")
}
pub const FEEDBACK_SK: &str = "FEEDBACK";
pub fn feedback_by_status(status: &str) -> String {
    format!("FEEDBACK#{status}")
}
pub fn feedback_by_score(status: &str) -> String {
    format!("FEEDBACKSCORE#{status}")
}
pub const ALL_FEEDBACK: &str = "FEEDBACK";
/// How many partitions the daily sentiment counters are spread over. Each review and
/// feedback analysis adds to its day's item in a transaction (4 WCU for a ~2 KB item):
/// ~100 a second at docs/scaling.md's peak is ~400 WCU/s, and as many transactions a
/// second on one item, which conflict with each other (TransactionConflict) long before
/// the WCU limit. 4 shards give each ~100 WCU/s and ~25 transactions a second; the
/// admin's insights read 4 ranges at once and add them up by day.
pub const INSIGHTS_SHARDS: u32 = 4;
/// The daily sentiment counters, one of [`INSIGHTS_SHARDS`] partitions.
pub fn insights_sentiment(shard: u32) -> String {
    format!("INSIGHTS#SENTIMENT#{shard}")
}
/// The partitions the daily sentiment is read from (see [`UNSHARDED_ALL_BOOKINGS`]).
pub fn insights_sentiment_partitions() -> Vec<String> {
    (0..INSIGHTS_SHARDS).map(insights_sentiment).chain([UNSHARDED_INSIGHTS_SENTIMENT.to_string()]).collect()
}
/// The shard an analysis adds to, from its name (`cm_store::insights`): a redelivery of
/// the same analysis goes to the same item, where its marker's transaction refuses it.
pub fn insights_shard(analysis: &str) -> u32 {
    shard_of(analysis, INSIGHTS_SHARDS)
}
pub fn insights_day(date: NaiveDate) -> String {
    format!("DAY#{date}")
}

/// Marks one analysis as counted in the daily aggregates.
pub fn aggregated(analysis: &str) -> String {
    format!("AGGREGATED#{analysis}")
}
pub const AGGREGATED_SK: &str = "AGGREGATED";

// Claims
pub fn claim(key: &str) -> String {
    format!("CLAIM#{key}")
}
pub const CLAIM_SK: &str = "CLAIM";

// Media
pub fn portfolio(photographer: UserId) -> String {
    format!("PORTFOLIO#{photographer}")
}
pub fn portfolio_item(item: impl std::fmt::Display) -> String {
    format!("ITEM#{item}")
}
/// The portfolio's head: the version new items move on (quota checks).
pub const PORTFOLIO_HEAD: &str = "HEAD";
pub fn gallery(booking: BookingId) -> String {
    format!("GALLERY#{booking}")
}
/// The gallery's settings and quota counters.
pub const GALLERY_HEAD: &str = "HEAD";
pub const GALLERY_PHOTO_PREFIX: &str = "PHOTO#";
pub fn gallery_photo(photo: impl std::fmt::Display) -> String {
    format!("{GALLERY_PHOTO_PREFIX}{photo}")
}

// Payments
/// A booking's payment ledger, beside the booking.
pub const PAYMENTS_SK: &str = "PAYMENTS";
pub fn client_payments(id: UserId) -> String {
    format!("PAYCLIENT#{id}")
}
pub fn photographer_payments(id: UserId) -> String {
    format!("PAYPHOTOGRAPHER#{id}")
}
/// How many partitions every ledger's writes to gsi3 (all ledgers by creation) and
/// gsi4 (balances due) and every settle request's (gsi4) are spread over. A booking's
/// money rewrites its ledger ~3.6 times (opened, authorised, captured, balance charged,
/// released or refunded: each a write of a ~2 KB item re-projected in full), so at 1,000
/// booking writes a second the one `PAYMENTS` partition would take ~2,600 WCU/s,
/// `BALANCEDUE` ~1,850 and `SETTLE` ~1,300 (a put per status change, a delete when
/// settled): docs/scaling.md. 16 keep the busiest shard under a fifth of a partition's
/// 1,000 WCU; readers (the admin's history, the minute's settle run, the daily balance
/// run) query all 16 at once and merge.
pub const PAYMENT_SHARDS: u32 = 16;
/// A booking's payment shard, from its id: its ledger and its settle requests stay in
/// one partition of each index however often they are rewritten.
pub fn payment_shard(booking: BookingId) -> u32 {
    shard_of(&booking.to_string(), PAYMENT_SHARDS)
}
/// The partitions of every ledger, settle request and balance due: the shards, and the
/// key written before sharding (see [`UNSHARDED_ALL_BOOKINGS`]).
pub fn all_payments_partitions() -> Vec<String> {
    (0..PAYMENT_SHARDS).map(all_payments).chain([UNSHARDED_ALL_PAYMENTS.to_string()]).collect()
}
pub fn settle_queue_partitions() -> Vec<String> {
    (0..PAYMENT_SHARDS).map(settle_queue).chain([UNSHARDED_SETTLE_QUEUE.to_string()]).collect()
}
pub fn balance_due_partitions() -> Vec<String> {
    (0..PAYMENT_SHARDS).map(balance_due).chain([UNSHARDED_BALANCE_DUE.to_string()]).collect()
}
/// Every ledger by creation, one of [`PAYMENT_SHARDS`] partitions (gsi3).
pub fn all_payments(shard: u32) -> String {
    format!("PAYMENTS#{shard}")
}
/// Ledgers with a balance still to charge, by due date (gsi4, sparse), one of
/// [`PAYMENT_SHARDS`] partitions.
pub fn balance_due(shard: u32) -> String {
    format!("BALANCEDUE#{shard}")
}
/// A Stripe object (PaymentIntent, connected account) back to its owner here.
pub fn stripe(id: &str) -> String {
    format!("STRIPE#{id}")
}
pub const STRIPE_SK: &str = "STRIPE";
pub const PAYOUT_SK: &str = "PAYOUT";
pub const STRIPE_CUSTOMER_SK: &str = "STRIPE_CUSTOMER";
pub fn settle(booking: BookingId) -> String {
    format!("SETTLE#{booking}")
}
pub const SETTLE_SK: &str = "SETTLE";
/// Bookings whose payments need settling (gsi4, sparse), oldest request first, one of
/// [`PAYMENT_SHARDS`] partitions.
pub fn settle_queue(shard: u32) -> String {
    format!("SETTLE#{shard}")
}

// Recommendation features (docs/recommendations.md, "Features")
/// A photographer's behavioural features, beside their profile.
pub const FEATURES_SK: &str = "FEATURES";
/// A photographer's booked days of one month: one attribute per holding booking.
pub fn booked_month(photographer: UserId, date: NaiveDate) -> String {
    format!("BOOKED#{photographer}#{}", date.format("%Y-%m"))
}
pub const BOOKED_SK: &str = "BOOKED";
/// The photographers one client has confirmed bookings with, one item each, and a
/// head item (`CLIENT_PHOTOGRAPHERS_HEAD`) whose version orders concurrent additions.
pub fn client_photographers(client: UserId) -> String {
    format!("CLIENTPHOTOGRAPHERS#{client}")
}
/// Sorts before every id.
pub const CLIENT_PHOTOGRAPHERS_HEAD: &str = "#HEAD";
/// A photographer's co-booking counters: one item per other photographer.
pub fn co_booking(photographer: UserId) -> String {
    format!("COBOOK#{photographer}")
}
/// Marks one booking event as counted in the features.
pub fn counted(event: &str) -> String {
    format!("COUNTED#{event}")
}
pub const COUNTED_SK: &str = "COUNTED";
/// A scheduled job's own state (where its pass stopped).
pub fn job(name: &str) -> String {
    format!("JOB#{name}")
}
pub const JOB_CURSOR_SK: &str = "CURSOR";

// Calendar feeds
/// A user's calendar subscription: the hash of its current token.
pub const CALENDAR_FEED_SK: &str = "CALFEED";

/// Under `USER#<id>`: the phone verification code sent and not yet used.
pub const PHONE_VERIFICATION_SK: &str = "PHONEVERIFY";
/// A feed token's hash back to its owner.
pub fn calendar_feed(token_hash: &str) -> String {
    format!("CALFEED#{token_hash}")
}

// Busy time in (calendar_sources): a photographer's external calendars and the busy time
// read from each, in the photographer's partition; the head holds the hashes of the
// addresses added (the cap and the duplicate check, race-proof).
pub fn calendar_source_sk(id: &str) -> String {
    format!("CALSRC#{id}")
}
pub const CALENDAR_SOURCE_PREFIX: &str = "CALSRC#";
pub fn calendar_busy_sk(id: &str) -> String {
    format!("BUSY#{id}")
}
pub const CALENDAR_BUSY_PREFIX: &str = "BUSY#";
pub const CALENDAR_SOURCES_HEAD_SK: &str = "CALSRCS";
/// gsi4 partition of calendars by when they are next due for a sync.
pub const CALENDAR_SYNC_QUEUE: &str = "CALSYNC";

// Booking analytics (cm_booking::analytics): a series per segment, sharded by booking
// and split by year so a date range is a few Queries; the top lists by month.
pub fn analytics_series(segment: &str, year: i32, shard: u32) -> String {
    format!("ANALYTICS#{segment}#{year}#{shard}")
}
/// One photographer's own daily series (their stats): unsharded, as one person's
/// bookings are few.
pub fn analytics_photographer(photographer: &str, year: i32) -> String {
    format!("ANALYTICS#PHOTOGRAPHER#{photographer}#{year}")
}
pub fn analytics_top(dimension: &str, year: i32, shard: u32) -> String {
    format!("ANALYTICS#TOP#{dimension}#{year}#{shard}")
}
pub fn analytics_top_sk(month: &str, name: &str) -> String {
    format!("{month}#{name}")
}
/// The segments that have bookings (what a forecast pass covers), sharded by booking.
pub fn analytics_segments(shard: u32) -> String {
    format!("ANALYTICS#SEGMENTS#{shard}")
}
pub fn forecast(segment: &str) -> String {
    format!("FORECAST#{segment}")
}
pub const FORECAST_SK: &str = "LATEST";
pub fn forecast_run_sk(day: chrono::NaiveDate) -> String {
    format!("RUN#{day}")
}
