//! HTTP API route selection, as API Gateway does it: a request goes to the most
//! specific matching route (literal segments beat `{param}`, which beats `{proxy+}`; a
//! named method beats `ANY`), and to `$default` when nothing matches.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    Greedy(String),
}

#[derive(Debug, Clone)]
pub struct Route {
    /// `GET /photographers/{id}`, or `$default`.
    pub key: String,
    pub function: String,
    method: Option<String>,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'a> {
    pub route_key: &'a str,
    pub function: &'a str,
    pub path_parameters: BTreeMap<String, String>,
}

#[derive(Debug, Default, Clone)]
pub struct RouteTable {
    routes: Vec<Route>,
    default: Option<(String, String)>,
}

impl RouteTable {
    /// Adds `METHOD /path` (method `ANY` for every method) or `$default`.
    pub fn add(&mut self, method: &str, path: &str, function: &str) -> Result<(), String> {
        if path == "$default" {
            if self.default.is_some() {
                return Err("two functions claim `$default`".into());
            }
            self.default = Some(("$default".into(), function.to_string()));
            return Ok(());
        }
        let method = method.to_ascii_uppercase();
        let key = format!("{method} {path}");
        if self.routes.iter().any(|r| r.key == key) {
            return Err(format!("route `{key}` is declared twice"));
        }
        let segments = parse_path(path)?;
        let method = (method != "ANY").then_some(method);
        self.routes.push(Route { key, function: function.to_string(), method, segments });
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.routes.len() + usize::from(self.default.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn find(&self, method: &str, path: &str) -> Option<Match<'_>> {
        let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        let mut best: Option<(Vec<u8>, &Route, BTreeMap<String, String>)> = None;
        for route in &self.routes {
            if route.method.as_deref().is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
                continue;
            }
            let Some((mut rank, params)) = match_segments(&route.segments, &parts) else { continue };
            rank.push(u8::from(route.method.is_some()));
            if best.as_ref().is_none_or(|(b, _, _)| rank > *b) {
                best = Some((rank, route, params));
            }
        }
        if let Some((_, route, path_parameters)) = best {
            return Some(Match { route_key: &route.key, function: &route.function, path_parameters });
        }
        self.default.as_ref().map(|(key, function)| Match {
            route_key: key,
            function,
            path_parameters: BTreeMap::new(),
        })
    }
}

fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let body = path.strip_prefix('/').ok_or_else(|| format!("route path `{path}` must start with /"))?;
    let raw: Vec<&str> = body.split('/').collect();
    let mut out = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let seg = match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => match name.strip_suffix('+') {
                Some(name) if i + 1 == raw.len() => Segment::Greedy(name.to_string()),
                Some(_) => return Err(format!("`{path}`: a greedy {{proxy+}} must be the last segment")),
                None => Segment::Param(name.to_string()),
            },
            None => Segment::Literal((*s).to_string()),
        };
        out.push(seg);
    }
    Ok(out)
}

/// A rank (higher is more specific, compared segment by segment) and the captured
/// parameters, or `None` when the route does not match.
fn match_segments(route: &[Segment], parts: &[&str]) -> Option<(Vec<u8>, BTreeMap<String, String>)> {
    let mut rank = Vec::with_capacity(route.len());
    let mut params = BTreeMap::new();
    for (i, seg) in route.iter().enumerate() {
        match seg {
            Segment::Literal(l) => {
                if parts.get(i) != Some(&l.as_str()) {
                    return None;
                }
                rank.push(3);
            }
            Segment::Param(name) => {
                let value = parts.get(i).filter(|p| !p.is_empty())?;
                params.insert(name.clone(), percent_decode(value));
                rank.push(2);
            }
            Segment::Greedy(name) => {
                let rest = parts.get(i..).filter(|r| !r.is_empty() && !r[0].is_empty())?;
                params.insert(name.clone(), percent_decode(&rest.join("/")));
                rank.push(1);
                return Some((rank, params));
            }
        }
    }
    (parts.len() == route.len()).then_some((rank, params))
}

/// Decodes `%XX` escapes (API Gateway hands path parameters over decoded).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) =
                (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RouteTable {
        let mut t = RouteTable::default();
        t.add("GET", "/photographers/{id}", "get-photographer").unwrap();
        t.add("GET", "/photographers/me", "get-my-profile").unwrap();
        t.add("PUT", "/photographers/me", "put-my-profile").unwrap();
        t.add("GET", "/photographers/{id}/availability", "get-availability").unwrap();
        t.add("GET", "/photographers/me/availability", "get-my-availability").unwrap();
        t.add("ANY", "/files/{proxy+}", "files").unwrap();
        t.add("DELETE", "/files/{proxy+}", "delete-file").unwrap();
        t.add("ANY", "$default", "not-found").unwrap();
        t
    }

    #[test]
    fn literal_segments_beat_parameters() {
        let t = table();
        assert_eq!(t.find("GET", "/photographers/me").unwrap().function, "get-my-profile");
        assert_eq!(t.find("GET", "/photographers/me/availability").unwrap().function, "get-my-availability");
        let m = t.find("GET", "/photographers/01ABC/availability").unwrap();
        assert_eq!((m.function, m.route_key), ("get-availability", "GET /photographers/{id}/availability"));
        assert_eq!(m.path_parameters["id"], "01ABC");
    }

    #[test]
    fn methods_must_match_and_unmatched_requests_go_to_default() {
        let t = table();
        assert_eq!(t.find("DELETE", "/photographers/me").unwrap().function, "not-found");
        assert_eq!(t.find("GET", "/nope").unwrap().route_key, "$default");
        assert_eq!(t.find("GET", "/photographers").unwrap().function, "not-found");
        assert_eq!(t.find("GET", "/photographers/").unwrap().function, "not-found");
    }

    #[test]
    fn greedy_parameters_take_the_rest_and_named_methods_beat_any() {
        let t = table();
        let m = t.find("GET", "/files/a/b%20c.png").unwrap();
        assert_eq!((m.function, m.path_parameters["proxy"].as_str()), ("files", "a/b c.png"));
        assert_eq!(t.find("DELETE", "/files/x").unwrap().function, "delete-file");
        assert_eq!(t.find("GET", "/files").unwrap().function, "not-found");
    }

    #[test]
    fn duplicate_routes_are_refused() {
        let mut t = table();
        assert!(t.add("get", "/photographers/{id}", "x").is_err());
        assert!(t.add("ANY", "$default", "x").is_err());
    }
}
