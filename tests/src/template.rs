//! Reads template.yaml: the single source of truth for functions, routes and tables.

use serde_yaml_ng::Value;
use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// template.yaml with its nested stacks inlined: every function, route and alarm of
/// the platform, as the local stack runs them.
pub fn load() -> Value {
    stacks().flat
}

/// template.yaml and each nested stack on its own (for what is limited per stack).
pub fn stacks() -> stack_template::Stacks {
    stack_template::load(&repo_root().join("template.yaml")).unwrap_or_else(|e| panic!("template.yaml: {e}"))
}

/// A function as template.yaml declares it.
#[derive(Debug, Clone)]
pub struct FunctionDef {
    pub logical_id: String,
    pub binary: String,
    pub properties: Value,
    pub events: Vec<(String, Value)>,
}

impl FunctionDef {
    /// `METHOD /path` for HTTP API routes (`$default` for the catch-all).
    pub fn routes(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|(_, e)| e["Type"].as_str() == Some("HttpApi"))
            .map(|(_, e)| {
                let p = &e["Properties"];
                match p["Path"].as_str() {
                    Some("$default") => "$default".to_string(),
                    Some(path) => format!("{} {}", p["Method"].as_str().unwrap_or("ANY").to_uppercase(), path),
                    None => "?".into(),
                }
            })
            .collect()
    }
}

pub fn functions(t: &Value) -> Vec<FunctionDef> {
    let Some(resources) = t["Resources"].as_mapping() else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| FunctionDef {
            logical_id: id.as_str().unwrap_or_default().to_string(),
            binary: r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or_default().to_string(),
            properties: r["Properties"].clone(),
            events: r["Properties"]["Events"]
                .as_mapping()
                .map(|m| m.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.clone())).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// Resource `Properties` of every DynamoDB table, by logical id.
pub fn tables(t: &Value) -> Vec<(String, Value)> {
    let Some(resources) = t["Resources"].as_mapping() else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .map(|(id, r)| (id.as_str().unwrap_or_default().to_string(), r["Properties"].clone()))
        .collect()
}

/// Every resource as `(logical id, resource)`, in template order.
pub fn resources(t: &Value) -> Vec<(String, Value)> {
    t["Resources"]
        .as_mapping()
        .into_iter()
        .flatten()
        .map(|(id, r)| (id.as_str().unwrap_or_default().to_string(), r.clone()))
        .collect()
}

/// Every resource of one `Type`, as `(logical id, Properties)`.
pub fn resources_of(t: &Value, kind: &str) -> Vec<(String, Value)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(id, r)| (id, r["Properties"].clone()))
        .collect()
}

pub use stack_template::intrinsic;

/// `X` of `!Ref X`.
pub fn ref_target(v: &Value) -> Option<&str> {
    match intrinsic(v)? {
        (name, arg) if name == "Ref" => arg.as_str(),
        _ => None,
    }
}

/// `(X, Attr)` of `!GetAtt X.Attr` or `!GetAtt [X, Attr]`.
pub fn get_att(v: &Value) -> Option<(String, String)> {
    let (name, arg) = intrinsic(v)?;
    if name != "GetAtt" {
        return None;
    }
    match arg {
        Value::String(s) => s.split_once('.').map(|(a, b)| (a.to_string(), b.to_string())),
        Value::Sequence(parts) if parts.len() == 2 => {
            Some((parts[0].as_str()?.to_string(), parts[1].as_str()?.to_string()))
        }
        _ => None,
    }
}

/// The template text of `!Sub 'text'` (the one-argument form).
pub fn sub_text(v: &Value) -> Option<&str> {
    match intrinsic(v)? {
        (name, arg) if name == "Sub" => arg.as_str(),
        _ => None,
    }
}
