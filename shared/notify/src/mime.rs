//! The email as SES sends it: one MIME message per recipient.

use crate::email::Email;
use crate::model::Party;
use base64::Engine as _;
use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;

const SENDER_NAME: &str = "Capture Moments";

/// `multipart/mixed` of `multipart/alternative` (text, HTML) and the `text/calendar`
/// invite with its iTIP `method` parameter, which mail clients read to offer "add to
/// calendar" or "remove". The invite travels base64-encoded: its CRLF line endings and
/// folded lines reach the calendar byte for byte.
pub fn mime(email: &Email, from_email: &str, to: &Party, message_id: &str) -> std::io::Result<Vec<u8>> {
    let alternative = MimePart::new(
        "multipart/alternative",
        vec![MimePart::new("text/plain", email.text.as_str()), MimePart::new("text/html", email.html.as_str())],
    );
    let body = match &email.ics {
        Some(ics) => {
            let invite = MimePart::new(content_type(&ics.content_type), base64_lines(ics.body.as_bytes()))
                .attachment(ics.filename.as_str())
                .transfer_encoding("base64");
            MimePart::new("multipart/mixed", vec![alternative, invite])
        }
        None => alternative,
    };
    MessageBuilder::new()
        .message_id(message_id.to_string())
        .from((SENDER_NAME, from_email))
        .to((display_name(&to.name), to.email.clone()))
        .subject(email.subject.as_str())
        .body(body)
        .write_to_vec()
}

/// Base64 in lines of 76 characters (RFC 2045), CRLF-separated.
fn base64_lines(bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out
}

/// Names come from users: no control characters may reach a header.
fn display_name(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// `text/calendar; method=REQUEST; charset=UTF-8` into a type and its parameters.
fn content_type(raw: &str) -> ContentType<'static> {
    let mut parts = raw.split(';').map(str::trim).filter(|p| !p.is_empty());
    let mut ct = ContentType::new(parts.next().unwrap_or("application/octet-stream").to_string());
    for param in parts {
        if let Some((k, v)) = param.split_once('=') {
            ct = ct.attribute(k.trim().to_string(), v.trim().trim_matches('"').to_string());
        }
    }
    ct
}
