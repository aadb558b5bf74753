//! Accounts: the user item, the email-uniqueness item, and login-throttle state.

use crate::error::from_sdk;
use crate::photographers::{Modified, ProfileWriteError};
use crate::ports::{LoginAttempts, UserDirectory, UserReader, UserWriter};
use crate::{DynamoStore, Item, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_accounts::account::{ProfilePatch, Role, User};
use cm_accounts::login_throttle::{self, Policy};
use cm_catalog::PhotographerRecord;
use cm_core::UserId;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct UserItem {
    pk: String,
    sk: String,
    entity: String,
    /// Admin listing by role, newest first.
    gsi1pk: String,
    gsi1sk: String,
    /// Admin listing of everyone, newest first.
    gsi3pk: String,
    gsi3sk: String,
    #[serde(flatten)]
    user: User,
}

impl UserItem {
    fn new(user: &User) -> UserItem {
        let listed = format!("{}#{}", keys::instant_micros(user.created_at), user.id);
        UserItem {
            pk: keys::user(user.id),
            sk: keys::USER_SK.into(),
            entity: "user".into(),
            gsi1pk: keys::role(user.role.as_str()),
            gsi1sk: listed.clone(),
            gsi3pk: keys::ALL_USERS.into(),
            gsi3sk: listed,
            user: user.clone(),
        }
    }
}

/// Consecutive failed logins and the lock-out they earned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginState {
    #[serde(default)]
    pub failures: u32,
    #[serde(default)]
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub enum CreateUserError {
    EmailTaken,
    Store(StoreError),
}

impl UserWriter for DynamoStore {
    /// Writes the user and claims the email in one transaction: two registrations
    /// racing for one address cannot both succeed.
    async fn create_user(&self, user: &User, normalized_email: &str) -> Result<(), CreateUserError> {
        let user_item = to_item(&UserItem::new(user)).map_err(CreateUserError::Store)?;
        let mut email_item = key(keys::email(normalized_email), keys::EMAIL_SK);
        email_item.insert("entity".into(), s("email"));
        email_item.insert("user_id".into(), s(user.id.to_string()));
        let put = |item: Item| {
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map(|p| TransactWriteItem::builder().put(p).build())
                .map_err(|e| CreateUserError::Store(StoreError::Unavailable(e.to_string())))
        };
        match self.transact(vec![put(user_item)?, put(email_item)?]).await {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionFailed { .. }) => Err(CreateUserError::EmailTaken),
            Err(e) => Err(CreateUserError::Store(e)),
        }
    }

    /// Applies a validated patch atomically (no read-modify-write) and returns the result.
    /// `None` when the user does not exist.
    async fn patch_user(
        &self,
        id: UserId,
        patch: &ProfilePatch,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut sets = vec!["#updated = :now".to_string()];
        let mut removes = Vec::new();
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(id), keys::USER_SK)))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#updated", "updated_at")
            .expression_attribute_values(":now", to_av(&now)?)
            .return_values(ReturnValue::AllNew);
        if let Some(name) = &patch.name {
            sets.push("#name = :name".into());
            req = req.expression_attribute_names("#name", "name").expression_attribute_values(":name", s(name));
        }
        match &patch.phone {
            Some(Some(phone)) => {
                sets.push("#phone = :phone".into());
                // A number typed in is not a verified one (the handler leaves out a
                // phone equal to the current one, so re-saving a form keeps it).
                removes.push("#pv");
                req = req
                    .expression_attribute_names("#phone", "phone")
                    .expression_attribute_names("#pv", "phone_verified_at")
                    .expression_attribute_values(":phone", s(phone));
            }
            Some(None) => {
                removes.push("#phone");
                removes.push("#pv");
                req = req
                    .expression_attribute_names("#phone", "phone")
                    .expression_attribute_names("#pv", "phone_verified_at");
            }
            None => {}
        }
        // Every attribute goes through a name placeholder: several (`timezone`, `name`)
        // are DynamoDB reserved words.
        if let Some(tz) = &patch.timezone {
            sets.push("#tz = :tz".into());
            req = req.expression_attribute_names("#tz", "timezone").expression_attribute_values(":tz", s(tz));
        }
        if let Some(np) = &patch.notification_preferences {
            sets.push("#np = :np".into());
            req = req
                .expression_attribute_names("#np", "notification_preferences")
                .expression_attribute_values(":np", to_av(np)?);
        }
        let mut expr = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expr.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        match req.update_expression(expr).send().await.map_err(from_sdk) {
            Ok(out) => out.attributes.map(|a| from_item::<UserItem>(a).map(|u| u.user)).transpose(),
            Err(StoreError::ConditionFailed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Photographer listings are handled by `PhotographerWriter::set_photographer_listed`.
    /// The account flag and, for a photographer, their search listings change in one
    /// transaction: search never shows a deactivated photographer, nor hides an active
    /// one, whatever fails in between.
    async fn set_user_active(
        &self,
        id: UserId,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, ProfileWriteError> {
        let Some(mut user) = self.get_user(id).await? else { return Ok(None) };
        user.active = active;
        user.updated_at = now;
        let mut expr = "SET active = :a, updated_at = :now".to_string();
        if !active {
            user.sessions_valid_after = Some(now);
            expr.push_str(", sessions_valid_after = :now");
        }
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(id), keys::USER_SK)))
            .condition_expression("attribute_exists(pk)")
            .update_expression(expr)
            .expression_attribute_values(":a", AttributeValue::Bool(active))
            .expression_attribute_values(":now", to_av(&now)?)
            .build()
            .map_err(build_err)?;
        let op = TransactWriteItem::builder().update(update).build();
        if user.role == Role::Photographer {
            let listed = |old: Option<&PhotographerRecord>| {
                old.map(|o| PhotographerRecord { listed: active, updated_at: now, ..o.clone() })
            };
            match self.modify_photographer_with(id, listed, || vec![op.clone()]).await? {
                Modified::Done(Some(_)) => return Ok(Some(user)),
                // The account vanished meanwhile.
                Modified::ExtraConditionFailed => return Ok(None),
                // A photographer without a profile has nothing listed.
                Modified::Done(None) => {}
            }
        }
        match self.transact(vec![op]).await {
            Ok(()) => Ok(Some(user)),
            Err(StoreError::ConditionFailed { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

impl UserReader for DynamoStore {
    async fn get_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let item = self.get(keys::user(id), keys::USER_SK, Read::Eventual).await?;
        item.map(|i| from_item::<UserItem>(i).map(|u| u.user)).transpose()
    }

    async fn find_user_by_email(&self, normalized_email: &str) -> Result<Option<User>, StoreError> {
        let item = self.get(keys::email(normalized_email), keys::EMAIL_SK, Read::Eventual).await?;
        let Some(item) = item else {
            // The same second read as for a real account, so the time a sign-in takes
            // does not tell whether the address has one.
            self.get_user(UserId::new()).await?;
            return Ok(None);
        };
        let id = item
            .get("user_id")
            .and_then(|v| v.as_s().ok())
            .and_then(|s| s.parse::<UserId>().ok())
            .ok_or_else(|| StoreError::Corrupt("email item without user_id".into()))?;
        self.get_user(id).await
    }
}

impl UserDirectory for DynamoStore {
    /// Newest accounts first, optionally of one role.
    async fn list_users(
        &self,
        role: Option<Role>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<User>, StoreError> {
        let (index, pk_attr, pk) = match role {
            Some(r) => (keys::GSI1, "gsi1pk", keys::role(r.as_str())),
            None => (keys::GSI3, "gsi3pk", keys::ALL_USERS.to_string()),
        };
        let sk_attr = if role.is_some() { "gsi1sk" } else { "gsi3sk" };
        let make = || {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_values(":pk", s(&pk))
                .scan_index_forward(false)
        };
        crate::page::filtered_page(make, limit, after, &["pk", "sk", pk_attr, sk_attr], |i| {
            from_item::<UserItem>(i).map(|u| u.user)
        })
        .await
    }
}

impl LoginAttempts for DynamoStore {
    async fn login_state(&self, login: &str) -> Result<LoginState, StoreError> {
        let item = self.get(keys::login(login), keys::LOGIN_SK, Read::Consistent).await?;
        item.map(from_item).transpose().map(Option::unwrap_or_default)
    }

    /// Counts one more failure atomically, then records the lock-out it earns. The
    /// lock-out write is conditional on the count it was computed from, so a slower
    /// concurrent failure can never shorten a longer lock.
    async fn record_login_failure(
        &self,
        login: &str,
        policy: Policy,
        now: DateTime<Utc>,
    ) -> Result<LoginState, StoreError> {
        let forget_at = (now + login_throttle::FAILURES_REMEMBERED).timestamp();
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::login(login), keys::LOGIN_SK)))
            .update_expression("ADD failures :one SET entity = :e, last_failure_at = :now, #ttl = :ttl")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":e", s("login_state"))
            .expression_attribute_values(":now", to_av(&now)?)
            .expression_attribute_values(":ttl", AttributeValue::N(forget_at.to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(from_sdk)?;
        let mut state: LoginState = out.attributes.map(from_item).transpose()?.unwrap_or_default();
        if let Some(lock) = policy.lockout_after(state.failures) {
            let until = now + lock;
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::login(login), keys::LOGIN_SK)))
                .update_expression("SET locked_until = :until")
                .condition_expression("failures = :n")
                .expression_attribute_values(":until", to_av(&until)?)
                .expression_attribute_values(":n", AttributeValue::N(state.failures.to_string()))
                .send()
                .await
                .map_err(from_sdk);
            match result {
                Ok(_) => state.locked_until = Some(until),
                Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(state)
    }

    async fn reset_login_failures(&self, login: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::login(login), keys::LOGIN_SK)))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }
}
