//! Reviews: one item beside their booking (`BOOKING#<id>` / `REVIEW`), so "once per
//! booking" is a key constraint, not a check. Analyses and the admin alert flag shared
//! with feedback live here too.

use crate::error::from_sdk;
use crate::photographers::{Modified, ProfileWriteError};
use crate::ports::{AlertFlags, ReviewReader, ReviewWriter, SentimentWriter};
use crate::{DynamoStore, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use cm_core::{BookingId, UserId};
use cm_reviews::{AnalysisState, Feedback, Review, SentimentRecord};
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
        crate::error::applied(result)
    }

    /// One conditional write per attempt: the reply replaces exactly the reply that
    /// was read (a first reply keeps its time on every later edit), or the attempt is
    /// made again from a fresh read.
    async fn set_review_reply(
        &self,
        id: BookingId,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Review>, StoreError> {
        const ATTEMPTS: usize = 3;
        for _ in 0..ATTEMPTS {
            let Some(mut review) = self.get_review(id).await? else { return Ok(None) };
            let reply = review.reply_with(text.to_string(), now);
            let mut req = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::booking(id), keys::REVIEW_SK)))
                .update_expression("SET reply = :r")
                .expression_attribute_values(":r", to_av(&reply)?);
            req = match &review.reply {
                Some(previous) => req
                    .condition_expression("reply.updated_at = :prev")
                    .expression_attribute_values(":prev", to_av(&previous.updated_at)?),
                None => req.condition_expression("attribute_exists(pk) AND attribute_not_exists(reply)"),
            };
            match crate::retry::retrying(|| async { req.clone().send().await.map_err(from_sdk) }).await {
                Ok(_) => {
                    review.reply = Some(reply);
                    return Ok(Some(review));
                }
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Contended(format!("the reply to review {id} kept changing")))
    }
}

impl ReviewReader for DynamoStore {
    async fn get_review(&self, id: BookingId) -> Result<Option<Review>, StoreError> {
        let item = self.get(keys::booking(id), keys::REVIEW_SK, Read::Consistent).await?;
        item.map(|i| from_item::<ReviewItem>(i).map(|r| r.review)).transpose()
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
    /// and what follows from it for its photographer, in one transaction: the review's
    /// result, the photographer's sentiment counts and, on the first analysis only, the
    /// review's stars in their rating and search rank. The transaction is conditional on
    /// the analysis version it replaces, so a redelivered or bisected stream batch
    /// changes nothing twice. The platform-wide daily aggregates are not in it: every
    /// analysis would contend for one item; they follow from the stream record of this
    /// write (`SentimentAggregates`).
    async fn apply_review_analysis(
        &self,
        review: &Review,
        record: SentimentRecord,
        alert: bool,
    ) -> Result<Applied, ProfileWriteError> {
        let first = review.analysis_version == 0;
        let old = review.sentiment.as_ref().map(|r| &r.analysis);
        let review_update = self.review_analysis_op(review, &record, alert && first)?;
        let new_label = record.analysis.label;
        let old_label = old.map(|a| a.label);
        let stars = review.rating;
        let change = |current: Option<&cm_catalog::PhotographerRecord>| {
            current.map(|c| c.after_review_analysis(stars, first, old_label, new_label, record.analyzed_at))
        };
        let extra = || vec![review_update.clone()];
        match self.modify_photographer_with(review.photographer_id, change, extra).await? {
            Modified::Done(Some(_)) => Ok(Applied::Applied),
            Modified::ExtraConditionFailed => Ok(Applied::AlreadyApplied),
            // The photographer has no profile (deleted?): still record the analysis.
            Modified::Done(None) => match self.transact(vec![review_update]).await {
                Ok(_) => Ok(Applied::Applied),
                Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
                Err(e) => Err(e.into()),
            },
        }
    }

    async fn redrive_analysis(&self, pk: &str, sk: &str, version: u32, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .update_expression("SET redriven_at = :now")
            .condition_expression("analysis_state = :pending AND analysis_version = :v")
            .expression_attribute_values(":now", to_av(&now)?)
            .expression_attribute_values(":pending", to_av(&AnalysisState::Pending)?)
            .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
            .send()
            .await
            .map_err(from_sdk);
        crate::error::applied(result)
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
        crate::error::applied(result)
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
