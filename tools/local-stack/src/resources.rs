//! Creates locally what template.yaml declares: DynamoDB tables in DynamoDB Local (keys,
//! indexes, stream and TTL exactly as declared); SQS queues, SNS topics and
//! subscriptions, S3 buckets and Secrets Manager secrets in moto. Idempotent: what exists is kept and only looked up.
//! Resources are created in dependency order (a queue's redrive policy naming another
//! queue's ARN waits for it), and every name they get is recorded for `!Ref`/`!GetAtt`.

use crate::aws::Clients;
use crate::template::Template;
use crate::template::intrinsics::{ACCOUNT_ID, STACK_NAME, Scope, Unresolved, json_text};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct Provisioned {
    /// One line per resource: what it is locally.
    pub summary: Vec<String>,
}

/// Creates everything and returns the scope that resolves `!Ref`s to local names.
pub async fn provision(t: &Template, clients: &Clients, secret_value: &str) -> Result<(Scope, Provisioned), String> {
    let mut scope = t.scope().map_err(|e| e.to_string())?;
    let region = scope.region.clone();
    for f in t.functions() {
        scope.names.set_ref(&f.logical_id, f.binary.clone());
        scope.names.set_attr(
            &f.logical_id,
            "Arn",
            format!("arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{}", f.binary),
        );
    }
    let mut todo: Vec<_> = t
        .resources()
        .into_iter()
        .filter(|r| r.condition.as_ref().is_none_or(|c| scope.conditions.get(c).copied().unwrap_or(false)))
        .collect();
    let mut out = Provisioned::default();
    let mut not_emulated: BTreeMap<String, usize> = BTreeMap::new();
    while !todo.is_empty() {
        let mut waiting = Vec::new();
        let mut progressed = false;
        for r in todo {
            let props = match scope.resolve(&r.properties) {
                Ok(p) => p,
                Err(Unresolved::Pending(_)) => {
                    waiting.push(r);
                    continue;
                }
                Err(e) => return Err(format!("{}: {e}", r.logical_id)),
            };
            progressed = true;
            let id = r.logical_id.as_str();
            let line = match r.kind.as_str() {
                "AWS::DynamoDB::Table" => table(clients, &mut scope, id, &props).await?,
                "AWS::SQS::Queue" => queue(clients, &mut scope, id, &props).await?,
                "AWS::SNS::Topic" => topic(clients, &mut scope, id, &props).await?,
                "AWS::SNS::Subscription" => subscription(clients, &mut scope, id, &props).await?,
                "AWS::S3::Bucket" => bucket(clients, &mut scope, id, &props).await?,
                "AWS::SecretsManager::Secret" => secret(clients, &mut scope, id, &props, secret_value).await?,
                "AWS::SES::EmailIdentity" => email_identity(clients, &mut scope, id, &props).await?,
                other => {
                    // Not needed to run the functions locally (API, log groups, alarms,
                    // policies): give it a name so references to it resolve.
                    let name = format!("{STACK_NAME}-{id}");
                    scope.names.set_ref(id, name.clone());
                    scope.names.set_attr(id, "Arn", format!("arn:aws:local:{region}:{ACCOUNT_ID}:{id}/{name}"));
                    scope.names.set_attr(id, "Id", name.clone());
                    if other == crate::websocket::API {
                        // Its Ref is the API id; the HTTP API is served by api/, the
                        // WebSocket API by the gateway (websocket.rs).
                        let scheme =
                            if r.properties["ProtocolType"].as_str() == Some("HTTP") { "https" } else { "wss" };
                        let endpoint = format!("{scheme}://{name}.execute-api.{region}.amazonaws.com");
                        scope.names.set_attr(id, "ApiEndpoint", endpoint);
                        scope.names.set_attr(id, "ApiId", name.clone());
                    }
                    if other == "AWS::CloudFront::Distribution" {
                        // The API serves the CDN's part (`/media/`); stack.rs maps this host there.
                        scope.names.set_attr(id, "DomainName", LOCAL_CDN_HOST.to_string());
                    }
                    // The API gateways are served (api/, websocket.rs), not merely named.
                    let served = other.starts_with("AWS::ApiGatewayV2::");
                    if !served && other != "AWS::Logs::LogGroup" {
                        *not_emulated.entry(other.to_string()).or_default() += 1;
                    }
                    continue;
                }
            };
            out.summary.push(line);
        }
        if !progressed {
            let stuck: Vec<_> = waiting.iter().map(|r| r.logical_id.as_str()).collect();
            return Err(format!("these resources refer to something that never exists: {}", stuck.join(", ")));
        }
        todo = waiting;
    }
    // One line per type: a template with an alarm per function would otherwise bury
    // the resources that do exist.
    for (kind, n) in not_emulated {
        out.summary.push(format!("{n} × {kind}: not emulated"));
    }
    Ok((scope, out))
}

/// The domain name a CloudFront distribution has locally; `https://` + this in a
/// function's environment becomes the local stack's `/media/` URL.
pub const LOCAL_CDN_HOST: &str = "cdn.localhost";

fn physical_name(props: &Value, key: &str, id: &str) -> String {
    props[key].as_str().map(String::from).unwrap_or_else(|| format!("{STACK_NAME}-{id}"))
}

fn text(v: &Value) -> String {
    json_text(v)
}

fn key_schema(v: &Value) -> Result<Vec<KeySchemaElement>, String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(text(&k["AttributeName"]))
                .key_type(KeyType::from(text(&k["KeyType"]).as_str()))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn projection(v: &Value) -> Projection {
    Projection::builder()
        .projection_type(ProjectionType::from(v["ProjectionType"].as_str().unwrap_or("ALL")))
        .set_non_key_attributes(
            v["NonKeyAttributes"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect()),
        )
        .build()
}

/// The `CreateTable` request for a table's template properties. Shared with the
/// integration tests, which create one such table per test.
pub fn create_table_request(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
    props: &Value,
) -> Result<aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder, String> {
    // Provisioned throughput means nothing locally; every table is on-demand.
    let mut req = client.create_table().table_name(name).billing_mode(BillingMode::PayPerRequest);
    for a in props["AttributeDefinitions"].as_array().into_iter().flatten() {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(text(&a["AttributeName"]))
                .attribute_type(ScalarAttributeType::from(text(&a["AttributeType"]).as_str()))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    req = req.set_key_schema(Some(key_schema(&props["KeySchema"])?));
    for g in props["GlobalSecondaryIndexes"].as_array().into_iter().flatten() {
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(text(&g["IndexName"]))
                .set_key_schema(Some(key_schema(&g["KeySchema"])?))
                .projection(projection(&g["Projection"]))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    for l in props["LocalSecondaryIndexes"].as_array().into_iter().flatten() {
        req = req.local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name(text(&l["IndexName"]))
                .set_key_schema(Some(key_schema(&l["KeySchema"])?))
                .projection(projection(&l["Projection"]))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    if let Some(view) = props["StreamSpecification"]["StreamViewType"].as_str() {
        req = req.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(view))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(req)
}

async fn table(c: &Clients, scope: &mut Scope, id: &str, props: &Value) -> Result<String, String> {
    let name = physical_name(props, "TableName", id);
    let existing = c.dynamodb.describe_table().table_name(&name).send().await.ok().and_then(|o| o.table);
    let desc = match existing {
        Some(t) => t,
        None => create_table_request(&c.dynamodb, &name, props)?
            .send()
            .await
            .map_err(|e| format!("{id}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?
            .table_description
            .ok_or(format!("{id}: CreateTable returned no description"))?,
    };
    let ttl = time_to_live(c, &name, props).await.map_err(|e| format!("{id}: {e}"))?;
    scope.names.set_ref(id, name.clone());
    scope.names.set_attr(id, "Arn", desc.table_arn.clone().unwrap_or_default());
    let stream = desc.latest_stream_arn.clone();
    if let Some(arn) = &stream {
        scope.names.set_attr(id, "StreamArn", arn.clone());
    }
    let gsis = desc.global_secondary_indexes.as_ref().map_or(0, Vec::len);
    let stream = if stream.is_some() { ", stream" } else { "" };
    let ttl = ttl.map(|a| format!(", TTL on {a}")).unwrap_or_default();
    Ok(format!("{id}: DynamoDB table {name} ({gsis} GSIs{stream}{ttl})"))
}

/// `TimeToLiveSpecification` is not part of CreateTable: CloudFormation enables it with
/// UpdateTimeToLive, and so does this. DynamoDB Local then deletes expired items in the
/// background, with a stream record for each (see streams/record.rs).
async fn time_to_live(c: &Clients, table: &str, props: &Value) -> Result<Option<String>, String> {
    let spec = &props["TimeToLiveSpecification"];
    let (Some(attribute), Some(true)) = (spec["AttributeName"].as_str(), spec["Enabled"].as_bool()) else {
        return Ok(None);
    };
    let current = c
        .dynamodb
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| format!("DescribeTimeToLive: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
    let enabled = current.time_to_live_description.is_some_and(|d| {
        d.attribute_name.as_deref() == Some(attribute)
            && d.time_to_live_status.as_ref().is_some_and(|s| s.as_str() == "ENABLED")
    });
    if !enabled {
        c.dynamodb
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(
                aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
                    .attribute_name(attribute)
                    .enabled(true)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(|e| format!("UpdateTimeToLive: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
    }
    Ok(Some(attribute.to_string()))
}

async fn queue(c: &Clients, scope: &mut Scope, id: &str, props: &Value) -> Result<String, String> {
    let fifo = props["FifoQueue"].as_bool().unwrap_or(false);
    let mut name = physical_name(props, "QueueName", id);
    if fifo && !name.ends_with(".fifo") {
        name.push_str(".fifo");
    }
    let mut req = c.sqs.create_queue().queue_name(&name);
    for key in [
        "FifoQueue",
        "ContentBasedDeduplication",
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "RedrivePolicy",
    ] {
        let v = &props[key];
        if v.is_null() {
            continue;
        }
        let value = if v.is_object() { v.to_string() } else { text(v) };
        req = req.attributes(aws_sdk_sqs::types::QueueAttributeName::from(key), value);
    }
    let url = req
        .send()
        .await
        .map_err(|e| format!("{id}: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?
        .queue_url
        .unwrap_or_default();
    let arn = format!("arn:aws:sqs:{}:{ACCOUNT_ID}:{name}", scope.region);
    scope.names.set_ref(id, url.clone());
    scope.names.set_attr(id, "Arn", arn);
    scope.names.set_attr(id, "QueueName", name.clone());
    scope.names.set_attr(id, "QueueUrl", url);
    Ok(format!("{id}: SQS queue {name}"))
}

async fn topic(c: &Clients, scope: &mut Scope, id: &str, props: &Value) -> Result<String, String> {
    let name = physical_name(props, "TopicName", id);
    let mut req = c.sns.create_topic().name(&name);
    if props["FifoTopic"].as_bool() == Some(true) {
        req = req.attributes("FifoTopic", "true");
    }
    let arn = req
        .send()
        .await
        .map_err(|e| format!("{id}: {}", aws_sdk_sns::error::DisplayErrorContext(e)))?
        .topic_arn
        .unwrap_or_default();
    for s in props["Subscription"].as_array().into_iter().flatten() {
        c.sns
            .subscribe()
            .topic_arn(&arn)
            .protocol(text(&s["Protocol"]))
            .endpoint(text(&s["Endpoint"]))
            .send()
            .await
            .map_err(|e| format!("{id}: {}", aws_sdk_sns::error::DisplayErrorContext(e)))?;
    }
    scope.names.set_ref(id, arn.clone());
    scope.names.set_attr(id, "TopicArn", arn);
    scope.names.set_attr(id, "TopicName", name.clone());
    Ok(format!("{id}: SNS topic {name}"))
}

async fn subscription(c: &Clients, scope: &mut Scope, id: &str, props: &Value) -> Result<String, String> {
    let mut req = c
        .sns
        .subscribe()
        .topic_arn(text(&props["TopicArn"]))
        .protocol(text(&props["Protocol"]))
        .endpoint(text(&props["Endpoint"]))
        .return_subscription_arn(true);
    for key in ["FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy"] {
        let v = &props[key];
        if !v.is_null() {
            req = req.attributes(key, if v.is_object() { v.to_string() } else { text(v) });
        }
    }
    let arn = req
        .send()
        .await
        .map_err(|e| format!("{id}: {}", aws_sdk_sns::error::DisplayErrorContext(e)))?
        .subscription_arn
        .unwrap_or_default();
    scope.names.set_ref(id, arn);
    Ok(format!("{id}: SNS subscription {} → {}", text(&props["Protocol"]), text(&props["Endpoint"])))
}

async fn bucket(c: &Clients, scope: &mut Scope, id: &str, props: &Value) -> Result<String, String> {
    let name =
        props["BucketName"].as_str().map(String::from).unwrap_or_else(|| format!("{STACK_NAME}-{}", id.to_lowercase()));
    if c.s3.head_bucket().bucket(&name).send().await.is_err() {
        let mut req = c.s3.create_bucket().bucket(&name);
        if scope.region != "us-east-1" {
            let constraint = aws_sdk_s3::types::BucketLocationConstraint::from(scope.region.as_str());
            req = req.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(constraint).build(),
            );
        }
        req.send().await.map_err(|e| format!("{id}: {}", aws_sdk_s3::error::DisplayErrorContext(e)))?;
    }
    scope.names.set_ref(id, name.clone());
    scope.names.set_attr(id, "Arn", format!("arn:aws:s3:::{name}"));
    scope.names.set_attr(id, "DomainName", format!("{name}.s3.amazonaws.com"));
    scope.names.set_attr(id, "RegionalDomainName", format!("{name}.s3.{}.amazonaws.com", scope.region));
    Ok(format!("{id}: S3 bucket {name}"))
}

/// moto's SES sends only from verified identities; creating one verifies it at once.
async fn email_identity(c: &Clients, scope: &mut Scope, id: &str, props: &Value) -> Result<String, String> {
    let identity = text(&props["EmailIdentity"]);
    let exists = c.ses.get_email_identity().email_identity(&identity).send().await.is_ok();
    if !exists {
        c.ses
            .create_email_identity()
            .email_identity(&identity)
            .send()
            .await
            .map_err(|e| format!("{id}: {}", aws_sdk_sesv2::error::DisplayErrorContext(e)))?;
    }
    scope.names.set_ref(id, identity.clone());
    Ok(format!("{id}: SES identity {identity}"))
}

/// The Stripe stand-in's keys, in the shape the operator stores Stripe's in AWS.
pub fn stripe_secret() -> String {
    json!({
        "secret_key": stripe_standin::DEFAULT_API_KEY,
        "webhook_secrets": [stripe_standin::LOCAL_WEBHOOK_SECRET],
        "publishable_key": stripe_standin::DEFAULT_PUBLISHABLE_KEY,
    })
    .to_string()
}

/// Generated secrets get the stack's fixed local key (so tokens signed before a restart
/// stay valid); a `SecretStringTemplate` gets it under its `GenerateStringKey`.
fn secret_string(props: &Value, generated: &str) -> String {
    if let Some(s) = props["SecretString"].as_str() {
        return s.to_string();
    }
    let generate = &props["GenerateSecretString"];
    match (generate["SecretStringTemplate"].as_str(), generate["GenerateStringKey"].as_str()) {
        (Some(template), Some(key)) => {
            let mut doc: Value = serde_json::from_str(template).unwrap_or_else(|_| json!({}));
            doc[key] = json!(generated);
            doc.to_string()
        }
        _ => generated.to_string(),
    }
}

async fn secret(c: &Clients, scope: &mut Scope, id: &str, props: &Value, generated: &str) -> Result<String, String> {
    let name = physical_name(props, "Name", id);
    let arn = match c.secrets.describe_secret().secret_id(&name).send().await {
        Ok(d) => d.arn.unwrap_or_default(),
        Err(_) => c
            .secrets
            .create_secret()
            .name(&name)
            .secret_string(if id == "StripeSecret" { stripe_secret() } else { secret_string(props, generated) })
            .send()
            .await
            .map_err(|e| format!("{id}: {}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)))?
            .arn
            .unwrap_or_default(),
    };
    scope.names.set_ref(id, arn.clone());
    scope.names.set_attr(id, "Id", arn);
    Ok(format!("{id}: secret {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_use_the_local_key() {
        assert_eq!(secret_string(&json!({"GenerateSecretString": {"PasswordLength": 64}}), "k"), "k");
        let t = json!({"GenerateSecretString": {"SecretStringTemplate": "{\"user\":\"a\"}", "GenerateStringKey": "password"}});
        assert_eq!(
            serde_json::from_str::<Value>(&secret_string(&t, "k")).unwrap(),
            json!({"user": "a", "password": "k"})
        );
        assert_eq!(secret_string(&json!({"SecretString": "fixed"}), "k"), "fixed");
    }
}
