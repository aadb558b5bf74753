//! Path and query parameters, parsed into types with errors that name the parameter.

use crate::RequestError;
use cm_core::FieldErrors;
use lambda_http::{Request, RequestExt};
use std::str::FromStr;

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;

/// A path parameter API Gateway extracted. A missing one means the route and the
/// handler disagree, which is our bug, not the client's.
pub fn path_param<T: FromStr>(req: &Request, name: &str, what: &str) -> Result<T, RequestError> {
    let params = req.path_parameters();
    let raw = params.first(name).ok_or_else(|| RequestError::Route(name.to_string()))?;
    raw.parse().map_err(|_| RequestError::NotFound(format!("no {what} with id `{}`", truncate(raw))))
}

/// The client's address as API Gateway saw it (`requestContext.http.sourceIp`).
pub fn source_ip(req: &Request) -> Option<String> {
    match req.request_context_ref()? {
        lambda_http::request::RequestContext::ApiGatewayV2(ctx) => ctx.http.source_ip.clone(),
        // Other API Gateway flavours exist under lambda_http features this project does not enable.
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Why a request carries no usable bearer token; said to the client as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BearerError {
    #[error("send an access token as `Authorization: Bearer <token>`")]
    Missing,
    #[error("malformed Authorization header")]
    Malformed,
    #[error("the Authorization header must use the Bearer scheme")]
    WrongScheme,
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(req: &Request) -> Result<&str, BearerError> {
    let header = req.headers().get(http::header::AUTHORIZATION).ok_or(BearerError::Missing)?;
    let value = header.to_str().map_err(|_| BearerError::Malformed)?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => Ok(token.trim()),
        _ => Err(BearerError::WrongScheme),
    }
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
    pub fn finish(mut self, known: &[&str]) -> Result<(), RequestError> {
        let mut unknown: Vec<String> =
            self.params.iter().map(|(k, _)| k.to_string()).filter(|k| !known.contains(&k.as_str())).collect();
        unknown.sort();
        unknown.dedup();
        for k in unknown {
            self.errors.add(truncate(&k), format!("is not a parameter of this endpoint (known: {})", known.join(", ")));
        }
        if self.errors.is_empty() { Ok(()) } else { Err(RequestError::InvalidQuery(self.errors)) }
    }
}

/// The `from` and `to` days (YYYY-MM-DD) of a report over a range of days, as asked:
/// read with the other parameters ([`Query::days`]), resolved after [`Query::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysAsked {
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
}

impl Query {
    pub fn days(&mut self) -> DaysAsked {
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        DaysAsked {
            from: self.parse("from", "a date YYYY-MM-DD", date),
            to: self.parse("to", "a date YYYY-MM-DD", date),
        }
    }
}

impl DaysAsked {
    /// The range: `to` defaults to `today`, `from` to `default_days` days ending on
    /// `to`; `from` may not be after `to`, and the range is shorter than `max_days`.
    pub fn resolve(
        self,
        today: chrono::NaiveDate,
        default_days: u64,
        max_days: i64,
    ) -> Result<(chrono::NaiveDate, chrono::NaiveDate), RequestError> {
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or_else(|| to - chrono::Days::new(default_days.saturating_sub(1)));
        if from > to {
            return Err(RequestError::InvalidQuery(FieldErrors::single("to", "must not be before from")));
        }
        if (to - from).num_days() >= max_days {
            let message = format!("the range is limited to {max_days} days");
            return Err(RequestError::InvalidQuery(FieldErrors::single("to", message)));
        }
        Ok((from, to))
    }
}
