//! Reads template.yaml: the single source of truth for functions, routes and tables.

use serde_yaml_ng::Value;
use std::path::PathBuf;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn load() -> Value {
    let text = std::fs::read_to_string(repo_root().join("template.yaml")).expect("template.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("template.yaml is valid YAML")
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
