//! Reviews: one item beside their booking (`BOOKING#<id>` / `REVIEW`), so "once per
//! booking" is a key constraint, not a check. Analyses and the admin alert flag shared
//! with feedback live here too.

use crate::error::{from_sdk, from_transaction};
use crate::photographers::{Modified, ProfileWriteError};
use crate::ports::{AlertFlags, ReviewReader, ReviewWriter, SentimentWriter};
use crate::{DynamoStore, Page, PageKey, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_core::{BookingId, UserId};
use cm_reviews::sentiment::aggregate_deltas;
use cm_reviews::{AnalysisState, Feedback, Reply, Review, SentimentRecord};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct ReviewItem {
    pk: String,
    sk: String,
    entity: String,
    /// The photographer's reviews, newest first.
    gsi2pk: String,
    gsi2sk: String,
    /// Every review (backfills).
    gsi3pk: String,
    gsi3sk: String,
    #[serde(flatten)]
    review: Review,
}

impl ReviewItem {
    fn new(r: &Review) -> ReviewItem {
        let listed = format!("{}#{}", keys::instant_micros(r.created_at), r.id);
        ReviewItem {
            pk: keys::booking(r.booking_id),
            sk: keys::REVIEW_SK.into(),
            entity: "review".into(),
            gsi2pk: keys::photographer_reviews(r.photographer_id),
            gsi2sk: listed.clone(),
            gsi3pk: keys::ALL_REVIEWS.into(),
            gsi3sk: listed,
            review: r.clone(),
        }
    }
}

/// What applying an analysis did.
#[derive(Debug, PartialEq)]
pub enum Applied {
    Applied,
    /// The analysis it was meant to replace is no longer current: a redelivery, or a
    /// newer analysis won. Nothing was changed.
    AlreadyApplied,
}

pub const MAX_REVIEWS_PAGE: usize = 100;

impl ReviewWriter for DynamoStore {
    async fn create_review(&self, review: &Review) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&ReviewItem::new(review))?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(from_sdk);
        match result {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn set_review_reply(
        &self,
        id: BookingId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Review>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::booking(id), keys::REVIEW_SK)))
            .condition_expression("attribute_exists(pk)")
            .update_expression("SET reply = :r")
            .expression_attribute_values(
                ":r",
                to_av(&Reply { text: text.to_string(), created_at: now, updated_at: now })?,
            )
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(from_sdk);
        let old = match result {
            Ok(out) => out.attributes,
            Err(StoreError::ConditionFailed { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(old) = old else { return Ok(None) };
        let mut review = from_item::<ReviewItem>(old)?.review;
        // A replaced reply keeps the time it was first posted.
        let created_at = review.reply.as_ref().map_or(now, |r| r.created_at);
        if created_at != now {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::booking(id), keys::REVIEW_SK)))
                .update_expression("SET reply.created_at = :c")
                .expression_attribute_values(":c", to_av(&created_at)?)
                .send()
                .await
                .map_err(from_sdk)?;
        }
        review.reply = Some(Reply { text: text.to_string(), created_at, updated_at: now });
        Ok(Some(review))
    }
}

impl ReviewReader for DynamoStore {
    async fn get_review(&self, id: BookingId) -> Result<Option<Review>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::booking(id), keys::REVIEW_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(from_sdk)?;
        out.item.map(|i| from_item::<ReviewItem>(i).map(|r| r.review)).transpose()
    }

    /// A photographer's reviews, newest first.
    async fn list_reviews_for(
        &self,
        photographer: UserId,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Review>, StoreError> {
        self.list_reviews_in(keys::GSI2, &keys::photographer_reviews(photographer), limit, after).await
    }

    /// Every review, newest first (backfills).
    async fn list_all_reviews(&self, limit: usize, after: Option<&PageKey>) -> Result<Page<Review>, StoreError> {
        self.list_reviews_in(keys::GSI3, keys::ALL_REVIEWS, limit, after).await
    }
}

impl DynamoStore {
    async fn list_reviews_in(
        &self,
        index: &str,
        pk: &str,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Review>, StoreError> {
        let (attr, sk_attr) = keys::index_keys(index);
        let make = || {
            self.client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", &attr)
                .expression_attribute_values(":pk", s(pk))
                .scan_index_forward(false)
        };
        crate::page::filtered_page(make, limit, after, &["pk", "sk", &attr, &sk_attr], |i| {
            from_item::<ReviewItem>(i).map(|r| r.review)
        })
        .await
    }
}

impl SentimentWriter for DynamoStore {
    /// Records an analysis of `review` (which must be the version that was analysed)
    /// and everything that follows from it, in one transaction: the review's result,
    /// the day's sentiment aggregates, the photographer's sentiment counts and, on the
    /// first analysis only, the review's stars in the photographer's rating and search
    /// rank. The transaction is conditional on the analysis version it replaces, so a
    /// redelivered or bisected stream batch changes nothing twice.
    async fn apply_review_analysis(
        &self,
        review: &Review,
        record: SentimentRecord,
        alert: bool,
    ) -> Result<Applied, ProfileWriteError> {
        let first = review.analysis_version == 0;
        let old = review.sentiment.as_ref().map(|r| &r.analysis);
        let deltas = aggregate_deltas("review", old, &record.analysis);
        let day = review.created_at.date_naive();
        let review_update = self.review_analysis_op(review, &record, alert && first)?;
        let aggregate = self.aggregate_op(day, &deltas)?;
        let new_label = record.analysis.label;
        let old_label = old.map(|a| a.label);
        let stars = review.rating;
        let change = |current: Option<&cm_catalog::PhotographerRecord>| {
            current.map(|c| c.after_review_analysis(stars, first, old_label, new_label, record.analyzed_at))
        };
        let extra = || {
            let mut ops = vec![review_update.clone()];
            ops.extend(aggregate.clone());
            ops
        };
        match self.modify_photographer_with(review.photographer_id, change, extra).await? {
            Modified::Done(Some(_)) => Ok(Applied::Applied),
            Modified::ExtraConditionFailed => Ok(Applied::AlreadyApplied),
            // The photographer has no profile (deleted?): still record the analysis.
            Modified::Done(None) => {
                let mut ops = vec![review_update];
                ops.extend(aggregate);
                match self
                    .client
                    .transact_write_items()
                    .set_transact_items(Some(ops))
                    .send()
                    .await
                    .map_err(from_transaction)
                {
                    Ok(_) => Ok(Applied::Applied),
                    Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    async fn apply_feedback_analysis(
        &self,
        f: &Feedback,
        record: SentimentRecord,
        alert: bool,
    ) -> Result<Applied, StoreError> {
        crate::feedback::apply_feedback_analysis(self, f, record, alert).await
    }
}

impl DynamoStore {
    fn review_analysis_op(
        &self,
        review: &Review,
        record: &SentimentRecord,
        alert: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let key = key(keys::booking(review.booking_id), keys::REVIEW_SK);
        Ok(TransactWriteItem::builder()
            .update(analysis_update(&self.table, key, review.analysis_version, record, alert)?)
            .build())
    }
}

impl AlertFlags for DynamoStore {
    /// Marks a pending alert as sent; false when it was already cleared.
    async fn clear_alert(&self, pk: &str, sk: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .update_expression("SET alert_pending = :f")
            .condition_expression("alert_pending = :t")
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .expression_attribute_values(":t", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(from_sdk);
        match result {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Puts an alert back in line after a failed publish.
    async fn raise_alert(&self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .update_expression("SET alert_pending = :t")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":t", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }
}

/// The conditional write of an analysis result, shared by reviews and feedback. An
/// alert flag is only ever raised here, never lowered: a re-score must not cancel an
/// alert that is still waiting to go out.
pub(crate) fn analysis_update(
    table: &str,
    key: crate::Item,
    version: u32,
    record: &SentimentRecord,
    alert: bool,
) -> Result<Update, StoreError> {
    let mut expr = "SET sentiment = :r, analysis_state = :done, analysis_version = :next".to_string();
    let mut up = Update::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression("analysis_version = :v")
        .expression_attribute_values(":r", to_av(record)?)
        .expression_attribute_values(":done", to_av(&AnalysisState::Done)?)
        .expression_attribute_values(":next", AttributeValue::N((version + 1).to_string()))
        .expression_attribute_values(":v", AttributeValue::N(version.to_string()));
    if alert {
        expr.push_str(", alert_pending = :alert");
        up = up.expression_attribute_values(":alert", AttributeValue::Bool(true));
    }
    up.update_expression(expr).build().map_err(build_err)
}
