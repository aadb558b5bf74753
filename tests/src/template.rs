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
    /// `METHOD /path` (or `$default`) of each HTTP API route whose integration
    /// invokes this function.
    pub routes: Vec<String>,
}

impl FunctionDef {
    /// `METHOD /path` for HTTP API routes (`$default` for the catch-all).
    pub fn routes(&self) -> Vec<String> {
        self.routes.clone()
    }
}

/// The logical id of the HTTP API (`AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP`).
pub fn http_api(t: &Value) -> Option<String> {
    resources_of(t, "AWS::ApiGatewayV2::Api")
        .into_iter()
        .find(|(_, p)| p["ProtocolType"].as_str() == Some("HTTP"))
        .map(|(id, _)| id)
}

/// The API a route, integration or stage belongs to: `!Ref Api` (inlined children
/// pass the root's `!Ref HttpApi` for their `HttpApiId`).
pub fn api_of(props: &Value) -> Option<String> {
    ref_target(&props["ApiId"]).map(String::from)
}

/// The integration a route targets: `integrations/${X}` or `!Join [/, [integrations, !Ref X]]`.
pub fn route_integration(route: &Value) -> Option<String> {
    let target = &route["Target"];
    if let Some(text) = sub_text(target) {
        return text.strip_prefix("integrations/${")?.strip_suffix('}').map(String::from);
    }
    let (name, arg) = intrinsic(target)?;
    let parts = arg.as_sequence().filter(|_| name == "Join")?.get(1)?.as_sequence()?;
    match parts.as_slice() {
        [first, id] if first.as_str() == Some("integrations") => ref_target(id).map(String::from),
        _ => None,
    }
}

/// The function a Lambda proxy integration invokes: `!GetAtt F.Arn`, or the
/// `arn:...:lambda:path/2015-03-31/functions/${F.Arn}/invocations` form.
pub fn integration_function(integration: &Value) -> Option<String> {
    let uri = &integration["IntegrationUri"];
    if let Some((id, attr)) = get_att(uri) {
        return (attr == "Arn").then_some(id);
    }
    let text = sub_text(uri)?;
    let start = text.find("/functions/${")? + "/functions/${".len();
    let rest = &text[start..];
    rest.strip_suffix(".Arn}/invocations").map(String::from)
}

/// `(route key, function logical id)` of every route of the HTTP API.
pub fn http_routes(t: &Value) -> Vec<(String, String)> {
    let Some(api) = http_api(t) else { return Vec::new() };
    let integrations: std::collections::BTreeMap<String, Value> =
        resources_of(t, "AWS::ApiGatewayV2::Integration").into_iter().collect();
    resources_of(t, "AWS::ApiGatewayV2::Route")
        .into_iter()
        .filter(|(_, r)| api_of(r).as_deref() == Some(api.as_str()))
        .filter_map(|(_, r)| {
            let key = r["RouteKey"].as_str()?.to_string();
            let function = integrations.get(&route_integration(&r)?).and_then(integration_function)?;
            Some((key, function))
        })
        .collect()
}

pub fn functions(t: &Value) -> Vec<FunctionDef> {
    let Some(resources) = t["Resources"].as_mapping() else {
        return Vec::new();
    };
    let routes = http_routes(t);
    resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| {
            let logical_id = id.as_str().unwrap_or_default().to_string();
            FunctionDef {
                binary: r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or_default().to_string(),
                properties: r["Properties"].clone(),
                events: r["Properties"]["Events"]
                    .as_mapping()
                    .map(|m| m.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.clone())).collect())
                    .unwrap_or_default(),
                routes: routes.iter().filter(|(_, f)| *f == logical_id).map(|(k, _)| k.clone()).collect(),
                logical_id,
            }
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
