//! template.yaml, read the way SAM reads it: functions with their Globals applied,
//! their event sources, and the resources the local stack must create. Nothing about
//! the platform is configured anywhere else.

pub mod intrinsics;

use intrinsics::{Names, Scope, Unresolved};
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("reading {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone)]
pub struct Template {
    raw: Yaml,
    pub region: String,
}

/// A function as deployed: its binary, limits and raw (unresolved) settings.
#[derive(Debug, Clone)]
pub struct Function {
    pub logical_id: String,
    pub binary: String,
    pub timeout_secs: u64,
    pub memory_mb: u64,
    /// Globals' variables overlaid with the function's own, not yet resolved.
    pub environment: BTreeMap<String, Yaml>,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub kind: String,
    pub properties: Yaml,
}

/// A resource the local stack may have to create.
#[derive(Debug, Clone)]
pub struct Resource {
    pub logical_id: String,
    pub kind: String,
    pub properties: Yaml,
    pub condition: Option<String>,
}

impl Template {
    /// The template at `path` with the nested stacks it names inlined (`stack_template`):
    /// locally the platform is one stack.
    pub fn load(path: &Path, region: &str) -> Result<Template, TemplateError> {
        let stacks = stack_template::load(path).map_err(|e| match e {
            stack_template::Error::Read { path, source } => TemplateError::Read { path, source },
            other => TemplateError::Invalid(other.to_string()),
        })?;
        Template::from_yaml(stacks.flat, region)
    }

    /// One template, without nested stacks.
    pub fn parse(text: &str, region: &str) -> Result<Template, TemplateError> {
        Template::from_yaml(serde_yaml_ng::from_str(text)?, region)
    }

    fn from_yaml(raw: Yaml, region: &str) -> Result<Template, TemplateError> {
        if !raw["Resources"].is_mapping() {
            return Err(TemplateError::Invalid("template.yaml has no Resources".into()));
        }
        if raw["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .any(|(_, r)| r["Type"].as_str() == Some(stack_template::NESTED_STACK))
        {
            return Err(TemplateError::Invalid(
                "a nested stack was not inlined (load the template from its file)".into(),
            ));
        }
        Ok(Template { raw, region: region.to_string() })
    }

    /// Parameter values locally: each parameter's `Default` (what `sam deploy` uses for
    /// the dev stage). A `CommaDelimitedList` becomes a list, as `!Ref` sees it.
    pub fn parameters(&self) -> BTreeMap<String, Json> {
        let mut out = BTreeMap::new();
        for (name, p) in self.raw["Parameters"].as_mapping().into_iter().flatten() {
            let Some(name) = name.as_str() else { continue };
            let default = match &p["Default"] {
                Yaml::String(s) => s.clone(),
                Yaml::Number(n) => n.to_string(),
                Yaml::Bool(b) => b.to_string(),
                _ => String::new(),
            };
            let value = if p["Type"].as_str() == Some("CommaDelimitedList") {
                Json::Array(default.split(',').map(|s| Json::String(s.trim().to_string())).collect())
            } else {
                Json::String(default)
            };
            out.insert(name.to_string(), value);
        }
        out
    }

    /// A scope with parameters and conditions evaluated and no resources yet.
    pub fn scope(&self) -> Result<Scope, TemplateError> {
        let mut scope = Scope {
            region: self.region.clone(),
            parameters: self.parameters(),
            conditions: BTreeMap::new(),
            mappings: Json::Null,
            names: Names::default(),
        };
        // Mappings hold literals only (CloudFormation allows no functions in them).
        scope.mappings =
            scope.resolve(&self.raw["Mappings"]).map_err(|e| TemplateError::Invalid(format!("Mappings: {e}")))?;
        // Conditions may refer to each other; evaluate until nothing new resolves.
        let conditions: Vec<(String, Yaml)> = self.raw["Conditions"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
            .collect();
        for _ in 0..=conditions.len() {
            for (name, expr) in &conditions {
                if scope.conditions.contains_key(name) {
                    continue;
                }
                if let Ok(Json::Bool(b)) = scope.resolve(expr) {
                    scope.conditions.insert(name.clone(), b);
                }
            }
        }
        if let Some((name, _)) = conditions.iter().find(|(n, _)| !scope.conditions.contains_key(n)) {
            return Err(TemplateError::Invalid(format!("condition `{name}` cannot be evaluated locally")));
        }
        Ok(scope)
    }

    pub fn functions(&self) -> Vec<Function> {
        let globals = &self.raw["Globals"]["Function"];
        let global_timeout = globals["Timeout"].as_u64().unwrap_or(3);
        let global_memory = globals["MemorySize"].as_u64().unwrap_or(128);
        let mut out = Vec::new();
        for (id, r) in self.resources_of("AWS::Serverless::Function") {
            let props = &r["Properties"];
            let mut environment = BTreeMap::new();
            for source in [&globals["Environment"]["Variables"], &props["Environment"]["Variables"]] {
                for (k, v) in source.as_mapping().into_iter().flatten() {
                    if let Some(k) = k.as_str() {
                        environment.insert(k.to_string(), v.clone());
                    }
                }
            }
            let events = props["Events"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter_map(|(name, e)| {
                    Some(Event {
                        name: name.as_str()?.to_string(),
                        kind: e["Type"].as_str().unwrap_or_default().to_string(),
                        properties: e["Properties"].clone(),
                    })
                })
                .collect();
            out.push(Function {
                binary: r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or(&id).to_string(),
                logical_id: id,
                timeout_secs: props["Timeout"].as_u64().unwrap_or(global_timeout),
                memory_mb: props["MemorySize"].as_u64().unwrap_or(global_memory),
                environment,
                events,
            });
        }
        out
    }

    /// Every resource that is not a function, in template order.
    pub fn resources(&self) -> Vec<Resource> {
        self.raw["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(id, r)| {
                Some(Resource {
                    logical_id: id.as_str()?.to_string(),
                    kind: r["Type"].as_str().unwrap_or_default().to_string(),
                    properties: r["Properties"].clone(),
                    condition: r["Condition"].as_str().map(String::from),
                })
            })
            .filter(|r| r.kind != "AWS::Serverless::Function")
            .collect()
    }

    /// The HTTP API's CORS configuration, if any (`AWS::ApiGatewayV2::Api` with
    /// `ProtocolType: HTTP`).
    pub fn http_api_cors(&self) -> Option<Yaml> {
        self.resources_of("AWS::ApiGatewayV2::Api")
            .into_iter()
            .filter(|(_, r)| r["Properties"]["ProtocolType"].as_str() == Some("HTTP"))
            .map(|(_, r)| r["Properties"]["CorsConfiguration"].clone())
            .find(|c| !c.is_null())
    }

    fn resources_of(&self, kind: &str) -> Vec<(String, Yaml)> {
        self.raw["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, r)| r["Type"].as_str() == Some(kind))
            .filter_map(|(id, r)| Some((id.as_str()?.to_string(), r.clone())))
            .collect()
    }
}

/// Resolves a function's environment against the local names.
pub fn resolve_environment(scope: &Scope, f: &Function) -> Result<BTreeMap<String, String>, Unresolved> {
    f.environment.iter().map(|(k, v)| Ok((k.clone(), scope.resolve_text(v)?))).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const SAMPLE: &str = r#"
Parameters:
  Stage: {Type: String, Default: dev}
  Origins: {Type: CommaDelimitedList, Default: 'http://a,http://b'}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        TABLE_NAME: !Ref Table
        STAGE: !Ref Stage
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Health:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: health}}
    Properties:
      Timeout: 3
      Environment: {Variables: {STAGE: local-override, EXTRA: !If [IsProd, a, b]}}
      Events:
        Api: {Type: HttpApi, Properties: {Method: GET, Path: /health}}
"#;

    #[test]
    fn functions_get_globals_and_their_own_settings() {
        let t = Template::parse(SAMPLE, "us-east-1").unwrap();
        let mut scope = t.scope().unwrap();
        assert_eq!(scope.conditions.get("NotProd"), Some(&true));
        scope.names.set_ref("Table", "local-table");
        let f = &t.functions()[0];
        assert_eq!((f.binary.as_str(), f.timeout_secs, f.memory_mb), ("health", 3, 256));
        let env = resolve_environment(&scope, f).unwrap();
        assert_eq!(env["TABLE_NAME"], "local-table");
        assert_eq!(env["STAGE"], "local-override");
        assert_eq!(env["EXTRA"], "b");
        assert_eq!(f.events[0].kind, "HttpApi");
        assert_eq!(t.parameters()["Origins"], serde_json::json!(["http://a", "http://b"]));
        assert_eq!(t.resources().len(), 1);
    }

    #[test]
    fn the_repository_template_resolves_completely() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let t = Template::load(&path, "us-east-1").unwrap();
        let mut scope = t.scope().unwrap();
        for r in t.resources() {
            scope.names.set_ref(&r.logical_id, format!("local-{}", r.logical_id));
            // As provisioning sets them (buckets: domain names; distributions and the rest: `Id`).
            for attr in [
                "Arn",
                "StreamArn",
                "QueueUrl",
                "QueueName",
                "TopicName",
                "Id",
                "DomainName",
                "RegionalDomainName",
                "ApiEndpoint",
            ] {
                scope.names.set_attr(&r.logical_id, attr, format!("arn:local:{}:{attr}", r.logical_id));
            }
        }
        for f in t.functions() {
            scope.names.set_ref(&f.logical_id, f.binary.clone());
            scope.names.set_attr(&f.logical_id, "Arn", format!("arn:local:function:{}", f.binary));
        }
        // Provisioning resolves every resource's properties, created or not.
        for r in t.resources() {
            scope.resolve(&r.properties).unwrap_or_else(|e| panic!("{}: {e}", r.logical_id));
        }
        for f in t.functions() {
            resolve_environment(&scope, &f).unwrap_or_else(|e| panic!("{}: {e}", f.logical_id));
            for e in &f.events {
                scope.resolve(&e.properties).unwrap_or_else(|err| panic!("{}.{}: {err}", f.logical_id, e.name));
            }
        }
    }
}
