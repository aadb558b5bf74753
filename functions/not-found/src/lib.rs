//! The API's `$default` route: API Gateway sends it every request no other route claims.
//! A path that some route serves with other methods gets 405 with `Allow` (RFC 9110
//! §15.5.6); any other path gets 404. Both are problem documents instead of API
//! Gateway's bare `{"message":"Not Found"}`.
//!
//! The routes are those of docs/openapi.json, compiled in (a test keeps the document's
//! paths and methods equal to template.yaml's routes), so answering needs no I/O.

use cm_app::App;
use cm_http::{Body, Problem, Request, RequestError, Response};
use std::collections::BTreeSet;
use std::sync::LazyLock;

const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

/// The methods OpenAPI can declare on a path, as they appear in `Allow`.
const METHODS: [&str; 8] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];

struct Route {
    segments: Vec<Segment>,
    methods: Vec<&'static str>,
}

enum Segment {
    Literal(String),
    /// `{name}`: one non-empty segment.
    Param,
    /// `{name+}`: one or more segments, the rest of the path.
    Greedy,
}

static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| routes(DOCUMENT));

/// Every path template of an OpenAPI document with the methods it declares. A document
/// that does not parse yields no routes: every request then gets 404, never a panic.
fn routes(document: &str) -> Vec<Route> {
    let doc: serde_json::Value = serde_json::from_str(document).unwrap_or_default();
    let Some(paths) = doc["paths"].as_object() else { return Vec::new() };
    paths
        .iter()
        .map(|(template, item)| Route {
            segments: template.trim_start_matches('/').split('/').map(segment).collect(),
            methods: METHODS.into_iter().filter(|m| item.get(m.to_ascii_lowercase()).is_some()).collect(),
        })
        .collect()
}

fn segment(s: &str) -> Segment {
    match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        Some(name) if name.ends_with('+') => Segment::Greedy,
        Some(_) => Segment::Param,
        None => Segment::Literal(s.to_string()),
    }
}

/// Matches as API Gateway does: literal segments exactly, a parameter one non-empty
/// segment, a greedy parameter everything left (at least one non-empty segment).
fn matches(route: &[Segment], path: &[&str]) -> bool {
    for (i, seg) in route.iter().enumerate() {
        match seg {
            Segment::Literal(l) if path.get(i) == Some(&l.as_str()) => {}
            Segment::Param if path.get(i).is_some_and(|p| !p.is_empty()) => {}
            Segment::Greedy => return path.get(i).is_some_and(|p| !p.is_empty()),
            _ => return false,
        }
    }
    route.len() == path.len()
}

/// The methods some route serves at `path`, in `Allow` order; empty when no route
/// template matches it. A path can match several templates (`/photographers/me` and
/// `/photographers/{id}`): the ones with the most literal segments own it, as API
/// Gateway prefers them (`/photographers/me/portfolio/uploads` is the upload route's,
/// not an `{item}`: the item functions refuse it with this same answer).
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let matching: Vec<&Route> = ROUTES.iter().filter(|r| matches(&r.segments, &parts)).collect();
    let literals = |r: &Route| r.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count();
    let most = matching.iter().map(|r| literals(r)).max().unwrap_or(0);
    let allowed: BTreeSet<&str> =
        matching.iter().filter(|r| literals(r) == most).flat_map(|r| r.methods.iter().copied()).collect();
    METHODS.into_iter().filter(|m| allowed.contains(m)).collect()
}

pub async fn handle<S>(_app: &App<S>, req: Request) -> Result<Response<Body>, RequestError> {
    let path: String = req.uri().path().chars().take(200).collect();
    let allowed = allowed_methods(req.uri().path());
    if allowed.is_empty() {
        return Err(RequestError::NotFound(format!("no route for {} {path}", req.method())));
    }
    Ok(Problem::method_not_allowed(&path, req.method().as_str(), &allowed.join(", ")).into_response())
}
