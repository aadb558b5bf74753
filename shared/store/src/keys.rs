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
pub const ALL_BOOKINGS: &str = "BOOKINGS";
pub const PENDING: &str = "PENDING";
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
pub const INSIGHTS_SENTIMENT: &str = "INSIGHTS#SENTIMENT";
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
pub const ALL_PAYMENTS: &str = "PAYMENTS";
/// Ledgers with a balance still to charge, by due date (gsi4, sparse).
pub const BALANCE_DUE: &str = "BALANCEDUE";
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
/// Bookings whose payments need settling (gsi4, sparse), oldest request first.
pub const SETTLE_QUEUE: &str = "SETTLE";

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
