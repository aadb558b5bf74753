//! X-Ray subsegments around AWS calls (`cm_runtime::xray`): a real DynamoDB call through
//! the shared HTTP client, with a UDP socket standing where Lambda's X-Ray daemon listens.

use cm_runtime::xray::TracingClient;
use std::net::UdpSocket;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ROOT: &str = "1-6751b2c0-0123456789abcdef01234567";
const PARENT: &str = "53995c3f42cd8ad8";

#[tokio::test]
async fn each_aws_call_of_a_sampled_invocation_sends_one_subsegment_and_unsampled_ones_send_none() {
    let daemon = UdpSocket::bind("127.0.0.1:0").unwrap();
    daemon.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // What lambda_runtime would have put in `_X_AMZN_TRACE_ID` for the invocation under way.
    let header = Arc::new(Mutex::new(Some(format!("Root={ROOT};Parent={PARENT};Sampled=1"))));
    let current = header.clone();
    let client = TracingClient::new(
        cm_runtime::sdk_http_client(),
        daemon.local_addr().unwrap(),
        Arc::new(move || current.lock().unwrap().clone()),
    )
    .expect("a UDP socket");
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(cm_tests::servers::dynamodb())
        .http_client(client)
        .load()
        .await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let missing = format!("no-such-table-{}", ulid::Ulid::new());

    dynamo.list_tables().limit(1).send().await.expect("ListTables");
    let refused = dynamo.describe_table().table_name(&missing).send().await;
    assert!(refused.is_err());

    let mut buf = [0u8; 65_536];
    let mut docs = Vec::new();
    for _ in 0..2 {
        let n = daemon.recv(&mut buf).expect("a subsegment datagram");
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let (head, doc) = text.split_once('\n').expect("a header line, then the document");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(head).unwrap(),
            serde_json::json!({"format": "json", "version": 1})
        );
        docs.push(serde_json::from_str::<serde_json::Value>(doc).unwrap());
    }
    for doc in &docs {
        assert_eq!((doc["trace_id"].as_str(), doc["parent_id"].as_str()), (Some(ROOT), Some(PARENT)), "{doc}");
        assert_eq!((doc["type"].as_str(), doc["name"].as_str()), (Some("subsegment"), Some("dynamodb")));
        assert!(doc["id"].as_str().is_some_and(|id| id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit())));
        assert!(doc["end_time"].as_f64() >= doc["start_time"].as_f64(), "{doc}");
    }
    assert_ne!(docs[0]["id"], docs[1]["id"]);
    assert_eq!(docs[0]["aws"]["operation"], "ListTables");
    assert_eq!((docs[0]["http"]["response"]["status"].as_u64(), docs[0]["error"].as_bool()), (Some(200), Some(false)));
    assert_eq!(docs[1]["aws"]["operation"], "DescribeTable");
    assert_eq!(
        (docs[1]["http"]["response"]["status"].as_u64(), docs[1]["error"].as_bool(), docs[1]["fault"].as_bool()),
        (Some(400), Some(true), Some(false)),
        "a missing table is the caller's error, not AWS's fault"
    );

    // An invocation that is not sampled, or no invocation at all, sends nothing.
    daemon.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    for h in [Some(format!("Root={ROOT};Parent={PARENT};Sampled=0")), None] {
        *header.lock().unwrap() = h;
        dynamo.list_tables().limit(1).send().await.expect("ListTables");
        assert!(daemon.recv(&mut buf).is_err(), "nothing is sent for an unsampled call");
    }
}
