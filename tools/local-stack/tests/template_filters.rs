//! The stream filters in template.yaml, run over representative records with the same
//! matcher the local stack uses. Nothing else checks these strings: a typo in one would
//! silently starve its function in AWS.

use local_stack::streams::pattern::{Pattern, passes};
use local_stack::template::Template;
use serde_json::{Value, json};
use std::path::Path;

fn filters_of(binary: &str) -> Vec<Pattern> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    let template = Template::load(&path, "us-east-1").expect("template.yaml loads");
    let f = template.functions().into_iter().find(|f| f.binary == binary).expect("function in template");
    let event = f.events.iter().find(|e| e.kind == "DynamoDB").expect("a stream event");
    event.properties["FilterCriteria"]["Filters"]
        .as_sequence()
        .expect("filters")
        .iter()
        .map(|p| Pattern::parse(p["Pattern"].as_str().expect("pattern text")).expect("valid pattern"))
        .collect()
}

fn record(event_name: &str, image: Value) -> Value {
    let mut dynamodb = json!({"Keys": {"pk": image["pk"], "sk": image["sk"]}, "SequenceNumber": "1", "StreamViewType": "NEW_AND_OLD_IMAGES"});
    if event_name == "REMOVE" {
        dynamodb["OldImage"] = image;
    } else {
        dynamodb["NewImage"] = image;
    }
    json!({"eventName": event_name, "eventSource": "aws:dynamodb", "dynamodb": dynamodb})
}

fn item(entity: &str, extra: Value) -> Value {
    let mut v = json!({"pk": {"S": "X#1"}, "sk": {"S": "Y"}, "entity": {"S": entity}});
    for (k, val) in extra.as_object().into_iter().flatten() {
        v[k] = val.clone();
    }
    v
}

#[test]
fn the_sentiment_function_sees_only_reviews_and_feedback_awaiting_analysis() {
    let f = filters_of("score-sentiment");
    let pending = json!({"analysis_state": {"S": "pending"}});
    let done = json!({"analysis_state": {"S": "done"}});
    assert!(passes(&f, &record("INSERT", item("review", pending.clone()))));
    assert!(passes(&f, &record("INSERT", item("feedback", pending.clone()))));
    assert!(passes(&f, &record("MODIFY", item("review", pending.clone()))), "a re-opened analysis");
    assert!(!passes(&f, &record("MODIFY", item("review", done.clone()))), "its own write-back must not loop");
    assert!(!passes(&f, &record("MODIFY", item("feedback", done))));
    assert!(!passes(&f, &record("REMOVE", item("review", pending.clone()))));
    assert!(!passes(&f, &record("INSERT", item("booking", pending))));
    assert!(!passes(&f, &record("MODIFY", item("photographer", json!({})))));
}

#[test]
fn the_notification_function_sees_every_booking_change_and_nothing_else() {
    let f = filters_of("notify-booking-change");
    assert!(passes(&f, &record("INSERT", item("booking", json!({"status": {"S": "pending"}})))));
    assert!(passes(&f, &record("MODIFY", item("booking", json!({"status": {"S": "confirmed"}})))));
    assert!(!passes(&f, &record("REMOVE", item("booking", json!({})))));
    for other in ["slot_lock", "day_count", "review", "listing", "idempotency", "claim"] {
        assert!(!passes(&f, &record("INSERT", item(other, json!({})))), "{other}");
    }
}

#[test]
fn the_chat_fan_out_sees_messages_notices_moved_marks_and_what_happens_to_attachments() {
    let f = filters_of("deliver-chat");
    assert!(passes(&f, &record("INSERT", item("message", json!({})))));
    assert!(passes(&f, &record("INSERT", item("notice", json!({})))));
    assert!(passes(&f, &record("MODIFY", item("room", json!({"read_upto": {"S": "01JD3QB7Z0H4N8Q2R6T9W3Y5XC"}})))));
    assert!(!passes(&f, &record("MODIFY", item("room", json!({})))), "a room never read has no receipt to push");
    assert!(passes(&f, &record("MODIFY", item("attachment", json!({"status": {"S": "ready"}})))));
    assert!(!passes(&f, &record("INSERT", item("attachment", json!({})))), "a ticket is nobody's news");
    assert!(!passes(&f, &record("MODIFY", item("attachment_counters", json!({})))));
    let ttl = json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"});
    let mut forgotten = record("REMOVE", item("attachment", json!({})));
    assert!(!passes(&f, &forgotten), "only DynamoDB's TTL removes drafts");
    forgotten["userIdentity"] = ttl.clone();
    assert!(passes(&f, &forgotten));
    let mut closed = record("REMOVE", item("connection", json!({})));
    closed["userIdentity"] = ttl;
    assert!(!passes(&f, &closed), "an expired socket needs no push");
}

#[test]
fn the_chat_fan_out_hears_of_notifications_read() {
    let f = filters_of("deliver-chat");
    let mark = json!({"read_upto": {"S": "01JD3QB7Z0H4N8Q2R6T9W3Y5XC"}});
    assert!(passes(&f, &record("INSERT", item("notice_mark", mark.clone()))), "the first mark");
    assert!(passes(&f, &record("MODIFY", item("notice_mark", mark))));
    assert!(passes(&f, &record("MODIFY", item("notice", json!({"read_at": {"S": "2026-12-01T10:00:00Z"}})))));
    assert!(!passes(&f, &record("MODIFY", item("notice", json!({})))), "a notice changed but not read");
}
