//! Refresh-token families (`cm_accounts::refresh`): one item each, rotated by
//! compare-and-set on the generation.

use crate::error::from_sdk;
use crate::ports::RefreshFamilies;
use crate::{DynamoStore, Read, StoreError, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use cm_accounts::refresh::RefreshFamily;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct FamilyItem {
    pk: String,
    sk: String,
    entity: String,
    /// DynamoDB TTL (epoch seconds): dead families disappear on their own.
    ttl: i64,
    #[serde(flatten)]
    family: RefreshFamily,
}

pub enum Rotation {
    Rotated,
    /// Someone else rotated first or the family changed underneath: treat as reuse.
    Lost,
}

impl RefreshFamilies for DynamoStore {
    async fn create_refresh_family(&self, family: &RefreshFamily) -> Result<(), StoreError> {
        let item = FamilyItem {
            pk: keys::refresh_family(&family.family),
            sk: keys::REFRESH_SK.into(),
            entity: "refresh_family".into(),
            ttl: family.expires_at.timestamp(),
            family: family.clone(),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    async fn get_refresh_family(&self, family: &str) -> Result<Option<RefreshFamily>, StoreError> {
        let item = self.get(keys::refresh_family(family), keys::REFRESH_SK, Read::Consistent).await?;
        item.map(|i| from_item::<FamilyItem>(i).map(|f| f.family)).transpose()
    }

    /// Of two concurrent refreshes with the same token exactly one wins.
    async fn rotate_refresh_family(
        &self,
        family: &str,
        from_generation: u64,
        new_secret_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Rotation, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::refresh_family(family), keys::REFRESH_SK)))
            // The replaced hash and the time are kept so a concurrent refresh with the
            // replaced token can be told from a copied one (`RefreshFamily::decide`).
            .update_expression(
                "SET generation = :next, previous_hash = secret_hash, secret_hash = :h, rotated_at = :now",
            )
            .expression_attribute_values(":now", to_av(&now)?)
            .condition_expression("generation = :gen AND revoked = :f")
            .expression_attribute_values(":gen", AttributeValue::N(from_generation.to_string()))
            .expression_attribute_values(":next", AttributeValue::N((from_generation + 1).to_string()))
            .expression_attribute_values(":h", s(new_secret_hash))
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .send()
            .await
            .map_err(from_sdk);
        match result {
            Ok(_) => Ok(Rotation::Rotated),
            Err(StoreError::ConditionFailed { .. }) => Ok(Rotation::Lost),
            Err(e) => Err(e),
        }
    }

    async fn revoke_refresh_family(&self, family: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::refresh_family(family), keys::REFRESH_SK)))
            .update_expression("SET revoked = :t, revoked_at = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":t", AttributeValue::Bool(true))
            .expression_attribute_values(":now", to_av(&now)?)
            .send()
            .await
            .map_err(from_sdk);
        match result {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
