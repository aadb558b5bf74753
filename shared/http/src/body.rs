//! Request bodies: JSON only, bounded in size, unknown fields refused, and every
//! decoding failure answered as a precise 4xx naming the offending field.

use crate::RequestError;
use cm_core::FieldErrors;
use lambda_http::{Body, Request};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};
use serde_json::{Map, Value};

pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Decodes a JSON body. A body without a JSON content type is refused (415) rather
/// than guessed at: silently parsing form posts as JSON hides client bugs.
pub fn parse_json<T: DeserializeOwned>(req: &Request) -> Result<T, RequestError> {
    let content_type = req.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !(mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))) {
        return Err(RequestError::UnsupportedMediaType);
    }
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(RequestError::PayloadTooLarge);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::BadRequest("the request body is empty; send a JSON object".into()));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| RequestError::BadRequest("the request body is not valid UTF-8".into()))?;
    // Syntax first, shape second: a truncated body is malformed (400) even when its
    // first element already has the wrong type.
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => RequestError::BadRequest("the JSON body ends too early".into()),
        _ => RequestError::BadRequest(format!("malformed JSON: {e}")),
    })?;
    serde_path_to_error::deserialize(Strict(json)).map_err(|e| shape_error(&e))
}

/// The body exactly as sent, as UTF-8 text: for bodies whose bytes are signed (webhooks),
/// which must be verified before they are parsed.
pub fn raw_text(req: &Request, max_bytes: usize) -> Result<&str, RequestError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => &[],
    };
    if bytes.len() > max_bytes {
        return Err(RequestError::PayloadTooLarge);
    }
    if bytes.is_empty() {
        return Err(RequestError::BadRequest("the request body is empty".into()));
    }
    std::str::from_utf8(bytes).map_err(|_| RequestError::BadRequest("the request body is not valid UTF-8".into()))
}

/// Well-formed JSON of the wrong shape: name the field so the client can fix it.
fn shape_error(e: &serde_path_to_error::Error<serde_json::Error>) -> RequestError {
    let path = e.path().to_string();
    let field = if path == "." { String::new() } else { path };
    RequestError::Validation(FieldErrors::single(field, e.inner().to_string()))
}

/// A parsed body read as serde_json reads a `Value`, except that a struct only comes
/// from a JSON object: serde's derived structs also take an array of their fields in
/// order (`["token"]` for `{"refresh_token": "token"}`), which the API does not accept.
struct Strict(Value);

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> de::Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(StrictSeq(items.into_iter())),
            Value::Object(map) => visitor.visit_map(StrictMap(map.into_iter(), None)),
            other => de::Deserializer::deserialize_any(other, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Strict(other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(StrictMap(map.into_iter(), None)),
            other => Err(de::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_enum(self.0, name, variants, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct StrictSeq(std::vec::IntoIter<Value>);

impl<'de> de::SeqAccess<'de> for StrictSeq {
    type Error = serde_json::Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Self::Error> {
        self.0.next().map(|v| seed.deserialize(Strict(v))).transpose()
    }
}

struct StrictMap(<Map<String, Value> as IntoIterator>::IntoIter, Option<Value>);

impl<'de> de::MapAccess<'de> for StrictMap {
    type Error = serde_json::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some((key, value)) = self.0.next() else { return Ok(None) };
        self.1 = Some(value);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.1.take().ok_or_else(|| de::Error::custom("a map value was read before its key"))?;
        seed.deserialize(Strict(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        amount: i64,
        code: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        inner: Inner,
        list: Vec<Inner>,
        #[serde(default)]
        flag: bool,
    }

    fn strict<T: DeserializeOwned>(v: Value) -> Result<T, String> {
        serde_path_to_error::deserialize(Strict(v)).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    #[test]
    fn objects_deserialize_as_serde_json_does() {
        let v = serde_json::json!({"name": "a", "inner": {"amount": 1, "code": null}, "list": [{"amount": 2, "code": "x"}]});
        assert_eq!(strict::<Outer>(v.clone()).unwrap(), serde_json::from_value::<Outer>(v).unwrap());
        assert!(
            strict::<Outer>(serde_json::json!({"name": "a", "inner": {"amount": 1.5, "code": null}, "list": []}))
                .is_err()
        );
        let unknown =
            strict::<Outer>(serde_json::json!({"name": "a", "inner": {"amount": 1, "code": null}, "list": [], "x": 1}));
        assert!(unknown.unwrap_err().contains("unknown field `x`"));
    }

    #[test]
    fn arrays_never_stand_in_for_objects() {
        assert!(serde_json::from_value::<Inner>(serde_json::json!([1, "x"])).is_ok(), "serde's own reading");
        assert!(strict::<Inner>(serde_json::json!([1, "x"])).is_err());
        let nested = strict::<Outer>(serde_json::json!({"name": "a", "inner": [1, null], "list": []})).unwrap_err();
        assert!(nested.starts_with("inner: invalid type: sequence"), "{nested}");
        let in_list = strict::<Outer>(
            serde_json::json!({"name": "a", "inner": {"amount": 1, "code": null}, "list": [[1, null]]}),
        );
        assert!(in_list.unwrap_err().starts_with("list[0]"));
    }
}
