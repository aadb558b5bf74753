//! Photographer profiles and their ranked search listings.
//!
//! The profile item is the source of truth. Each listed photographer also has one
//! listing item per search partition (`cm_catalog::search`), keyed by rank. Profile and
//! listings change together in one transaction guarded by the profile's version, so
//! search never shows a half-updated photographer and concurrent writers cannot
//! interleave.

use crate::ports::{PhotographerReader, PhotographerSearch, PhotographerWriter};
use crate::{DynamoStore, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use chrono::{DateTime, NaiveDate, Utc};
use cm_catalog::search;
use cm_catalog::{PhotographerProfile, PhotographerRecord, PublicProfile, RatingTotals, SentimentCounts};
use cm_core::UserId;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct ProfileItem {
    pk: String,
    sk: String,
    entity: String,
    #[serde(flatten)]
    record: PhotographerRecord,
}

#[derive(Serialize, Deserialize)]
struct ListingItem {
    pk: String,
    sk: String,
    entity: String,
    photographer_id: UserId,
    hourly_rate_minor: i64,
    currency: String,
    profile: PublicProfile,
    /// What recommendations rank by besides the profile (`cm_catalog::recommend`);
    /// absent on listings written before them until `reindex-listings` rewrites them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rating_totals: Option<RatingTotals>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sentiment: Option<SentimentCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    listed_since: Option<NaiveDate>,
}

/// A listing as recommendations read it: the public profile with the totals the
/// ranker scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub profile: PublicProfile,
    pub rating: RatingTotals,
    pub sentiment: SentimentCounts,
    /// `None` on a listing from before recommendations.
    pub listed_since: Option<NaiveDate>,
}

impl From<ListingItem> for Listed {
    fn from(l: ListingItem) -> Listed {
        // A listing from before the totals were copied: its shown rating is exact to
        // the hundredth, so the sum it implies is the sum the stars made.
        let rating = l.rating_totals.unwrap_or(RatingTotals {
            sum: (l.profile.rating.average * l.profile.rating.count as f64).round() as u64,
            count: l.profile.rating.count,
        });
        Listed { rating, sentiment: l.sentiment.unwrap_or_default(), listed_since: l.listed_since, profile: l.profile }
    }
}

/// Why a profile write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ProfileWriteError {
    /// Someone else changed the profile between our read and write, every retry.
    #[error("the profile kept changing while it was being written")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

const WRITE_ATTEMPTS: usize = 4;

pub(crate) enum Modified {
    Done(Option<Box<PhotographerRecord>>),
    ExtraConditionFailed,
}

pub struct SearchQuery<'a> {
    pub partition: String,
    pub min_rating_centi: Option<u64>,
    pub max_hourly_rate_minor: Option<i64>,
    pub currency: Option<&'a str>,
    pub limit: usize,
}

fn listing_keys(record: &PhotographerRecord) -> Vec<(String, String)> {
    record.listings().into_iter().map(|(partition, rank)| (keys::listing(&partition), rank)).collect()
}

impl PhotographerReader for DynamoStore {
    async fn get_photographer(&self, id: UserId) -> Result<Option<PhotographerRecord>, StoreError> {
        let item = self.get(keys::user(id), keys::PHOTOGRAPHER_SK, Read::Eventual).await?;
        item.map(|i| from_item::<ProfileItem>(i).map(|p| p.record)).transpose()
    }
}

impl DynamoStore {
    /// Writes a photographer's listings again from their stored record, adding any
    /// the record calls for that are missing (as after a release that adds search
    /// partitions, such as the geo cells) and leaving the profile as it was (only its
    /// version moves). Idempotent; an operator job (`reindex-listings`), not a request
    /// path. `false` when there is no such photographer.
    pub async fn rewrite_listings(&self, id: UserId) -> Result<bool, ProfileWriteError> {
        Ok(self.modify_photographer(id, |old| old.cloned()).await?.is_some())
    }
}

impl PhotographerWriter for DynamoStore {
    /// Creates or replaces the profile document, keeping rating and listing state.
    async fn put_photographer_profile(
        &self,
        id: UserId,
        profile: &PhotographerProfile,
        listed_if_new: bool,
        now: DateTime<Utc>,
    ) -> Result<PhotographerRecord, ProfileWriteError> {
        self.modify_photographer(id, |old| {
            Some(match old {
                Some(old) => PhotographerRecord { profile: profile.clone(), updated_at: now, ..old.clone() },
                None => PhotographerRecord::new(id, profile.clone(), listed_if_new, now),
            })
        })
        .await
        .and_then(|r| r.ok_or(ProfileWriteError::Store(StoreError::Corrupt("profile vanished".into()))))
    }
}

impl crate::ports::CoverPhotos for DynamoStore {
    /// Sets the cover (with the listings, which show it), or clears it when `cover`
    /// is `None` and the current cover is `unless_not` (or any, if that is `None`).
    async fn set_cover_photo(
        &self,
        id: UserId,
        cover: Option<cm_catalog::CoverPhoto>,
        only_if_item: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<PhotographerRecord>, ProfileWriteError> {
        self.modify_photographer(id, |old| {
            let old = old?;
            if only_if_item.is_some_and(|item| old.cover.as_ref().is_none_or(|c| c.item_id != item)) {
                return None;
            }
            Some(PhotographerRecord { cover: cover.clone(), updated_at: now, ..old.clone() })
        })
        .await
    }
}

impl DynamoStore {
    /// Adds one review's stars to the running totals and re-ranks the listings, outside
    /// the review flow: for demo data and tests that need rated photographers.
    pub async fn add_photographer_rating(
        &self,
        id: UserId,
        stars: u8,
        now: DateTime<Utc>,
    ) -> Result<Option<PhotographerRecord>, ProfileWriteError> {
        self.modify_photographer(id, |old| {
            old.map(|o| PhotographerRecord {
                rating: cm_catalog::RatingTotals { sum: o.rating.sum + u64::from(stars), count: o.rating.count + 1 },
                updated_at: now,
                ..o.clone()
            })
        })
        .await
    }

    /// Optimistic read-modify-write: the transaction only commits if the version we
    /// read is still current, and retries from a fresh read when it is not.
    async fn modify_photographer(
        &self,
        id: UserId,
        change: impl Fn(Option<&PhotographerRecord>) -> Option<PhotographerRecord>,
    ) -> Result<Option<PhotographerRecord>, ProfileWriteError> {
        match self.modify_photographer_with(id, change, Vec::new).await? {
            Modified::Done(r) => Ok(r.map(|b| *b)),
            Modified::ExtraConditionFailed => Err(ProfileWriteError::Store(StoreError::Corrupt("no extra ops".into()))),
        }
    }

    /// Like `modify_photographer`, committing `extra()` operations in the same
    /// transaction (placed first). When one of those fails its condition the whole
    /// change is abandoned: that is how callers make an update happen exactly once.
    pub(crate) async fn modify_photographer_with(
        &self,
        id: UserId,
        change: impl Fn(Option<&PhotographerRecord>) -> Option<PhotographerRecord>,
        extra: impl Fn() -> Vec<TransactWriteItem>,
    ) -> Result<Modified, ProfileWriteError> {
        for _ in 0..WRITE_ATTEMPTS {
            let old = self.get_photographer_consistent(id).await?;
            let Some(mut new) = change(old.as_ref()) else {
                return Ok(Modified::Done(None));
            };
            new.version = old.as_ref().map_or(1, |o| o.version + 1);
            let extra_ops = extra();
            let n_extra = extra_ops.len();
            match self.write_photographer(old.as_ref(), &new, extra_ops).await {
                Ok(()) => return Ok(Modified::Done(Some(Box::new(new)))),
                Err(StoreError::ConditionFailed { failed_items }) if failed_items.iter().any(|&i| i < n_extra) => {
                    return Ok(Modified::ExtraConditionFailed);
                }
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(ProfileWriteError::Contended)
    }

    async fn get_photographer_consistent(&self, id: UserId) -> Result<Option<PhotographerRecord>, StoreError> {
        let item = self.get(keys::user(id), keys::PHOTOGRAPHER_SK, Read::Consistent).await?;
        item.map(|i| from_item::<ProfileItem>(i).map(|p| p.record)).transpose()
    }

    async fn write_photographer(
        &self,
        old: Option<&PhotographerRecord>,
        new: &PhotographerRecord,
        mut ops: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let profile_item = to_item(&ProfileItem {
            pk: keys::user(new.id),
            sk: keys::PHOTOGRAPHER_SK.into(),
            entity: "photographer".into(),
            record: new.clone(),
        })?;
        let mut put_profile = Put::builder().table_name(&self.table).set_item(Some(profile_item));
        put_profile = match old {
            Some(o) => put_profile
                .condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(o.version.to_string())),
            None => put_profile.condition_expression("attribute_not_exists(pk)"),
        };
        ops.push(TransactWriteItem::builder().put(put_profile.build().map_err(build_err)?).build());

        let new_keys = listing_keys(new);
        for (pk, sk) in old.map(listing_keys).unwrap_or_default() {
            if !new_keys.contains(&(pk.clone(), sk.clone())) {
                let del =
                    Delete::builder().table_name(&self.table).set_key(Some(key(pk, sk))).build().map_err(build_err)?;
                ops.push(TransactWriteItem::builder().delete(del).build());
            }
        }
        let public = new.public();
        for (pk, sk) in new_keys {
            let item = to_item(&ListingItem {
                pk,
                sk,
                entity: "listing".into(),
                photographer_id: new.id,
                hourly_rate_minor: new.profile.hourly_rate.amount_minor,
                currency: new.profile.hourly_rate.currency.as_str().to_string(),
                profile: public.clone(),
                rating_totals: Some(new.rating),
                sentiment: Some(new.sentiment),
                listed_since: Some(new.created_at.date_naive()),
            })?;
            ops.push(
                TransactWriteItem::builder()
                    .put(Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(build_err)?)
                    .build(),
            );
        }
        self.transact(ops).await?;
        Ok(())
    }
}

impl PhotographerSearch for DynamoStore {
    /// One ranked listing partition, best first. Filters that are not part of the key
    /// run as a FilterExpression inside the Query; we keep querying until the page is
    /// full so a selective filter does not yield short or empty pages.
    async fn search_photographers(
        &self,
        q: &SearchQuery<'_>,
        after: Option<&PageKey>,
    ) -> Result<Page<PublicProfile>, StoreError> {
        let pk = keys::listing(&q.partition);
        let make = || {
            let mut req = self.client.query().table_name(&self.table).expression_attribute_values(":pk", s(&pk));
            let mut key_cond = "pk = :pk".to_string();
            if let Some(min) = q.min_rating_centi {
                key_cond.push_str(" AND sk < :upper");
                req = req.expression_attribute_values(":upper", s(search::rank_upper_bound(min)));
            }
            let mut filters = Vec::new();
            if let Some(max) = q.max_hourly_rate_minor {
                filters.push("hourly_rate_minor <= :max");
                req = req.expression_attribute_values(":max", AttributeValue::N(max.to_string()));
            }
            if let Some(cur) = q.currency {
                filters.push("currency = :cur");
                req = req.expression_attribute_values(":cur", s(cur));
            }
            if !filters.is_empty() {
                req = req.filter_expression(filters.join(" AND "));
            }
            req.key_condition_expression(key_cond)
        };
        crate::page::filtered_page(make, q.limit, after, &["pk", "sk"], |i| {
            from_item::<ListingItem>(i).map(|l| l.profile)
        })
        .await
    }

    /// One Query per partition, all at once, each read to its end: a cell holds the
    /// photographers serving that part of the map, so the cost follows how many serve
    /// there, not how many there are.
    async fn photographers_in(&self, partitions: &[String]) -> Result<Vec<PublicProfile>, StoreError> {
        Ok(self.listed_in(partitions).await?.into_iter().map(|l| l.profile).collect())
    }
}

impl DynamoStore {
    /// Everyone listed under any of these partitions, each once, with the totals
    /// recommendations rank by.
    pub(crate) async fn listed_in(&self, partitions: &[String]) -> Result<Vec<Listed>, StoreError> {
        let reads = partitions.iter().map(|partition| async move {
            let items = self.partition(keys::listing(partition), Read::Eventual).await?;
            items
                .into_iter()
                .map(|item| Ok(Listed::from(from_item::<ListingItem>(item)?)))
                .collect::<Result<Vec<_>, StoreError>>()
        });
        let mut all: Vec<Listed> = futures::future::try_join_all(reads).await?.into_iter().flatten().collect();
        all.sort_by_key(|a| a.profile.id);
        all.dedup_by(|a, b| a.profile.id == b.profile.id);
        Ok(all)
    }

    /// The best-ranked `limit` of one ranked listing partition, best first.
    pub(crate) async fn best_listed(&self, partition: &str, limit: usize) -> Result<Vec<Listed>, StoreError> {
        let pk = keys::listing(partition);
        let make = || {
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(&pk))
        };
        let page = crate::page::filtered_page(make, limit, None, &["pk", "sk"], |i| {
            from_item::<ListingItem>(i).map(Listed::from)
        })
        .await?;
        Ok(page.items)
    }
}

/// A profile item as read by another module's batch read.
pub(crate) fn record_of(item: crate::Item) -> Result<PhotographerRecord, StoreError> {
    from_item::<ProfileItem>(item).map(|p| p.record)
}
