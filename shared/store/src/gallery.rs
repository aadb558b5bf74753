//! Client galleries. One partition per booking (`GALLERY#<booking>`): the gallery's
//! head (`HEAD`: settings and quota counters) and a photo per upload
//! (`PHOTO#<ulid>`, so a Query lists them in upload order).
//!
//! The head's counters move in the same transaction as the photo they count
//! (`cm_media::gallery::Counts`), so the quota holds under concurrent uploads without
//! reading the gallery whole. Settings change with an update of their own fields
//! only, conditional on the settings' version, so they never overwrite counters.
//! A photo records `ttl` (its expiry in epoch seconds): DynamoDB's TTL removes it
//! after its retention, as S3's lifecycle removes its objects.

use crate::error::from_sdk;
use crate::page::filtered_page;
use crate::ports::{GalleryReader, GalleryWriter};
use crate::{DynamoStore, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_core::BookingId;
use cm_media::gallery::{Counts, MAX_BYTES, MAX_PHOTOS};
use cm_media::{Gallery, GalleryPhoto, ItemId, ItemStatus};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Serialize, Deserialize)]
struct StoredGallery {
    pk: String,
    sk: String,
    entity: String,
    #[serde(flatten)]
    gallery: Gallery,
}

#[derive(Serialize, Deserialize)]
struct StoredPhoto {
    pk: String,
    sk: String,
    entity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<i64>,
    #[serde(flatten)]
    photo: GalleryPhoto,
}

/// Which photos a listing wants.
#[derive(Debug, Clone)]
pub struct PhotoQuery {
    pub booking: BookingId,
    /// Only processed photos (what the client sees).
    pub ready_only: bool,
    pub favourites_only: bool,
    /// Photos expired at this instant are left out, whether or not TTL removed them.
    pub now: DateTime<Utc>,
    pub limit: usize,
    pub after: Option<PageKey>,
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn stored_photo(photo: &GalleryPhoto) -> Result<HashMap<String, AttributeValue>, StoreError> {
    to_item(&StoredPhoto {
        pk: keys::gallery(photo.booking),
        sk: keys::gallery_photo(photo.id),
        entity: "gallery_photo".into(),
        ttl: photo.expires_at.map(|e| e.timestamp()),
        photo: photo.clone(),
    })
}

/// `ADD` of the counters' change to the head, `None` when nothing moves. `condition`
/// is what else the head must satisfy.
fn head_update(
    booking: BookingId,
    change: Counts,
    condition: Option<(&str, HashMap<String, AttributeValue>)>,
    table: &str,
) -> Result<Option<TransactWriteItem>, StoreError> {
    if change == Counts::default() && condition.is_none() {
        return Ok(None);
    }
    let mut values = HashMap::from([
        (":photos".to_string(), n(change.photos)),
        (":ready".to_string(), n(change.ready)),
        (":bytes".to_string(), n(change.bytes)),
    ]);
    let mut expression = "attribute_exists(pk)".to_string();
    if let Some((extra, extra_values)) = condition {
        expression = format!("{expression} AND {extra}");
        values.extend(extra_values);
    }
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key(keys::gallery(booking), keys::GALLERY_HEAD)))
        .update_expression("ADD photos :photos, ready :ready, #bytes :bytes")
        .expression_attribute_names("#bytes", "bytes")
        .condition_expression(expression)
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(build_err)?;
    Ok(Some(TransactWriteItem::builder().update(update).build()))
}

impl GalleryReader for DynamoStore {
    async fn get_gallery(&self, booking: BookingId) -> Result<Option<Gallery>, StoreError> {
        let item = self.get(keys::gallery(booking), keys::GALLERY_HEAD, Read::Consistent).await?;
        item.map(|i| from_item::<StoredGallery>(i).map(|s| s.gallery)).transpose()
    }

    async fn get_gallery_photo(&self, booking: BookingId, photo: ItemId) -> Result<Option<GalleryPhoto>, StoreError> {
        let item = self.get(keys::gallery(booking), keys::gallery_photo(photo), Read::Consistent).await?;
        item.map(|i| from_item::<StoredPhoto>(i).map(|s| s.photo)).transpose()
    }

    async fn gallery_photos(&self, q: &PhotoQuery) -> Result<Page<GalleryPhoto>, StoreError> {
        let mut filter = vec!["(attribute_not_exists(#ttl) OR #ttl > :now)"];
        let mut names = HashMap::from([("#ttl".to_string(), "ttl".to_string())]);
        let mut values = HashMap::from([
            (":pk".to_string(), s(keys::gallery(q.booking))),
            (":photo".to_string(), s(keys::GALLERY_PHOTO_PREFIX)),
            (":now".to_string(), n(q.now.timestamp())),
        ]);
        if q.ready_only {
            filter.push("#status = :ready");
            names.insert("#status".into(), "status".into());
            values.insert(":ready".into(), to_av(&ItemStatus::Ready)?);
        }
        if q.favourites_only {
            filter.push("favourite = :yes");
            values.insert(":yes".into(), AttributeValue::Bool(true));
        }
        let filter = filter.join(" AND ");
        let make = || {
            self.client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :photo)")
                .filter_expression(&filter)
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
        };
        filtered_page(make, q.limit, q.after.as_ref(), &[keys::PK, keys::SK], |item| {
            from_item::<StoredPhoto>(item).map(|s| s.photo)
        })
        .await
    }
}

impl GalleryWriter for DynamoStore {
    async fn create_gallery(&self, gallery: &Gallery) -> Result<bool, StoreError> {
        let stored = StoredGallery {
            pk: keys::gallery(gallery.booking),
            sk: keys::GALLERY_HEAD.into(),
            entity: "gallery".into(),
            gallery: gallery.clone(),
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&stored)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
    }

    async fn update_gallery_settings(&self, old: &Gallery, new: &Gallery) -> Result<bool, StoreError> {
        let mut condition = vec!["version = :read"];
        let mut values = HashMap::from([
            (":read".to_string(), n(old.version)),
            (":next".to_string(), n(new.version)),
            (":retention".to_string(), n(new.retention_days)),
            (":delivered".to_string(), to_av(&new.delivered_at)?),
            (":updated".to_string(), to_av(&new.updated_at)?),
        ]);
        // The rules behind the change must still hold against the counters, which
        // uploads move without touching the version.
        if new.retention_days != old.retention_days {
            condition.push("photos = :zero");
            values.insert(":zero".into(), n(0));
        }
        if new.delivered_at.is_some() && old.delivered_at.is_none() {
            condition.push("ready > :zero");
            values.insert(":zero".into(), n(0));
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::gallery(old.booking), keys::GALLERY_HEAD)))
            .update_expression(
                "SET retention_days = :retention, delivered_at = :delivered, updated_at = :updated, version = :next",
            )
            .condition_expression(condition.join(" AND "))
            .set_expression_attribute_values(Some(values))
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
    }

    async fn add_gallery_photo(&self, photo: &GalleryPhoto) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(stored_photo(photo)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_err)?;
        let change = Counts::change(None, Some(photo));
        // The photo copies the gallery's retention: it may only join a gallery still
        // at it, and only while the quota has room.
        let room = MAX_BYTES.saturating_sub(photo.declared_bytes);
        let condition = (
            "retention_days = :retention AND photos < :max_photos AND #bytes <= :room",
            HashMap::from([
                (":retention".to_string(), n(photo.retention_days)),
                (":max_photos".to_string(), n(MAX_PHOTOS)),
                (":room".to_string(), n(room)),
            ]),
        );
        let head = head_update(photo.booking, change, Some(condition), &self.table)?
            .ok_or_else(|| StoreError::Corrupt("a conditional head update is never empty".into()))?;
        crate::error::applied(self.transact(vec![TransactWriteItem::builder().put(put).build(), head]).await)
    }

    async fn replace_gallery_photo(&self, old: &GalleryPhoto, new: &GalleryPhoto) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(stored_photo(new)?))
            .condition_expression("version = :read")
            .expression_attribute_values(":read", n(old.version))
            .build()
            .map_err(build_err)?;
        match head_update(old.booking, Counts::change(Some(old), Some(new)), None, &self.table)? {
            Some(head) => {
                crate::error::applied(self.transact(vec![TransactWriteItem::builder().put(put).build(), head]).await)
            }
            None => {
                let result = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(put.item))
                    .condition_expression("version = :read")
                    .expression_attribute_values(":read", n(old.version))
                    .send()
                    .await
                    .map_err(from_sdk);
                crate::error::applied(result)
            }
        }
    }

    async fn delete_gallery_photo(&self, photo: &GalleryPhoto) -> Result<bool, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::gallery(photo.booking), keys::gallery_photo(photo.id))))
            .condition_expression("version = :read")
            .expression_attribute_values(":read", n(photo.version))
            .build()
            .map_err(build_err)?;
        let mut ops = vec![TransactWriteItem::builder().delete(delete).build()];
        ops.extend(head_update(photo.booking, Counts::change(Some(photo), None), None, &self.table)?);
        crate::error::applied(self.transact(ops).await)
    }
}
