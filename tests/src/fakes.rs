//! In-memory stand-ins for the storage capabilities (`cm_store::ports`), for unit tests
//! of handler decisions without an emulator.
//!
//! Each fake keeps only what its trait promises and obeys the same conditions as the
//! DynamoDB item and transaction it stands for (shared/store/src/*.rs): conditional
//! puts, version compare-and-set, lock blocks taken all or nothing, the day counter,
//! idempotency keys, and the same error for each failed condition. It is not a second
//! database: no keys, no indexes beyond the orderings the handlers rely on, no TTL
//! sweeper. What a fake holds is what was written, so a test asserts on it directly.
//!
//! When `DynamoStore` changes a condition, change the matching fake here; the
//! integration tests against the real table are the check that the two agree.
//!
//! Races are played out, not simulated: [`FakeBookings::interleave`] runs a whole other
//! request just before the next booking write, as a concurrent request that committed
//! between the handler's read and its write.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use cm_accounts::account::{ProfilePatch, Role, User};
use cm_accounts::refresh::RefreshFamily;
use cm_app::App;
use cm_booking::booking::Booking;
use cm_booking::idempotency::IdempotentResponse;
use cm_booking::travel::{DayPlaces, Place};
use cm_booking::{AvailabilityDoc, BookingStatus};
use cm_catalog::search::rank_upper_bound;
use cm_catalog::{PhotographerProfile, PhotographerRecord, PublicProfile};
use cm_core::{BookingId, FeedbackId, ManualClock, UserId};
use cm_media::{ItemId, PortfolioItem};
use cm_reviews::feedback::score_rank;
use cm_reviews::sentiment::DayAggregate;
use cm_reviews::{AnalysisState, Feedback, FeedbackStatus, Reply, Review, SentimentRecord};
use cm_sentiment::Label;
use cm_store::bookings::{BookingListQuery, BookingWriteError, Party};
use cm_store::claims::{Claim, DONE_RETENTION};
use cm_store::photographers::{ProfileWriteError, SearchQuery};
use cm_store::portfolio::Portfolio;
use cm_store::reviews::Applied;
use cm_store::tokens::Rotation;
use cm_store::users::{CreateUserError, LoginState};
use cm_store::{Page, PageKey, StoreError, keys};
use futures::future::BoxFuture;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What DynamoDB answers for a failed single-item condition (`error::from_sdk`).
fn condition_failed() -> StoreError {
    StoreError::ConditionFailed { failed_items: vec![0] }
}

// ---------------------------------------------------------------------------------------
// The whole store and the app around it
// ---------------------------------------------------------------------------------------

/// Every fake, one per capability; implements every port by delegating, so an
/// `App<FakeStore>` can be handed to any handler. Clones share the same data.
#[derive(Debug, Clone, Default)]
pub struct FakeStore {
    pub users: FakeUsers,
    pub logins: FakeLoginAttempts,
    pub refresh: FakeRefreshFamilies,
    pub photographers: FakePhotographers,
    pub availability: FakeAvailability,
    pub bookings: FakeBookings,
    pub reviews: FakeReviews,
    pub feedback: FakeFeedback,
    pub insights: FakeInsights,
    pub claims: FakeClaims,
    pub portfolio: FakePortfolio,
    pub payments: FakePayments,
    pub busy: FakeBusyTime,
    /// The analyses already counted in `insights` (the store's marker items).
    aggregated: Arc<Mutex<std::collections::HashSet<String>>>,
}

/// An app on a fresh fake store with the test keys and `clock`, leaked so handlers can
/// be driven with [`crate::call`] (it wants `'static`, like the Lambda runtime).
pub fn app(clock: &ManualClock) -> &'static App<FakeStore> {
    Box::leak(Box::new(crate::moto::app(FakeStore::default()).with_clock(Arc::new(clock.clone()))))
}

/// The position in a fake's listing: its own sort key, opaque to callers as real page
/// keys are.
const POSITION: &str = "position";

/// One page of `items`, already in index order, resuming after `after`. Like a Query
/// with `Limit`, a full page always carries a cursor, even when nothing follows.
fn page_of<T>(mut items: Vec<(String, T)>, descending: bool, limit: usize, after: Option<&PageKey>) -> Page<T> {
    if let Some(from) = after.and_then(|k| k.0.get(POSITION)) {
        items.retain(|(k, _)| if descending { k < from } else { k > from });
    }
    items.truncate(limit);
    let next = (limit > 0 && items.len() == limit)
        .then(|| items.last().map(|(k, _)| PageKey(BTreeMap::from([(POSITION.to_string(), k.clone())]))))
        .flatten();
    Page { items: items.into_iter().map(|(_, t)| t).collect(), next }
}

// ---------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct UsersState {
    users: HashMap<UserId, User>,
    /// The email-uniqueness items: normalised email → user.
    emails: HashMap<String, UserId>,
}

/// `UserReader`, `UserWriter`, `UserDirectory` (shared/store/src/users.rs).
#[derive(Debug, Clone, Default)]
pub struct FakeUsers(Arc<Mutex<UsersState>>);

impl FakeUsers {
    pub fn get(&self, id: UserId) -> Option<User> {
        lock(&self.0).users.get(&id).cloned()
    }

    /// Which user holds `normalized_email`.
    pub fn email_owner(&self, normalized_email: &str) -> Option<UserId> {
        lock(&self.0).emails.get(normalized_email).copied()
    }

    pub fn count(&self) -> usize {
        lock(&self.0).users.len()
    }
}

impl cm_store::UserReader for FakeUsers {
    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.get(id))
    }

    async fn find_user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError> {
        let s = lock(&self.0);
        Ok(s.emails.get(normalized_email).and_then(|id| s.users.get(id)).cloned())
    }
}

impl cm_store::UserWriter for FakeUsers {
    /// The user item and the email item, each `attribute_not_exists(pk)`, together.
    async fn create_user(&self, user: &User, normalized_email: &str) -> Result<(), CreateUserError> {
        let mut s = lock(&self.0);
        if s.users.contains_key(&user.id) || s.emails.contains_key(normalized_email) {
            return Err(CreateUserError::EmailTaken);
        }
        s.users.insert(user.id, user.clone());
        s.emails.insert(normalized_email.to_string(), user.id);
        Ok(())
    }

    async fn patch_user(
        &self,
        id: UserId,
        patch: &ProfilePatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut s = lock(&self.0);
        Ok(s.users.get_mut(&id).map(|u| {
            patch.apply(u);
            u.updated_at = now;
            u.clone()
        }))
    }

    /// The account alone; [`FakeStore`] adds the photographer's listing.
    async fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, ProfileWriteError> {
        let mut s = lock(&self.0);
        Ok(s.users.get_mut(&id).map(|u| {
            u.active = active;
            u.updated_at = now;
            if !active {
                u.sessions_valid_after = Some(now);
            }
            u.clone()
        }))
    }
}

impl cm_store::UserDirectory for FakeUsers {
    /// Newest first, optionally of one role.
    async fn list_users(
        &self,
        role: Option<Role>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<User>, StoreError> {
        let s = lock(&self.0);
        let mut items: Vec<(String, User)> = s
            .users
            .values()
            .filter(|u| role.is_none_or(|r| u.role == r))
            .map(|u| (format!("{}#{}", keys::instant_micros(u.created_at), u.id), u.clone()))
            .collect();
        items.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(page_of(items, true, limit, after))
    }
}

/// `LoginAttempts`: failures per throttling key and the lock-out they earned.
#[derive(Debug, Clone, Default)]
pub struct FakeLoginAttempts(Arc<Mutex<HashMap<String, LoginState>>>);

impl FakeLoginAttempts {
    /// The stored state of `key`; `None` when there is no item (never failed, or reset).
    pub fn get(&self, key: &str) -> Option<LoginState> {
        lock(&self.0).get(key).cloned()
    }

    pub fn keys(&self) -> Vec<String> {
        lock(&self.0).keys().cloned().collect()
    }
}

impl cm_store::LoginAttempts for FakeLoginAttempts {
    async fn login_state(&self, key: &str) -> Result<LoginState, StoreError> {
        Ok(self.get(key).unwrap_or_default())
    }

    /// `ADD failures 1`, then the lock-out that count earns. The store's second write is
    /// conditional on the count; here nothing can come between the two.
    async fn record_login_failure(
        &self,
        key: &str,
        policy: cm_accounts::login_throttle::Policy,
        now: DateTime<Utc>,
    ) -> Result<LoginState, StoreError> {
        let mut s = lock(&self.0);
        let state = s.entry(key.to_string()).or_default();
        state.failures += 1;
        if let Some(lock_for) = policy.lockout_after(state.failures) {
            state.locked_until = Some(now + lock_for);
        }
        Ok(state.clone())
    }

    async fn reset_login_failures(&self, key: &str) -> Result<(), StoreError> {
        lock(&self.0).remove(key);
        Ok(())
    }
}

#[derive(Debug, Default)]
struct FamiliesState {
    families: HashMap<String, RefreshFamily>,
    revoked_at: HashMap<String, DateTime<Utc>>,
}

/// `RefreshFamilies` (shared/store/src/tokens.rs).
#[derive(Debug, Clone, Default)]
pub struct FakeRefreshFamilies(Arc<Mutex<FamiliesState>>);

impl FakeRefreshFamilies {
    pub fn get(&self, family: &str) -> Option<RefreshFamily> {
        lock(&self.0).families.get(family).cloned()
    }

    pub fn all(&self) -> Vec<RefreshFamily> {
        lock(&self.0).families.values().cloned().collect()
    }

    pub fn revoked_at(&self, family: &str) -> Option<DateTime<Utc>> {
        lock(&self.0).revoked_at.get(family).copied()
    }
}

impl cm_store::RefreshFamilies for FakeRefreshFamilies {
    async fn create_refresh_family(&self, family: &RefreshFamily) -> Result<(), StoreError> {
        let mut s = lock(&self.0);
        if s.families.contains_key(&family.family) {
            return Err(condition_failed());
        }
        s.families.insert(family.family.clone(), family.clone());
        Ok(())
    }

    async fn get_refresh_family(&self, family: &str) -> Result<Option<RefreshFamily>, StoreError> {
        Ok(self.get(family))
    }

    /// `generation = :gen AND revoked = false`; a missing family fails the condition too.
    async fn rotate_refresh_family(
        &self,
        family: &str,
        from_generation: u64,
        new_secret_hash: &str,
        _now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        let mut s = lock(&self.0);
        match s.families.get_mut(family) {
            Some(f) if f.generation == from_generation && !f.revoked => {
                f.generation = from_generation + 1;
                f.secret_hash = new_secret_hash.to_string();
                Ok(Rotation::Rotated)
            }
            _ => Ok(Rotation::Lost),
        }
    }

    /// Revoking a family that does not exist is not an error.
    async fn revoke_refresh_family(&self, family: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut s = lock(&self.0);
        if let Some(f) = s.families.get_mut(family) {
            f.revoked = true;
            s.revoked_at.insert(family.to_string(), now);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------

/// `PhotographerReader`, `PhotographerWriter`, `PhotographerSearch`
/// (shared/store/src/photographers.rs). Search reads the listings each record implies
/// (`PhotographerRecord::listings`), which the store rewrites with every record change.
#[derive(Debug, Clone, Default)]
pub struct FakePhotographers(Arc<Mutex<HashMap<UserId, PhotographerRecord>>>);

impl FakePhotographers {
    pub fn get(&self, id: UserId) -> Option<PhotographerRecord> {
        lock(&self.0).get(&id).cloned()
    }

    /// The store's optimistic read-modify-write: a new record gets version 1, every
    /// write bumps it. Under one lock no writer can come between, so no retries.
    fn modify(
        &self,
        id: UserId,
        change: impl FnOnce(Option<&PhotographerRecord>) -> Option<PhotographerRecord>,
    ) -> Option<PhotographerRecord> {
        let mut s = lock(&self.0);
        let old = s.get(&id);
        let mut new = change(old)?;
        new.version = old.map_or(1, |o| o.version + 1);
        s.insert(id, new.clone());
        Some(new)
    }
}

impl cm_store::PhotographerReader for FakePhotographers {
    async fn get_photographer(&self, id: UserId) -> Result<Option<PhotographerRecord>, StoreError> {
        Ok(self.get(id))
    }
}

impl cm_store::PhotographerWriter for FakePhotographers {
    async fn put_photographer_profile(
        &self,
        id: UserId,
        profile: &PhotographerProfile,
        listed_if_new: bool,
        now: DateTime<Utc>,
    ) -> Result<PhotographerRecord, ProfileWriteError> {
        self.modify(id, |old| {
            Some(match old {
                Some(old) => PhotographerRecord { profile: profile.clone(), updated_at: now, ..old.clone() },
                None => PhotographerRecord::new(id, profile.clone(), listed_if_new, now),
            })
        })
        .ok_or(ProfileWriteError::Store(StoreError::Corrupt("profile vanished".into())))
    }
}

impl FakePhotographers {
    /// Shows or hides a photographer in search; part of account (de)activation.
    pub fn set_listed(&self, id: UserId, listed: bool, now: DateTime<Utc>) -> Option<PhotographerRecord> {
        self.modify(id, |old| old.map(|o| PhotographerRecord { listed, updated_at: now, ..o.clone() }))
    }
}

impl cm_store::CoverPhotos for FakePhotographers {
    async fn set_cover_photo(
        &self,
        id: UserId,
        cover: Option<cm_catalog::CoverPhoto>,
        only_if_item: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<PhotographerRecord>, ProfileWriteError> {
        Ok(self.modify(id, |old| {
            let old = old?;
            if only_if_item.is_some_and(|item| old.cover.as_ref().is_none_or(|c| c.item_id != item)) {
                return None;
            }
            Some(PhotographerRecord { cover: cover.clone(), updated_at: now, ..old.clone() })
        }))
    }
}

impl cm_store::PhotographerSearch for FakePhotographers {
    /// One listing partition by rank, best first; `min_rating` bounds the rank key,
    /// rate and currency filter.
    async fn search_photographers(
        &self,
        q: &SearchQuery<'_>,
        after: Option<&PageKey>,
    ) -> Result<Page<PublicProfile>, StoreError> {
        let upper = q.min_rating_centi.map(rank_upper_bound);
        let s = lock(&self.0);
        let mut items: Vec<(String, PublicProfile)> = s
            .values()
            .flat_map(|r| r.listings().into_iter().map(move |(partition, rank)| (partition, rank, r)))
            .filter(|(partition, rank, r)| {
                *partition == q.partition
                    && upper.as_ref().is_none_or(|u| rank < u)
                    && q.max_hourly_rate_minor.is_none_or(|max| r.profile.hourly_rate.amount_minor <= max)
                    && q.currency.is_none_or(|c| r.profile.hourly_rate.currency.as_str() == c)
            })
            .map(|(_, rank, r)| (rank, r.public()))
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(page_of(items, false, q.limit, after))
    }

    /// Everyone listed under any of the partitions, each once, by id.
    async fn photographers_in(&self, partitions: &[String]) -> Result<Vec<PublicProfile>, StoreError> {
        let s = lock(&self.0);
        let mut found: Vec<PublicProfile> = s
            .values()
            .filter(|r| r.listings().iter().any(|(partition, _)| partitions.contains(partition)))
            .map(|r| r.public())
            .collect();
        found.sort_by_key(|a| a.id);
        Ok(found)
    }
}

/// A stored availability document and when it was written.
type AvailabilityItem = (AvailabilityDoc, DateTime<Utc>);

/// `AvailabilityReader`, `AvailabilityWriter`: one document per photographer, replaced
/// whole.
#[derive(Debug, Clone, Default)]
pub struct FakeAvailability(Arc<Mutex<HashMap<UserId, AvailabilityItem>>>);

impl FakeAvailability {
    pub fn get(&self, photographer: UserId) -> Option<AvailabilityDoc> {
        lock(&self.0).get(&photographer).map(|(d, _)| d.clone())
    }

    pub fn updated_at(&self, photographer: UserId) -> Option<DateTime<Utc>> {
        lock(&self.0).get(&photographer).map(|(_, at)| *at)
    }
}

impl cm_store::AvailabilityReader for FakeAvailability {
    async fn get_availability(&self, photographer: UserId) -> Result<Option<AvailabilityDoc>, StoreError> {
        Ok(self.get(photographer))
    }
}

impl cm_store::AvailabilityWriter for FakeAvailability {
    async fn put_availability(
        &self,
        photographer: UserId,
        doc: &AvailabilityDoc,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        lock(&self.0).insert(photographer, (doc.clone(), now));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Bookings
// ---------------------------------------------------------------------------------------

/// A committed booking write, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum BookingWrite {
    Created { id: BookingId, idempotency_key: Option<String> },
    StatusChanged { id: BookingId, from: BookingStatus, to: BookingStatus, version: u64 },
    Rescheduled { id: BookingId, from: DateTime<Utc>, to: DateTime<Utc>, version: u64 },
}

#[derive(Debug, Default)]
struct BookingsState {
    bookings: HashMap<BookingId, Booking>,
    /// Lock blocks: (photographer, block) → the booking holding it.
    slots: HashMap<(UserId, i64), BookingId>,
    /// The day counters; like DynamoDB's `ADD`, they are kept at zero, never removed.
    days: HashMap<(UserId, NaiveDate), i64>,
    /// The located sessions of each day and the day's version (bumped by every place
    /// added or moved, never by a removal), as on the day item.
    places: HashMap<(UserId, NaiveDate), (u64, BTreeMap<BookingId, Place>)>,
    idempotency: HashMap<(UserId, String), IdempotentResponse>,
    /// Idempotency items another, uncommitted transaction is writing: DynamoDB cancels
    /// any transaction touching them with `TransactionConflict`, and reads do not see them.
    in_flight: HashSet<(UserId, String)>,
    log: Vec<BookingWrite>,
}

type Interleaved = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

/// `BookingReader`, `BookingWriter`, `PendingBookings` (shared/store/src/bookings.rs):
/// bookings with their lock blocks, day counters and idempotent answers.
#[derive(Clone, Default)]
pub struct FakeBookings {
    state: Arc<Mutex<BookingsState>>,
    interleaved: Arc<Mutex<VecDeque<Interleaved>>>,
}

impl std::fmt::Debug for FakeBookings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeBookings").field("state", &self.state).finish_non_exhaustive()
    }
}

fn start_key(b: &Booking) -> String {
    format!("{}#{}", keys::instant(b.start), b.id)
}

impl FakeBookings {
    /// Runs `concurrent` just before the next booking write (create, status change or
    /// reschedule) checks its conditions: a request that committed between the
    /// handler's reads and its write. Several run in the order given, one per write.
    pub fn interleave<F, Fut>(&self, concurrent: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        lock(&self.interleaved).push_back(Box::new(move || Box::pin(concurrent())));
    }

    /// Marks `owner`'s idempotency `key` as being written by a transaction that has not
    /// committed (a concurrent request with the same key).
    pub fn hold_in_flight(&self, owner: UserId, key: &str) {
        lock(&self.state).in_flight.insert((owner, key.to_string()));
    }

    pub fn get(&self, id: BookingId) -> Option<Booking> {
        lock(&self.state).bookings.get(&id).cloned()
    }

    pub fn all(&self) -> Vec<Booking> {
        lock(&self.state).bookings.values().cloned().collect()
    }

    /// The lock blocks of `photographer` and who holds each.
    pub fn slots_of(&self, photographer: UserId) -> BTreeMap<i64, BookingId> {
        lock(&self.state).slots.iter().filter(|((p, _), _)| *p == photographer).map(|((_, b), id)| (*b, *id)).collect()
    }

    /// The day counter; `None` if nothing was ever counted on that day.
    pub fn day_count(&self, photographer: UserId, date: NaiveDate) -> Option<i64> {
        lock(&self.state).days.get(&(photographer, date)).copied()
    }

    /// The located sessions of a day, by start.
    pub fn day_places_of(&self, photographer: UserId, date: NaiveDate) -> Vec<Place> {
        let s = lock(&self.state);
        let mut places: Vec<Place> =
            s.places.get(&(photographer, date)).map(|(_, p)| p.values().cloned().collect()).unwrap_or_default();
        places.sort_by_key(|p| (p.start, p.booking));
        places
    }

    pub fn idempotent_answer(&self, owner: UserId, key: &str) -> Option<IdempotentResponse> {
        lock(&self.state).idempotency.get(&(owner, key.to_string())).cloned()
    }

    /// Every committed write, oldest first.
    pub fn writes(&self) -> Vec<BookingWrite> {
        lock(&self.state).log.clone()
    }

    async fn run_interleaved(&self) {
        let next = lock(&self.interleaved).pop_front();
        if let Some(concurrent) = next {
            concurrent().await;
        }
    }

    /// Whether `old` is still what is stored: `version = :v AND status = :s`.
    fn unchanged(s: &BookingsState, old: &Booking) -> bool {
        s.bookings.get(&old.id).is_some_and(|b| b.version == old.version && b.status == old.status)
    }

    /// `ADD count :n`, conditional on `count < max` for increments with a limit.
    fn day_ok(s: &BookingsState, b: &Booking, date: NaiveDate, max: Option<u32>) -> bool {
        match (max, s.days.get(&(b.photographer_id, date))) {
            (Some(max), Some(&count)) => count < i64::from(max),
            _ => true,
        }
    }

    fn add_day(s: &mut BookingsState, photographer: UserId, date: NaiveDate, delta: i64) {
        *s.days.entry((photographer, date)).or_insert(0) += delta;
    }

    /// The day version a travel check read is still the day's (`version = :seen`).
    fn day_unchanged(s: &BookingsState, b: &Booking, travel: Option<u64>) -> bool {
        let now = s.places.get(&(b.photographer_id, b.local_date)).map_or(0, |(v, _)| *v);
        Place::of(b).is_none() || travel.is_none_or(|seen| seen == now)
    }

    /// A located session is kept on its date's item and on those either side.
    fn place_dates(date: NaiveDate) -> Vec<NaiveDate> {
        [date.pred_opt(), Some(date), date.succ_opt()].into_iter().flatten().collect()
    }

    fn put_place(s: &mut BookingsState, b: &Booking) {
        if let Some(place) = Place::of(b) {
            for date in Self::place_dates(b.local_date) {
                let (version, places) = s.places.entry((b.photographer_id, date)).or_default();
                *version += 1;
                places.insert(b.id, place.clone());
            }
        }
    }

    fn remove_place(s: &mut BookingsState, b: &Booking) {
        for date in Self::place_dates(b.local_date) {
            if let Some((_, places)) = s.places.get_mut(&(b.photographer_id, date)) {
                places.remove(&b.id);
            }
        }
    }

    /// A slot delete's condition: `attribute_not_exists(pk) OR booking_id = :b`.
    fn free_or_held(s: &BookingsState, b: &Booking, block: i64) -> bool {
        s.slots.get(&(b.photographer_id, block)).is_none_or(|holder| *holder == b.id)
    }
}

impl cm_store::BookingWriter for FakeBookings {
    /// One transaction: booking (`attribute_not_exists`), day counter (`< max`),
    /// idempotent answer (`attribute_not_exists`), then every lock block
    /// (`attribute_not_exists`). Failures are classified as `bookings::classify` does;
    /// a refusing day item is `DayChanged` if its version moved, else `DailyLimit`.
    async fn create_booking(
        &self,
        b: &Booking,
        idempotency: Option<(&str, &IdempotentResponse)>,
        travel: Option<u64>,
    ) -> Result<(), BookingWriteError> {
        self.run_interleaved().await;
        let mut s = lock(&self.state);
        let max_per_day = b.daily_limit;
        let key = idempotency.map(|(k, _)| (b.client_id, k.to_string()));
        // `attribute_not_exists(pk) OR ttl <= now`: an expired answer frees its key.
        let live = |s: &BookingsState, k: &(UserId, String)| {
            s.idempotency.get(k).is_some_and(|stored| stored.expires_at() > b.created_at)
        };
        let idempotency_taken = key.as_ref().is_some_and(|k| live(&s, k) || s.in_flight.contains(k));
        let overlap = b.lock_blocks.iter().any(|&block| s.slots.contains_key(&(b.photographer_id, block)));
        let day_full = !Self::day_ok(&s, b, b.local_date, max_per_day);
        let day_changed = !Self::day_unchanged(&s, b, travel);
        if idempotency_taken {
            return Err(BookingWriteError::IdempotencyKeyTaken);
        }
        if overlap {
            return Err(BookingWriteError::Overlap);
        }
        if day_changed {
            return Err(BookingWriteError::DayChanged);
        }
        if day_full {
            return Err(BookingWriteError::DailyLimit);
        }
        if s.bookings.contains_key(&b.id) {
            return Err(BookingWriteError::Store(StoreError::Unavailable("booking id collision".into())));
        }
        s.bookings.insert(b.id, b.clone());
        if max_per_day.is_some() {
            Self::add_day(&mut s, b.photographer_id, b.local_date, 1);
        }
        Self::put_place(&mut s, b);
        if let (Some(k), Some((_, resp))) = (key, idempotency) {
            s.idempotency.insert(k, resp.clone());
        }
        for &block in &b.lock_blocks {
            s.slots.insert((b.photographer_id, block), b.id);
        }
        s.log.push(BookingWrite::Created { id: b.id, idempotency_key: idempotency.map(|(k, _)| k.to_string()) });
        Ok(())
    }

    async fn get_idempotent_response(
        &self,
        owner: UserId,
        key: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        Ok(self.idempotent_answer(owner, key))
    }

    /// The new booking if `old` is unchanged; if it gives up its slot, a counted day
    /// whose session has not ended goes down, and each block not yet in the past is
    /// deleted on condition that it is gone or `old` holds it.
    async fn update_booking_status(&self, old: &Booking, new: &Booking) -> Result<(), BookingWriteError> {
        self.run_interleaved().await;
        let mut s = lock(&self.state);
        let releases = !old.lock_blocks.is_empty() && new.lock_blocks.is_empty();
        let now_block = new.updated_at.timestamp().div_euclid(i64::from(cm_booking::BLOCK_MINUTES) * 60);
        let released: Vec<i64> = old.lock_blocks.iter().copied().filter(|b| *b >= now_block).collect();
        if !Self::unchanged(&s, old) {
            return Err(BookingWriteError::Stale);
        }
        if releases && !released.iter().all(|&bl| Self::free_or_held(&s, old, bl)) {
            return Err(BookingWriteError::Store(StoreError::Corrupt(
                "a released block is held by another booking".into(),
            )));
        }
        if releases {
            if old.daily_limit.is_some() && old.end > new.updated_at {
                Self::add_day(&mut s, old.photographer_id, old.local_date, -1);
            }
            for block in released {
                s.slots.remove(&(old.photographer_id, block));
            }
            Self::remove_place(&mut s, old);
        }
        s.bookings.insert(new.id, new.clone());
        s.log.push(BookingWrite::StatusChanged { id: new.id, from: old.status, to: new.status, version: new.version });
        Ok(())
    }

    /// The moved booking if `old` is unchanged; the day counters move when the date
    /// does (the new one conditional on the limit); blocks only in the new footprint
    /// are taken, blocks only in the old one are freed (if `old` holds them); the place
    /// moves with the booking, on condition that the new day's version is `travel`.
    async fn reschedule_booking(
        &self,
        old: &Booking,
        new: &Booking,
        travel: Option<u64>,
    ) -> Result<(), BookingWriteError> {
        self.run_interleaved().await;
        let mut s = lock(&self.state);
        // The counters move unless both are counted on the same day.
        let day_changes = !(old.daily_limit.is_some() && new.daily_limit.is_some() && old.local_date == new.local_date);
        let max_per_day = new.daily_limit;
        let taken: Vec<i64> = new.lock_blocks.iter().copied().filter(|b| !old.lock_blocks.contains(b)).collect();
        let freed: Vec<i64> = old.lock_blocks.iter().copied().filter(|b| !new.lock_blocks.contains(b)).collect();
        if !Self::unchanged(&s, old) {
            return Err(BookingWriteError::Stale);
        }
        if day_changes && max_per_day.is_some() && !Self::day_ok(&s, new, new.local_date, max_per_day) {
            return Err(BookingWriteError::DailyLimit);
        }
        if taken.iter().any(|&bl| s.slots.contains_key(&(new.photographer_id, bl))) {
            return Err(BookingWriteError::Overlap);
        }
        if !Self::day_unchanged(&s, new, travel) {
            return Err(BookingWriteError::DayChanged);
        }
        if freed.iter().any(|&bl| !Self::free_or_held(&s, old, bl)) {
            return Err(BookingWriteError::Store(StoreError::Corrupt(
                "a released block is held by another booking".into(),
            )));
        }
        if day_changes {
            if max_per_day.is_some() {
                Self::add_day(&mut s, new.photographer_id, new.local_date, 1);
            }
            if old.daily_limit.is_some() {
                Self::add_day(&mut s, old.photographer_id, old.local_date, -1);
            }
        }
        for bl in freed {
            s.slots.remove(&(old.photographer_id, bl));
        }
        for bl in taken {
            s.slots.insert((new.photographer_id, bl), new.id);
        }
        Self::remove_place(&mut s, old);
        Self::put_place(&mut s, new);
        s.bookings.insert(new.id, new.clone());
        s.log.push(BookingWrite::Rescheduled { id: new.id, from: old.start, to: new.start, version: new.version });
        Ok(())
    }
}

impl cm_store::BookingReader for FakeBookings {
    async fn get_booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError> {
        Ok(self.get(id))
    }

    async fn day_places(&self, photographer: UserId, date: NaiveDate) -> Result<DayPlaces, StoreError> {
        let s = lock(&self.state);
        Ok(s.places.get(&(photographer, date)).map_or_else(DayPlaces::default, |(version, places)| {
            let mut places: Vec<Place> = places.values().cloned().collect();
            places.sort_by_key(|p| (p.start, p.booking));
            DayPlaces { version: *version, places }
        }))
    }

    /// `gsi2sk BETWEEN instant(from) AND instant(to)`, pending or confirmed. The key
    /// carries the id after the start, so a booking starting at `to`'s second is out.
    async fn slot_holding_bookings(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Booking>, StoreError> {
        let (from, to) = (keys::instant(from), keys::instant(to));
        let s = lock(&self.state);
        let mut out: Vec<(String, Booking)> = s
            .bookings
            .values()
            .filter(|b| b.photographer_id == photographer && cm_booking::holds_slot(b.status))
            .map(|b| (start_key(b), b.clone()))
            .filter(|(k, _)| *k >= from && *k <= to)
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    /// A party's bookings by start within `[from, to]` (as key strings), optionally of
    /// one status.
    async fn list_bookings(&self, q: &BookingListQuery, after: Option<&PageKey>) -> Result<Page<Booking>, StoreError> {
        let from = q.from.map_or("0".to_string(), keys::instant);
        let to = q.to.map_or("~".to_string(), keys::instant);
        let s = lock(&self.state);
        let mut items: Vec<(String, Booking)> = s
            .bookings
            .values()
            .filter(|b| match q.party {
                Party::Client(id) => b.client_id == id,
                Party::Photographer(id) => b.photographer_id == id,
                Party::Everyone => true,
            })
            .filter(|b| q.status.is_none_or(|st| b.status == st))
            .map(|b| (start_key(b), b.clone()))
            .filter(|(k, _)| *k >= from && *k <= to)
            .collect();
        items.sort_by(|a, b| if q.descending { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) });
        Ok(page_of(items, q.descending, q.limit, after))
    }
}

impl cm_store::PendingBookings for FakeBookings {
    /// The sparse pending index: `instant(expires_at)#id <= instant(now)~`, so every
    /// booking expiring within `now`'s second is due.
    async fn pending_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Result<Booking, StoreError>>, StoreError> {
        let upper = format!("{}~", keys::instant(now));
        let s = lock(&self.state);
        let mut items: Vec<(String, Booking)> = s
            .bookings
            .values()
            .filter(|b| b.status == BookingStatus::Pending)
            .map(|b| (format!("{}#{}", keys::instant(b.expires_at), b.id), b.clone()))
            .filter(|(k, _)| *k <= upper)
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let page = page_of(items, false, limit, after);
        Ok(Page { items: page.items.into_iter().map(Ok).collect(), next: page.next })
    }
}

// ---------------------------------------------------------------------------------------
// Reviews, feedback, insights
// ---------------------------------------------------------------------------------------

/// `ReviewReader`, `ReviewWriter` (shared/store/src/reviews.rs): one review per booking.
#[derive(Debug, Clone, Default)]
pub struct FakeReviews(Arc<Mutex<HashMap<BookingId, Review>>>);

impl FakeReviews {
    pub fn get(&self, id: BookingId) -> Option<Review> {
        lock(&self.0).get(&id).cloned()
    }

    pub fn count(&self) -> usize {
        lock(&self.0).len()
    }

    fn newest_first(&self, keep: impl Fn(&Review) -> bool, limit: usize, after: Option<&PageKey>) -> Page<Review> {
        let s = lock(&self.0);
        let mut items: Vec<(String, Review)> = s
            .values()
            .filter(|r| keep(r))
            .map(|r| (format!("{}#{}", keys::instant_micros(r.created_at), r.id), r.clone()))
            .collect();
        items.sort_by(|a, b| b.0.cmp(&a.0));
        page_of(items, true, limit, after)
    }
}

impl cm_store::ReviewReader for FakeReviews {
    async fn get_review(&self, id: BookingId) -> Result<Option<Review>, StoreError> {
        Ok(self.get(id))
    }

    async fn list_reviews_for(
        &self,
        photographer: UserId,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Review>, StoreError> {
        Ok(self.newest_first(|r| r.photographer_id == photographer, limit, after))
    }

    async fn list_all_reviews(&self, limit: usize, after: Option<&PageKey>) -> Result<Page<Review>, StoreError> {
        Ok(self.newest_first(|_| true, limit, after))
    }
}

impl cm_store::ReviewWriter for FakeReviews {
    async fn create_review(&self, review: &Review) -> Result<bool, StoreError> {
        let mut s = lock(&self.0);
        if s.contains_key(&review.booking_id) {
            return Ok(false);
        }
        s.insert(review.booking_id, review.clone());
        Ok(true)
    }

    /// A replaced reply keeps the time it was first posted.
    async fn set_review_reply(
        &self,
        id: BookingId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Review>, StoreError> {
        let mut s = lock(&self.0);
        Ok(s.get_mut(&id).map(|r| {
            let created_at = r.reply.as_ref().map_or(now, |old| old.created_at);
            r.reply = Some(Reply { text: text.to_string(), created_at, updated_at: now });
            r.clone()
        }))
    }
}

#[derive(Debug, Default)]
struct FeedbackState {
    items: HashMap<FeedbackId, Feedback>,
    /// The most-negative index key (`gsi2pk`'s status, `gsi2sk`'s rank) as last
    /// written: the store re-keys it on status changes and analyses, each from the
    /// feedback it was given, so it can disagree with the stored status.
    score_keys: HashMap<FeedbackId, (FeedbackStatus, String)>,
}

/// `FeedbackReader`, `FeedbackWriter` (shared/store/src/feedback.rs).
#[derive(Debug, Clone, Default)]
pub struct FakeFeedback(Arc<Mutex<FeedbackState>>);

impl FakeFeedback {
    pub fn get(&self, id: FeedbackId) -> Option<Feedback> {
        lock(&self.0).items.get(&id).cloned()
    }

    pub fn all(&self) -> Vec<Feedback> {
        lock(&self.0).items.values().cloned().collect()
    }

    fn score_key(f: &Feedback) -> Option<(FeedbackStatus, String)> {
        f.sentiment.as_ref().map(|r| (f.status, format!("{}#{}", score_rank(r.analysis.score), f.id)))
    }
}

impl cm_store::FeedbackReader for FakeFeedback {
    async fn get_feedback(&self, id: FeedbackId) -> Result<Option<Feedback>, StoreError> {
        Ok(self.get(id))
    }

    async fn list_feedback(
        &self,
        status: Option<FeedbackStatus>,
        sentiment: Option<Label>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Feedback>, StoreError> {
        let s = lock(&self.0);
        let mut items: Vec<(String, Feedback)> = s
            .items
            .values()
            .filter(|f| status.is_none_or(|st| f.status == st))
            .filter(|f| sentiment.is_none_or(|l| f.sentiment.as_ref().is_some_and(|r| r.analysis.label == l)))
            .map(|f| (format!("{}#{}", keys::instant_micros(f.created_at), f.id), f.clone()))
            .collect();
        items.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(page_of(items, true, limit, after))
    }

    async fn most_negative_open_feedback(&self, limit: usize) -> Result<Vec<Feedback>, StoreError> {
        let upper = score_rank(cm_sentiment::NEGATIVE_THRESHOLD);
        let s = lock(&self.0);
        let mut items: Vec<(&String, &Feedback)> = s
            .score_keys
            .iter()
            .filter(|(_, (status, rank))| *status == FeedbackStatus::Open && *rank < upper)
            .filter_map(|(id, (_, rank))| s.items.get(id).map(|f| (rank, f)))
            .collect();
        items.sort_by(|a, b| a.0.cmp(b.0));
        Ok(items.into_iter().take(limit).map(|(_, f)| f.clone()).collect())
    }
}

impl cm_store::FeedbackWriter for FakeFeedback {
    async fn create_feedback(&self, f: &Feedback) -> Result<(), StoreError> {
        let mut s = lock(&self.0);
        if s.items.contains_key(&f.id) {
            return Err(condition_failed());
        }
        s.items.insert(f.id, f.clone());
        if let Some(k) = Self::score_key(f) {
            s.score_keys.insert(f.id, k);
        }
        Ok(())
    }

    /// `updated_at = :u AND analysis_version = :v`, then the whole item re-keyed.
    async fn update_feedback_status(
        &self,
        old: &Feedback,
        status: FeedbackStatus,
        now: DateTime<Utc>,
    ) -> Result<Option<Feedback>, StoreError> {
        let mut s = lock(&self.0);
        let current = s.items.get(&old.id);
        if !current.is_some_and(|c| c.updated_at == old.updated_at && c.analysis_version == old.analysis_version) {
            return Ok(None);
        }
        let new = Feedback { status, updated_at: now, ..old.clone() };
        s.items.insert(new.id, new.clone());
        match Self::score_key(&new) {
            Some(k) => s.score_keys.insert(new.id, k),
            None => s.score_keys.remove(&new.id),
        };
        Ok(Some(new))
    }
}

/// `InsightsReader`: the daily sentiment counters the analyses add to.
#[derive(Debug, Clone, Default)]
pub struct FakeInsights(Arc<Mutex<BTreeMap<NaiveDate, HashMap<String, i64>>>>);

impl FakeInsights {
    pub fn day(&self, date: NaiveDate) -> Option<HashMap<String, i64>> {
        lock(&self.0).get(&date).cloned()
    }

    /// `ADD` of every delta; an empty set of deltas writes nothing.
    fn add(&self, date: NaiveDate, deltas: &BTreeMap<String, i64>) {
        if deltas.is_empty() {
            return;
        }
        let mut s = lock(&self.0);
        let day = s.entry(date).or_default();
        for (k, v) in deltas {
            *day.entry(k.clone()).or_insert(0) += v;
        }
    }
}

impl cm_store::InsightsReader for FakeInsights {
    async fn sentiment_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayAggregate>, StoreError> {
        Ok(lock(&self.0)
            .range(from..=to)
            .map(|(date, counters)| DayAggregate { date: *date, counters: counters.clone() })
            .collect())
    }
}

// ---------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------

/// A claim item as shared/store/src/claims.rs writes it; times in epoch seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimItem {
    pub done: bool,
    pub lease_until: Option<i64>,
    pub ttl: i64,
}

/// `Claims`: at-most-once effects.
#[derive(Debug, Clone, Default)]
pub struct FakeClaims(Arc<Mutex<HashMap<String, ClaimItem>>>);

impl FakeClaims {
    pub fn get(&self, key: &str) -> Option<ClaimItem> {
        lock(&self.0).get(key).cloned()
    }
}

impl cm_store::Claims for FakeClaims {
    /// Taken if absent, if its holder's lease has run out, or if its record expired.
    async fn claim(&self, key: &str, lease: TimeDelta, now: DateTime<Utc>) -> Result<Claim, StoreError> {
        if key.is_empty() {
            return Err(StoreError::Corrupt("a claim needs a non-empty key".into()));
        }
        let lease_until = now + lease.max(TimeDelta::seconds(1));
        let now_s = now.timestamp();
        let mut s = lock(&self.0);
        let free = match s.get(key) {
            None => true,
            Some(c) => (!c.done && c.lease_until.is_some_and(|l| l <= now_s)) || c.ttl <= now_s,
        };
        if !free {
            let held = &s[key];
            return Ok(if held.done {
                Claim::AlreadyDone
            } else {
                Claim::Busy {
                    until: held.lease_until.and_then(|secs| DateTime::from_timestamp(secs, 0)).unwrap_or(now),
                }
            });
        }
        s.insert(
            key.to_string(),
            ClaimItem {
                done: false,
                lease_until: Some(lease_until.timestamp()),
                ttl: (lease_until + DONE_RETENTION).timestamp(),
            },
        );
        Ok(Claim::Acquired)
    }

    /// Unconditional: creates the record if it is missing.
    async fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        lock(&self.0).insert(
            key.to_string(),
            ClaimItem { done: true, lease_until: None, ttl: (now + DONE_RETENTION).timestamp() },
        );
        Ok(())
    }

    /// Deletes only an in-progress claim.
    async fn release(&self, key: &str) -> Result<(), StoreError> {
        let mut s = lock(&self.0);
        if s.get(key).is_some_and(|c| !c.done) {
            s.remove(key);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Media
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct PortfolioState {
    items: BTreeMap<(UserId, ItemId), PortfolioItem>,
    heads: HashMap<UserId, u64>,
}

/// Portfolio items and each portfolio's head version (shared/store/src/portfolio.rs).
/// Payment ledgers, Stripe links, payout accounts and customers, with the table's
/// conditions: ledgers written only at the version read, the first customer link kept,
/// an older payout state never over a newer one.
#[derive(Clone, Default, Debug)]
pub struct FakePayments(Arc<Mutex<PaymentsState>>);

#[derive(Default, Debug)]
struct PaymentsState {
    ledgers: HashMap<BookingId, cm_payments::Ledger>,
    links: HashMap<String, String>,
    payouts: HashMap<UserId, cm_payments::PayoutAccount>,
    customers: HashMap<UserId, String>,
}

impl cm_store::PaymentReader for FakePayments {
    async fn get_ledger(&self, booking: BookingId) -> Result<Option<cm_payments::Ledger>, StoreError> {
        Ok(self.0.lock().unwrap().ledgers.get(&booking).cloned())
    }
    async fn stripe_owner(&self, stripe_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self.0.lock().unwrap().links.get(stripe_id).cloned())
    }
    async fn payout_account(&self, photographer: UserId) -> Result<Option<cm_payments::PayoutAccount>, StoreError> {
        Ok(self.0.lock().unwrap().payouts.get(&photographer).cloned())
    }
    async fn stripe_customer(&self, user: UserId) -> Result<Option<String>, StoreError> {
        Ok(self.0.lock().unwrap().customers.get(&user).cloned())
    }
}

impl cm_store::PaymentWriter for FakePayments {
    async fn create_ledger(&self, ledger: &cm_payments::Ledger) -> Result<bool, StoreError> {
        let mut st = self.0.lock().unwrap();
        if st.ledgers.contains_key(&ledger.booking_id) {
            return Ok(false);
        }
        st.ledgers.insert(ledger.booking_id, ledger.clone());
        Ok(true)
    }
    async fn save_ledger(&self, old: &cm_payments::Ledger, new: &cm_payments::Ledger) -> Result<bool, StoreError> {
        let mut st = self.0.lock().unwrap();
        if st.ledgers.get(&old.booking_id).map(|l| l.version) != Some(old.version) {
            return Ok(false);
        }
        for i in new.intents.iter().filter(|i| old.intent(&i.id).is_none()) {
            st.links.insert(i.id.clone(), new.booking_id.to_string());
        }
        st.ledgers.insert(new.booking_id, new.clone());
        Ok(true)
    }
    async fn save_payout_account(
        &self,
        photographer: UserId,
        account: &cm_payments::PayoutAccount,
    ) -> Result<bool, StoreError> {
        let mut st = self.0.lock().unwrap();
        let allowed = match st.payouts.get(&photographer) {
            None => true,
            Some(p) => p.account == account.account && p.status_at <= account.status_at,
        };
        if allowed {
            st.payouts.insert(photographer, account.clone());
            st.links.insert(account.account.clone(), photographer.to_string());
        }
        Ok(allowed)
    }
    async fn save_stripe_customer(&self, user: UserId, customer: &str) -> Result<String, StoreError> {
        Ok(self.0.lock().unwrap().customers.entry(user).or_insert_with(|| customer.to_string()).clone())
    }
}

#[derive(Debug, Clone, Default)]
pub struct FakePortfolio(Arc<Mutex<PortfolioState>>);

impl FakePortfolio {
    pub fn item(&self, photographer: UserId, id: ItemId) -> Option<PortfolioItem> {
        lock(&self.0).items.get(&(photographer, id)).cloned()
    }
}

impl cm_store::PortfolioReader for FakePortfolio {
    async fn get_portfolio_item(&self, photographer: UserId, id: ItemId) -> Result<Option<PortfolioItem>, StoreError> {
        Ok(self.item(photographer, id))
    }

    async fn portfolio(&self, photographer: UserId, _consistent: bool) -> Result<Portfolio, StoreError> {
        let s = lock(&self.0);
        Ok(Portfolio {
            items: s.items.iter().filter(|((p, _), _)| *p == photographer).map(|(_, i)| i.clone()).collect(),
            version: s.heads.get(&photographer).copied().unwrap_or(0),
        })
    }
}

impl cm_store::PortfolioWriter for FakePortfolio {
    /// Both conditions of the transaction, all or nothing.
    async fn add_portfolio_item(&self, item: &PortfolioItem, read_version: u64) -> Result<bool, StoreError> {
        let mut s = lock(&self.0);
        let head = s.heads.get(&item.photographer).copied().unwrap_or(0);
        if head != read_version || s.items.contains_key(&(item.photographer, item.id)) {
            return Ok(false);
        }
        s.heads.insert(item.photographer, head + 1);
        s.items.insert((item.photographer, item.id), item.clone());
        Ok(true)
    }

    async fn replace_portfolio_item(&self, old: &PortfolioItem, new: &PortfolioItem) -> Result<bool, StoreError> {
        let mut s = lock(&self.0);
        match s.items.get_mut(&(old.photographer, old.id)) {
            Some(stored) if stored.version == old.version => {
                *stored = new.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_portfolio_item(&self, item: &PortfolioItem) -> Result<bool, StoreError> {
        let mut s = lock(&self.0);
        let key = (item.photographer, item.id);
        if s.items.get(&key).is_some_and(|stored| stored.version == item.version) {
            s.items.remove(&key);
            return Ok(true);
        }
        Ok(false)
    }
}

// ---------------------------------------------------------------------------------------
// Busy time from external calendars
// ---------------------------------------------------------------------------------------

/// The busy time the sync job stored, per photographer (the job itself is tested on
/// DynamoDB Local).
#[derive(Debug, Clone, Default)]
pub struct FakeBusyTime(Arc<Mutex<HashMap<UserId, Vec<cm_calsync::BusyInterval>>>>);

impl FakeBusyTime {
    pub fn set(&self, photographer: UserId, busy: Vec<cm_calsync::BusyInterval>) {
        lock(&self.0).insert(photographer, busy);
    }
}

impl cm_store::BusyTimeReader for FakeBusyTime {
    async fn busy_time(
        &self,
        photographer: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<cm_calsync::BusyInterval>, StoreError> {
        let mut busy: Vec<_> = lock(&self.0)
            .get(&photographer)
            .into_iter()
            .flatten()
            .filter(|b| b.start < to && b.end > from)
            .copied()
            .collect();
        busy.sort();
        Ok(busy)
    }
}

// ---------------------------------------------------------------------------------------
// FakeStore: every port, by delegation
// ---------------------------------------------------------------------------------------

macro_rules! delegate {
    ($trait:path, $field:ident { $(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $out:ty;)* }) => {
        impl $trait for FakeStore {
            $(async fn $name(&self $(, $arg: $ty)*) -> $out {
                <_ as $trait>::$name(&self.$field $(, $arg)*).await
            })*
        }
    };
}

delegate!(cm_store::PaymentReader, payments {
    fn get_ledger(&self, booking: BookingId) -> Result<Option<cm_payments::Ledger>, StoreError>;
    fn stripe_owner(&self, stripe_id: &str) -> Result<Option<String>, StoreError>;
    fn payout_account(&self, photographer: UserId) -> Result<Option<cm_payments::PayoutAccount>, StoreError>;
    fn stripe_customer(&self, user: UserId) -> Result<Option<String>, StoreError>;
});
delegate!(cm_store::PaymentWriter, payments {
    fn create_ledger(&self, ledger: &cm_payments::Ledger) -> Result<bool, StoreError>;
    fn save_ledger(&self, old: &cm_payments::Ledger, new: &cm_payments::Ledger) -> Result<bool, StoreError>;
    fn save_payout_account(&self, photographer: UserId, account: &cm_payments::PayoutAccount) -> Result<bool, StoreError>;
    fn save_stripe_customer(&self, user: UserId, customer: &str) -> Result<String, StoreError>;
});
delegate!(cm_store::PortfolioReader, portfolio {
    fn get_portfolio_item(&self, photographer: UserId, id: ItemId) -> Result<Option<PortfolioItem>, StoreError>;
    fn portfolio(&self, photographer: UserId, consistent: bool) -> Result<Portfolio, StoreError>;
});
delegate!(cm_store::PortfolioWriter, portfolio {
    fn add_portfolio_item(&self, item: &PortfolioItem, read_version: u64) -> Result<bool, StoreError>;
    fn replace_portfolio_item(&self, old: &PortfolioItem, new: &PortfolioItem) -> Result<bool, StoreError>;
    fn delete_portfolio_item(&self, item: &PortfolioItem) -> Result<bool, StoreError>;
});
delegate!(cm_store::UserReader, users {
    fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError>;
    fn find_user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError>;
});
delegate!(cm_store::UserDirectory, users {
    fn list_users(&self, role: Option<Role>, limit: usize, after: Option<&PageKey>) -> Result<Page<User>, StoreError>;
});
delegate!(cm_store::LoginAttempts, logins {
    fn login_state(&self, key: &str) -> Result<LoginState, StoreError>;
    fn record_login_failure(&self, key: &str, policy: cm_accounts::login_throttle::Policy, now: DateTime<Utc>)
        -> Result<LoginState, StoreError>;
    fn reset_login_failures(&self, key: &str) -> Result<(), StoreError>;
});
delegate!(cm_store::RefreshFamilies, refresh {
    fn create_refresh_family(&self, family: &RefreshFamily) -> Result<(), StoreError>;
    fn get_refresh_family(&self, family: &str) -> Result<Option<RefreshFamily>, StoreError>;
    fn rotate_refresh_family(&self, family: &str, from_generation: u64, new_secret_hash: &str, now: DateTime<Utc>)
        -> Result<Rotation, StoreError>;
    fn revoke_refresh_family(&self, family: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
});
delegate!(cm_store::PhotographerReader, photographers {
    fn get_photographer(&self, id: UserId) -> Result<Option<PhotographerRecord>, StoreError>;
});
delegate!(cm_store::PhotographerSearch, photographers {
    fn search_photographers(&self, q: &SearchQuery<'_>, after: Option<&PageKey>) -> Result<Page<PublicProfile>, StoreError>;
    fn photographers_in(&self, partitions: &[String]) -> Result<Vec<PublicProfile>, StoreError>;
});
delegate!(cm_store::PhotographerWriter, photographers {
    fn put_photographer_profile(&self, id: UserId, profile: &PhotographerProfile, listed_if_new: bool, now: DateTime<Utc>)
        -> Result<PhotographerRecord, ProfileWriteError>;
});
delegate!(cm_store::CoverPhotos, photographers {
    fn set_cover_photo(&self, id: UserId, cover: Option<cm_catalog::CoverPhoto>, only_if_item: Option<&str>, now: DateTime<Utc>)
        -> Result<Option<PhotographerRecord>, ProfileWriteError>;
});
delegate!(cm_store::BusyTimeReader, busy {
    fn busy_time(&self, photographer: UserId, from: DateTime<Utc>, to: DateTime<Utc>)
        -> Result<Vec<cm_calsync::BusyInterval>, StoreError>;
});
delegate!(cm_store::AvailabilityReader, availability {
    fn get_availability(&self, photographer: UserId) -> Result<Option<AvailabilityDoc>, StoreError>;
});
delegate!(cm_store::AvailabilityWriter, availability {
    fn put_availability(&self, photographer: UserId, doc: &AvailabilityDoc, now: DateTime<Utc>) -> Result<(), StoreError>;
});
delegate!(cm_store::BookingReader, bookings {
    fn get_booking(&self, id: BookingId) -> Result<Option<Booking>, StoreError>;
    fn slot_holding_bookings(&self, photographer: UserId, from: DateTime<Utc>, to: DateTime<Utc>)
        -> Result<Vec<Booking>, StoreError>;
    fn list_bookings(&self, q: &BookingListQuery, after: Option<&PageKey>) -> Result<Page<Booking>, StoreError>;
    fn day_places(&self, photographer: UserId, date: NaiveDate) -> Result<DayPlaces, StoreError>;
});
delegate!(cm_store::BookingWriter, bookings {
    fn create_booking(&self, b: &Booking, idempotency: Option<(&str, &IdempotentResponse)>, travel: Option<u64>)
        -> Result<(), BookingWriteError>;
    fn get_idempotent_response(&self, owner: UserId, key: &str) -> Result<Option<IdempotentResponse>, StoreError>;
    fn update_booking_status(&self, old: &Booking, new: &Booking) -> Result<(), BookingWriteError>;
    fn reschedule_booking(&self, old: &Booking, new: &Booking, travel: Option<u64>) -> Result<(), BookingWriteError>;
});
delegate!(cm_store::PendingBookings, bookings {
    fn pending_due(&self, now: DateTime<Utc>, limit: usize, after: Option<&PageKey>)
        -> Result<Page<Result<Booking, StoreError>>, StoreError>;
});
delegate!(cm_store::ReviewReader, reviews {
    fn get_review(&self, id: BookingId) -> Result<Option<Review>, StoreError>;
    fn list_reviews_for(&self, photographer: UserId, limit: usize, after: Option<&PageKey>) -> Result<Page<Review>, StoreError>;
    fn list_all_reviews(&self, limit: usize, after: Option<&PageKey>) -> Result<Page<Review>, StoreError>;
});
delegate!(cm_store::ReviewWriter, reviews {
    fn create_review(&self, review: &Review) -> Result<bool, StoreError>;
    fn set_review_reply(&self, id: BookingId, text: &str, now: DateTime<Utc>) -> Result<Option<Review>, StoreError>;
});
delegate!(cm_store::FeedbackReader, feedback {
    fn get_feedback(&self, id: FeedbackId) -> Result<Option<Feedback>, StoreError>;
    fn list_feedback(&self, status: Option<FeedbackStatus>, sentiment: Option<Label>, limit: usize, after: Option<&PageKey>)
        -> Result<Page<Feedback>, StoreError>;
    fn most_negative_open_feedback(&self, limit: usize) -> Result<Vec<Feedback>, StoreError>;
});
delegate!(cm_store::FeedbackWriter, feedback {
    fn create_feedback(&self, f: &Feedback) -> Result<(), StoreError>;
    fn update_feedback_status(&self, old: &Feedback, status: FeedbackStatus, now: DateTime<Utc>)
        -> Result<Option<Feedback>, StoreError>;
});
delegate!(cm_store::InsightsReader, insights {
    fn sentiment_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayAggregate>, StoreError>;
});
delegate!(cm_store::Claims, claims {
    fn claim(&self, key: &str, lease: TimeDelta, now: DateTime<Utc>) -> Result<Claim, StoreError>;
    fn complete(&self, key: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
    fn release(&self, key: &str) -> Result<(), StoreError>;
});

/// An analysis's write, applied to the stored item if it is still at the analysis
/// version `expected` (`analysis_version = :v`). The alert flag is only ever raised.
fn apply_analysis(
    sentiment: &mut Option<SentimentRecord>,
    state: &mut AnalysisState,
    version: &mut u32,
    alert_pending: &mut bool,
    expected: u32,
    record: SentimentRecord,
    alert: bool,
) -> bool {
    if *version != expected {
        return false;
    }
    *sentiment = Some(record);
    *state = AnalysisState::Done;
    *version += 1;
    if alert {
        *alert_pending = true;
    }
    true
}

/// The analysis transactions span items of several fakes (the review or feedback, the
/// day's counters, the photographer), so they live here. Each checks its condition
/// first and then writes everything, as the store's transaction does.
impl cm_store::SentimentWriter for FakeStore {
    /// The review's analysis and the photographer's sentiment counts (and, on the first
    /// analysis, rating) together, once per analysis version.
    async fn apply_review_analysis(
        &self,
        review: &Review,
        record: SentimentRecord,
        alert: bool,
    ) -> Result<Applied, ProfileWriteError> {
        let first = review.analysis_version == 0;
        let old = review.sentiment.as_ref().map(|r| &r.analysis);
        let (new_label, old_label, at) = (record.analysis.label, old.map(|a| a.label), record.analyzed_at);
        {
            let mut reviews = lock(&self.reviews.0);
            let Some(stored) = reviews.get_mut(&review.booking_id) else { return Ok(Applied::AlreadyApplied) };
            let r = stored;
            if !apply_analysis(
                &mut r.sentiment,
                &mut r.analysis_state,
                &mut r.analysis_version,
                &mut r.alert_pending,
                review.analysis_version,
                record,
                alert && first,
            ) {
                return Ok(Applied::AlreadyApplied);
            }
        }
        self.photographers.modify(review.photographer_id, |current| {
            current.map(|c| c.after_review_analysis(review.rating, first, old_label, new_label, at))
        });
        Ok(Applied::Applied)
    }

    /// The feedback's analysis (re-keying the most-negative index from `f`'s status),
    /// once per analysis version.
    async fn apply_feedback_analysis(
        &self,
        f: &Feedback,
        record: SentimentRecord,
        alert: bool,
    ) -> Result<Applied, StoreError> {
        let first = f.analysis_version == 0;
        let rank = format!("{}#{}", score_rank(record.analysis.score), f.id);
        {
            let mut s = lock(&self.feedback.0);
            let Some(stored) = s.items.get_mut(&f.id) else { return Ok(Applied::AlreadyApplied) };
            if !apply_analysis(
                &mut stored.sentiment,
                &mut stored.analysis_state,
                &mut stored.analysis_version,
                &mut stored.alert_pending,
                f.analysis_version,
                record,
                alert && first,
            ) {
                return Ok(Applied::AlreadyApplied);
            }
            s.score_keys.insert(f.id, (f.status, rank));
        }
        Ok(Applied::Applied)
    }

    /// Touches a still-pending item: only the condition matters to a fake (no stream).
    async fn redrive_analysis(
        &self,
        pk: &str,
        sk: &str,
        version: u32,
        _now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let pending = |state: AnalysisState, v: u32| state == AnalysisState::Pending && v == version;
        if sk == keys::REVIEW_SK {
            let Some(id) = pk.strip_prefix("BOOKING#").and_then(|i| i.parse::<BookingId>().ok()) else {
                return Ok(false);
            };
            return Ok(lock(&self.reviews.0).get(&id).is_some_and(|r| pending(r.analysis_state, r.analysis_version)));
        }
        let Some(id) = pk.strip_prefix("FEEDBACK#").and_then(|i| i.parse::<FeedbackId>().ok()) else {
            return Ok(false);
        };
        Ok(lock(&self.feedback.0).items.get(&id).is_some_and(|f| pending(f.analysis_state, f.analysis_version)))
    }
}

/// The daily aggregates, each analysis counted once by its name.
impl cm_store::SentimentAggregates for FakeStore {
    async fn add_sentiment_deltas(
        &self,
        analysis: &str,
        day: NaiveDate,
        deltas: &BTreeMap<String, i64>,
        _now: DateTime<Utc>,
    ) -> Result<Applied, StoreError> {
        if !lock(&self.aggregated).insert(analysis.to_string()) {
            return Ok(Applied::AlreadyApplied);
        }
        self.insights.add(day, deltas);
        Ok(Applied::Applied)
    }
}

/// An account and, for a photographer, their listing, together.
impl cm_store::NameReader for FakeStore {
    /// As `cm_store::names`: an active account's name, a listed profile's display name.
    async fn party_names(
        &self,
        clients: &[UserId],
        photographers: &[UserId],
    ) -> Result<cm_store::names::PartyNames, StoreError> {
        let mut out = cm_store::names::PartyNames::default();
        for id in clients {
            if let Some(u) = self.users.get(*id).filter(|u| u.active) {
                out.clients.insert(*id, u.name);
            }
        }
        for id in photographers {
            if let Some(p) = self.photographers.get(*id).filter(|p| p.listed) {
                out.photographers.insert(*id, p.profile.display_name);
            }
        }
        Ok(out)
    }
}

impl cm_store::UserWriter for FakeStore {
    async fn create_user(&self, user: &User, normalized_email: &str) -> Result<(), CreateUserError> {
        cm_store::UserWriter::create_user(&self.users, user, normalized_email).await
    }

    async fn patch_user(
        &self,
        id: UserId,
        patch: &ProfilePatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        cm_store::UserWriter::patch_user(&self.users, id, patch, now).await
    }

    async fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, ProfileWriteError> {
        let user = cm_store::UserWriter::set_user_active(&self.users, id, active, now).await?;
        if user.as_ref().is_some_and(|u| u.role == Role::Photographer) {
            self.photographers.set_listed(id, active, now);
        }
        Ok(user)
    }
}

/// The `alert_pending` flag lives on review and feedback items, addressed by their keys.
impl cm_store::AlertFlags for FakeStore {
    /// `alert_pending = true` → false; `false` when there was no pending alert.
    async fn clear_alert(&self, pk: &str, sk: &str) -> Result<bool, StoreError> {
        Ok(self.with_alert_flag(pk, sk, |flag| std::mem::replace(flag, false)).unwrap_or(false))
    }
}

impl FakeStore {
    fn with_alert_flag<T>(&self, pk: &str, sk: &str, f: impl FnOnce(&mut bool) -> T) -> Option<T> {
        if sk == keys::REVIEW_SK {
            let id: BookingId = pk.strip_prefix("BOOKING#")?.parse().ok()?;
            return lock(&self.reviews.0).get_mut(&id).map(|r| f(&mut r.alert_pending));
        }
        if sk == keys::FEEDBACK_SK {
            let id: FeedbackId = pk.strip_prefix("FEEDBACK#")?.parse().ok()?;
            return lock(&self.feedback.0).items.get_mut(&id).map(|x| f(&mut x.alert_pending));
        }
        None
    }
}
