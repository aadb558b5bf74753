//! Calendar subscriptions (`cm_accounts::feed`): `USER#<id>` / `CALFEED` holds the hash
//! of the user's current token and when it was made; `CALFEED#<hash>` / `CALFEED` maps a
//! presented token back to its owner with one GetItem. Both change in one transaction,
//! conditional on the hash that was read, so two rotations at once cannot leave an
//! orphaned token working.

use crate::ports::CalendarFeeds;
use crate::{DynamoStore, Read, StoreError, build_err, key, keys, s};
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use cm_accounts::User;
use cm_core::UserId;
use std::collections::HashMap;

/// A user's current feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRecord {
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

fn text(item: &crate::Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

impl CalendarFeeds for DynamoStore {
    async fn calendar_feed_of(&self, user: UserId) -> Result<Option<FeedRecord>, StoreError> {
        let Some(item) = self.get(keys::user(user), keys::CALENDAR_FEED_SK, Read::Consistent).await? else {
            return Ok(None);
        };
        let token_hash = text(&item, "token_hash").ok_or_else(|| StoreError::Corrupt("feed without a hash".into()))?;
        let created_at = text(&item, "created_at")
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| StoreError::Corrupt("feed without a date".into()))?;
        Ok(Some(FeedRecord { token_hash, created_at }))
    }

    async fn replace_calendar_feed(
        &self,
        user: UserId,
        old: Option<&FeedRecord>,
        new_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut ops = Vec::new();
        let user_key = key(keys::user(user), keys::CALENDAR_FEED_SK);
        match new_hash {
            Some(hash) => {
                let mut item = user_key.clone();
                item.insert("entity".into(), s("calendar_feed"));
                item.insert("token_hash".into(), s(hash));
                item.insert("created_at".into(), s(keys::instant(now)));
                let put = Put::builder().table_name(&self.table).set_item(Some(item));
                let put = match old {
                    Some(o) => put
                        .condition_expression("token_hash = :old")
                        .expression_attribute_values(":old", s(&o.token_hash)),
                    None => put.condition_expression("attribute_not_exists(pk)"),
                };
                ops.push(TransactWriteItem::builder().put(put.build().map_err(build_err)?).build());
                let mut owner = key(keys::calendar_feed(hash), keys::CALENDAR_FEED_SK);
                owner.insert("entity".into(), s("calendar_feed_token"));
                owner.insert("user_id".into(), s(user.to_string()));
                let owner = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(owner))
                    .condition_expression("attribute_not_exists(pk)")
                    .build()
                    .map_err(build_err)?;
                ops.push(TransactWriteItem::builder().put(owner).build());
            }
            None => {
                let Some(o) = old else { return Ok(true) };
                let del = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(user_key))
                    .condition_expression("token_hash = :old")
                    .expression_attribute_values(":old", s(&o.token_hash))
                    .build()
                    .map_err(build_err)?;
                ops.push(TransactWriteItem::builder().delete(del).build());
            }
        }
        if let Some(o) = old {
            let del = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::calendar_feed(&o.token_hash), keys::CALENDAR_FEED_SK)))
                .build()
                .map_err(build_err)?;
            ops.push(TransactWriteItem::builder().delete(del).build());
        }
        match self.transact(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<UserId>, StoreError> {
        let item = self.get(keys::calendar_feed(token_hash), keys::CALENDAR_FEED_SK, Read::Eventual).await?;
        Ok(item.and_then(|i| text(&i, "user_id")).and_then(|id| id.parse().ok()))
    }

    async fn users_by_id(&self, ids: &[UserId]) -> Result<HashMap<UserId, User>, StoreError> {
        let mut unique = ids.to_vec();
        unique.sort();
        unique.dedup();
        let wanted = unique.iter().map(|id| key(keys::user(*id), keys::USER_SK)).collect();
        let mut out = HashMap::new();
        for item in self.batch_get(wanted).await? {
            let user: User = serde_dynamo::from_item(item).map_err(crate::error::corrupt)?;
            out.insert(user.id, user);
        }
        Ok(out)
    }
}
