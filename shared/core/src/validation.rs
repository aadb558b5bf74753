//! Per-field validation errors, collected so a client sees every problem at once
//! (RFC 9457 `errors` extension) instead of fixing them one round-trip at a time.

use serde::Serialize;

/// One problem with one field. `field` is a JSON pointer-ish dotted path
/// (`packages[0].price.amount_minor`) so clients can attach it to a form control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// Adds another collection's errors with their fields nested under `prefix`.
    pub fn merge_nested(&mut self, prefix: &str, other: FieldErrors) {
        for e in other.0 {
            let field = if e.field.is_empty() {
                prefix.to_string()
            } else if e.field.starts_with('[') {
                format!("{prefix}{}", e.field)
            } else {
                format!("{prefix}.{}", e.field)
            };
            self.0.push(FieldError { field, message: e.message });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(value)` when nothing was added, otherwise the collected errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_join_with_dots_and_brackets() {
        let mut inner = FieldErrors::new();
        inner.add("amount_minor", "must be positive");
        inner.add("[2]", "bad entry");
        let mut outer = FieldErrors::new();
        outer.merge_nested("price", inner);
        let fields: Vec<_> = outer.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["price.amount_minor", "price[2]"]);
        assert!(outer.into_result(()).is_err());
        assert_eq!(FieldErrors::new().into_result(7), Ok(7));
    }
}
