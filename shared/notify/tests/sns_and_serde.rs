//! The SNS fan-out message and the wire shape of the inputs.

mod common;

use cm_notify::{BookingEvent, BookingSnapshot, BookingStatus, Party, Role, SNS_MESSAGE_VERSION, sns_message};
use common::{snapshot, utc};
use serde_json::Value;

#[test]
fn sns_message_carries_filter_attributes_and_a_json_body() {
    let s = BookingSnapshot {
        status: BookingStatus::Confirmed,
        sequence: 2,
        previous_start: Some(utc(2026, 12, 25, 4, 30)),
        ..snapshot()
    };
    let msg = sns_message(BookingEvent::Rescheduled, &s, "PHOTO123", "CLIENT456");
    assert_eq!(
        msg.attributes,
        vec![
            ("event".to_owned(), "rescheduled".to_owned()),
            ("booking_id".to_owned(), "01JFBOOKING0000000000000001".to_owned()),
            ("photographer_id".to_owned(), "PHOTO123".to_owned()),
        ]
    );
    assert_eq!(msg.subject, "Booking rescheduled: 01JFBOOKING0000000000000001");

    let body: Value = serde_json::from_str(&msg.message).unwrap();
    assert_eq!(body["version"], SNS_MESSAGE_VERSION);
    assert_eq!(body["event"], "rescheduled");
    assert_eq!(body["booking_id"], "01JFBOOKING0000000000000001");
    assert_eq!(body["photographer_id"], "PHOTO123");
    assert_eq!(body["client_id"], "CLIENT456");
    assert_eq!(body["status"], "confirmed");
    assert_eq!(body["start"], "2026-12-26T04:30:00Z");
    assert_eq!(body["end"], "2026-12-26T06:30:00Z");
    assert_eq!(body["previous_start"], "2026-12-25T04:30:00Z");
    assert_eq!(body["sequence"], 2);
    assert_eq!(body["price"]["amount_minor"], 15_000_000);
    assert_eq!(body["price"]["currency"], "INR");
}

#[test]
fn sns_body_leaves_out_personal_free_text() {
    let s = BookingSnapshot { reason: Some("private note".to_owned()), ..snapshot() };
    let msg = sns_message(BookingEvent::Cancelled, &s, "P", "C");
    assert!(!msg.message.contains("private note"));
    assert!(!msg.message.contains("MG Road"));
}

#[test]
fn sns_subject_is_printable_ascii_within_100_chars_and_empty_attributes_are_dropped() {
    let mut s = snapshot();
    s.booking_id = format!("é\r\n{}", "X".repeat(200));
    let msg = sns_message(BookingEvent::Created, &s, "", "C");
    assert!(msg.subject.len() <= 100);
    assert!(msg.subject.chars().all(|c| c.is_ascii_graphic() || c == ' '));
    assert!(msg.attributes.iter().all(|(_, v)| !v.is_empty()));
    assert!(!msg.attributes.iter().any(|(k, _)| k == "photographer_id"));
}

#[test]
fn every_event_has_its_wire_name_in_the_attributes() {
    for event in BookingEvent::ALL {
        let msg = sns_message(event, &snapshot(), "P", "C");
        assert_eq!(msg.attributes[0], ("event".to_owned(), event.to_string()));
        let wire: Value = serde_json::to_value(event).unwrap();
        assert_eq!(wire, Value::String(event.as_str().to_owned()));
    }
}

#[test]
fn inputs_deserialise_from_snake_case_json_with_optional_fields_absent() {
    let snapshot: BookingSnapshot = serde_json::from_str(
        r#"{
            "booking_id": "01JF",
            "status": "pending",
            "start": "2026-12-26T04:30:00Z",
            "end": "2026-12-26T06:30:00Z",
            "event_type": "wedding",
            "location": {"address": "12 MG Road", "city": "Bengaluru"},
            "price": {"amount_minor": 2500000, "currency": "INR"},
            "sequence": 0
        }"#,
    )
    .unwrap();
    assert_eq!(snapshot.status, BookingStatus::Pending);
    assert_eq!(snapshot.reason, None);
    assert_eq!(snapshot.previous_start, None);
    assert_eq!(snapshot.cancelled_by, None);

    let party: Party = serde_json::from_str(
        r#"{"name": "Asha", "email": "a@example.com", "timezone": "Asia/Kolkata", "role": "client"}"#,
    )
    .unwrap();
    assert_eq!(party.role, Role::Client);

    let event: BookingEvent = serde_json::from_str(r#""rescheduled""#).unwrap();
    assert_eq!(event, BookingEvent::Rescheduled);
    assert!(serde_json::from_str::<BookingEvent>(r#""Rescheduled""#).is_err());
}
