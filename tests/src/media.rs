//! The media bucket in moto for one test, the upload signer and process-upload wired to
//! it, a browser-like form POST of an upload ticket, and S3 event notifications as S3
//! sends them.

use crate::TestEnv;
use aws_lambda_events::s3::S3Event;
use cm_runtime::UploadSigner;
use cm_store::DynamoStore;
use cm_store::chat::ChatStore;
use process_upload::Processor;
use std::sync::Arc;

pub const PUBLIC_BASE: &str = "https://media.test";

pub struct Media {
    pub bucket: String,
    pub s3: aws_sdk_s3::Client,
    pub signer: &'static UploadSigner,
    pub processor: Processor<DynamoStore>,
}

/// A fresh bucket in moto, and the processor on the test's table and a chat table of
/// its own.
pub async fn media(env: &TestEnv) -> Media {
    let chat_table = format!("chat-{}", ulid::Ulid::new().to_string().to_lowercase());
    crate::aws::create_table(&env.dynamo, &chat_table, "ChatTable").await;
    let bucket = fresh_bucket().await;
    media_in(env, ChatStore::new(env.dynamo.clone(), &chat_table), bucket).await
}

async fn s3_client() -> aws_sdk_s3::Client {
    let sdk = crate::moto::sdk_config().await;
    let conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// A new, empty bucket in moto, as the functions that use it hold it.
pub async fn fresh_bucket() -> &'static cm_runtime::MediaBucket {
    let s3 = s3_client().await;
    let name = format!("media-{}", ulid::Ulid::new().to_string().to_lowercase());
    s3.create_bucket().bucket(&name).send().await.expect("create bucket");
    Box::leak(Box::new(cm_runtime::MediaBucket { s3, name }))
}

/// The processor on the test's table and `chat`, over `bucket` (a chat world's, so
/// that what deliver-chat links to and deletes is what process-upload wrote).
pub async fn media_in(env: &TestEnv, chat: ChatStore, bucket: &cm_runtime::MediaBucket) -> Media {
    let s3 = bucket.s3.clone();
    let bucket = bucket.name.clone();
    let creds = aws_credential_types::Credentials::new("test", "test", None, None, "tests");
    let endpoint = format!("{}/{bucket}", crate::servers::moto());
    let signer = Box::leak(Box::new(UploadSigner::with_credentials(creds, "us-east-1", &bucket, &endpoint)));
    let processor = Processor {
        store: env.app.store.clone(),
        chat,
        s3: s3.clone(),
        bucket: bucket.clone(),
        clock: Arc::new(cm_core::SystemClock),
        limits: cm_imaging::Limits::default(),
    };
    Media { bucket, s3, signer, processor }
}

impl Media {
    /// The bucket as the functions that presign links to it hold it.
    pub fn bucket(&self) -> &'static cm_runtime::MediaBucket {
        Box::leak(Box::new(cm_runtime::MediaBucket { s3: self.s3.clone(), name: self.bucket.clone() }))
    }

    pub async fn keys(&self) -> Vec<String> {
        let out = self.s3.list_objects_v2().bucket(&self.bucket).send().await.expect("list");
        let mut keys: Vec<String> = out.contents().iter().filter_map(|o| o.key().map(String::from)).collect();
        keys.sort();
        keys
    }

    pub async fn get(&self, key: &str) -> Option<(Vec<u8>, Option<String>)> {
        let out = self.s3.get_object().bucket(&self.bucket).key(key).send().await.ok()?;
        let content_type = out.content_type.clone();
        Some((out.body.collect().await.unwrap().into_bytes().to_vec(), content_type))
    }

    pub async fn put(&self, key: &str, bytes: &[u8]) {
        self.s3.put_object().bucket(&self.bucket).key(key).body(bytes.to_vec().into()).send().await.unwrap();
    }
}

/// A media bucket for functions that only presign links to it, in tests that never
/// follow one: signing is local and needs no bucket to exist.
pub async fn signing_only() -> &'static cm_runtime::MediaBucket {
    let sdk = crate::moto::sdk_config().await;
    let conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build();
    Box::leak(Box::new(cm_runtime::MediaBucket {
        s3: aws_sdk_s3::Client::from_conf(conf),
        name: "media-unread".into(),
    }))
}

/// An `ObjectCreated:Post` notification for `key`, as S3 sends it (events/process-upload.json's
/// shape), through the real event type.
pub fn s3_event(bucket: &str, key: &str, size: usize) -> lambda_runtime::LambdaEvent<S3Event> {
    let text = std::fs::read_to_string(crate::template::repo_root().join("events/process-upload.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let s3 = &mut json["Records"][0]["s3"];
    s3["bucket"]["name"] = bucket.into();
    s3["bucket"]["arn"] = format!("arn:aws:s3:::{bucket}").into();
    s3["object"]["key"] = key.into();
    s3["object"]["size"] = size.into();
    let event: S3Event = serde_json::from_value(json).expect("an S3 event");
    lambda_runtime::LambdaEvent::new(event, lambda_runtime::Context::default())
}

/// Posts an upload ticket's form with `file` as a browser does (`multipart/form-data`,
/// the fields first, the file last) and answers the HTTP status.
pub async fn post_form(ticket: &serde_json::Value, file: &[u8], content_type: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = ticket["url"].as_str().expect("a url");
    let rest = url.strip_prefix("http://").expect("a local http url");
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let boundary = "----capture-moments-test-boundary";
    let mut body = Vec::new();
    for (name, value) in ticket["fields"].as_object().expect("fields") {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{}\r\n",
                value.as_str().unwrap()
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect to moto");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no HTTP status in {text}"))
}

/// A plain GET of `url` (a presigned link to moto) as a browser makes it: the status,
/// the headers (names lower-cased) and the body.
pub async fn http_get(url: &str) -> (u16, std::collections::HashMap<String, String>, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("a local http url");
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect to moto");
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}
