//! The template's WebSocket API (`AWS::ApiGatewayV2::Api` with `ProtocolType: WEBSOCKET`),
//! served by the `ws-gateway` crate with the functions run like every other trigger's.
//!
//! Everything is read from the template, as API Gateway reads it: each
//! `AWS::ApiGatewayV2::Route` of the API has a `RouteKey` and a `Target`
//! (`integrations/<Integration>`); that `AWS::ApiGatewayV2::Integration` is
//! `AWS_PROXY` with an `IntegrationUri` naming a function's ARN (`${Function.Arn}`),
//! whose `BuildProperties.Binary` is what runs. A route is two-way when it has a
//! `RouteResponseSelectionExpression` and an `AWS::ApiGatewayV2::RouteResponse`. The
//! API's `RouteSelectionExpression` and its `AWS::ApiGatewayV2::Stage`'s `StageName`
//! complete it. Anything that does not resolve is an error naming the route.

use crate::console::{self, Trigger};
use crate::functions::{Functions, Outcome};
use crate::template::intrinsics::{ACCOUNT_ID, Unresolved};
use crate::template::{Resource, Template};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

pub const API: &str = "AWS::ApiGatewayV2::Api";
pub const STAGE: &str = "AWS::ApiGatewayV2::Stage";
pub const ROUTE: &str = "AWS::ApiGatewayV2::Route";
pub const ROUTE_RESPONSE: &str = "AWS::ApiGatewayV2::RouteResponse";
pub const INTEGRATION: &str = "AWS::ApiGatewayV2::Integration";

/// Where the WebSocket API listens unless `WS_PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 3001;

/// The template's WebSocket API, as the gateway serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketApi {
    pub logical_id: String,
    pub stage: String,
    pub routes: ws_gateway::Routes,
}

/// The template's WebSocket API, if it has one; an error when one of its routes does
/// not resolve to a function.
pub fn from_template(t: &Template) -> Result<Option<WebSocketApi>, String> {
    let Some(api) = read_api(t, "WEBSOCKET")? else { return Ok(None) };
    let id = api.logical_id;
    let selection_expression =
        api.selection_expression.ok_or_else(|| format!("{id}: a WebSocket API needs a RouteSelectionExpression"))?;
    let routes = api
        .routes
        .into_iter()
        .map(|(key, r)| (key, ws_gateway::Route { function: r.function, two_way: r.two_way }))
        .collect();
    let routes = ws_gateway::Routes { selection_expression, routes };
    routes.check().map_err(|e| format!("{id}: {e}"))?;
    Ok(Some(WebSocketApi { logical_id: id, stage: api.stage, routes }))
}

/// An `AWS::ApiGatewayV2::Api` of the template as its explicit resources define it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDef {
    pub logical_id: String,
    pub stage: String,
    pub selection_expression: Option<String>,
    /// By route key.
    pub routes: BTreeMap<String, RouteDef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDef {
    /// The binary of the function the route's integration invokes.
    pub function: String,
    /// The payload format of the integration (`2.0` for HTTP APIs here).
    pub payload_format: Option<String>,
    pub two_way: bool,
}

/// The one API of `protocol` (`HTTP` or `WEBSOCKET`) with its stage and routes, if the
/// template has one; an error when one of its routes does not resolve to a function.
pub fn read_api(t: &Template, protocol: &str) -> Result<Option<ApiDef>, String> {
    let mut scope = t.scope().map_err(|e| e.to_string())?;
    let functions: BTreeMap<String, String> = t.functions().into_iter().map(|f| (f.logical_id, f.binary)).collect();
    // Names that lead back to logical ids: a `Target` resolves to
    // `integrations/<Integration>`, an `IntegrationUri` to `...:function:<Function>...`.
    for id in functions.keys() {
        scope.names.set_ref(id, id.clone());
        scope.names.set_attr(id, "Arn", format!("arn:aws:lambda:{}:{ACCOUNT_ID}:function:{id}", scope.region));
    }
    let resources: Vec<Resource> = t
        .resources()
        .into_iter()
        .filter(|r| r.condition.as_ref().is_none_or(|c| scope.conditions.get(c).copied().unwrap_or(false)))
        .collect();
    for r in &resources {
        scope.names.set_ref(&r.logical_id, r.logical_id.clone());
        scope.names.set_attr(&r.logical_id, "ApiId", r.logical_id.clone());
    }
    let text = |r: &Resource, key: &str| -> Result<Option<String>, String> {
        let v = &r.properties[key];
        if v.is_null() {
            return Ok(None);
        }
        scope.resolve_text(v).map(Some).map_err(|e| format!("{}.{key}: {e}", r.logical_id))
    };
    let of_kind = |kind: &'static str| resources.iter().filter(move |r| r.kind == kind);

    let mut apis = Vec::new();
    for r in of_kind(API) {
        if text(r, "ProtocolType")?.as_deref() == Some(protocol) {
            apis.push(r);
        }
    }
    let api = match apis.as_slice() {
        [] => return Ok(None),
        [api] => *api,
        several => {
            let ids: Vec<&str> = several.iter().map(|r| r.logical_id.as_str()).collect();
            return Err(format!("several {protocol} APIs ({}); the local stack serves one", ids.join(", ")));
        }
    };
    let id = api.logical_id.as_str();
    let of_api = |kind: &'static str| -> Result<Vec<&Resource>, String> {
        let mut out = Vec::new();
        for r in of_kind(kind) {
            if text(r, "ApiId")?.as_deref() == Some(id) {
                out.push(r);
            }
        }
        Ok(out)
    };
    let selection_expression = text(api, "RouteSelectionExpression")?;

    let stage = match of_api(STAGE)?.as_slice() {
        [stage] => text(stage, "StageName")?.ok_or_else(|| format!("{}: no StageName", stage.logical_id))?,
        [] => return Err(format!("{id}: the {protocol} API has no {STAGE}, so it is never deployed")),
        several => {
            let ids: Vec<&str> = several.iter().map(|r| r.logical_id.as_str()).collect();
            return Err(format!("{id}: several stages ({}); the local stack serves one", ids.join(", ")));
        }
    };

    let mut with_response = BTreeSet::new();
    for r in of_api(ROUTE_RESPONSE)? {
        let route = text(r, "RouteId")?.ok_or_else(|| format!("{}: no RouteId", r.logical_id))?;
        if text(r, "RouteResponseKey")?.as_deref() != Some("$default") {
            return Err(format!("{}: only the `$default` route response key is emulated", r.logical_id));
        }
        with_response.insert(route);
    }

    let integrations: BTreeMap<&str, &Resource> =
        of_api(INTEGRATION)?.into_iter().map(|r| (r.logical_id.as_str(), r)).collect();
    let mut routes = BTreeMap::new();
    for r in of_api(ROUTE)? {
        let rid = r.logical_id.as_str();
        let key = text(r, "RouteKey")?.ok_or_else(|| format!("{rid}: no RouteKey"))?;
        let named = |what: String| format!("route `{key}` ({rid}): {what}");
        let target = match &r.properties["Target"] {
            v if v.is_null() => return Err(named("no Target integration".into())),
            v => scope.resolve_text(v).map_err(|e| match e {
                Unresolved::Pending(what) => named(format!("its Target names `{what}`, which is not in the template")),
                other => named(format!("Target: {other}")),
            })?,
        };
        let integration = target
            .strip_prefix("integrations/")
            .and_then(|i| integrations.get(i))
            .ok_or_else(|| named(format!("its Target `{target}` names no {INTEGRATION} of {id}")))?;
        let iid = integration.logical_id.as_str();
        let kind = text(integration, "IntegrationType").map_err(&named)?;
        if kind.as_deref() != Some("AWS_PROXY") {
            let kind = kind.as_deref().unwrap_or("without an IntegrationType");
            return Err(named(format!("{iid} is {kind}; only AWS_PROXY (Lambda proxy) integrations are emulated")));
        }
        let uri = match &integration.properties["IntegrationUri"] {
            v if v.is_null() => return Err(named(format!("{iid} has no IntegrationUri"))),
            v => scope.resolve_text(v).map_err(|e| match e {
                Unresolved::Pending(what) => {
                    named(format!("{iid}'s IntegrationUri names `{what}`, which is not a function of the template"))
                }
                other => named(format!("{iid}.IntegrationUri: {other}")),
            })?,
        };
        let function = function_in_uri(&uri)
            .and_then(|f| functions.get(f))
            .ok_or_else(|| named(format!("{iid}'s IntegrationUri `{uri}` invokes no function of the template")))?;
        let payload_format = text(integration, "PayloadFormatVersion").map_err(&named)?;
        let has_expression = !r.properties["RouteResponseSelectionExpression"].is_null();
        let two_way = match (has_expression, with_response.contains(rid)) {
            (true, true) => true,
            (false, false) => false,
            _ => {
                return Err(named(format!(
                    "a two-way route needs both a RouteResponseSelectionExpression and a {ROUTE_RESPONSE}"
                )));
            }
        };
        let route = RouteDef { function: function.clone(), payload_format, two_way };
        if routes.insert(key.clone(), route).is_some() {
            return Err(format!("route `{key}` of {id} is declared twice"));
        }
    }
    Ok(Some(ApiDef { logical_id: id.to_string(), stage, selection_expression, routes }))
}

/// The function an integration URI invokes: `...:function:NAME[:alias][/invocations]`.
fn function_in_uri(uri: &str) -> Option<&str> {
    let rest = &uri[uri.find(":function:")? + ":function:".len()..];
    let end = rest.find([':', '/']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|f| !f.is_empty())
}

/// The gateway's way to the functions: through [`Functions::invoke`], each invocation
/// logged like every other trigger's. Set once the functions are up (the gateway
/// starts first: its management URL is in every function's environment).
#[derive(Default)]
pub struct Invoker {
    functions: OnceLock<Arc<Functions>>,
}

impl Invoker {
    pub fn set_functions(&self, functions: Arc<Functions>) {
        let _ = self.functions.set(functions);
    }
}

impl ws_gateway::Invoke for Invoker {
    fn invoke(&self, function: &str, event: Value) -> Pin<Box<dyn Future<Output = Result<Value, String>> + Send + '_>> {
        let function = function.to_string();
        Box::pin(async move {
            let Some(functions) = self.functions.get() else {
                return Err("the functions are still starting".to_string());
            };
            let detail = describe(&event);
            let inv = functions.invoke(&function, event.to_string().into_bytes()).await;
            let (status, result) = match inv.outcome {
                Outcome::Answered(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                    Ok(v) => (v["statusCode"].as_u64().map_or("ok".to_string(), |s| s.to_string()), Ok(v)),
                    Err(e) => ("not-json".to_string(), Err(format!("the function's answer is not JSON: {e}"))),
                },
                Outcome::FunctionError(kind, doc) => {
                    (format!("error:{kind}"), Err(String::from_utf8_lossy(&doc).into_owned()))
                }
                Outcome::TimedOut => ("timeout".to_string(), Err("timed out".to_string())),
                Outcome::Failed(why) => {
                    console::warn(&format!("{function}: {why}"));
                    ("failed".to_string(), Err(why))
                }
            };
            console::invocation(Trigger::WebSocket, &function, &status, inv.took, inv.cold, &detail);
            result
        })
    }
}

/// `send_message L0SM9cOFvHcCIhw=`, `$disconnect L0SM9cOFvHcCIhw= (1001)`.
fn describe(event: &Value) -> String {
    let ctx = &event["requestContext"];
    let mut out = format!(
        "{} {}",
        ctx["routeKey"].as_str().unwrap_or_default(),
        ctx["connectionId"].as_str().unwrap_or_default()
    );
    if let Some(code) = ctx["disconnectStatusCode"].as_i64() {
        out.push_str(&format!(" ({code})"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape stacks/realtime.yaml has (README.md, "Nested stacks"), in one template.
    pub const SAMPLE: &str = r#"
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  WebSocketApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: !Sub ${AWS::StackName}-realtime
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  WebSocketStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref WebSocketApi, StageName: !Ref Stage, AutoDeploy: true}
  ConnectRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WebSocketApi
      RouteKey: $connect
      AuthorizationType: NONE
      Target: !Sub integrations/${ConnectIntegration}
  ConnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WebSocketApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WsConnectFunction.Arn}/invocations
  SendMessageRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref WebSocketApi
      RouteKey: send_message
      RouteResponseSelectionExpression: $default
      Target: !Join [/, [integrations, !Ref SendMessageIntegration]]
  SendMessageRouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties: {ApiId: !Ref WebSocketApi, RouteId: !Ref SendMessageRoute, RouteResponseKey: $default}
  SendMessageIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WebSocketApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt WsSendMessageFunction.Arn
  WsConnectFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: rust-cargolambda, BuildProperties: {Binary: ws-connect}}
    Properties: {CodeUri: .}
  WsSendMessageFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: rust-cargolambda, BuildProperties: {Binary: ws-send-message}}
    Properties: {CodeUri: .}
"#;

    fn api(text: &str) -> Result<Option<WebSocketApi>, String> {
        from_template(&Template::parse(text, "us-east-1").unwrap())
    }

    #[test]
    fn routes_lead_through_their_integration_to_a_functions_binary() {
        let api = api(SAMPLE).unwrap().expect("a WebSocket API");
        assert_eq!((api.logical_id.as_str(), api.stage.as_str()), ("WebSocketApi", "dev"));
        assert_eq!(api.routes.selection_expression, "$request.body.action");
        let routes: Vec<(&str, &str, bool)> =
            api.routes.routes.iter().map(|(k, r)| (k.as_str(), r.function.as_str(), r.two_way)).collect();
        assert_eq!(routes, [("$connect", "ws-connect", false), ("send_message", "ws-send-message", true)]);
    }

    fn refused(text: &str, needle: &str) {
        match api(text) {
            Err(e) => assert!(e.contains(needle), "`{e}` should mention `{needle}`"),
            Ok(api) => panic!("expected an error mentioning `{needle}`, got {api:?}"),
        }
    }

    #[test]
    fn routes_that_do_not_resolve_are_errors_naming_them() {
        refused(&SAMPLE.replace("${ConnectIntegration}", "${Nowhere}"), "route `$connect` (ConnectRoute)");
        refused(
            &SAMPLE.replace("${ConnectIntegration}", "${WebSocketStage}"),
            "names no AWS::ApiGatewayV2::Integration",
        );
        refused(&SAMPLE.replace("${WsConnectFunction.Arn}", "${WebSocketStage.Arn}"), "`WebSocketStage.Arn`");
        refused(
            &SAMPLE.replace("${WsConnectFunction.Arn}", "arn:aws:lambda:x:1:function:elsewhere"),
            "invokes no function",
        );
        refused(
            &SAMPLE.replace(
                "IntegrationType: AWS_PROXY\n      IntegrationUri: !Sub",
                "IntegrationType: MOCK\n      IntegrationUri: !Sub",
            ),
            "only AWS_PROXY",
        );
        refused(&SAMPLE.replace("      RouteResponseSelectionExpression: $default\n", ""), "route `send_message`");
        refused(&SAMPLE.replace("RouteKey: send_message", "RouteKey: $connect"), "declared twice");
        refused(&SAMPLE.replace("$request.body.action", "$request.header.x"), "$request.body");
        refused(
            &SAMPLE.replace("Type: AWS::ApiGatewayV2::Stage", "Type: AWS::Logs::LogGroup"),
            "no AWS::ApiGatewayV2::Stage",
        );
    }

    #[test]
    fn a_template_without_a_websocket_api_has_none() {
        assert_eq!(api(crate::template::tests::SAMPLE).unwrap(), None);
        assert_eq!(api(&SAMPLE.replace("ProtocolType: WEBSOCKET", "ProtocolType: HTTP")).unwrap(), None);
    }

    #[test]
    fn function_names_are_read_from_integration_uris() {
        let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:F/invocations";
        assert_eq!(function_in_uri(uri), Some("F"));
        assert_eq!(function_in_uri("arn:aws:lambda:us-east-1:1:function:F:live"), Some("F"));
        assert_eq!(function_in_uri("arn:aws:lambda:us-east-1:1:function:F"), Some("F"));
        assert_eq!(function_in_uri("arn:aws:sqs:us-east-1:1:queue"), None);
    }

    /// The repository's WebSocket API (stacks/realtime.yaml, nested in template.yaml).
    #[test]
    fn the_repositorys_websocket_api_has_the_chat_routes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        if !root.join("stacks/realtime.yaml").exists() {
            eprintln!("stacks/realtime.yaml does not exist yet; nothing to check");
            return;
        }
        let t = Template::load(&root.join("template.yaml"), "us-east-1").expect("template.yaml loads");
        let api = from_template(&t).expect("the WebSocket API resolves").expect("template.yaml has a WebSocket API");
        assert_eq!(api.routes.selection_expression, "$request.body.action");
        let routes: Vec<(&str, &str, bool)> =
            api.routes.routes.iter().map(|(k, r)| (k.as_str(), r.function.as_str(), r.two_way)).collect();
        assert_eq!(
            routes,
            [
                ("$connect", "ws-connect", false),
                ("$default", "ws-default", true),
                ("$disconnect", "ws-disconnect", false),
                ("mark_read", "ws-mark-read", true),
                ("ping", "ws-ping", true),
                ("send_message", "ws-send-message", true),
                // stacks/realtime.yaml gives typing a route response (its answer goes back).
                ("typing", "ws-typing", true),
            ]
        );
    }

    /// The HTTP API is read the same way: every area stack's routes, each to its
    /// function, the catch-all included.
    #[test]
    fn the_repositorys_http_api_has_every_areas_routes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let t = Template::load(&root.join("template.yaml"), "us-east-1").expect("template.yaml loads");
        let api = read_api(&t, "HTTP").expect("the HTTP API resolves").expect("template.yaml has an HTTP API");
        assert_eq!(api.stage, "$default");
        let route = |key: &str| api.routes.get(key).map(|r| r.function.as_str());
        assert_eq!(route("$default"), Some("not-found"));
        assert_eq!(route("GET /health"), Some("health"));
        // One from each nested stack.
        assert_eq!(route("POST /auth/login"), Some("auth-login"));
        assert_eq!(route("GET /photographers"), Some("search-photographers"));
        assert_eq!(route("POST /bookings"), Some("create-booking"));
        assert_eq!(route("POST /webhooks/stripe"), Some("stripe-webhook"));
        assert_eq!(route("POST /bookings/{id}/review"), Some("create-review"));
        assert_eq!(route("GET /photographers/{id}/portfolio"), Some("list-portfolio"));
        assert_eq!(route("GET /chats"), Some("list-chats"));
        assert!(api.routes.values().all(|r| r.payload_format.as_deref() == Some("2.0") && !r.two_way));
    }
}
