//! template.yaml and the nested stacks it names (`AWS::Serverless::Application` with a
//! local `Location`), read as one template: what the local stack runs and what the
//! layout tests check.
//!
//! CloudFormation limits a stack to 500 resources, so the platform's areas live in
//! nested stacks (README.md, "Nested stacks"). In AWS each is its own stack and
//! sees only the parameters its parent passes. Locally there is one table, one set of
//! queues and one process per function, so the children are *inlined*: each
//! parameter a child reads is replaced by the expression its parent passes, and the
//! child's resources join the root's. Everything downstream then reads one template,
//! and the rules below make the inlined view mean exactly what the deployed stacks do:
//!
//! - a child may not use `AWS::StackName`: in AWS it is the child's generated name,
//!   locally it would be the root's. Children take the root's name as a parameter;
//! - a child's `Globals` must equal the root's once its parameters are inlined (one
//!   set of globals applies to the inlined functions);
//! - a parameter a `!Sub` interpolates must be passed as `!Ref`, `!GetAtt` or a literal,
//!   the forms a `${}` can name;
//! - logical ids are unique across all stacks, and a condition or mapping defined in
//!   two stacks is the same in both;
//! - one level of nesting.
//!
//! What the root reads of a child's outputs (`!GetAtt Child.Outputs.Name`, or
//! `${Child.Outputs.Name}` in a `!Sub`) becomes the expression the child's output
//! declares, which the inlined child's resources make mean the same; an output the
//! child does not declare is refused.

use serde_yaml_ng::value::TaggedValue;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub const NESTED_STACK: &str = "AWS::Serverless::Application";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not valid YAML: {source}")]
    Yaml { path: String, source: serde_yaml_ng::Error },
    #[error("{0}")]
    Invalid(String),
}

/// One stack as written, with its parameters inlined (children) or as is (the root).
#[derive(Debug, Clone)]
pub struct Stack {
    /// The nested stack's logical id in the root; `None` for the root itself.
    pub logical_id: Option<String>,
    /// The template file, relative to the root template's directory.
    pub path: PathBuf,
    pub template: Value,
}

#[derive(Debug, Clone)]
pub struct Stacks {
    /// The root with every child inlined and the nested-stack resources removed.
    pub flat: Value,
    /// The root first, then each child in the root's order.
    pub stacks: Vec<Stack>,
}

/// Reads the root template at `path` and every nested stack it names.
pub fn load(path: &Path) -> Result<Stacks, Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(PathBuf::from).unwrap_or_else(|| path.to_path_buf());
    flatten(read(path)?, &name, |location| read(&dir.join(location)))
}

fn read(path: &Path) -> Result<Value, Error> {
    let text =
        std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.display().to_string(), source })?;
    serde_yaml_ng::from_str(&text).map_err(|source| Error::Yaml { path: path.display().to_string(), source })
}

/// Inlines the children of `root`; `child` reads a `Location` (relative to the root's
/// directory).
pub fn flatten(
    root: Value,
    root_path: &Path,
    mut child: impl FnMut(&Path) -> Result<Value, Error>,
) -> Result<Stacks, Error> {
    let Some(resources) = root["Resources"].as_mapping() else {
        return Err(Error::Invalid(format!("{} has no Resources", root_path.display())));
    };
    let mut flat = root.clone();
    let mut stacks = vec![Stack { logical_id: None, path: root_path.to_path_buf(), template: root.clone() }];
    let mut merged = Mapping::new();
    for (id, r) in resources {
        let id_text = id.as_str().unwrap_or_default().to_string();
        if r["Type"].as_str() != Some(NESTED_STACK) {
            merged.insert(id.clone(), r.clone());
            continue;
        }
        let Some(location) = r["Properties"]["Location"].as_str() else {
            return Err(Error::Invalid(format!(
                "{id_text}: only nested stacks with a local `Location` file are supported"
            )));
        };
        let location = PathBuf::from(location);
        let raw = child(&location)?;
        let inlined = inline(&raw, &r["Properties"]["Parameters"], &id_text, &location)?;
        let at = location.display().to_string();
        if inlined["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .any(|(_, r)| r["Type"].as_str() == Some(NESTED_STACK))
        {
            return Err(Error::Invalid(format!("{at}: nests a stack itself; one level of nesting is supported")));
        }
        if inlined["Transform"] != root["Transform"] {
            return Err(Error::Invalid(format!("{at}: its Transform differs from the root's")));
        }
        if without_code_uri(&inlined["Globals"]) != without_code_uri(&root["Globals"]) {
            return Err(Error::Invalid(format!(
                "{at}: its Globals, with its parameters inlined, differ from the root's; the inlined \
                 functions would run with other settings than in AWS"
            )));
        }
        let base = location.parent().unwrap_or(Path::new(""));
        for (cid, cr) in inlined["Resources"].as_mapping().into_iter().flatten() {
            if merged.contains_key(cid) || resources.contains_key(cid) {
                return Err(Error::Invalid(format!(
                    "{at}: logical id `{}` is also used elsewhere",
                    cid.as_str().unwrap_or_default()
                )));
            }
            let mut cr = cr.clone();
            if let Some(uri) = cr["Properties"]["CodeUri"].as_str() {
                cr["Properties"]["CodeUri"] = Value::String(relative_to_root(base, uri));
            }
            merged.insert(cid.clone(), cr);
        }
        for section in ["Conditions", "Mappings"] {
            for (k, v) in inlined[section].as_mapping().into_iter().flatten() {
                let existing = &flat[section][k];
                if existing.is_null() {
                    if !flat[section].is_mapping() {
                        flat[section] = Value::Mapping(Mapping::new());
                    }
                    flat[section][k] = v.clone();
                } else if existing != v {
                    return Err(Error::Invalid(format!(
                        "{at}: {section} `{}` differs from the one of the same name in the root",
                        k.as_str().unwrap_or_default()
                    )));
                }
            }
        }
        stacks.push(Stack { logical_id: Some(id_text), path: location, template: inlined });
    }
    let mut outputs: BTreeMap<(String, String), Value> = BTreeMap::new();
    for stack in &stacks {
        let Some(id) = &stack.logical_id else { continue };
        for (name, output) in stack.template["Outputs"].as_mapping().into_iter().flatten() {
            outputs.insert((id.clone(), name.as_str().unwrap_or_default().to_string()), output["Value"].clone());
        }
    }
    let children: Vec<&str> = stacks.iter().filter_map(|s| s.logical_id.as_deref()).collect();
    let read = |v: &Value| {
        with_outputs(v, &children, &outputs).map_err(|e| Error::Invalid(format!("{}: {e}", root_path.display())))
    };
    flat["Resources"] = read(&Value::Mapping(merged))?;
    if !flat["Outputs"].is_null() {
        flat["Outputs"] = read(&flat["Outputs"])?;
    }
    Ok(Stacks { flat, stacks })
}

/// `(child, output)` if `target` (`Child.Outputs.Name`) names a child's output.
fn output_of<'a>(target: &'a str, children: &[&str]) -> Option<(&'a str, &'a str)> {
    let (child, rest) = target.split_once('.')?;
    let name = rest.strip_prefix("Outputs.")?;
    children.contains(&child).then_some((child, name))
}

/// `v` with every read of a child's output replaced by the output's own expression.
fn with_outputs(v: &Value, children: &[&str], outputs: &BTreeMap<(String, String), Value>) -> Result<Value, String> {
    let declared = |child: &str, name: &str| {
        outputs.get(&(child.to_string(), name.to_string())).ok_or_else(|| {
            format!("reads the output `{name}` of the nested stack `{child}`, which declares no such output")
        })
    };
    if let Some((call, arg)) = intrinsic(v) {
        let target = match (call.as_str(), arg) {
            ("GetAtt", Value::String(t)) => Some(t.clone()),
            ("GetAtt", Value::Sequence(p)) if p.len() == 2 => match (p[0].as_str(), p[1].as_str()) {
                (Some(a), Some(b)) => Some(format!("{a}.{b}")),
                _ => None,
            },
            _ => None,
        };
        if let Some((child, name)) = target.as_deref().and_then(|t| output_of(t, children)) {
            return declared(child, name).cloned();
        }
        match (call.as_str(), arg) {
            ("Sub", Value::String(text)) => {
                return Ok(rewrap(v, Value::String(sub_outputs(text, children, &declared)?)));
            }
            ("Sub", Value::Sequence(parts)) if parts.len() == 2 => {
                let text = parts[0].as_str().ok_or("a !Sub's first argument must be text")?;
                let text = sub_outputs(text, children, &declared)?;
                let vars = with_outputs(&parts[1], children, outputs)?;
                return Ok(rewrap(v, Value::Sequence(vec![Value::String(text), vars])));
            }
            _ => {}
        }
    }
    Ok(match v {
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|i| with_outputs(i, children, outputs)).collect::<Result<_, _>>()?)
        }
        Value::Mapping(m) => {
            let mut out = Mapping::new();
            for (k, item) in m {
                out.insert(k.clone(), with_outputs(item, children, outputs)?);
            }
            Value::Mapping(out)
        }
        Value::Tagged(t) => Value::Tagged(Box::new(TaggedValue {
            tag: t.tag.clone(),
            value: with_outputs(&t.value, children, outputs)?,
        })),
        other => other.clone(),
    })
}

/// A `!Sub` text with each `${Child.Outputs.Name}` spliced as the output's expression.
fn sub_outputs<'a>(
    text: &str,
    children: &[&str],
    declared: &impl Fn(&str, &str) -> Result<&'a Value, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        match output_of(name, children) {
            Some((child, output)) => {
                let value = declared(child, output)?;
                let spliced = match intrinsic(value) {
                    Some((call, Value::String(inner))) if call == "Sub" => Some(inner.clone()),
                    Some((call, Value::String(target))) if call == "Ref" || call == "GetAtt" => {
                        Some(format!("${{{target}}}"))
                    }
                    Some(_) => None,
                    None => value.as_str().filter(|s| !s.contains("${")).map(String::from),
                };
                out.push_str(&spliced.ok_or_else(|| {
                    format!("`${{{name}}}` in a !Sub: the output is an expression a !Sub cannot inline")
                })?);
            }
            None => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn without_code_uri(globals: &Value) -> Value {
    let mut g = globals.clone();
    if let Some(f) = g.get_mut("Function").and_then(Value::as_mapping_mut) {
        f.remove("CodeUri");
    }
    g
}

/// `uri`, relative to the child's directory `base`, as seen from the root's directory.
fn relative_to_root(base: &Path, uri: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in base.join(uri).components() {
        match c {
            Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

/// The child with each parameter it declares replaced by what the parent passes (or
/// its default), and its `Parameters` section removed.
fn inline(child: &Value, passed: &Value, id: &str, location: &Path) -> Result<Value, Error> {
    let at = location.display();
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for (name, decl) in child["Parameters"].as_mapping().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default().to_string();
        let value = match &passed[name.as_str()] {
            Value::Null if !decl["Default"].is_null() => decl["Default"].clone(),
            Value::Null => {
                return Err(Error::Invalid(format!("{id}: passes no `{name}`, which {at} needs (it has no default)")));
            }
            v => v.clone(),
        };
        values.insert(name, value);
    }
    for (name, _) in passed.as_mapping().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if !values.contains_key(name) {
            return Err(Error::Invalid(format!("{id}: passes `{name}`, which {at} does not declare")));
        }
    }
    let mut out = child.clone();
    if let Some(m) = out.as_mapping_mut() {
        m.remove("Parameters");
    }
    for section in ["Globals", "Conditions", "Resources", "Outputs"] {
        if !out[section].is_null() {
            out[section] = substitute(&out[section], &values).map_err(|e| Error::Invalid(format!("{at}: {e}")))?;
        }
    }
    Ok(out)
}

/// An intrinsic function call in either syntax (`!Ref X` or `{Ref: X}`, `!GetAtt` or
/// `{Fn::GetAtt: ...}`): its name without `Fn::`, and its argument.
pub fn intrinsic(v: &Value) -> Option<(String, &Value)> {
    match v {
        Value::Tagged(t) => Some((t.tag.to_string().trim_start_matches('!').to_string(), &t.value)),
        Value::Mapping(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next()?;
            let k = k.as_str()?;
            (k == "Ref" || k.starts_with("Fn::")).then(|| (k.trim_start_matches("Fn::").to_string(), arg))
        }
        _ => None,
    }
}

fn substitute(v: &Value, params: &BTreeMap<String, Value>) -> Result<Value, String> {
    if let Some((name, arg)) = intrinsic(v) {
        match (name.as_str(), arg) {
            ("Ref", Value::String(target)) => {
                if target == "AWS::StackName" {
                    return Err(stack_name_error());
                }
                if let Some(value) = params.get(target) {
                    return Ok(value.clone());
                }
                return Ok(v.clone());
            }
            ("Sub", Value::String(text)) => return Ok(rewrap(v, Value::String(sub_text(text, params, &[])?))),
            ("Sub", Value::Sequence(parts)) if parts.len() == 2 => {
                let locals: Vec<&str> =
                    parts[1].as_mapping().into_iter().flatten().filter_map(|(k, _)| k.as_str()).collect();
                let text = parts[0].as_str().ok_or("a !Sub's first argument must be text")?;
                let text = sub_text(text, params, &locals)?;
                let vars = substitute(&parts[1], params)?;
                return Ok(rewrap(v, Value::Sequence(vec![Value::String(text), vars])));
            }
            _ => {}
        }
    }
    Ok(match v {
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|i| substitute(i, params)).collect::<Result<_, _>>()?)
        }
        Value::Mapping(m) => {
            let mut out = Mapping::new();
            for (k, item) in m {
                out.insert(k.clone(), substitute(item, params)?);
            }
            Value::Mapping(out)
        }
        Value::Tagged(t) => {
            Value::Tagged(Box::new(TaggedValue { tag: t.tag.clone(), value: substitute(&t.value, params)? }))
        }
        other => other.clone(),
    })
}

fn stack_name_error() -> String {
    "uses AWS::StackName, which in a nested stack is the child's own generated name; take the root's \
     name as a parameter (StackName: !Ref AWS::StackName)"
        .to_string()
}

/// The same intrinsic (tag or `Fn::` key) around a new argument.
fn rewrap(call: &Value, arg: Value) -> Value {
    match call {
        Value::Tagged(t) => Value::Tagged(Box::new(TaggedValue { tag: t.tag.clone(), value: arg })),
        Value::Mapping(m) => {
            let mut out = Mapping::new();
            if let Some((k, _)) = m.iter().next() {
                out.insert(k.clone(), arg);
            }
            Value::Mapping(out)
        }
        _ => arg,
    }
}

/// `${Name}` of each parameter in a `!Sub` text replaced by what the parameter is
/// passed as; `locals` (the `!Sub`'s own variables) shadow parameters, as in AWS.
fn sub_text(text: &str, params: &BTreeMap<String, Value>, locals: &[&str]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        // `${!Literal}` is an escaped `${Literal}`: kept as written.
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        if name == "AWS::StackName" {
            return Err(stack_name_error());
        }
        match params.get(name).filter(|_| !locals.contains(&name)) {
            Some(value) => out.push_str(&interpolated(name, value)?),
            None => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What `${name}` becomes when the parameter is passed as `value`.
fn interpolated(name: &str, value: &Value) -> Result<String, String> {
    if let Some((call, arg)) = intrinsic(value) {
        match (call.as_str(), arg) {
            ("Ref", Value::String(target)) => return Ok(format!("${{{target}}}")),
            ("GetAtt", Value::String(target)) => return Ok(format!("${{{target}}}")),
            ("GetAtt", Value::Sequence(p)) if p.len() == 2 => {
                if let (Some(a), Some(b)) = (p[0].as_str(), p[1].as_str()) {
                    return Ok(format!("${{{a}.{b}}}"));
                }
            }
            _ => {}
        }
        return Err(format!(
            "`${{{name}}}` in a !Sub: the parent passes `{name}` as a !{call}, which a !Sub cannot name; \
             pass it as a !Ref, a !GetAtt or a literal"
        ));
    }
    match value {
        Value::String(s) if !s.contains("${") => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("`${{{name}}}` in a !Sub: `{name}` is passed as something a !Sub cannot inline")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Timeout: 10
    Environment: {Variables: {TABLE_NAME: !Ref Table}}
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Queue: {Type: AWS::SQS::Queue}
  Workers:
    Type: AWS::Serverless::Application
    Properties:
      Location: stacks/workers.yaml
      Parameters:
        StackName: !Ref AWS::StackName
        TableName: !Ref Table
        TableArn: !GetAtt Table.Arn
        QueueArn: !GetAtt [Queue, Arn]
        Stage: !Ref Stage
        Retention: !FindInMap [Settings, !Ref Stage, Days]
"#;

    const CHILD: &str = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  StackName: {Type: String}
  TableName: {Type: String}
  TableArn: {Type: String}
  QueueArn: {Type: String}
  Stage: {Type: String}
  Retention: {Type: Number}
  Memory: {Type: Number, Default: 512}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    CodeUri: ..
    Timeout: 10
    Environment: {Variables: {TABLE_NAME: !Ref TableName}}
Resources:
  Sweep:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ..
      MemorySize: !Ref Memory
      Events:
        Tick:
          Type: Schedule
          Properties: {Name: !Sub '${StackName}-sweep', Schedule: rate(1 minute)}
      Policies:
        - Statement:
            - Resource: [!Ref TableArn, !Sub '${TableArn}/index/gsi4', {'Fn::Sub': '${QueueArn}'}]
            - Resource: !Sub ['${TableArn}/${Local}', {Local: !Ref QueueArn, TableArn: kept}]
  SweepLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '/aws/lambda/${StackName}/sweep'
      RetentionInDays: !If [IsProd, !Ref Retention, 1]
"#;

    fn flat(root: &str, child: &str) -> Result<Stacks, Error> {
        let child = child.to_string();
        flatten(serde_yaml_ng::from_str(root).unwrap(), Path::new("template.yaml"), move |p| {
            assert_eq!(p, Path::new("stacks/workers.yaml"));
            Ok(serde_yaml_ng::from_str(&child).unwrap())
        })
    }

    fn yaml(text: &str) -> Value {
        serde_yaml_ng::from_str(text).unwrap()
    }

    #[test]
    fn children_join_the_root_with_their_parameters_replaced_by_what_the_parent_passes() {
        let s = flat(ROOT, CHILD).unwrap();
        let r = &s.flat["Resources"];
        assert!(r["Workers"].is_null(), "the nested stack itself is not a resource of the flat view");
        assert!(r["Table"].is_mapping() && r["Queue"].is_mapping());
        let sweep = &r["Sweep"]["Properties"];
        assert_eq!(sweep["CodeUri"], yaml("."), "CodeUri is relative to the root's directory");
        assert_eq!(sweep["MemorySize"], yaml("512"), "a parameter not passed takes its default");
        assert_eq!(sweep["Events"]["Tick"]["Properties"]["Name"], yaml("!Sub '${AWS::StackName}-sweep'"));
        let statements = &sweep["Policies"][0]["Statement"];
        assert_eq!(
            statements[0]["Resource"],
            yaml("[!GetAtt Table.Arn, !Sub '${Table.Arn}/index/gsi4', {'Fn::Sub': '${Queue.Arn}'}]")
        );
        // A !Sub's own variables shadow parameters of the same name.
        assert_eq!(
            statements[1]["Resource"],
            yaml("!Sub ['${TableArn}/${Local}', {Local: !GetAtt [Queue, Arn], TableArn: kept}]")
        );
        let logs = &r["SweepLogs"]["Properties"];
        assert_eq!(logs["LogGroupName"], yaml("!Sub '/aws/lambda/${AWS::StackName}/sweep'"));
        assert_eq!(logs["RetentionInDays"], yaml("!If [IsProd, !FindInMap [Settings, !Ref Stage, Days], 1]"));
        assert_eq!(s.stacks.len(), 2);
        assert_eq!(s.stacks[1].logical_id.as_deref(), Some("Workers"));
        assert!(s.stacks[1].template["Parameters"].is_null());
        assert_eq!(s.stacks[1].template["Resources"].as_mapping().unwrap().len(), 2);
    }

    fn refused(root: &str, child: &str, needle: &str) {
        match flat(root, child) {
            Err(Error::Invalid(e)) => assert!(e.contains(needle), "`{e}` should mention `{needle}`"),
            other => panic!("expected a refusal mentioning `{needle}`, got {other:?}"),
        }
    }

    #[test]
    fn what_would_differ_from_aws_is_refused() {
        refused(ROOT, &CHILD.replace("'${StackName}-sweep'", "'${AWS::StackName}-sweep'"), "AWS::StackName");
        refused(ROOT, &CHILD.replace("[!Ref TableArn,", "[!Ref AWS::StackName,"), "AWS::StackName");
        refused(ROOT, &CHILD.replace("Timeout: 10", "Timeout: 30"), "Globals");
        refused(ROOT, &CHILD.replace("[!Ref Stage, prod]", "[!Ref Stage, dev]"), "Conditions `IsProd`");
        refused(ROOT, &CHILD.replace("  SweepLogs:", "  Queue:"), "`Queue`");
        refused(ROOT, &CHILD.replace("  TableName: {Type: String}\n", ""), "does not declare");
        refused(&ROOT.replace("        Stage: !Ref Stage\n", ""), CHILD, "passes no `Stage`");
        refused(ROOT, &CHILD.replace("'${StackName}-sweep'", "'${Retention}-sweep'"), "!FindInMap");
        refused(&ROOT.replace("Location: stacks/workers.yaml", "Location: {ApplicationId: x}"), CHILD, "local");
        refused(ROOT, &CHILD.replace("Transform: AWS::Serverless-2016-10-31\n", ""), "Transform");
    }

    const REALTIME: &str = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  StackName: {Type: String}
  Stage: {Type: String}
  TableName: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    CodeUri: ..
    Timeout: 10
    Environment: {Variables: {TABLE_NAME: !Ref TableName}}
Resources:
  WebSocketApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: !Sub ${StackName}-realtime
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
      Target: !Sub integrations/${ConnectIntegration}
  ConnectIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref WebSocketApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WsConnectFunction.Arn}/invocations
  WsConnectFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: rust-cargolambda, BuildProperties: {Binary: ws-connect}}
    Properties:
      CodeUri: ..
      Environment:
        Variables:
          WEBSOCKET_ENDPOINT: !Sub https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}
Outputs:
  WebSocketUrl:
    Value: !Sub wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}
"#;

    #[test]
    fn a_second_nested_stack_inlines_too() {
        let root = format!(
            "{ROOT}  Realtime:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: stacks/realtime.yaml\n      \
             Parameters: {{StackName: !Ref AWS::StackName, Stage: !Ref Stage, TableName: !Ref Table}}\n"
        );
        let s = flatten(yaml(&root), Path::new("template.yaml"), |p| match p.to_str() {
            Some("stacks/workers.yaml") => Ok(yaml(CHILD)),
            Some("stacks/realtime.yaml") => Ok(yaml(REALTIME)),
            other => panic!("unexpected location {other:?}"),
        })
        .unwrap();
        let ids: Vec<Option<&str>> = s.stacks.iter().map(|c| c.logical_id.as_deref()).collect();
        assert_eq!(ids, [None, Some("Workers"), Some("Realtime")]);
        let r = &s.flat["Resources"];
        assert!(r["Workers"].is_null() && r["Realtime"].is_null());
        assert!(r["Sweep"].is_mapping(), "the first child's resources stay");
        assert_eq!(r["WebSocketApi"]["Properties"]["Name"], yaml("!Sub ${AWS::StackName}-realtime"));
        assert_eq!(r["WebSocketApi"]["Properties"]["RouteSelectionExpression"], yaml("$request.body.action"));
        assert_eq!(r["WebSocketStage"]["Properties"]["StageName"], yaml("!Ref Stage"));
        assert_eq!(r["ConnectRoute"]["Properties"]["Target"], yaml("!Sub integrations/${ConnectIntegration}"));
        assert_eq!(
            r["ConnectIntegration"]["Properties"]["IntegrationUri"],
            yaml(
                "!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WsConnectFunction.Arn}/invocations"
            )
        );
        let function = &r["WsConnectFunction"]["Properties"];
        assert_eq!(function["CodeUri"], yaml("."));
        assert_eq!(
            function["Environment"]["Variables"]["WEBSOCKET_ENDPOINT"],
            yaml("!Sub https://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}")
        );
        assert_eq!(
            s.stacks[2].template["Outputs"]["WebSocketUrl"]["Value"],
            yaml("!Sub wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}")
        );
        // What the root reads of a child's outputs is the child's expression.
        let reads = format!(
            "{root}  Policy:\n    Type: AWS::CloudFront::ResponseHeadersPolicy\n    Properties:\n      \
             Csp: !Sub \"connect-src ${{Realtime.Outputs.WebSocketUrl}} ${{!Kept}}\"\n      \
             Url: !GetAtt Realtime.Outputs.WebSocketUrl\n      \
             Listed: !Sub ['${{A}} ${{Realtime.Outputs.WebSocketUrl}}', {{A: !GetAtt [Realtime, Outputs.WebSocketUrl]}}]\n\
             Outputs:\n  WebSocketUrl: {{Value: !GetAtt Realtime.Outputs.WebSocketUrl}}\n"
        );
        let children = |p: &Path| Ok(yaml(if p.ends_with("workers.yaml") { CHILD } else { REALTIME }));
        let s = flatten(yaml(&reads), Path::new("template.yaml"), children).unwrap();
        let url = "wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}";
        let policy = &s.flat["Resources"]["Policy"]["Properties"];
        assert_eq!(policy["Csp"], yaml(&format!("!Sub \"connect-src {url} ${{!Kept}}\"")));
        assert_eq!(policy["Url"], yaml(&format!("!Sub {url}")));
        assert_eq!(policy["Listed"], yaml(&format!("!Sub ['${{A}} {url}', {{A: !Sub '{url}'}}]")));
        assert_eq!(s.flat["Outputs"]["WebSocketUrl"]["Value"], yaml(&format!("!Sub {url}")));
        let missing = flatten(
            yaml(&reads.replace("Url: !GetAtt Realtime.Outputs.WebSocketUrl", "Url: !GetAtt Realtime.Outputs.Gone")),
            Path::new("template.yaml"),
            children,
        );
        assert!(matches!(missing, Err(Error::Invalid(e)) if e.contains("`Gone`")), "an output the child lacks");
        // Logical ids stay unique across the children too.
        let clash = REALTIME.replace("  ConnectRoute:", "  Sweep:").replace("${ConnectIntegration}", "${X}");
        let refused = flatten(yaml(&root), Path::new("template.yaml"), |p| {
            Ok(yaml(if p.ends_with("workers.yaml") { CHILD } else { &clash }))
        });
        assert!(matches!(refused, Err(Error::Invalid(e)) if e.contains("`Sweep`")));
    }

    #[test]
    fn code_uri_is_resolved_lexically() {
        assert_eq!(relative_to_root(Path::new("stacks"), ".."), ".");
        assert_eq!(relative_to_root(Path::new("stacks"), "../functions/x"), "functions/x");
        assert_eq!(relative_to_root(Path::new("a/b"), "../../.."), "..");
        assert_eq!(relative_to_root(Path::new(""), "."), ".");
    }

    #[test]
    fn the_repositorys_stacks_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let s = load(&root).expect("template.yaml and its nested stacks inline");
        assert!(s.stacks.len() >= 2, "template.yaml nests at least one stack");
    }
}
