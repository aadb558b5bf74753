//! Embedded sentiment analysis for client reviews and feedback.
//!
//! Lexicon and rules with learned weights on top, deterministic, no I/O: the
//! weights and the second word list are compiled into the binary
//! (`model/weights.bin`, `model/vader_lexicon.tsv`), so it runs in a Lambda per
//! stream record without network access or downloads. [`analyze`] returns an
//! overall label and score, per-topic sentiment and key phrases.
//!
//! # How a score is made
//!
//! 1. The text is tokenised; contractions are expanded ("wasn't" is "was not"),
//!    emoji, emoticons (`:)`, `<3`) and ratings ("10/10") become scored symbols.
//! 2. Multi-word expressions ("waste of money", "above and beyond", "no-show")
//!    and words get a valence from the crate's own lexicon (about -4..+4),
//!    which includes photography-service vocabulary ("blurry", "overexposed",
//!    "retouching", "responsive", "late", "missed").
//! 3. Up to three words before a sentiment word are inspected for negators
//!    ("not", "never", "no", "without") and intensifiers or diminishers
//!    ("very", "extremely", "slightly", "kind of"). A negated positive keeps
//!    most of its strength ("not good" is bad); a negated negative becomes faint
//!    praise ("not bad"). Some words have an explicit negated meaning: "no
//!    complaints" is praise, "never replied" a complaint.
//! 4. Within a sentence, what follows "but"/"however" weighs 1.5x and what
//!    precedes it 0.5x; a concession ("although ...", "... though") weighs 0.5x.
//! 5. Emphasis: each "!" (up to three) strengthens its sentence by 12%; an
//!    ALL-CAPS word by 30% (10% when the whole text is in capitals).
//! 6. The sum `v` of all weighted valences is normalised to
//!    `v / sqrt(v² + 12)`, which lies in (-1, 1): the rule score.
//! 7. A logistic model (`model.rs`) reads the rule score and its positive and
//!    negative parts, emoji, "?", "!" (in the rules' direction), length,
//!    capitals, the same text scored with VADER's human-rated word list and
//!    with a port of VADER's own compound score (`vader.rs`), and hashed
//!    words (negated words apart), word pairs and character 3-5-grams of the
//!    words the rules do not read (`features.rs`): it adds evidence where the
//!    rules have none and never re-weighs a word they interpret. Its weights
//!    were fitted on public labelled reviews, tweets and opinion prose
//!    (eval/sentiment/README.md); the weights of the rule and lexicon
//!    features are non-negative, so more positive evidence never lowers a
//!    score. The final log-odds `z` is 0.3 x the rules' own log-odds (`2
//!    atanh` of the rule score), so a firing domain rule keeps its say, plus
//!    0.25 x VADER's compound as log-odds when the rules read nothing VADER
//!    cannot (no domain word, phrase, emoji or reading of their own), plus
//!    0.8 x the model's. `score = tanh(z / 2)` = `2p - 1` for the
//!    probability `p` that a reader calls the text positive, fitted to human
//!    ratings mapped from -4..+4 onto -1..1: a calibrated score in (-1, 1).
//!
//! # Labels
//!
//! `score >= POSITIVE_THRESHOLD` is [`Label::Positive`], `score <=
//! NEGATIVE_THRESHOLD` is [`Label::Negative`], anything in between is
//! [`Label::Neutral`]. The threshold is stored with the weights; the training
//! chose it on its own data (the macro-F1 over datasets of three labels, best
//! on a validation fold), so "negative" means the same across text styles.
//!
//! # Topics
//!
//! Each chunk of a sentence (the stretch between commas, "and", contrast words
//! and sentence ends) that mentions a topic keyword lends its own valence to
//! that topic, unweighted by contrast, so "great photos but two hours late"
//! gives quality positive and punctuality negative. A topic chunk without
//! sentiment borrows it from its clause ("the editing is subtle and natural").
//! Sentiment in chunks that name no topic goes to [`Topic::General`], which is
//! also the only topic when nothing more specific is mentioned. A topic's score
//! is its rule valence read through the model's weights of the rule features
//! (no bias), so it is on the overall score's scale and 0 without evidence.

mod features;
mod lexicon;
mod model;
mod phrases;
mod scoring;
mod tokenize;
mod topics;
mod vader;

pub use features::{DENSE, FEATURE_VERSION, Features};
use serde::{Deserialize, Serialize};

/// Scores at or above this are positive. Chosen by the training on its
/// training data only, stored with the weights (eval/sentiment/README.md).
pub const POSITIVE_THRESHOLD: f64 = model::THRESHOLD;
/// Scores at or below this are negative.
pub const NEGATIVE_THRESHOLD: f64 = -model::THRESHOLD;
/// At most this many key phrases are returned.
pub const MAX_KEY_PHRASES: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Positive,
    Neutral,
    Negative,
}

impl Label {
    /// Label for a score in [-1, 1], using [`POSITIVE_THRESHOLD`] and
    /// [`NEGATIVE_THRESHOLD`]. NaN is neutral.
    pub fn from_score(score: f64) -> Label {
        if score >= POSITIVE_THRESHOLD {
            Label::Positive
        } else if score <= NEGATIVE_THRESHOLD {
            Label::Negative
        } else {
            Label::Neutral
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Positive => "positive",
            Label::Neutral => "neutral",
            Label::Negative => "negative",
        }
    }
}

/// Aspects of a photography service that reviews talk about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Topic {
    Communication,
    Quality,
    Punctuality,
    Pricing,
    Creativity,
    Editing,
    Delivery,
    /// Sentiment not tied to any of the topics above.
    General,
}

impl Topic {
    /// Every topic except [`Topic::General`], in output order.
    pub const SPECIFIC: [Topic; 7] = [
        Topic::Communication,
        Topic::Quality,
        Topic::Punctuality,
        Topic::Pricing,
        Topic::Creativity,
        Topic::Editing,
        Topic::Delivery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Communication => "communication",
            Topic::Quality => "quality",
            Topic::Punctuality => "punctuality",
            Topic::Pricing => "pricing",
            Topic::Creativity => "creativity",
            Topic::Editing => "editing",
            Topic::Delivery => "delivery",
            Topic::General => "general",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicSentiment {
    pub topic: Topic,
    pub label: Label,
    /// In [-1, 1], rounded to four decimals.
    pub score: f64,
}

/// Result of [`analyze`]. Serialises as
/// `{"label","score","topics","key_phrases"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub label: Label,
    /// In [-1, 1], rounded to four decimals; `label` follows from it.
    pub score: f64,
    /// Topics mentioned, in [`Topic`] order, each at most once. Empty only
    /// for text with nothing to analyse (empty, whitespace, punctuation).
    pub topics: Vec<TopicSentiment>,
    /// Lowercase, deduplicated, at most [`MAX_KEY_PHRASES`], most useful first.
    pub key_phrases: Vec<String>,
}

/// Analyses one review or feedback text. Never panics; any string is valid
/// input, including the empty string (neutral, score 0).
pub fn analyze(text: &str) -> Analysis {
    let tokens = tokenize::tokenize(text);
    let scored = scoring::score(&tokens);
    let model = model::get();
    let score = if !features::has_content(&tokens) {
        0.0
    } else if let Some(model) = model {
        round_score(model.score(&features::extract(text, &tokens, &scored)))
    } else {
        round_score(scoring::normalise(scored.total))
    };
    let topic_score = |valence: f64| model.map_or_else(|| scoring::normalise(valence), |m| m.valence_score(valence));
    Analysis {
        label: Label::from_score(score),
        score,
        topics: topics::topic_sentiments(&tokens, &scored, score, topic_score),
        key_phrases: phrases::key_phrases(&tokens),
    }
}

/// The learned model's input for one text: what eval/sentiment/train.py
/// fits the weights on (through the `sentiment-features` binary). Not needed
/// to analyse text.
pub fn features(text: &str) -> Features {
    let tokens = tokenize::tokenize(text);
    features::extract(text, &tokens, &scoring::score(&tokens))
}

/// Four decimals keep the JSON output short and stable across platforms'
/// last-bit differences.
pub(crate) fn round_score(score: f64) -> f64 {
    let rounded = (score * 10_000.0).round() / 10_000.0;
    if rounded.is_finite() { rounded.clamp(-1.0, 1.0) } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_symmetric_and_inclusive() {
        assert_eq!(Label::from_score(POSITIVE_THRESHOLD), Label::Positive);
        assert_eq!(Label::from_score(NEGATIVE_THRESHOLD), Label::Negative);
        assert_eq!(Label::from_score(0.0), Label::Neutral);
        assert_eq!(Label::from_score(f64::NAN), Label::Neutral);
        assert_eq!(POSITIVE_THRESHOLD, -NEGATIVE_THRESHOLD);
    }

    #[test]
    fn serialises_lowercase() {
        let a = analyze("Great photos but he was two hours late");
        let json = serde_json::to_value(&a).unwrap_or_default();
        assert_eq!(json["label"], "negative");
        assert!(json["topics"].as_array().is_some_and(|t| t.iter().any(|t| t["topic"] == "punctuality")));
        for t in Topic::SPECIFIC.iter().chain([Topic::General].iter()) {
            assert_eq!(serde_json::to_value(t).unwrap_or_default(), t.as_str());
        }
    }

    #[test]
    fn topic_indices_match_specific_order() {
        for (i, t) in Topic::SPECIFIC.iter().enumerate() {
            assert_eq!(*t as usize, i);
        }
    }
}
