//! Feedback items: by status, by score (most negative first) and by time.

use crate::error::from_sdk;
use crate::ports::{FeedbackReader, FeedbackWriter};
use crate::reviews::{Applied, analysis_update};
use crate::{DynamoStore, Page, PageKey, Read, StoreError, build_err, from_item, key, keys, s, to_av, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use cm_core::FeedbackId;
use cm_reviews::feedback::score_rank;
use cm_reviews::{Feedback, FeedbackStatus, SentimentRecord};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct FeedbackItem {
    pk: String,
    sk: String,
    entity: String,
    /// By status, newest first.
    gsi1pk: String,
    gsi1sk: String,
    /// By status, most negative first (only once analysed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi2pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi2sk: Option<String>,
    /// Everything, newest first.
    gsi3pk: String,
    gsi3sk: String,
    #[serde(flatten)]
    feedback: Feedback,
}

impl FeedbackItem {
    fn new(f: &Feedback) -> FeedbackItem {
        let listed = format!("{}#{}", keys::instant_micros(f.created_at), f.id);
        FeedbackItem {
            pk: keys::feedback(f.id),
            sk: keys::FEEDBACK_SK.into(),
            entity: "feedback".into(),
            gsi1pk: keys::feedback_by_status(f.status.as_str()),
            gsi1sk: listed.clone(),
            gsi2pk: f.sentiment.as_ref().map(|_| keys::feedback_by_score(f.status.as_str())),
            gsi2sk: f.sentiment.as_ref().map(|r| format!("{}#{}", score_rank(r.analysis.score), f.id)),
            gsi3pk: keys::ALL_FEEDBACK.into(),
            gsi3sk: listed,
            feedback: f.clone(),
        }
    }
}

impl FeedbackWriter for DynamoStore {
    async fn create_feedback(&self, f: &Feedback) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&FeedbackItem::new(f))?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    /// Moves feedback to a new status (re-keying its indexes), if it is still the
    /// version that was read.
    async fn update_feedback_status(
        &self,
        old: &Feedback,
        status: FeedbackStatus,
        now: DateTime<Utc>,
    ) -> Result<Option<Feedback>, StoreError> {
        let new = Feedback { status, updated_at: now, ..old.clone() };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&FeedbackItem::new(&new))?))
            .condition_expression("updated_at = :u AND analysis_version = :v")
            .expression_attribute_values(":u", to_av(&old.updated_at)?)
            .expression_attribute_values(":v", AttributeValue::N(old.analysis_version.to_string()))
            .send()
            .await
            .map_err(from_sdk);
        match result {
            Ok(_) => Ok(Some(new)),
            Err(StoreError::ConditionFailed { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl FeedbackReader for DynamoStore {
    async fn get_feedback(&self, id: FeedbackId) -> Result<Option<Feedback>, StoreError> {
        let item = self.get(keys::feedback(id), keys::FEEDBACK_SK, Read::Consistent).await?;
        item.map(|i| from_item::<FeedbackItem>(i).map(|f| f.feedback)).transpose()
    }

    /// Newest first, optionally of one status; `sentiment` filters on the label.
    async fn list_feedback(
        &self,
        status: Option<FeedbackStatus>,
        sentiment: Option<cm_sentiment::Label>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Feedback>, StoreError> {
        let (index, attr, pk) = match status {
            Some(st) => (keys::GSI1, "gsi1pk", keys::feedback_by_status(st.as_str())),
            None => (keys::GSI3, "gsi3pk", keys::ALL_FEEDBACK.to_string()),
        };
        let label = sentiment.map(|l| to_av(&l)).transpose()?;
        let sk_attr = if status.is_some() { "gsi1sk" } else { "gsi3sk" };
        let make = || {
            let req = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", attr)
                .expression_attribute_values(":pk", s(&pk))
                .scan_index_forward(false);
            match &label {
                Some(l) => req
                    .filter_expression("sentiment.#l = :l")
                    .expression_attribute_names("#l", "label")
                    .expression_attribute_values(":l", l.clone()),
                None => req,
            }
        };
        crate::page::filtered_page(make, limit, after, &["pk", "sk", attr, sk_attr], |i| {
            from_item::<FeedbackItem>(i).map(|f| f.feedback)
        })
        .await
    }

    /// Open feedback that reads negative, most negative first.
    async fn most_negative_open_feedback(&self, limit: usize) -> Result<Vec<Feedback>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI2)
            .key_condition_expression("gsi2pk = :pk AND gsi2sk < :upper")
            .expression_attribute_values(":pk", s(keys::feedback_by_score(FeedbackStatus::Open.as_str())))
            .expression_attribute_values(":upper", s(score_rank(cm_sentiment::NEGATIVE_THRESHOLD)))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(from_sdk)?;
        out.items.unwrap_or_default().into_iter().map(|i| from_item::<FeedbackItem>(i).map(|f| f.feedback)).collect()
    }
}

/// Records an analysis exactly once (see `apply_review_analysis`), re-keying the score
/// index in the same write.
pub(crate) async fn apply_feedback_analysis(
    store: &DynamoStore,
    f: &Feedback,
    record: SentimentRecord,
    alert: bool,
) -> Result<Applied, StoreError> {
    let first = f.analysis_version == 0;
    let k = key(keys::feedback(f.id), keys::FEEDBACK_SK);
    let rank = format!("{}#{}", score_rank(record.analysis.score), f.id);
    let mut update = analysis_update(&store.table, k, f.analysis_version, &record, alert && first)?;
    // Re-key the most-negative index in the same write.
    let expr = format!("{}, gsi2pk = :g2pk, gsi2sk = :g2sk", update.update_expression());
    let mut values = update.expression_attribute_values().cloned().unwrap_or_default();
    values.insert(":g2pk".into(), s(keys::feedback_by_score(f.status.as_str())));
    values.insert(":g2sk".into(), s(rank));
    update = aws_sdk_dynamodb::types::Update::builder()
        .table_name(&store.table)
        .set_key(Some(update.key().clone()))
        .condition_expression(update.condition_expression().unwrap_or_default())
        .update_expression(expr)
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(build_err)?;
    match store.transact(vec![TransactWriteItem::builder().update(update).build()]).await {
        Ok(_) => Ok(Applied::Applied),
        Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
        Err(e) => Err(e),
    }
}
