//! Feedback from any signed-in user to the platform, triaged by admins.

use crate::error::{from_sdk, from_transaction};
use crate::insights::{SentimentRecord, aggregate_deltas};
use crate::reviews::{AnalysisState, Applied, analysis_update};
use crate::{Page, PageKey, Store, StoreError, from_item, key, s, to_item};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use cm_domain::account::Role;
use cm_domain::{FeedbackId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackCategory {
    Booking,
    Payment,
    Platform,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    Open,
    InProgress,
    Resolved,
}

impl FeedbackStatus {
    pub const ALL: [FeedbackStatus; 3] = [FeedbackStatus::Open, FeedbackStatus::InProgress, FeedbackStatus::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackStatus::Open => "open",
            FeedbackStatus::InProgress => "in_progress",
            FeedbackStatus::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<FeedbackStatus> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub id: FeedbackId,
    pub user_id: UserId,
    pub user_role: Role,
    pub category: FeedbackCategory,
    pub subject: String,
    pub message: String,
    pub status: FeedbackStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<SentimentRecord>,
    pub analysis_state: AnalysisState,
    pub analysis_version: u32,
    #[serde(default)]
    pub alert_pending: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Feedback {
    /// The text the analyzer scores. The stream and the backfill must score the same
    /// text, or every backfill would "re-score" what the stream got right.
    pub fn analysed_text(&self) -> String {
        format!("{}. {}", self.subject, self.message)
    }
}

pub const ALL_FEEDBACK: &str = "FEEDBACK";

pub fn feedback_key(id: FeedbackId) -> String {
    format!("FEEDBACK#{id}")
}
pub const FEEDBACK_SK: &str = "FEEDBACK";

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

/// Ascending order = most negative first: the score shifted into 0..=20000.
pub fn score_rank(score: f64) -> String {
    format!("{:05}", ((score.clamp(-1.0, 1.0) + 1.0) * 10_000.0).round() as u32)
}

impl FeedbackItem {
    fn new(f: &Feedback) -> FeedbackItem {
        let listed = format!("{}#{}", f.created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ"), f.id);
        FeedbackItem {
            pk: feedback_key(f.id),
            sk: FEEDBACK_SK.into(),
            entity: "feedback".into(),
            gsi1pk: format!("FEEDBACK#{}", f.status.as_str()),
            gsi1sk: listed.clone(),
            gsi2pk: f.sentiment.as_ref().map(|_| format!("FEEDBACKSCORE#{}", f.status.as_str())),
            gsi2sk: f.sentiment.as_ref().map(|r| format!("{}#{}", score_rank(r.analysis.score), f.id)),
            gsi3pk: ALL_FEEDBACK.into(),
            gsi3sk: listed,
            feedback: f.clone(),
        }
    }
}

impl Store {
    pub async fn create_feedback(&self, f: &Feedback) -> Result<(), StoreError> {
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

    pub async fn get_feedback(&self, id: FeedbackId) -> Result<Option<Feedback>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(feedback_key(id), FEEDBACK_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(from_sdk)?;
        out.item.map(|i| from_item::<FeedbackItem>(i).map(|f| f.feedback)).transpose()
    }

    /// Moves feedback to a new status (re-keying its indexes), if it is still the
    /// version that was read.
    pub async fn update_feedback_status(
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
            .expression_attribute_values(":u", crate::users::to_av(&old.updated_at)?)
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

    /// Newest first, optionally of one status; `sentiment` filters on the label.
    pub async fn list_feedback(
        &self,
        status: Option<FeedbackStatus>,
        sentiment: Option<cm_sentiment::Label>,
        limit: usize,
        after: Option<&PageKey>,
    ) -> Result<Page<Feedback>, StoreError> {
        let (index, attr, pk) = match status {
            Some(st) => ("gsi1", "gsi1pk", format!("FEEDBACK#{}", st.as_str())),
            None => ("gsi3", "gsi3pk", ALL_FEEDBACK.to_string()),
        };
        let label = sentiment.map(|l| crate::users::to_av(&l)).transpose()?;
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
    pub async fn most_negative_open_feedback(&self, limit: i32) -> Result<Vec<Feedback>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi2")
            .key_condition_expression("gsi2pk = :pk AND gsi2sk < :upper")
            .expression_attribute_values(":pk", s("FEEDBACKSCORE#open"))
            .expression_attribute_values(":upper", s(score_rank(cm_sentiment::NEGATIVE_THRESHOLD)))
            .limit(limit)
            .send()
            .await
            .map_err(from_sdk)?;
        out.items.unwrap_or_default().into_iter().map(|i| from_item::<FeedbackItem>(i).map(|f| f.feedback)).collect()
    }

    /// Records an analysis and its aggregate counts exactly once (see
    /// `apply_review_analysis`). The score index is re-keyed with it.
    pub async fn apply_feedback_analysis(
        &self,
        f: &Feedback,
        record: SentimentRecord,
        alert: bool,
    ) -> Result<Applied, StoreError> {
        let first = f.analysis_version == 0;
        let deltas = aggregate_deltas("feedback", f.sentiment.as_ref().map(|r| &r.analysis), &record.analysis);
        let k = key(feedback_key(f.id), FEEDBACK_SK);
        let rank = format!("{}#{}", score_rank(record.analysis.score), f.id);
        let mut update = analysis_update(&self.table, k, f.analysis_version, &record, alert && first)?;
        // Re-key the most-negative index in the same write.
        let expr = format!("{}, gsi2pk = :g2pk, gsi2sk = :g2sk", update.update_expression());
        let mut values = update.expression_attribute_values().cloned().unwrap_or_default();
        values.insert(":g2pk".into(), s(format!("FEEDBACKSCORE#{}", f.status.as_str())));
        values.insert(":g2sk".into(), s(rank));
        update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .set_key(Some(update.key().clone()))
            .condition_expression(update.condition_expression().unwrap_or_default())
            .update_expression(expr)
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(crate::photographers::build_err)?;
        let mut ops = vec![TransactWriteItem::builder().update(update).build()];
        ops.extend(self.aggregate_op(f.created_at.date_naive(), &deltas)?);
        match self.client.transact_write_items().set_transact_items(Some(ops)).send().await.map_err(from_transaction) {
            Ok(_) => Ok(Applied::Applied),
            Err(StoreError::ConditionFailed { .. }) => Ok(Applied::AlreadyApplied),
            Err(e) => Err(e),
        }
    }

    pub async fn list_all_feedback(&self, limit: usize, after: Option<&PageKey>) -> Result<Page<Feedback>, StoreError> {
        self.list_feedback(None, None, limit, after).await
    }
}
