//! The frames of the chat WebSocket, as JSON text. API Gateway picks a route by the
//! `action` member; each route's function parses the whole frame here again, so a frame
//! is checked like an HTTP body: not JSON, an unknown action, a missing or malformed
//! member, or an unknown one, each gets an [`ErrorFrame`] naming the field, never a crash.
//!
//! Inbound (client to server):
//! - `{"action":"send_message","booking_id":..,"client_id":..,"text":..,"attachment_id":..}`
//!   (`attachment_id` optional; with one, `text` may be left out)
//! - `{"action":"typing","booking_id":..}`
//! - `{"action":"mark_read","booking_id":..,"message_id":..}`
//! - `{"action":"ping"}`
//!
//! Outbound frames carry a `type` ([`Outbound`]).

use crate::attachment::{AttachmentId, AttachmentView};
use crate::message::{self, MessageId, MessageView};
use crate::notice::NoticeView;
use chrono::{DateTime, Utc};
use cm_core::{BookingId, FieldErrors, UserId};
use serde::Serialize;
use serde_json::{Map, Value};

/// API Gateway refuses frames over 32 KB itself; a smaller bound here keeps the parse
/// cheap and says so politely before the gateway would cut the connection.
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

pub const ACTIONS: [&str; 4] = ["send_message", "typing", "mark_read", "ping"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    SendMessage { booking_id: BookingId, client_id: String, text: String, attachment_id: Option<AttachmentId> },
    Typing { booking_id: BookingId },
    MarkRead { booking_id: BookingId, message_id: MessageId },
    Ping,
}

impl Inbound {
    pub fn action(&self) -> &'static str {
        match self {
            Inbound::SendMessage { .. } => "send_message",
            Inbound::Typing { .. } => "typing",
            Inbound::MarkRead { .. } => "mark_read",
            Inbound::Ping => "ping",
        }
    }
}

/// A refused frame, shaped like an RFC 9457 problem inside a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorFrame {
    pub status: u16,
    /// Stable, for clients to switch on: `bad-frame`, `validation`, `unknown-action`,
    /// `not-found`, `forbidden`, `conflict`, `rate-limited`, `unauthorized`,
    /// `unavailable`.
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Box<FieldErrors>>,
    /// The action the frame asked for, when it named one of the actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    /// The sender's message id, so a client can tell which send failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u32>,
}

impl ErrorFrame {
    fn new(status: u16, code: &'static str, title: &'static str, detail: impl Into<String>) -> ErrorFrame {
        ErrorFrame {
            status,
            code,
            title,
            detail: detail.into(),
            errors: None,
            action: None,
            client_id: None,
            retry_after_secs: None,
        }
    }
    pub fn bad_frame(detail: impl Into<String>) -> ErrorFrame {
        ErrorFrame::new(400, "bad-frame", "Malformed frame", detail)
    }
    pub fn validation(errors: FieldErrors) -> ErrorFrame {
        let mut e = ErrorFrame::new(400, "validation", "Invalid frame", "some members of the frame are invalid");
        e.errors = Some(Box::new(errors));
        e
    }
    pub fn unknown_action(action: &str) -> ErrorFrame {
        let shown: String = action.chars().take(40).collect();
        ErrorFrame::new(
            400,
            "unknown-action",
            "Unknown action",
            format!("unknown action {shown:?}; the actions are {}", ACTIONS.join(", ")),
        )
    }
    pub fn not_found(detail: impl Into<String>) -> ErrorFrame {
        ErrorFrame::new(404, "not-found", "Not found", detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> ErrorFrame {
        ErrorFrame::new(403, "forbidden", "Forbidden", detail)
    }
    /// The frame is well formed but what it names is in the wrong state (an attachment
    /// still processing, refused, or already sent).
    pub fn conflict(detail: impl Into<String>) -> ErrorFrame {
        ErrorFrame::new(409, "conflict", "Conflict", detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> ErrorFrame {
        ErrorFrame::new(401, "unauthorized", "Unauthorized", detail)
    }
    pub fn rate_limited(retry_after_secs: u32) -> ErrorFrame {
        let mut e = ErrorFrame::new(
            429,
            "rate-limited",
            "Too many messages",
            format!("this connection is sending too fast; try again in {retry_after_secs} s"),
        );
        e.retry_after_secs = Some(retry_after_secs);
        e
    }
    pub fn unavailable() -> ErrorFrame {
        ErrorFrame::new(
            503,
            "unavailable",
            "Try again",
            "the chat is briefly unavailable; send again with the same client_id",
        )
    }
    pub fn retry_after(mut self, secs: u32) -> ErrorFrame {
        self.retry_after_secs = Some(secs);
        self
    }
    pub fn for_action(mut self, action: &'static str, client_id: Option<&str>) -> ErrorFrame {
        self.action = Some(action);
        self.client_id = client_id.map(str::to_string);
        self
    }
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outbound {
    /// A new message in one of the user's rooms (their own too, to their other tabs).
    Message {
        message: MessageView,
    },
    /// The answer to `send_message`: stored (or already stored, for a retried id).
    Sent {
        client_id: String,
        duplicate: bool,
        message: MessageView,
    },
    /// Someone in the room is typing.
    Typing {
        booking_id: BookingId,
        user_id: UserId,
    },
    /// A participant has read up to `message_id`.
    Read {
        booking_id: BookingId,
        user_id: UserId,
        message_id: MessageId,
    },
    /// The answer to `mark_read`: what is still unread in the room for this user; also
    /// pushed to the reader's other sockets, so every tab's count follows.
    Marked {
        booking_id: BookingId,
        message_id: MessageId,
        unread: u32,
    },
    Pong {
        at: DateTime<Utc>,
    },
    /// Something happened that the user hears about (a booking change, a delivered
    /// gallery, money); also kept for `GET /notifications`.
    Notification {
        notification: NoticeView,
    },
    /// To every socket of a user who marked notifications read (their other tabs and
    /// devices update their bell): everything up to `up_to`, or the notices `ids`.
    NotificationsRead {
        #[serde(skip_serializing_if = "Option::is_none")]
        up_to: Option<crate::notice::NoticeId>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        ids: Vec<crate::notice::NoticeId>,
    },
    /// To its uploader: processing settled an attachment (`ready`: send it now; or
    /// `rejected`, with the reason).
    Attachment {
        attachment: AttachmentView,
    },
    Error(ErrorFrame),
}

impl Outbound {
    pub fn to_text(&self) -> String {
        // Serialising these types cannot fail: every key is a string.
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"type":"error","status":500}"#.to_string())
    }
}

/// Parses one inbound frame.
pub fn parse(body: &str) -> Result<Inbound, ErrorFrame> {
    if body.len() > MAX_FRAME_BYTES {
        return Err(ErrorFrame::bad_frame(format!("frames are at most {MAX_FRAME_BYTES} bytes")));
    }
    let value: Value = serde_json::from_str(body).map_err(|e| ErrorFrame::bad_frame(format!("not JSON: {e}")))?;
    let Value::Object(mut map) = value else {
        return Err(ErrorFrame::bad_frame("a frame is a JSON object with an \"action\""));
    };
    let action = match map.remove("action") {
        Some(Value::String(a)) => a,
        Some(_) => return Err(ErrorFrame::bad_frame("\"action\" must be a string")),
        None => return Err(ErrorFrame::bad_frame("a frame needs an \"action\"")),
    };
    let client_id = map.get("client_id").and_then(Value::as_str).map(str::to_string);
    let mut errors = FieldErrors::new();
    let mut fields = Fields { map, errors: &mut errors };
    let parsed = match action.as_str() {
        "send_message" => {
            let booking_id = fields.id::<BookingId>("booking_id");
            let client_id = fields.string("client_id");
            if let Some(c) = &client_id {
                message::check_client_id(fields.errors, "client_id", c);
            }
            let attachment_id = fields.optional_id::<AttachmentId>("attachment_id");
            let text = match attachment_id {
                // Present (even if malformed): the text is optional.
                Some(Some(_)) | None => {
                    fields.optional_string("text").map(|t| message::check_caption(fields.errors, "text", t.as_deref()))
                }
                Some(None) => fields.string("text").map(|t| message::check_text(fields.errors, "text", &t)),
            };
            fields.finish(&["booking_id", "client_id", "text", "attachment_id"]);
            (booking_id, client_id, text, attachment_id.flatten()).into_send()
        }
        "typing" => {
            let booking_id = fields.id::<BookingId>("booking_id");
            fields.finish(&["booking_id"]);
            booking_id.map(|booking_id| Inbound::Typing { booking_id })
        }
        "mark_read" => {
            let booking_id = fields.id::<BookingId>("booking_id");
            let message_id = fields.id::<MessageId>("message_id");
            fields.finish(&["booking_id", "message_id"]);
            booking_id.zip(message_id).map(|(booking_id, message_id)| Inbound::MarkRead { booking_id, message_id })
        }
        "ping" => {
            fields.finish(&[]);
            Some(Inbound::Ping)
        }
        other => return Err(ErrorFrame::unknown_action(other)),
    };
    match parsed {
        Some(inbound) if errors.is_empty() => Ok(inbound),
        _ => {
            let known = ACTIONS.iter().find(|a| **a == action).copied().unwrap_or("unknown");
            Err(ErrorFrame::validation(errors).for_action(known, client_id.as_deref()))
        }
    }
}

trait IntoSend {
    fn into_send(self) -> Option<Inbound>;
}

impl IntoSend for (Option<BookingId>, Option<String>, Option<String>, Option<AttachmentId>) {
    fn into_send(self) -> Option<Inbound> {
        let (Some(booking_id), Some(client_id), Some(text), attachment_id) = self else { return None };
        Some(Inbound::SendMessage { booking_id, client_id, text, attachment_id })
    }
}

struct Fields<'a> {
    map: Map<String, Value>,
    errors: &'a mut FieldErrors,
}

impl Fields<'_> {
    fn string(&mut self, name: &str) -> Option<String> {
        match self.map.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.errors.add(name, "must be a string");
                None
            }
            None => {
                self.errors.add(name, "is required");
                None
            }
        }
    }

    /// `Some(None)` when absent (or null), `None` when present and wrong.
    fn optional_string(&mut self, name: &str) -> Option<Option<String>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(_) => self.string(name).map(Some),
        }
    }

    /// `Some(None)` when absent (or null), `None` when present and not an id (the
    /// error is recorded), `Some(Some(id))` otherwise.
    fn optional_id<T: std::str::FromStr>(&mut self, name: &str) -> Option<Option<T>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Some(None),
            Some(_) => self.id(name).map(Some),
        }
    }

    fn id<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
        let raw = self.string(name)?;
        match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                self.errors.add(name, "is not a valid id");
                None
            }
        }
    }

    /// Unknown members are refused, as in HTTP bodies: a typo must not pass silently.
    fn finish(&mut self, known: &[&str]) {
        let mut unknown: Vec<&String> = self.map.keys().filter(|k| !known.contains(&k.as_str())).collect();
        unknown.sort();
        for k in unknown {
            let shown: String = k.chars().take(40).collect();
            self.errors.add(shown, "is not a member of this action");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn fields(e: &ErrorFrame) -> Vec<String> {
        e.errors.as_ref().map(|f| f.iter().map(|x| x.field.clone()).collect()).unwrap_or_default()
    }

    #[test]
    fn each_action_parses() {
        let b = BookingId::new();
        let m = MessageId::at(Utc::now());
        let send = json!({"action": "send_message", "booking_id": b.to_string(), "client_id": "c-1", "text": " hi "});
        assert_eq!(
            parse(&send.to_string()),
            Ok(Inbound::SendMessage { booking_id: b, client_id: "c-1".into(), text: "hi".into(), attachment_id: None })
        );
        let a = AttachmentId::new();
        let with_file = json!({"action": "send_message", "booking_id": b.to_string(), "client_id": "c-2",
            "attachment_id": a.to_string()});
        assert_eq!(
            parse(&with_file.to_string()),
            Ok(Inbound::SendMessage {
                booking_id: b,
                client_id: "c-2".into(),
                text: String::new(),
                attachment_id: Some(a)
            }),
            "an attachment needs no words"
        );
        assert_eq!(
            parse(&json!({"action": "typing", "booking_id": b.to_string()}).to_string()),
            Ok(Inbound::Typing { booking_id: b })
        );
        assert_eq!(
            parse(
                &json!({"action": "mark_read", "booking_id": b.to_string(), "message_id": m.to_string()}).to_string()
            ),
            Ok(Inbound::MarkRead { booking_id: b, message_id: m })
        );
        assert_eq!(parse(r#"{"action":"ping"}"#), Ok(Inbound::Ping));
    }

    #[test]
    fn bad_frames_say_what_is_wrong() {
        assert_eq!(parse("not json").unwrap_err().code, "bad-frame");
        assert_eq!(parse("[1]").unwrap_err().code, "bad-frame");
        assert_eq!(parse(r#"{"text":"hi"}"#).unwrap_err().code, "bad-frame");
        assert_eq!(parse(r#"{"action":7}"#).unwrap_err().code, "bad-frame");
        let e = parse(r#"{"action":"dance"}"#).unwrap_err();
        assert_eq!((e.code, e.status), ("unknown-action", 400));
        assert!(e.detail.contains("send_message"));
        let e = parse(&"x".repeat(MAX_FRAME_BYTES + 1)).unwrap_err();
        assert!(e.detail.contains("at most"));
    }

    #[test]
    fn invalid_members_are_named() {
        let e = parse(r#"{"action":"send_message","booking_id":"nope","client_id":"a b","text":"","extra":1}"#)
            .unwrap_err();
        assert_eq!(e.code, "validation");
        assert_eq!(fields(&e), ["booking_id", "client_id", "text", "extra"]);
        assert_eq!(e.action, Some("send_message"));
        assert_eq!(e.client_id.as_deref(), Some("a b"));
        let e = parse(r#"{"action":"send_message"}"#).unwrap_err();
        assert_eq!(fields(&e), ["booking_id", "client_id", "text"]);
        let long = "x".repeat(message::MAX_TEXT_CHARS + 1);
        let e = parse(
            &json!({"action":"send_message","booking_id":BookingId::new().to_string(),"client_id":"a","text":long})
                .to_string(),
        )
        .unwrap_err();
        assert_eq!(fields(&e), ["text"]);
        let e = parse(r#"{"action":"send_message","booking_id":"01JDX0000000000000000000B1","client_id":"a","attachment_id":"nope","text":7}"#)
            .unwrap_err();
        assert_eq!(fields(&e), ["attachment_id", "text"]);
        let b = BookingId::new().to_string();
        let e =
            parse(&json!({"action":"send_message","booking_id":b,"client_id":"a","text":" "}).to_string()).unwrap_err();
        assert_eq!(fields(&e), ["text"], "without an attachment, words are required");
        let e = parse(r#"{"action":"ping","x":1}"#).unwrap_err();
        assert_eq!(fields(&e), ["x"]);
    }

    #[test]
    fn outbound_frames_have_a_type() {
        let v: Value = serde_json::from_str(&Outbound::Pong { at: Utc::now() }.to_text()).unwrap();
        assert_eq!(v["type"], "pong");
        let v: Value = serde_json::from_str(&Outbound::Error(ErrorFrame::rate_limited(3)).to_text()).unwrap();
        assert_eq!(
            (v["type"].as_str(), v["status"].as_u64(), v["code"].as_str()),
            (Some("error"), Some(429), Some("rate-limited"))
        );
    }

    proptest! {
        #[test]
        fn no_input_panics(s in "\\PC{0,300}") {
            let _ = parse(&s);
        }

        #[test]
        fn any_json_object_parses_or_is_refused(action in "[a-z_]{0,12}", extra in "[a-z]{1,8}", v in any::<i64>()) {
            let frame = json!({"action": action, extra: v}).to_string();
            if let Err(e) = parse(&frame) {
                prop_assert!(e.status == 400);
            }
        }
    }
}
