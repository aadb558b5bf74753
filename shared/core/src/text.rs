//! Free text people write (names, reviews, messages), checked the same way everywhere.

use crate::FieldErrors;

/// Trimmed text of 1..=max characters without control characters (newlines allowed).
pub fn check_text(errors: &mut FieldErrors, field: &str, raw: &str, max: usize) -> String {
    let text = raw.trim().to_string();
    let n = text.chars().count();
    if n == 0 {
        errors.add(field, "must not be empty");
    } else if n > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        errors.add(field, "must not contain control characters");
    }
    text
}
