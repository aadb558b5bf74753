//! Which analyzer scores text, chosen by configuration (`SENTIMENT_ANALYZER`):
//! `embedded` (default: runs inside the Lambda, no network, no per-call cost) or
//! `comprehend` (Amazon Comprehend DetectSentiment and DetectKeyPhrases). Comprehend
//! has no notion of our topics, so topics always come from the embedded analyzer, and
//! any Comprehend failure falls back to the embedded result rather than failing the
//! stream record.

use chrono::{DateTime, Utc};
use cm_reviews::SentimentRecord;
use cm_sentiment::{Analysis, Label, analyze};

pub enum Analyzer {
    Embedded,
    Comprehend(aws_sdk_comprehend::Client),
}

/// Comprehend accepts at most 5000 bytes of UTF-8 per document.
const COMPREHEND_MAX_BYTES: usize = 5000;

impl Analyzer {
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Analyzer, String> {
        match std::env::var("SENTIMENT_ANALYZER").as_deref() {
            Err(_) | Ok("") | Ok("embedded") => Ok(Analyzer::Embedded),
            Ok("comprehend") => Ok(Analyzer::Comprehend(aws_sdk_comprehend::Client::new(sdk))),
            Ok(other) => Err(format!("SENTIMENT_ANALYZER must be `embedded` or `comprehend`, not `{other}`")),
        }
    }

    /// Scores `text`; `now` is recorded as the time of the analysis.
    pub async fn score(&self, text: &str, now: DateTime<Utc>) -> SentimentRecord {
        let embedded = analyze(text);
        let (analysis, analyzer) = match self {
            Analyzer::Embedded => (embedded, "embedded"),
            Analyzer::Comprehend(client) => match comprehend(client, text, &embedded).await {
                Ok(a) => (a, "comprehend"),
                Err(e) => {
                    tracing::warn!(error = %e, "Comprehend failed; using the embedded analyzer");
                    (embedded, "embedded")
                }
            },
        };
        SentimentRecord { analysis, analyzer: analyzer.into(), analyzed_at: now }
    }
}

fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

async fn comprehend(client: &aws_sdk_comprehend::Client, text: &str, embedded: &Analysis) -> Result<Analysis, String> {
    use aws_sdk_comprehend::types::{LanguageCode, SentimentType};
    let doc = truncate_utf8(text, COMPREHEND_MAX_BYTES);
    if doc.trim().is_empty() {
        return Ok(embedded.clone());
    }
    let s = client
        .detect_sentiment()
        .text(doc)
        .language_code(LanguageCode::En)
        .send()
        .await
        .map_err(|e| aws_sdk_comprehend::error::DisplayErrorContext(e).to_string())?;
    let scores = s.sentiment_score().ok_or("no sentiment scores")?;
    let score = f64::from(scores.positive().unwrap_or(0.0) - scores.negative().unwrap_or(0.0));
    let label = match s.sentiment() {
        Some(SentimentType::Positive) => Label::Positive,
        Some(SentimentType::Negative) => Label::Negative,
        _ => Label::Neutral,
    };
    let phrases = client
        .detect_key_phrases()
        .text(doc)
        .language_code(LanguageCode::En)
        .send()
        .await
        .map_err(|e| aws_sdk_comprehend::error::DisplayErrorContext(e).to_string())?;
    let mut key_phrases: Vec<String> = phrases
        .key_phrases()
        .iter()
        .filter_map(|p| p.text())
        .map(|t| t.to_lowercase())
        .take(cm_sentiment::MAX_KEY_PHRASES)
        .collect();
    if key_phrases.is_empty() {
        key_phrases = embedded.key_phrases.clone();
    }
    Ok(Analysis {
        label,
        score: (score.clamp(-1.0, 1.0) * 10_000.0).round() / 10_000.0,
        topics: embedded.topics.clone(),
        key_phrases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let s = "é".repeat(3000); // 6000 bytes
        let t = truncate_utf8(&s, 5000);
        assert!(t.len() <= 5000 && t.chars().all(|c| c == 'é'));
        assert_eq!(truncate_utf8("short", 5000), "short");
    }

    #[tokio::test]
    async fn embedded_is_the_default() {
        let now = Utc::now();
        let a = Analyzer::Embedded.score("Absolutely stunning photos, thank you!", now).await;
        assert_eq!(a.analyzed_at, now);
        assert_eq!(a.analyzer, "embedded");
        assert_eq!(a.analysis.label, Label::Positive);
    }
}
