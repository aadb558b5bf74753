//! Path and query parameters, parsed into types with errors that name the parameter.

use crate::ApiError;
use cm_domain::FieldErrors;
use lambda_http::{Request, RequestExt};
use std::str::FromStr;

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;

/// A path parameter API Gateway extracted. A missing one means the route and the
/// handler disagree, which is our bug, not the client's.
pub fn path_param<T: FromStr>(req: &Request, name: &str, what: &str) -> Result<T, ApiError> {
    let params = req.path_parameters();
    let raw = params.first(name).ok_or_else(|| ApiError::internal(format!("route has no `{name}` path parameter")))?;
    raw.parse().map_err(|_| ApiError::NotFound(format!("no {what} with id `{}`", truncate(raw))))
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Query parameters with every problem collected before answering.
pub struct Query {
    params: lambda_http::aws_lambda_events::query_map::QueryMap,
    errors: FieldErrors,
}

impl Query {
    pub fn of(req: &Request) -> Query {
        Query { params: req.query_string_parameters(), errors: FieldErrors::new() }
    }

    /// The trimmed value, if present and non-empty; repeated parameters are refused.
    pub fn text(&mut self, name: &str) -> Option<String> {
        let all = self.params.all(name)?;
        if all.len() > 1 {
            self.errors.add(name, "must be given once");
            return None;
        }
        let v = all.first()?.trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    pub fn parse<T>(&mut self, name: &str, expected: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        let raw = self.text(name)?;
        let parsed = parse(&raw);
        if parsed.is_none() {
            self.errors.add(name, format!("must be {expected}"));
        }
        parsed
    }

    pub fn int_in(&mut self, name: &str, min: i64, max: i64) -> Option<i64> {
        self.parse(name, &format!("an integer from {min} to {max}"), |s| {
            s.parse::<i64>().ok().filter(|v| (min..=max).contains(v))
        })
    }

    pub fn limit(&mut self) -> usize {
        self.int_in("limit", 1, MAX_PAGE_SIZE as i64).map_or(DEFAULT_PAGE_SIZE, |v| v as usize)
    }

    /// Refuses parameters this endpoint does not know, so typos do not silently
    /// widen a search.
    pub fn finish(mut self, known: &[&str]) -> Result<(), ApiError> {
        let mut unknown: Vec<String> =
            self.params.iter().map(|(k, _)| k.to_string()).filter(|k| !known.contains(&k.as_str())).collect();
        unknown.sort();
        unknown.dedup();
        for k in unknown {
            self.errors.add(truncate(&k), format!("is not a parameter of this endpoint (known: {})", known.join(", ")));
        }
        if self.errors.is_empty() { Ok(()) } else { Err(ApiError::InvalidQuery(self.errors)) }
    }
}
