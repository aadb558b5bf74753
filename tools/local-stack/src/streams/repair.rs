//! DynamoDB Local writes an empty map in a stream record as `{}`, with no type, where
//! DynamoDB writes `{"M":{}}` (seen with an availability saved with no weekly hours).
//! The SDK then refuses the whole GetRecords answer ("Union did not contain a valid
//! variant"), and a poller could get no further on that shard. This HTTP client sits
//! under the local stack's Streams client and rewrites such values to what DynamoDB
//! sends before the SDK reads them. Only the record images are touched; every other
//! answer passes through byte for byte.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use serde_json::Value;

#[derive(Debug)]
pub struct RepairingClient {
    pub inner: SharedHttpClient,
}

impl HttpClient for RepairingClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(RepairingConnector { inner: self.inner.http_connector(settings, components) })
    }
}

#[derive(Debug)]
struct RepairingConnector {
    inner: SharedHttpConnector,
}

impl HttpConnector for RepairingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            let mut response = inner.call(request).await?;
            let body = std::mem::replace(response.body_mut(), SdkBody::taken());
            let bytes = ByteStream::new(body).collect().await.map_err(|e| ConnectorError::io(e.into()))?.into_bytes();
            *response.body_mut() = match repair(&bytes) {
                Some(fixed) => SdkBody::from(fixed),
                None => SdkBody::from(bytes),
            };
            Ok(response)
        })
    }
}

/// The answer with every untyped empty attribute value in its records' images made an
/// empty map; `None` when there is nothing to change (or it is not a records answer).
pub fn repair(body: &[u8]) -> Option<Vec<u8>> {
    let mut answer: Value = serde_json::from_slice(body).ok()?;
    let mut changed = false;
    for record in answer.get_mut("Records")?.as_array_mut()? {
        let Some(images) = record.get_mut("dynamodb").and_then(Value::as_object_mut) else { continue };
        for image in ["Keys", "NewImage", "OldImage"] {
            if let Some(attributes) = images.get_mut(image).and_then(Value::as_object_mut) {
                for value in attributes.values_mut() {
                    changed |= repair_value(value);
                }
            }
        }
    }
    changed.then(|| serde_json::to_vec(&answer).expect("a JSON value serialises"))
}

fn repair_value(value: &mut Value) -> bool {
    let Some(typed) = value.as_object_mut() else { return false };
    if typed.is_empty() {
        *value = serde_json::json!({"M": {}});
        return true;
    }
    let mut changed = false;
    if let Some(map) = typed.get_mut("M").and_then(Value::as_object_mut) {
        for v in map.values_mut() {
            changed |= repair_value(v);
        }
    }
    if let Some(list) = typed.get_mut("L").and_then(Value::as_array_mut) {
        for v in list {
            changed |= repair_value(v);
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn untyped_empty_values_in_images_become_empty_maps_at_any_depth() {
        let body = json!({"Records": [{"eventName": "MODIFY", "dynamodb": {
            "Keys": {"pk": {"S": "USER#1"}},
            "NewImage": {"weekly": {}, "doc": {"M": {"inner": {}, "list": {"L": [{}, {"S": "x"}]}}}},
            "OldImage": {"weekly": {"M": {"mon": {"L": []}}}}
        }}], "NextShardIterator": "it"});
        let fixed: Value = serde_json::from_slice(&repair(body.to_string().as_bytes()).unwrap()).unwrap();
        let image = &fixed["Records"][0]["dynamodb"];
        assert_eq!(image["NewImage"]["weekly"], json!({"M": {}}));
        assert_eq!(image["NewImage"]["doc"]["M"]["inner"], json!({"M": {}}));
        assert_eq!(image["NewImage"]["doc"]["M"]["list"]["L"], json!([{"M": {}}, {"S": "x"}]));
        assert_eq!(image["OldImage"], body["Records"][0]["dynamodb"]["OldImage"], "typed values are kept");
        assert_eq!(fixed["NextShardIterator"], "it");
    }

    #[test]
    fn answers_with_nothing_to_repair_pass_through_untouched() {
        let fine = json!({"Records": [{"dynamodb": {"NewImage": {"a": {"M": {}}, "b": {"N": "1"}}}}]});
        assert!(repair(fine.to_string().as_bytes()).is_none());
        assert!(repair(br#"{"StreamDescription": {"Shards": []}}"#).is_none());
        assert!(repair(b"not json").is_none());
    }
}
