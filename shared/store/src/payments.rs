//! Payments. A booking's ledger (`BOOKING#<id>` / `PAYMENTS`) sits beside the booking
//! but apart from it, so webhooks moving money never race a status change for the
//! booking's version. Every write of a ledger is a compare-and-set on its `version`.
//!
//! Stripe ids lead back to ours through lookup items `STRIPE#<id>` / `STRIPE` (a
//! PaymentIntent to its booking, a connected account to its photographer), written in
//! the same transaction as what they point to. A photographer's payout account is
//! `USER#<id>` / `PAYOUT`; a client's Stripe customer `USER#<id>` / `STRIPE_CUSTOMER`.
//!
//! Indexes on the ledger: the client's (gsi1), the photographer's (gsi2) and every
//! (gsi3) ledger by creation, for payment histories; and, sparse, the ledgers whose
//! balance is still to be charged, by due date (gsi4), for the daily balance run.

use crate::error::from_sdk;
use crate::page::{Order, filtered_page, sharded_page};
use crate::ports::{BalancesDue, PaymentHistory, PaymentReader, PaymentWriter, SettleRequests};
use crate::{DynamoStore, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use cm_core::{BookingId, UserId};
use cm_payments::{Ledger, PaymentState, PayoutAccount};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Serialize, Deserialize)]
struct StoredLedger {
    pk: String,
    sk: String,
    entity: String,
    gsi1pk: String,
    gsi1sk: String,
    gsi2pk: String,
    gsi2sk: String,
    gsi3pk: String,
    gsi3sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi4sk: Option<String>,
    /// Derived, stored for the admin's filters.
    payment_state: PaymentState,
    currency: String,
    #[serde(flatten)]
    ledger: Ledger,
}

fn stored(l: &Ledger) -> Result<HashMap<String, AttributeValue>, StoreError> {
    let created = format!("{}#{}", keys::instant_micros(l.created_at), l.booking_id);
    let due = l.balance_due_at.filter(|_| l.balance_pending());
    to_item(&StoredLedger {
        pk: keys::booking(l.booking_id),
        sk: keys::PAYMENTS_SK.into(),
        entity: "payments".into(),
        gsi1pk: keys::client_payments(l.client_id),
        gsi1sk: created.clone(),
        gsi2pk: keys::photographer_payments(l.photographer_id),
        gsi2sk: created.clone(),
        gsi3pk: keys::all_payments(keys::payment_shard(l.booking_id)),
        gsi3sk: created,
        gsi4pk: due.map(|_| keys::balance_due(keys::payment_shard(l.booking_id))),
        gsi4sk: due.map(|d| format!("{}#{}", keys::instant(d), l.booking_id)),
        payment_state: l.state(),
        currency: l.schedule.total.currency.as_str().to_string(),
        ledger: l.clone(),
    })
}

fn lookup_put(table: &str, stripe_id: &str, owner: &str) -> Result<TransactWriteItem, StoreError> {
    let mut item = key(keys::stripe(stripe_id), keys::STRIPE_SK);
    item.insert("entity".into(), s("stripe_link"));
    item.insert("owner".into(), s(owner));
    let put = Put::builder().table_name(table).set_item(Some(item)).build().map_err(build_err)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A request to settle a booking's payments (`SETTLE#<booking>` / `SETTLE`), found by
/// settle-payments through gsi4. Writing it again only moves `requested_at` on, so
/// whoever finishes settling an older request does not delete a newer one.
pub(crate) fn settle_request_put(
    table: &str,
    booking: BookingId,
    at: DateTime<Utc>,
) -> Result<TransactWriteItem, StoreError> {
    let put =
        Put::builder().table_name(table).set_item(Some(settle_request_item(booking, at))).build().map_err(build_err)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn settle_request_item(booking: BookingId, at: DateTime<Utc>) -> HashMap<String, AttributeValue> {
    let mut item = key(keys::settle(booking), keys::SETTLE_SK);
    item.insert("entity".into(), s("settle_request"));
    item.insert("booking_id".into(), s(booking.to_string()));
    item.insert("requested_at".into(), s(keys::instant_micros(at)));
    let (pk, sk) = keys::index_keys(keys::GSI4);
    item.insert(pk, s(keys::settle_queue(keys::payment_shard(booking))));
    item.insert(sk, s(format!("{}#{booking}", keys::instant_micros(at))));
    item
}

/// A booking whose payments may need settling, and when that was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettleRequest {
    pub booking: BookingId,
    pub requested_at: String,
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl PaymentReader for DynamoStore {
    async fn get_ledger(&self, booking: BookingId) -> Result<Option<Ledger>, StoreError> {
        self.get(keys::booking(booking), keys::PAYMENTS_SK, Read::Consistent)
            .await?
            .map(|i| from_item::<StoredLedger>(i).map(|s| s.ledger))
            .transpose()
    }

    async fn stripe_owner(&self, stripe_id: &str) -> Result<Option<String>, StoreError> {
        let item = self.get(keys::stripe(stripe_id), keys::STRIPE_SK, Read::Consistent).await?;
        Ok(item.and_then(|i| i.get("owner").and_then(|v| v.as_s().ok()).cloned()))
    }

    async fn payout_account(&self, photographer: UserId) -> Result<Option<PayoutAccount>, StoreError> {
        self.get(keys::user(photographer), keys::PAYOUT_SK, Read::Consistent)
            .await?
            .map(from_item::<PayoutAccount>)
            .transpose()
    }

    async fn stripe_customer(&self, user: UserId) -> Result<Option<String>, StoreError> {
        let item = self.get(keys::user(user), keys::STRIPE_CUSTOMER_SK, Read::Consistent).await?;
        Ok(item.and_then(|i| i.get("customer").and_then(|v| v.as_s().ok()).cloned()))
    }
}

impl PaymentWriter for DynamoStore {
    async fn create_ledger(&self, ledger: &Ledger) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(stored(ledger)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
    }

    async fn save_ledger(&self, old: &Ledger, new: &Ledger) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(stored(new)?))
            .condition_expression("version = :read")
            .expression_attribute_values(":read", n(old.version))
            .build()
            .map_err(build_err)?;
        let mut ops = vec![TransactWriteItem::builder().put(put).build()];
        for intent in new.intents.iter().filter(|i| old.intent(&i.id).is_none()) {
            ops.push(lookup_put(&self.table, &intent.id, &new.booking_id.to_string())?);
        }
        match self.transact(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { failed_items }) if failed_items.contains(&0) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn save_payout_account(&self, photographer: UserId, account: &PayoutAccount) -> Result<bool, StoreError> {
        let mut item = to_item(account)?;
        item.extend(key(keys::user(photographer), keys::PAYOUT_SK));
        item.insert("entity".into(), s("payout_account"));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            // Webhooks arrive out of order: an older `account.updated` never overwrites
            // a newer one, and the account never changes once linked.
            .condition_expression("attribute_not_exists(pk) OR (account = :account AND status_at <= :at)")
            .expression_attribute_values(":account", s(&account.account))
            .expression_attribute_values(":at", n(account.status_at))
            .build()
            .map_err(build_err)?;
        let ops = vec![
            TransactWriteItem::builder().put(put).build(),
            lookup_put(&self.table, &account.account, &photographer.to_string())?,
        ];
        match self.transact(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { failed_items }) if failed_items.contains(&0) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn save_stripe_customer(&self, user: UserId, customer: &str) -> Result<String, StoreError> {
        let mut item = key(keys::user(user), keys::STRIPE_CUSTOMER_SK);
        item.insert("entity".into(), s("stripe_customer"));
        item.insert("customer".into(), s(customer));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(from_sdk);
        if crate::error::applied(result)? {
            return Ok(customer.to_string());
        }
        // Someone linked one first (the same one: the customer's idempotency key is the
        // user): theirs stands.
        Ok(self.stripe_customer(user).await?.unwrap_or_else(|| customer.to_string()))
    }
}

impl SettleRequests for DynamoStore {
    async fn request_settlement(&self, booking: BookingId, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(settle_request_item(booking, at)))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    /// Oldest request first over every shard (`keys::PAYMENT_SHARDS`), as the one
    /// queue gave them.
    async fn settle_requests(&self, limit: usize, after: Option<&PageKey>) -> Result<Page<SettleRequest>, StoreError> {
        let (pk, sk) = keys::index_keys(keys::GSI4);
        let makers: Vec<_> = keys::settle_queue_partitions()
            .into_iter()
            .map(|partition| {
                let (pk, queue) = (pk.clone(), s(partition));
                move || {
                    self.client
                        .query()
                        .table_name(&self.table)
                        .index_name(keys::GSI4)
                        .key_condition_expression("#pk = :pk")
                        .expression_attribute_names("#pk", pk.clone())
                        .expression_attribute_values(":pk", queue.clone())
                }
            })
            .collect();
        let order = Order { attr: &sk, descending: false };
        sharded_page(&makers, order, limit, after, &[keys::PK, keys::SK, &pk, &sk], |i| {
            let text = |k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned();
            let booking = text("booking_id").and_then(|b| b.parse().ok());
            match (booking, text("requested_at")) {
                (Some(booking), Some(requested_at)) => Ok(SettleRequest { booking, requested_at }),
                _ => Err(crate::error::corrupt("settle request")),
            }
        })
        .await
    }

    async fn settlement_done(&self, request: &SettleRequest) -> Result<bool, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::settle(request.booking), keys::SETTLE_SK)))
            .condition_expression("requested_at = :at")
            .expression_attribute_values(":at", s(&request.requested_at))
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
    }
}

impl BalancesDue for DynamoStore {
    /// Soonest due first over every shard (`keys::PAYMENT_SHARDS`), as the one
    /// partition gave them.
    async fn balances_due(
        &self,
        until: DateTime<Utc>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<BookingId>, StoreError> {
        let (pk, sk) = keys::index_keys(keys::GSI4);
        // `~` sorts after every booking id: everything due at or before `until`.
        let until = s(format!("{}#~", keys::instant(until)));
        let makers: Vec<_> = keys::balance_due_partitions()
            .into_iter()
            .map(|partition| {
                let (pk, sk, partition, until) = (pk.clone(), sk.clone(), s(partition), until.clone());
                move || {
                    self.client
                        .query()
                        .table_name(&self.table)
                        .index_name(keys::GSI4)
                        .key_condition_expression("#pk = :pk AND #sk <= :until")
                        .expression_attribute_names("#pk", pk.clone())
                        .expression_attribute_names("#sk", sk.clone())
                        .expression_attribute_values(":pk", partition.clone())
                        .expression_attribute_values(":until", until.clone())
                }
            })
            .collect();
        let order = Order { attr: &sk, descending: false };
        sharded_page(&makers, order, limit, after, &[keys::PK, keys::SK, &pk, &sk], |i| {
            let pk = i.get(keys::PK).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            pk.trim_start_matches("BOOKING#").parse().map_err(|_| crate::error::corrupt("ledger key"))
        })
        .await
    }
}

/// Whose payments a history lists.
#[derive(Debug, Clone, Copy)]
pub enum PaymentScope {
    Client(UserId),
    Photographer(UserId),
    /// Admins: every ledger.
    All,
}

#[derive(Debug, Clone)]
pub struct PaymentQuery {
    pub scope: PaymentScope,
    /// Only ledgers in this state, or in this currency (filters on the Query).
    pub state: Option<PaymentState>,
    pub currency: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: usize,
}

impl PaymentHistory for DynamoStore {
    async fn list_payments(&self, q: &PaymentQuery, after: Option<&PageKey>) -> Result<Page<Ledger>, StoreError> {
        let (index, partitions) = match q.scope {
            PaymentScope::Client(id) => (keys::GSI1, vec![keys::client_payments(id)]),
            PaymentScope::Photographer(id) => (keys::GSI2, vec![keys::photographer_payments(id)]),
            // Written over `keys::PAYMENT_SHARDS` partitions, merged back newest first.
            PaymentScope::All => (keys::GSI3, keys::all_payments_partitions()),
        };
        let (state, currency) = (q.state, q.currency.clone());
        let (pk, sk) = keys::index_keys(index);
        let mut filters = vec![];
        if state.is_some() {
            filters.push("payment_state = :state");
        }
        if currency.is_some() {
            filters.push("currency = :currency");
        }
        let make = |partition: &str| {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", pk.clone())
                .expression_attribute_names("#sk", sk.clone())
                .expression_attribute_values(":pk", s(partition))
                .expression_attribute_values(":from", s(keys::instant_micros(q.from)))
                .expression_attribute_values(":to", s(format!("{}#~", keys::instant_micros(q.to))))
                .scan_index_forward(false);
            if let Some(st) = state {
                query = query.expression_attribute_values(":state", s(st.as_str()));
            }
            if let Some(c) = &currency {
                query = query.expression_attribute_values(":currency", s(c));
            }
            if !filters.is_empty() {
                query = query.filter_expression(filters.join(" AND "));
            }
            query
        };
        let key_attrs = [keys::PK, keys::SK, &pk, &sk];
        let decode = |i| from_item::<StoredLedger>(i).map(|s| s.ledger);
        match partitions.as_slice() {
            [partition] => filtered_page(|| make(partition), q.limit, after, &key_attrs, decode).await,
            shards => {
                let makers: Vec<_> = shards.iter().map(|p| move || make(p)).collect();
                sharded_page(&makers, Order { attr: &sk, descending: true }, q.limit, after, &key_attrs, decode).await
            }
        }
    }
}
