//! Phone verification (`cm_accounts::phone`): `USER#<id>` / `PHONEVERIFY` holds the code
//! sent and not yet used. Every write is conditional on the version read, so two
//! requests at once (two sends, two guesses) cannot both act on the same state: one
//! wins, the other is told to try again.

use crate::ports::PhoneVerifications;
use crate::{DynamoStore, Read, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_accounts::phone::PendingVerification;
use cm_core::UserId;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Stored {
    pk: String,
    sk: String,
    entity: String,
    #[serde(flatten)]
    pending: PendingVerification,
    ttl: i64,
}

/// What a verification write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Done,
    /// Someone changed the pending code since it was read: nothing was written.
    Raced,
}

impl DynamoStore {
    fn version_condition(previous: Option<u32>) -> (String, Option<AttributeValue>) {
        match previous {
            Some(v) => ("version = :v".into(), Some(AttributeValue::N(v.to_string()))),
            None => ("attribute_not_exists(pk)".into(), None),
        }
    }
}

impl PhoneVerifications for DynamoStore {
    async fn pending_verification(&self, user: UserId) -> Result<Option<PendingVerification>, StoreError> {
        let item = self.get(keys::user(user), keys::PHONE_VERIFICATION_SK, Read::Consistent).await?;
        Ok(item.map(from_item::<Stored>).transpose()?.map(|s| s.pending))
    }

    async fn put_pending_verification(
        &self,
        user: UserId,
        pending: &PendingVerification,
        previous_version: Option<u32>,
    ) -> Result<Written, StoreError> {
        let item = to_item(&Stored {
            pk: keys::user(user),
            sk: keys::PHONE_VERIFICATION_SK.into(),
            entity: "phone_verification".into(),
            pending: pending.clone(),
            ttl: pending.forget_at().timestamp(),
        })?;
        let (condition, value) = Self::version_condition(previous_version);
        let mut put =
            self.client.put_item().table_name(&self.table).set_item(Some(item)).condition_expression(condition);
        if let Some(v) = value {
            put = put.expression_attribute_values(":v", v);
        }
        match put.send().await.map_err(crate::error::from_sdk) {
            Ok(_) => Ok(Written::Done),
            Err(StoreError::ConditionFailed { .. }) => Ok(Written::Raced),
            Err(e) => Err(e),
        }
    }

    /// The code is used up and the number becomes the account's, verified, in one
    /// transaction: a code verifies once, and only the number it was sent to.
    async fn complete_verification(
        &self,
        user: UserId,
        pending: &PendingVerification,
        now: DateTime<Utc>,
    ) -> Result<Written, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(user), keys::PHONE_VERIFICATION_SK)))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", AttributeValue::N(pending.version.to_string()))
            .build()
            .map_err(build_err)?;
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(user), keys::USER_SK)))
            .update_expression("SET #phone = :phone, #pv = :now, #updated = :now")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#phone", "phone")
            .expression_attribute_names("#pv", "phone_verified_at")
            .expression_attribute_names("#updated", "updated_at")
            .expression_attribute_values(":phone", s(&pending.phone))
            .expression_attribute_values(":now", to_av(&now)?)
            .build()
            .map_err(build_err)?;
        let ops = vec![
            TransactWriteItem::builder().delete(delete).build(),
            TransactWriteItem::builder().update(update).build(),
        ];
        match self.transact(ops).await {
            Ok(()) => Ok(Written::Done),
            Err(StoreError::ConditionFailed { .. }) => Ok(Written::Raced),
            Err(e) => Err(e),
        }
    }
}
