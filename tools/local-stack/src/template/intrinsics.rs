//! CloudFormation intrinsic functions, resolved against local names.
//!
//! The template says `TABLE_NAME: !Ref Table` and `Stream: !GetAtt Table.StreamArn`;
//! locally those must become the local table's name and stream ARN. Resolution turns a
//! YAML tree (short `!Ref` tags and long `Fn::*` maps alike) into plain JSON. A
//! reference to a resource that does not exist yet is reported as
//! [`Unresolved::Pending`], so provisioning can create resources in dependency order.

use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;
use std::collections::{BTreeMap, HashMap};

pub const ACCOUNT_ID: &str = "123456789012";
pub const STACK_NAME: &str = "capture-moments-local";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unresolved {
    /// Names a resource that has not been created (yet).
    #[error("`{0}` is not available (yet)")]
    Pending(String),
    #[error("{0}")]
    Invalid(String),
}

/// What `!Ref X` and `!GetAtt X.Attr` mean locally, filled in as resources come up.
#[derive(Debug, Clone, Default)]
pub struct Names {
    refs: HashMap<String, Json>,
    attrs: HashMap<(String, String), Json>,
}

impl Names {
    pub fn set_ref(&mut self, logical_id: &str, value: impl Into<Json>) {
        self.refs.insert(logical_id.to_string(), value.into());
    }

    pub fn set_attr(&mut self, logical_id: &str, attr: &str, value: impl Into<Json>) {
        self.attrs.insert((logical_id.to_string(), attr.to_string()), value.into());
    }

    pub fn reference(&self, logical_id: &str) -> Option<&Json> {
        self.refs.get(logical_id)
    }

    pub fn attribute(&self, logical_id: &str, attr: &str) -> Option<&Json> {
        self.attrs.get(&(logical_id.to_string(), attr.to_string()))
    }
}

/// Everything resolution needs: parameter values, evaluated conditions, the template's
/// `Mappings`, resource names.
#[derive(Debug, Clone)]
pub struct Scope {
    pub region: String,
    pub parameters: BTreeMap<String, Json>,
    pub conditions: BTreeMap<String, bool>,
    pub mappings: Json,
    pub names: Names,
}

impl Scope {
    pub fn resolve(&self, v: &Yaml) -> Result<Json, Unresolved> {
        if let Some((name, arg)) = intrinsic(v) {
            return self.call(&name, arg);
        }
        Ok(match v {
            Yaml::Null => Json::Null,
            Yaml::Bool(b) => Json::Bool(*b),
            Yaml::Number(n) => serde_json::to_value(n).unwrap_or(Json::Null),
            Yaml::String(s) => Json::String(s.clone()),
            Yaml::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match self.resolve(item)? {
                        Json::Null if is_no_value(item) => {}
                        resolved => out.push(resolved),
                    }
                }
                Json::Array(out)
            }
            Yaml::Mapping(map) => {
                let mut out = serde_json::Map::new();
                for (k, item) in map {
                    let key = k.as_str().map(str::to_string).unwrap_or_else(|| yaml_scalar_text(k));
                    // `AWS::NoValue` removes the property, as CloudFormation does.
                    if is_no_value(item) {
                        continue;
                    }
                    out.insert(key, self.resolve(item)?);
                }
                Json::Object(out)
            }
            Yaml::Tagged(t) => self.resolve(&t.value)?,
        })
    }

    /// Resolves and renders as text, the way an environment variable sees a value.
    pub fn resolve_text(&self, v: &Yaml) -> Result<String, Unresolved> {
        Ok(json_text(&self.resolve(v)?))
    }

    fn call(&self, name: &str, arg: &Yaml) -> Result<Json, Unresolved> {
        match name {
            "Ref" => self.reference(&self.resolve_text(arg)?),
            "Fn::GetAtt" => {
                let (id, attr) = match arg {
                    Yaml::Sequence(parts) if parts.len() == 2 => {
                        (self.resolve_text(&parts[0])?, self.resolve_text(&parts[1])?)
                    }
                    _ => {
                        let text = self.resolve_text(arg)?;
                        let (id, attr) = text.split_once('.').ok_or_else(|| {
                            Unresolved::Invalid(format!("!GetAtt {text}: expected Resource.Attribute"))
                        })?;
                        (id.to_string(), attr.to_string())
                    }
                };
                self.names.attribute(&id, &attr).cloned().ok_or(Unresolved::Pending(format!("{id}.{attr}")))
            }
            "Fn::Sub" => self.sub(arg).map(Json::String),
            "Fn::If" => {
                let parts = seq(arg, 3, "Fn::If")?;
                let cond =
                    parts[0].as_str().ok_or_else(|| Unresolved::Invalid("Fn::If needs a condition name".into()))?;
                let pick = if self.condition(cond)? { &parts[1] } else { &parts[2] };
                self.resolve(pick)
            }
            "Fn::Equals" => {
                let parts = seq(arg, 2, "Fn::Equals")?;
                Ok(Json::Bool(json_text(&self.resolve(&parts[0])?) == json_text(&self.resolve(&parts[1])?)))
            }
            "Fn::Not" => {
                let parts = seq(arg, 1, "Fn::Not")?;
                Ok(Json::Bool(!self.truth(&parts[0])?))
            }
            "Fn::And" | "Fn::Or" => {
                let parts = arg.as_sequence().ok_or_else(|| Unresolved::Invalid(format!("{name} needs a list")))?;
                let mut values = Vec::new();
                for p in parts {
                    values.push(self.truth(p)?);
                }
                Ok(Json::Bool(if name == "Fn::And" { values.iter().all(|b| *b) } else { values.iter().any(|b| *b) }))
            }
            "Condition" => Ok(Json::Bool(self.condition(&self.resolve_text(arg)?)?)),
            "Fn::Join" => {
                let parts = seq(arg, 2, "Fn::Join")?;
                let sep = self.resolve_text(&parts[0])?;
                let items = match self.resolve(&parts[1])? {
                    Json::Array(items) => items,
                    other => return Err(Unresolved::Invalid(format!("Fn::Join needs a list, got {other}"))),
                };
                Ok(Json::String(items.iter().map(json_text).collect::<Vec<_>>().join(&sep)))
            }
            "Fn::Select" => {
                let parts = seq(arg, 2, "Fn::Select")?;
                let index: usize = self
                    .resolve_text(&parts[0])?
                    .parse()
                    .map_err(|_| Unresolved::Invalid("Fn::Select needs a numeric index".into()))?;
                match self.resolve(&parts[1])? {
                    Json::Array(items) => items
                        .get(index)
                        .cloned()
                        .ok_or_else(|| Unresolved::Invalid(format!("Fn::Select index {index} out of range"))),
                    other => Err(Unresolved::Invalid(format!("Fn::Select needs a list, got {other}"))),
                }
            }
            "Fn::FindInMap" => {
                let parts = seq(arg, 3, "Fn::FindInMap")?;
                let keys =
                    [self.resolve_text(&parts[0])?, self.resolve_text(&parts[1])?, self.resolve_text(&parts[2])?];
                let found = keys.iter().try_fold(&self.mappings, |v, k| v.get(k.as_str()));
                found.cloned().ok_or_else(|| Unresolved::Invalid(format!("Fn::FindInMap: no {}", keys.join("."))))
            }
            "Fn::Split" => {
                let parts = seq(arg, 2, "Fn::Split")?;
                let sep = self.resolve_text(&parts[0])?;
                let text = self.resolve_text(&parts[1])?;
                Ok(Json::Array(text.split(sep.as_str()).map(|s| Json::String(s.to_string())).collect()))
            }
            other => Err(Unresolved::Invalid(format!("{other} is not supported by the local stack"))),
        }
    }

    fn truth(&self, v: &Yaml) -> Result<bool, Unresolved> {
        match self.resolve(v)? {
            Json::Bool(b) => Ok(b),
            other => Err(Unresolved::Invalid(format!("expected a condition, got {other}"))),
        }
    }

    fn condition(&self, name: &str) -> Result<bool, Unresolved> {
        self.conditions.get(name).copied().ok_or_else(|| Unresolved::Invalid(format!("unknown condition `{name}`")))
    }

    fn reference(&self, name: &str) -> Result<Json, Unresolved> {
        if let Some(v) = self.pseudo(name) {
            return Ok(v);
        }
        if let Some(v) = self.parameters.get(name) {
            return Ok(v.clone());
        }
        self.names.reference(name).cloned().ok_or_else(|| Unresolved::Pending(name.to_string()))
    }

    fn pseudo(&self, name: &str) -> Option<Json> {
        let v = match name {
            "AWS::Region" => self.region.as_str(),
            "AWS::AccountId" => ACCOUNT_ID,
            "AWS::StackName" => STACK_NAME,
            "AWS::Partition" => "aws",
            "AWS::URLSuffix" => "amazonaws.com",
            "AWS::NoValue" => return Some(Json::Null),
            _ => return None,
        };
        Some(Json::String(v.to_string()))
    }

    /// `Fn::Sub`: `${Name}`, `${Resource.Attr}`, `${!Literal}`, with optional variables.
    fn sub(&self, arg: &Yaml) -> Result<String, Unresolved> {
        let (template, vars) = match arg {
            Yaml::Sequence(parts) if parts.len() == 2 => {
                let text = self.resolve_text(&parts[0])?;
                let mut vars = BTreeMap::new();
                if let Some(map) = parts[1].as_mapping() {
                    for (k, v) in map {
                        vars.insert(k.as_str().unwrap_or_default().to_string(), self.resolve_text(v)?);
                    }
                }
                (text, vars)
            }
            _ => (self.resolve_text(arg)?, BTreeMap::new()),
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| Unresolved::Invalid(format!("unclosed ${{ in `{template}`")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(v);
            } else if let Some((id, attr)) = name.split_once('.').filter(|_| !name.starts_with("AWS::")) {
                let v = self.names.attribute(id, attr).ok_or_else(|| Unresolved::Pending(name.to_string()))?;
                out.push_str(&json_text(v));
            } else {
                out.push_str(&json_text(&self.reference(name)?));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// `(function name, argument)` if `v` is an intrinsic call in either syntax.
fn intrinsic(v: &Yaml) -> Option<(String, &Yaml)> {
    match v {
        Yaml::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let name = if tag == "Ref" || tag == "Condition" { tag.to_string() } else { format!("Fn::{tag}") };
            Some((name, &t.value))
        }
        Yaml::Mapping(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next()?;
            let k = k.as_str()?;
            (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then(|| (k.to_string(), arg))
        }
        _ => None,
    }
}

fn is_no_value(v: &Yaml) -> bool {
    matches!(intrinsic(v), Some((name, arg)) if name == "Ref" && arg.as_str() == Some("AWS::NoValue"))
}

fn seq<'a>(v: &'a Yaml, n: usize, what: &str) -> Result<&'a [Yaml], Unresolved> {
    match v.as_sequence() {
        Some(items) if items.len() == n => Ok(items.as_slice()),
        _ => Err(Unresolved::Invalid(format!("{what} needs a list of {n}"))),
    }
}

fn yaml_scalar_text(v: &Yaml) -> String {
    serde_yaml_ng::to_string(v).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// How a resolved value reads as text: strings as-is, lists comma-joined (as a
/// `CommaDelimitedList` parameter reads), everything else as JSON.
pub fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join(","),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let mut names = Names::default();
        names.set_ref("Table", "cm-table");
        names.set_attr("Table", "Arn", "arn:aws:dynamodb:us-east-1:123456789012:table/cm-table");
        Scope {
            region: "us-east-1".into(),
            parameters: BTreeMap::from([
                ("Stage".to_string(), Json::String("dev".into())),
                ("Origins".to_string(), serde_json::json!(["http://a", "http://b"])),
            ]),
            conditions: BTreeMap::from([("IsProd".to_string(), false)]),
            mappings: serde_json::json!({"StageSettings": {"dev": {"LogRetentionDays": 14}, "prod": {"LogRetentionDays": 90}}}),
            names,
        }
    }

    fn yaml(text: &str) -> Yaml {
        serde_yaml_ng::from_str(text).unwrap()
    }

    #[test]
    fn short_and_long_forms_resolve_alike() {
        let s = scope();
        assert_eq!(s.resolve(&yaml("!Ref Table")).unwrap(), "cm-table");
        assert_eq!(s.resolve(&yaml("{Ref: Table}")).unwrap(), "cm-table");
        assert_eq!(
            s.resolve(&yaml("!GetAtt Table.Arn")).unwrap(),
            s.resolve(&yaml("{'Fn::GetAtt': [Table, Arn]}")).unwrap()
        );
        assert_eq!(s.resolve(&yaml("!If [IsProd, 90, 14]")).unwrap(), 14);
        assert_eq!(s.resolve(&yaml("!Equals [!Ref Stage, dev]")).unwrap(), true);
        assert_eq!(s.resolve(&yaml("!FindInMap [StageSettings, !Ref Stage, LogRetentionDays]")).unwrap(), 14);
        assert_eq!(
            s.resolve(&yaml("{'Fn::FindInMap': [StageSettings, prod, LogRetentionDays]}")).unwrap(),
            s.resolve(&yaml("90")).unwrap()
        );
        assert!(matches!(
            s.resolve(&yaml("!FindInMap [StageSettings, test, LogRetentionDays]")),
            Err(Unresolved::Invalid(_))
        ));
    }

    #[test]
    fn sub_replaces_refs_attributes_and_pseudo_parameters() {
        let s = scope();
        let v = s.resolve(&yaml("!Sub '${Table.Arn}/index/gsi1'")).unwrap();
        assert_eq!(v, "arn:aws:dynamodb:us-east-1:123456789012:table/cm-table/index/gsi1");
        let v = s.resolve(&yaml("!Sub 'cm ${Stage} in ${AWS::Region} ${!Literal}'")).unwrap();
        assert_eq!(v, "cm dev in us-east-1 ${Literal}");
        let v = s.resolve(&yaml("!Sub ['${X}-${Stage}', {X: !Ref Table}]")).unwrap();
        assert_eq!(v, "cm-table-dev");
    }

    #[test]
    fn missing_resources_are_pending_not_fatal() {
        let s = scope();
        assert_eq!(s.resolve(&yaml("!GetAtt Queue.Arn")), Err(Unresolved::Pending("Queue.Arn".into())));
        assert_eq!(s.resolve(&yaml("{a: [1, !Ref Topic]}")), Err(Unresolved::Pending("Topic".into())));
    }

    #[test]
    fn lists_read_as_comma_joined_text_and_no_value_drops_properties() {
        let s = scope();
        assert_eq!(s.resolve_text(&yaml("!Ref Origins")).unwrap(), "http://a,http://b");
        assert_eq!(s.resolve(&yaml("{a: 1, b: !Ref AWS::NoValue}")).unwrap(), serde_json::json!({"a": 1}));
    }
}
