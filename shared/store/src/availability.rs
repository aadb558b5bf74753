//! A photographer's availability document: one item beside their profile.

use crate::error::from_sdk;
use crate::ports::{AvailabilityReader, AvailabilityWriter};
use crate::{DynamoStore, Read, StoreError, from_item, keys, to_item};
use chrono::{DateTime, Utc};
use cm_booking::AvailabilityDoc;
use cm_core::UserId;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct AvailabilityItem {
    pk: String,
    sk: String,
    entity: String,
    updated_at: DateTime<Utc>,
    /// Stored in document form (as validated) so it reads back as written.
    doc: AvailabilityDoc,
}

impl AvailabilityWriter for DynamoStore {
    async fn put_availability(&self, id: UserId, doc: &AvailabilityDoc, now: DateTime<Utc>) -> Result<(), StoreError> {
        let item = AvailabilityItem {
            pk: keys::user(id),
            sk: keys::AVAILABILITY_SK.into(),
            entity: "availability".into(),
            updated_at: now,
            doc: doc.clone(),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)?))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }
}

impl AvailabilityReader for DynamoStore {
    async fn get_availability(&self, id: UserId) -> Result<Option<AvailabilityDoc>, StoreError> {
        let item = self.get(keys::user(id), keys::AVAILABILITY_SK, Read::Eventual).await?;
        item.map(|i| from_item::<AvailabilityItem>(i).map(|a| a.doc)).transpose()
    }
}
