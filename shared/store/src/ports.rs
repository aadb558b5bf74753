//! What a function may do with storage, one small capability per trait. A handler
//! names the capabilities it needs in its signature (`S: BookingReader + UserReader`),
//! so what a function can touch is visible where it is defined, and its unit tests can
//! hand it in-memory fakes of exactly those traits. [`crate::DynamoStore`] implements
//! them all against the table.
//!
//! Every write that can lose a race says so in its result type; every other failure is
//! a [`StoreError`].

use crate::bookings::{BookingListQuery, BookingWriteError};
use crate::claims::Claim;
use crate::gallery::PhotoQuery;
use crate::payments::{PaymentQuery, SettleRequest};
use crate::photographers::{ProfileWriteError, SearchQuery};
use crate::portfolio::Portfolio;
use crate::reviews::Applied;
use crate::users::{CreateUserError, LoginState};
use crate::{Page, PageKey, StoreError};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cm_accounts::account::{ProfilePatch, Role, User};
use cm_accounts::refresh::RefreshFamily;
use cm_booking::AvailabilityDoc;
use cm_booking::booking::Booking;
use cm_booking::idempotency::IdempotentResponse;
use cm_booking::travel::DayPlaces;
use cm_catalog::{PhotographerProfile, PhotographerRecord, PublicProfile};
use cm_core::{BookingId, FeedbackId, UserId};
use cm_media::{Gallery, GalleryPhoto, ItemId, PortfolioItem};
use cm_payments::{Ledger, PayoutAccount};
use cm_reviews::sentiment::DayAggregate;
use cm_reviews::{Feedback, FeedbackStatus, Review, SentimentRecord};
use cm_sentiment::Label;
use std::collections::BTreeMap;
use std::future::Future;

/// `impl Future<Output = Result<T, E>> + Send`: every port is async and usable from a
/// multi-threaded runtime.
macro_rules! fut {
    ($t:ty) => { impl Future<Output = Result<$t, StoreError>> + Send };
    ($t:ty, $e:ty) => { impl Future<Output = Result<$t, $e>> + Send };
}

pub trait UserReader: Send + Sync {
    fn get_user(&self, id: UserId) -> fut!(Option<User>);
    /// Takes the same reads whether or not the address has an account.
    fn find_user_by_email(&self, normalized_email: &str) -> fut!(Option<User>);
}

/// Admins' listing of accounts.
pub trait UserDirectory: Send + Sync {
    fn list_users(&self, role: Option<Role>, limit: usize, after: Option<&PageKey>) -> fut!(Page<User>);
}

pub trait UserWriter: Send + Sync {
    fn create_user(&self, user: &User, normalized_email: &str) -> fut!((), CreateUserError);
    fn patch_user(&self, id: UserId, patch: &ProfilePatch, now: DateTime<Utc>) -> fut!(Option<User>);
    /// Activates or deactivates an account (with a photographer's search listings).
    /// Deactivation also ends every session started before it.
    fn set_user_active(&self, id: UserId, active: bool, now: DateTime<Utc>) -> fut!(Option<User>, ProfileWriteError);
}

/// Failed sign-ins and the lock-outs they earn, per throttling key
/// (`cm_accounts::login_throttle`).
pub trait LoginAttempts: Send + Sync {
    fn login_state(&self, key: &str) -> fut!(LoginState);
    /// Counts one more failure and records the lock-out `policy` says it earns.
    fn record_login_failure(
        &self,
        key: &str,
        policy: cm_accounts::login_throttle::Policy,
        now: DateTime<Utc>,
    ) -> fut!(LoginState);
    fn reset_login_failures(&self, key: &str) -> fut!(());
}

pub trait RefreshFamilies: Send + Sync {
    fn create_refresh_family(&self, family: &RefreshFamily) -> fut!(());
    fn get_refresh_family(&self, family: &str) -> fut!(Option<RefreshFamily>);
    /// Compare-and-set to the next generation; `Rotation::Lost` if another refresh won.
    fn rotate_refresh_family(
        &self,
        family: &str,
        from_generation: u64,
        new_secret_hash: &str,
        now: DateTime<Utc>,
    ) -> fut!(crate::tokens::Rotation);
    fn revoke_refresh_family(&self, family: &str, now: DateTime<Utc>) -> fut!(());
}

pub trait PhotographerReader: Send + Sync {
    fn get_photographer(&self, id: UserId) -> fut!(Option<PhotographerRecord>);
}

pub trait PhotographerSearch: Send + Sync {
    fn search_photographers(&self, q: &SearchQuery<'_>, after: Option<&PageKey>) -> fut!(Page<PublicProfile>);
    /// Everyone listed under any of these geo partitions (`cm_catalog::search::partitions_near`),
    /// each once; the caller keeps those whose service area covers its point.
    fn photographers_in(&self, partitions: &[String]) -> fut!(Vec<PublicProfile>);
}

pub trait PhotographerWriter: Send + Sync {
    fn put_photographer_profile(
        &self,
        id: UserId,
        profile: &PhotographerProfile,
        listed_if_new: bool,
        now: DateTime<Utc>,
    ) -> fut!(PhotographerRecord, ProfileWriteError);
}

/// The photographer's cover photo, shown with the profile and its search listings.
pub trait CoverPhotos: Send + Sync {
    /// Sets `cover`, or with `None` clears it; with `only_if_item`, changes nothing
    /// unless the current cover is that portfolio item. `None` when there is no
    /// profile (or nothing to change).
    fn set_cover_photo(
        &self,
        id: UserId,
        cover: Option<cm_catalog::CoverPhoto>,
        only_if_item: Option<&str>,
        now: DateTime<Utc>,
    ) -> fut!(Option<PhotographerRecord>, ProfileWriteError);
}

pub trait AvailabilityReader: Send + Sync {
    fn get_availability(&self, photographer: UserId) -> fut!(Option<AvailabilityDoc>);
}

pub trait AvailabilityWriter: Send + Sync {
    fn put_availability(&self, photographer: UserId, doc: &AvailabilityDoc, now: DateTime<Utc>) -> fut!(());
}

pub trait BookingReader: Send + Sync {
    fn get_booking(&self, id: BookingId) -> fut!(Option<Booking>);
    /// Pending and confirmed bookings of a photographer starting in `[from, to)`.
    fn slot_holding_bookings(&self, photographer: UserId, from: DateTime<Utc>, to: DateTime<Utc>)
    -> fut!(Vec<Booking>);
    fn list_bookings(&self, q: &BookingListQuery, after: Option<&PageKey>) -> fut!(Page<Booking>);
    /// The located sessions of a photographer's local date and the day's version, read
    /// consistently: what a travel check must run against.
    fn day_places(&self, photographer: UserId, date: NaiveDate) -> fut!(DayPlaces);
}

pub trait BookingWriter: Send + Sync {
    /// The booking with its lock blocks, its day count (when it carries a daily limit),
    /// its place (when it has coordinates) and the idempotent answer, all or nothing.
    /// `travel`: the day version its travel check read; the write fails `DayChanged` if
    /// another located session joined the day since (`None` only where nothing can race,
    /// as when seeding).
    fn create_booking(
        &self,
        b: &Booking,
        idempotency: Option<(&str, &IdempotentResponse)>,
        travel: Option<u64>,
    ) -> fut!((), BookingWriteError);
    fn get_idempotent_response(&self, owner: UserId, key: &str) -> fut!(Option<IdempotentResponse>);
    /// `old` becomes `new` if nobody changed it meanwhile, releasing its slot if `new`
    /// no longer holds one.
    fn update_booking_status(&self, old: &Booking, new: &Booking) -> fut!((), BookingWriteError);
    /// Takes the new blocks and frees the old ones in one transaction, moving the day
    /// count and the place with them; `travel` as for `create_booking`.
    fn reschedule_booking(&self, old: &Booking, new: &Booking, travel: Option<u64>) -> fut!((), BookingWriteError);
}

/// The expiry sweep's view: pending bookings by expiry.
pub trait PendingBookings: Send + Sync {
    /// Pending bookings whose expiry is at or before `now`, oldest first, resuming
    /// after `after` (where the previous page ended). An item that cannot be read is
    /// an `Err` in the page, not a failed page.
    fn pending_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> fut!(Page<Result<Booking, StoreError>>);
}

pub trait ReviewReader: Send + Sync {
    fn get_review(&self, id: BookingId) -> fut!(Option<Review>);
    fn list_reviews_for(&self, photographer: UserId, limit: usize, after: Option<&PageKey>) -> fut!(Page<Review>);
    fn list_all_reviews(&self, limit: usize, after: Option<&PageKey>) -> fut!(Page<Review>);
}

pub trait ReviewWriter: Send + Sync {
    /// `false` when the booking already has a review.
    fn create_review(&self, review: &Review) -> fut!(bool);
    /// Sets or replaces the photographer's reply; `None` if there is no such review.
    fn set_review_reply(&self, id: BookingId, text: &str, now: DateTime<Utc>) -> fut!(Option<Review>);
}

pub trait FeedbackReader: Send + Sync {
    fn get_feedback(&self, id: FeedbackId) -> fut!(Option<Feedback>);
    fn list_feedback(
        &self,
        status: Option<FeedbackStatus>,
        sentiment: Option<Label>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> fut!(Page<Feedback>);
    /// Open feedback that reads negative, most negative first.
    fn most_negative_open_feedback(&self, limit: usize) -> fut!(Vec<Feedback>);
}

pub trait FeedbackWriter: Send + Sync {
    fn create_feedback(&self, f: &Feedback) -> fut!(());
    /// `None` if the feedback changed since `old` was read.
    fn update_feedback_status(
        &self,
        old: &Feedback,
        status: FeedbackStatus,
        now: DateTime<Utc>,
    ) -> fut!(Option<Feedback>);
}

/// Recording analyses: each exactly once, with everything that follows from it.
pub trait SentimentWriter: Send + Sync {
    fn apply_review_analysis(
        &self,
        review: &Review,
        record: SentimentRecord,
        alert: bool,
    ) -> fut!(Applied, ProfileWriteError);
    fn apply_feedback_analysis(&self, f: &Feedback, record: SentimentRecord, alert: bool) -> fut!(Applied);
    /// Touches an item still awaiting analysis `version`, so the stream delivers it to
    /// the scorer again; `false` if it was analysed meanwhile.
    fn redrive_analysis(&self, pk: &str, sk: &str, version: u32, now: DateTime<Utc>) -> fut!(bool);
}

/// Admin alerts waiting on reviews and feedback (the item's `alert_pending` flag).
pub trait AlertFlags: Send + Sync {
    /// Marks the item's alert as sent; `false` if it was not pending.
    fn clear_alert(&self, pk: &str, sk: &str) -> fut!(bool);
}

/// The daily sentiment aggregates, fed by the analyses' stream records.
pub trait SentimentAggregates: Send + Sync {
    /// Adds `deltas` to `day`'s counters once per `analysis` (a name unique to one
    /// analysis of one item): `AlreadyApplied` when it was counted before.
    fn add_sentiment_deltas(
        &self,
        analysis: &str,
        day: NaiveDate,
        deltas: &std::collections::BTreeMap<String, i64>,
        now: DateTime<Utc>,
    ) -> fut!(Applied);
}

/// Phone verification codes (`phone`, `cm_accounts::phone`).
pub trait PhoneVerifications: Send + Sync {
    fn pending_verification(&self, user: UserId) -> fut!(Option<cm_accounts::phone::PendingVerification>);
    /// Writes `pending` if the stored one is still at `previous_version` (`None`: there
    /// is none).
    fn put_pending_verification(
        &self,
        user: UserId,
        pending: &cm_accounts::phone::PendingVerification,
        previous_version: Option<u32>,
    ) -> fut!(crate::phone::Written);
    /// Uses the code up and makes its number the account's, verified.
    fn complete_verification(
        &self,
        user: UserId,
        pending: &cm_accounts::phone::PendingVerification,
        now: DateTime<Utc>,
    ) -> fut!(crate::phone::Written);
}

/// Calendar subscriptions (`calendar_feeds`).
pub trait CalendarFeeds: Send + Sync {
    fn calendar_feed_of(&self, user: UserId) -> fut!(Option<crate::calendar_feeds::FeedRecord>);
    /// Replaces the user's feed token (`new_hash`), or revokes it (`None`), if it is
    /// still `old`; `false` when someone changed it meanwhile (nothing written).
    fn replace_calendar_feed(
        &self,
        user: UserId,
        old: Option<&crate::calendar_feeds::FeedRecord>,
        new_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> fut!(bool);
    /// Whose feed a token hash opens; `None` for a revoked or unknown token.
    fn calendar_feed_owner(&self, token_hash: &str) -> fut!(Option<UserId>);
    /// Accounts by id, those that exist.
    fn users_by_id(&self, ids: &[UserId]) -> fut!(std::collections::HashMap<UserId, User>);
}

/// A photographer's external calendars (`calendar_sources`).
pub trait CalendarSources: Send + Sync {
    /// Every calendar of the photographer, oldest first (at most `cm_calsync::MAX_SOURCES`).
    fn calendar_sources(&self, photographer: UserId) -> fut!(Vec<crate::calendar_sources::CalendarSource>);
    fn calendar_source(&self, photographer: UserId, id: &str) -> fut!(Option<crate::calendar_sources::CalendarSource>);
    /// Adds a calendar unless the photographer has `cap` already or has this address.
    fn add_calendar_source(
        &self,
        source: &crate::calendar_sources::CalendarSource,
        cap: usize,
    ) -> fut!((), crate::calendar_sources::AddSourceError);
    /// Removes a calendar and its busy time; `false` when it was already gone.
    fn remove_calendar_source(&self, source: &crate::calendar_sources::CalendarSource) -> fut!(bool);
    /// Calendars due for a sync at `now`, soonest first.
    fn due_calendar_sources(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> fut!(Vec<crate::calendar_sources::CalendarSource>);
    /// Records that a sync of `source` starts at `now`, over the version it was read at,
    /// before anything is fetched: of requests racing on one calendar, one gets the
    /// claimed calendar (the version to record over) and the rest `None`.
    fn claim_calendar_sync(
        &self,
        source: &crate::calendar_sources::CalendarSource,
        now: DateTime<Utc>,
    ) -> fut!(Option<crate::calendar_sources::CalendarSource>);
    /// Records a sync's outcome over the version `old` was read at (and, with `busy`,
    /// replaces the calendar's busy time); `false` when the calendar changed or went
    /// meanwhile (nothing written).
    fn record_calendar_sync(
        &self,
        old: &crate::calendar_sources::CalendarSource,
        new: &crate::calendar_sources::CalendarSource,
        busy: Option<&[cm_calsync::BusyInterval]>,
    ) -> fut!(bool);
}

/// Busy time from a photographer's external calendars, for the availability and
/// booking checks (never shown to clients as anything but taken time).
pub trait BusyTimeReader: Send + Sync {
    /// The busy intervals of every calendar of the photographer that touch
    /// `[from, to)`, sorted by start (overlaps between calendars are left in).
    fn busy_time(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> fut!(Vec<cm_calsync::BusyInterval>);
}

/// What a recommendation request reads (docs/recommendations.md, "Features").
pub trait RecommendationReader: Send + Sync {
    /// Everyone listed under these geo partitions, each once.
    fn listed_in(&self, partitions: &[String]) -> fut!(Vec<crate::photographers::Listed>);
    /// The best-rated `limit` of one ranked listing partition, for a request without a place.
    fn best_listed(&self, partition: &str, limit: usize) -> fut!(Vec<crate::photographers::Listed>);
    /// Each photographer's stored features, and, with a date, their calendar for it.
    fn feature_rows(
        &self,
        ids: &[UserId],
        date: Option<NaiveDate>,
    ) -> fut!(std::collections::HashMap<UserId, crate::features::FeatureRow>);
    /// The photographers this client booked (confirmed or completed), newest first, at
    /// most `limit`, with the stars of their latest review.
    fn client_history(&self, client: UserId, limit: usize) -> fut!(Vec<cm_catalog::recommend::PastPhotographer>);
}

/// What the booking stream keeps of each photographer's behaviour. Each addition is
/// counted once per event, however often the stream delivers it.
pub trait FeatureWriter: Send + Sync {
    /// Moves `booking`'s entry among the photographer's booked days: out of `from`'s
    /// month (when it held a day there), onto `to` (when it holds one now).
    fn move_booked_day(
        &self,
        photographer: UserId,
        booking: BookingId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> fut!(());
    /// One answered request (`event` names it uniquely) took `minutes`.
    fn add_response(&self, event: &str, photographer: UserId, minutes: u32, now: DateTime<Utc>) -> fut!(Applied);
    /// One more completed booking (`event` names it uniquely).
    fn add_completed(&self, event: &str, photographer: UserId, now: DateTime<Utc>) -> fut!(Applied);
    /// `client` confirmed a booking with `photographer`: a first one makes them one more
    /// of the photographer's clients and counts the pair with each of the client's
    /// earlier photographers. `AlreadyApplied` when they had booked them before.
    fn add_client(&self, client: UserId, photographer: UserId, now: DateTime<Utc>) -> fut!(Applied);
}

/// The nightly co-booking refresh.
pub trait CoBookingStore: Send + Sync {
    /// The pair counters of `photographer`.
    fn co_booking_pairs(&self, photographer: UserId) -> fut!(Vec<cm_catalog::features::PairCount>);
    /// Each photographer's distinct clients (0 for those without features).
    fn client_counts(&self, ids: &[UserId]) -> fut!(std::collections::HashMap<UserId, u32>);
    fn set_co_booked(&self, photographer: UserId, co_booked: &[cm_catalog::recommend::CoBooked]) -> fut!(());
    /// Where the refresh's pass through the photographers stopped; `None` to start over.
    fn co_booking_cursor(&self) -> fut!(Option<PageKey>);
    fn set_co_booking_cursor(&self, cursor: Option<&PageKey>) -> fut!(());
}

pub trait InsightsReader: Send + Sync {
    fn sentiment_days(&self, from: NaiveDate, to: NaiveDate) -> fut!(Vec<DayAggregate>);
}

/// The booking analytics aggregates, fed by the booking stream (`analytics`).
pub trait AnalyticsWriter: Send + Sync {
    /// Adds one booking change's contribution once (`AlreadyApplied`: counted before).
    fn add_booking_contribution(&self, c: &cm_booking::analytics::Contribution, now: DateTime<Utc>) -> fut!(Applied);
    /// The same, also counted in `photographer`'s month of the leaderboard and in their
    /// own daily series.
    fn add_booking_contribution_of(
        &self,
        c: &cm_booking::analytics::Contribution,
        photographer: Option<UserId>,
        now: DateTime<Utc>,
    ) -> fut!(Applied);
    /// Adds `deltas` to `photographer`'s own series on `day` once per `event` (what only
    /// their series keeps, such as their reviews' sentiment).
    fn add_photographer_counters(
        &self,
        event: &str,
        photographer: UserId,
        day: NaiveDate,
        deltas: &BTreeMap<cm_booking::analytics::Counter, i64>,
        now: DateTime<Utc>,
    ) -> fut!(Applied);
}

/// The nightly capacity snapshot (`cm_booking::analytics::capacity`): each segment's
/// working minutes by day, beside the booking counters of its series.
pub trait CapacityStore: Send + Sync {
    /// The hours of each of these photographers that keeps them (others are absent).
    fn availabilities(&self, ids: &[UserId]) -> fut!(std::collections::HashMap<UserId, AvailabilityDoc>);
    /// Sets each (segment, day)'s working minutes, replacing what the day had.
    fn set_capacity(&self, entries: &[(cm_booking::analytics::Segment, NaiveDate, i64)]) -> fut!(());
    /// The segments the last snapshot wrote (so one nobody works in any more is zeroed).
    fn capacity_segments(&self) -> fut!(Vec<cm_booking::analytics::Segment>);
    fn put_capacity_segments(&self, segments: &[cm_booking::analytics::Segment], now: DateTime<Utc>) -> fut!(());
}

/// Demand forecasts (`analytics`): the segments a pass covers, the forecasts, the
/// pass's progress.
pub trait DemandForecasts: Send + Sync {
    /// Every city and specialization pair with bookings.
    fn demand_segments(&self) -> fut!(Vec<cm_booking::analytics::Segment>);
    fn put_forecast(&self, f: &cm_booking::analytics::DemandForecast) -> fut!(());
    fn get_forecast(
        &self,
        segment: &cm_booking::analytics::Segment,
    ) -> fut!(Option<cm_booking::analytics::DemandForecast>);
    fn forecast_run(&self, day: NaiveDate) -> fut!(Option<cm_booking::analytics::ForecastRun>);
    fn put_forecast_run(&self, run: &cm_booking::analytics::ForecastRun, now: DateTime<Utc>) -> fut!(());
}

pub trait AnalyticsReader: Send + Sync {
    /// The days of `from..=to` that have counts in `segment`'s series, oldest first.
    fn analytics_days(
        &self,
        segment: &cm_booking::analytics::Segment,
        from: NaiveDate,
        to: NaiveDate,
    ) -> fut!(Vec<(NaiveDate, BTreeMap<cm_booking::analytics::Counter, i64>)>);
    /// The days of `from..=to` that have counts in `photographer`'s own series.
    fn photographer_days(
        &self,
        photographer: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> fut!(Vec<(NaiveDate, BTreeMap<cm_booking::analytics::Counter, i64>)>);
    /// Counts by city or specialization over the whole months `from..=to` touches.
    fn analytics_top(
        &self,
        dimension: crate::analytics::Dimension,
        from: NaiveDate,
        to: NaiveDate,
    ) -> fut!(BTreeMap<String, BTreeMap<cm_booking::analytics::Counter, i64>>);
}

/// At-most-once side effects on top of at-least-once delivery (see `claims`).
pub trait Claims: Send + Sync {
    fn claim(&self, key: &str, lease: TimeDelta, now: DateTime<Utc>) -> fut!(Claim);
    fn complete(&self, key: &str, now: DateTime<Utc>) -> fut!(());
    fn release(&self, key: &str) -> fut!(());
}

pub trait PortfolioReader: Send + Sync {
    fn get_portfolio_item(&self, photographer: UserId, item: ItemId) -> fut!(Option<PortfolioItem>);
    /// Every item of the photographer's portfolio (at most `cm_media::upload::MAX_ITEMS`
    /// and the tickets in flight) and the version they were read at. `consistent` for
    /// quota checks; public listings may read eventually consistent.
    fn portfolio(&self, photographer: UserId, consistent: bool) -> fut!(Portfolio);
}

pub trait PortfolioWriter: Send + Sync {
    /// Adds a new item if the portfolio is still at `read_version` (0: never written);
    /// `false` when another item was added meanwhile (check the quota again).
    fn add_portfolio_item(&self, item: &PortfolioItem, read_version: u64) -> fut!(bool);
    /// `old` becomes `new` if nobody changed it meanwhile (its `version`); `false` if
    /// somebody did, or it is gone.
    fn replace_portfolio_item(&self, old: &PortfolioItem, new: &PortfolioItem) -> fut!(bool);
    /// Deletes the item if it is still at its `version`; `false` otherwise.
    fn delete_portfolio_item(&self, item: &PortfolioItem) -> fut!(bool);
}

pub trait GalleryReader: Send + Sync {
    fn get_gallery(&self, booking: BookingId) -> fut!(Option<Gallery>);
    fn get_gallery_photo(&self, booking: BookingId, photo: ItemId) -> fut!(Option<GalleryPhoto>);
    /// One page of the gallery's photos in upload order, expired ones left out.
    fn gallery_photos(&self, query: &PhotoQuery) -> fut!(Page<GalleryPhoto>);
}

pub trait GalleryWriter: Send + Sync {
    /// `false` when the booking already has a gallery.
    fn create_gallery(&self, gallery: &Gallery) -> fut!(bool);
    /// The settings of `new` (retention, delivery) if the gallery is still at `old`'s
    /// version and the counters still allow the change; `false` otherwise.
    fn update_gallery_settings(&self, old: &Gallery, new: &Gallery) -> fut!(bool);
    /// A new pending photo, if its gallery still has its retention and room for it;
    /// `false` otherwise (read the gallery again to say why).
    fn add_gallery_photo(&self, photo: &GalleryPhoto) -> fut!(bool);
    /// `old` becomes `new` (moving the gallery's counters) if nobody changed it meanwhile.
    fn replace_gallery_photo(&self, old: &GalleryPhoto, new: &GalleryPhoto) -> fut!(bool);
    /// Deletes the photo (and what it held of the quota) if it is still at its version.
    fn delete_gallery_photo(&self, photo: &GalleryPhoto) -> fut!(bool);
}

pub trait PaymentReader: Send + Sync {
    fn get_ledger(&self, booking: BookingId) -> fut!(Option<Ledger>);
    /// Who a Stripe object belongs to here: a PaymentIntent's booking id, a connected
    /// account's photographer id.
    fn stripe_owner(&self, stripe_id: &str) -> fut!(Option<String>);
    fn payout_account(&self, photographer: UserId) -> fut!(Option<PayoutAccount>);
    fn stripe_customer(&self, user: UserId) -> fut!(Option<String>);
}

pub trait PaymentWriter: Send + Sync {
    /// `false` when the booking already has a ledger.
    fn create_ledger(&self, ledger: &Ledger) -> fut!(bool);
    /// `new` replaces `old` if the ledger is still at `old`'s version (and links new
    /// intents back to the booking); `false` when someone changed it meanwhile.
    fn save_ledger(&self, old: &Ledger, new: &Ledger) -> fut!(bool);
    /// `false` when a newer state of the account is already kept (or it is another
    /// account).
    fn save_payout_account(&self, photographer: UserId, account: &PayoutAccount) -> fut!(bool);
    /// Links the user's Stripe customer; the first link stands and is returned.
    fn save_stripe_customer(&self, user: UserId, customer: &str) -> fut!(String);
}

/// The daily balance run's work list.
pub trait BalancesDue: Send + Sync {
    /// Ledgers whose balance is due by `until`, soonest first, resuming after `after`.
    fn balances_due(&self, until: DateTime<Utc>, limit: usize, after: Option<&PageKey>) -> fut!(Page<BookingId>);
}

/// The names the parties of bookings show each other (`crate::names`).
pub trait NameReader: Send + Sync {
    /// Each client's account name and each photographer's display name, in one
    /// BatchGetItem for all of them (100 keys a call); an id left out has no name to
    /// show: no such account or profile, or a deactivated one.
    fn party_names(&self, clients: &[UserId], photographers: &[UserId]) -> fut!(crate::names::PartyNames);
}

pub trait PaymentHistory: Send + Sync {
    fn list_payments(&self, query: &PaymentQuery, after: Option<&PageKey>) -> fut!(Page<Ledger>);
}

/// The outbox of bookings whose payments need settling (capture, release, refund).
pub trait SettleRequests: Send + Sync {
    fn request_settlement(&self, booking: BookingId, at: DateTime<Utc>) -> fut!(());
    /// The oldest requests first, resuming after `after`.
    fn settle_requests(&self, limit: usize, after: Option<&PageKey>) -> fut!(Page<SettleRequest>);
    /// Removes the request if nobody asked again since; `false` when someone did.
    fn settlement_done(&self, request: &SettleRequest) -> fut!(bool);
}
