//! Stream-triggered (DynamoDB Streams, filtered to reviews and feedback awaiting
//! analysis): scores the text, writes the result back, and keeps the photographer's
//! rating and sentiment counts and the daily insight aggregates, all in one
//! transaction conditional on the analysis it replaces. A redelivered or bisected
//! batch therefore changes nothing twice. Reviews of two stars or fewer and negative
//! feedback raise one admin alert on SNS.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use cm_analyzer::Analyzer;
use cm_app::App;
use cm_reviews::{AnalysisState, Feedback, Review};
use cm_sentiment::Label;
use cm_store::claims::{Once, once};
use cm_store::keys;
use cm_store::reviews::Applied;
use cm_store::{AlertFlags, Claims, DynamoStore, FeedbackReader, ReviewReader, SentimentWriter};
use lambda_runtime::{Error, LambdaEvent};
use serde::Deserialize;

pub struct Scorer<S> {
    pub app: App<S>,
    pub analyzer: Analyzer,
    pub sns: aws_sdk_sns::Client,
    /// Where admin alerts go; unset disables alerts (e.g. in a sandbox stage).
    pub alerts_topic: Option<String>,
}

/// Reviews of this many stars or fewer alert the admins.
pub const ALERT_MAX_STARS: u8 = 2;

/// Longer than one publish can take, short enough that a crashed holder's alert goes
/// out on the next retry of its record.
const ALERT_LEASE: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

#[derive(Deserialize)]
struct Entity {
    entity: String,
}

impl Scorer<DynamoStore> {
    pub async fn from_env(env: cm_runtime::Env) -> Result<Self, Error> {
        Ok(Scorer {
            app: App::new(env.store()?),
            analyzer: Analyzer::from_env(&env.sdk)?,
            sns: aws_sdk_sns::Client::new(&env.sdk),
            alerts_topic: cm_runtime::env_var("ADMIN_ALERTS_TOPIC_ARN"),
        })
    }
}

/// What the scorer touches: analyses, the items it re-reads, their alert flags, and
/// the claims that make each alert go out once.
pub trait ScorerStore: SentimentWriter + ReviewReader + FeedbackReader + AlertFlags + Claims {}
impl<S: SentimentWriter + ReviewReader + FeedbackReader + AlertFlags + Claims> ScorerStore for S {}

impl<S: ScorerStore> Scorer<S> {
    /// Every record is attempted; the ones that fail are reported so Lambda retries
    /// from there (and, after the retry budget, sends them to the on-failure queue)
    /// while the rest of the shard moves on.
    pub async fn handle(&self, event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Error> {
        let mut failures = Vec::new();
        for record in &event.payload.records {
            if let Err(e) = self.process(record).await {
                let id = record.change.sequence_number.clone().unwrap_or_default();
                tracing::error!(sequence = %id, error = %e, "sentiment record failed");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = Some(id);
                failures.push(failure);
            }
        }
        let mut response = DynamoDbEventResponse::default();
        response.batch_item_failures = failures;
        Ok(response)
    }

    async fn process(&self, record: &EventRecord) -> Result<(), Error> {
        let image = record.change.new_image.clone();
        if image.is_empty() {
            return Ok(()); // REMOVE: nothing to analyse.
        }
        let Entity { entity } = serde_dynamo::from_item(image.clone())?;
        match entity.as_str() {
            "review" => self.review(serde_dynamo::from_item(image)?).await,
            "feedback" => self.feedback(serde_dynamo::from_item(image)?).await,
            _ => Ok(()),
        }
    }

    async fn review(&self, review: Review) -> Result<(), Error> {
        if review.analysis_state == AnalysisState::Pending {
            let record = self.analyzer.score(&review.text, self.app.now()).await;
            let alert = review.rating <= ALERT_MAX_STARS;
            let label = record.analysis.label;
            if self.app.store.apply_review_analysis(&review, record, alert).await? == Applied::Applied {
                cm_metrics::count("ReviewsScored", "Sentiment", label.as_str());
            }
        }
        if review.rating <= ALERT_MAX_STARS {
            let pk = keys::booking(review.booking_id);
            if let Some(current) = self.app.store.get_review(review.id).await?
                && current.alert_pending
            {
                let subject = format!("{}-star review needs attention", current.rating);
                let body = serde_json::json!({
                    "kind": "review", "id": current.id, "photographer_id": current.photographer_id,
                    "rating": current.rating, "sentiment": current.sentiment.as_ref().map(|s| s.analysis.label),
                    "text": excerpt(&current.text),
                });
                self.alert(&pk, keys::REVIEW_SK, &subject, body, "review").await?;
            }
        }
        Ok(())
    }

    async fn feedback(&self, feedback: Feedback) -> Result<(), Error> {
        if feedback.analysis_state == AnalysisState::Pending {
            let record = self.analyzer.score(&feedback.analysed_text(), self.app.now()).await;
            let label = record.analysis.label;
            let alert = label == Label::Negative;
            if self.app.store.apply_feedback_analysis(&feedback, record, alert).await? == Applied::Applied {
                cm_metrics::count("FeedbackScored", "Sentiment", label.as_str());
            }
        }
        if let Some(current) = self.app.store.get_feedback(feedback.id).await?
            && current.alert_pending
        {
            let body = serde_json::json!({
                "kind": "feedback", "id": current.id, "category": current.category,
                "score": current.sentiment.as_ref().map(|s| s.analysis.score), "subject": excerpt(&current.subject),
                "message": excerpt(&current.message),
            });
            self.alert(
                &keys::feedback(current.id),
                keys::FEEDBACK_SK,
                "Negative feedback needs attention",
                body,
                "feedback",
            )
            .await?;
        }
        Ok(())
    }

    /// Publishes the alert an item owes (its `alert_pending` flag) once: the publish
    /// runs under a claim (of two concurrent deliveries only one publishes; a holder
    /// that dies mid-way loses the claim when its lease ends), and the flag is cleared
    /// only after the publish is recorded, so no crash between the two loses the alert.
    async fn alert(&self, pk: &str, sk: &str, subject: &str, body: serde_json::Value, kind: &str) -> Result<(), Error> {
        let Some(topic) = &self.alerts_topic else { return Ok(()) };
        let key = format!("alert:{pk}:{sk}");
        let publish = || self.publish(topic, subject, &body, kind);
        match once(&self.app.store, self.app.clock.as_ref(), &key, ALERT_LEASE, publish).await {
            Ok(Once::Ran | Once::AlreadyDone) => {}
            Err(e) => return Err(e.to_string().into()),
        }
        self.app.store.clear_alert(pk, sk).await?;
        Ok(())
    }

    async fn publish(&self, topic: &str, subject: &str, body: &serde_json::Value, kind: &str) -> Result<(), Error> {
        let attr =
            |v: &str| aws_sdk_sns::types::MessageAttributeValue::builder().data_type("String").string_value(v).build();
        self.sns
            .publish()
            .topic_arn(topic)
            .subject(subject)
            .message(body.to_string())
            .message_attributes("kind", attr(kind)?)
            .message_attributes("severity", attr("high")?)
            .send()
            .await
            .map_err(|e| format!("publishing the admin alert: {}", aws_sdk_sns::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}

fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(280).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}
