//! Reviews, replies and feedback as people send them, checked before they are stored.

use crate::feedback::FeedbackCategory;
use cm_core::FieldErrors;
use cm_core::text::check_text;
use serde::Deserialize;

pub const MAX_REVIEW_CHARS: usize = 5000;
pub const MAX_REPLY_CHARS: usize = 2000;
pub const MAX_SUBJECT_CHARS: usize = 150;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub rating: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidReview {
    pub rating: u8,
    pub text: String,
}

impl ReviewInput {
    pub fn validate(self) -> Result<ValidReview, FieldErrors> {
        let mut errors = FieldErrors::new();
        if !(1..=5).contains(&self.rating) {
            errors.add("rating", "must be a whole number of stars from 1 to 5");
        }
        let text = check_text(&mut errors, "text", &self.text, MAX_REVIEW_CHARS);
        errors.into_result(ValidReview { rating: self.rating.clamp(1, 5) as u8, text })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyInput {
    pub text: String,
}

impl ReplyInput {
    pub fn validate(self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = check_text(&mut errors, "text", &self.text, MAX_REPLY_CHARS);
        errors.into_result(text)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    pub category: FeedbackCategory,
    pub subject: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidFeedback {
    pub category: FeedbackCategory,
    pub subject: String,
    pub message: String,
}

impl FeedbackInput {
    pub fn validate(self) -> Result<ValidFeedback, FieldErrors> {
        let mut errors = FieldErrors::new();
        let subject = check_text(&mut errors, "subject", &self.subject, MAX_SUBJECT_CHARS);
        let message = check_text(&mut errors, "message", &self.message, MAX_REVIEW_CHARS);
        errors.into_result(ValidFeedback { category: self.category, subject, message })
    }
}

/// The public name of a reviewer: their first name only.
pub fn public_author(full_name: &str) -> String {
    full_name.split_whitespace().next().unwrap_or("Client").chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reviews_need_one_to_five_stars_and_text() {
        let e = ReviewInput { rating: 0, text: "  ".into() }.validate().unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["rating", "text"]);
        assert_eq!(
            ReviewInput { rating: 5, text: " Lovely! ".into() }.validate().unwrap(),
            ValidReview { rating: 5, text: "Lovely!".into() }
        );
        assert!(ReviewInput { rating: 6, text: "x".into() }.validate().is_err());
    }

    #[test]
    fn authors_are_first_names() {
        assert_eq!(public_author("Asha Rao"), "Asha");
        assert_eq!(public_author("   "), "Client");
    }

    proptest! {
        #[test]
        fn accepted_text_is_trimmed_and_bounded(s in "\\PC{0,300}", max in 1usize..200) {
            let mut errors = FieldErrors::new();
            let t = check_text(&mut errors, "f", &s, max);
            if errors.is_empty() {
                prop_assert_eq!(t.trim(), t.as_str());
                prop_assert!(!t.is_empty() && t.chars().count() <= max);
            }
        }
    }
}
