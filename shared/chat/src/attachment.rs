//! Chat attachments: an image or a PDF one participant shares in a booking's room (a
//! mood board, a shot list, a signed contract).
//!
//! An attachment goes through the same upload pipeline as photos: the sender asks for
//! a ticket (a presigned S3 POST limited by S3 itself to the declared type and size),
//! uploads, and `process-upload` decides what the bytes are: images are decoded,
//! stripped of their metadata (GPS above all) and re-encoded in two display sizes; a
//! PDF is kept as it is once its bytes are a PDF. Only then can it go into a message,
//! by its sender, once. The objects are private (`chat/`): whoever may read the room
//! (its participants, admins for a dispute) gets short-lived presigned links to them
//! with the history; a draft that was never sent is in no history, so nobody else ever
//! sees it.
//!
//! Quotas are counters on the room, moved in the same transaction as the new
//! attachment, so concurrent tickets cannot overshoot them.

use crate::message::MessageId;
use chrono::{DateTime, Duration, Utc};
use cm_core::{BookingId, FieldErrors, UserId};
use cm_media::item::{AlreadySettled, ItemStatus, Rejection, Settle};
use serde::{Deserialize, Serialize};

/// What may be attached. HEIC has no pure-Rust decoder and is refused up front.
pub const CONTENT_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "application/pdf"];
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;
/// How long an upload ticket lasts.
pub const TICKET_MINUTES: i64 = 10;
/// An attachment not sent within this long of its ticket is forgotten (its record's
/// TTL); one in a message stays as long as the message.
pub const UNSENT_RETENTION: Duration = Duration::days(2);
/// Per room, over its whole life: attachments announced (rejected ones included, so a
/// stream of bad uploads cannot go on for ever) and bytes announced.
pub const MAX_PER_ROOM: u32 = 200;
pub const MAX_ROOM_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// S3 looks for the `%%EOF` marker of a PDF in its last kilobyte, as readers do.
const PDF_TAIL: usize = 1024;

// A ULID, made when the ticket is issued.
cm_core::ulid_id!(AttachmentId, "attachment");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Image,
    Document,
}

impl AttachmentKind {
    pub fn of(content_type: &str) -> AttachmentKind {
        if content_type.starts_with("image/") { AttachmentKind::Image } else { AttachmentKind::Document }
    }
}

/// `POST /bookings/{id}/attachments`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRequest {
    pub filename: String,
    pub content_type: &'static str,
    pub size_bytes: u64,
}

impl AttachmentRequest {
    /// The name is shown to the other side and used for downloads; what the file is
    /// never depends on it.
    pub fn parse(filename: &str, content_type: &str, size_bytes: i64) -> Result<AttachmentRequest, FieldErrors> {
        let mut errors = FieldErrors::new();
        let checked =
            cm_media::upload::check_file_of(&mut errors, filename, content_type, size_bytes, &CONTENT_TYPES, MAX_BYTES);
        match checked {
            Some(f) => {
                Ok(AttachmentRequest { filename: f.filename, content_type: f.content_type, size_bytes: f.size_bytes })
            }
            None => Err(errors),
        }
    }

    /// The pending attachment a ticket for this request stands for.
    pub fn pending(&self, id: AttachmentId, booking: BookingId, uploader: UserId, now: DateTime<Utc>) -> Attachment {
        Attachment {
            id,
            booking_id: booking,
            uploader_id: uploader,
            filename: self.filename.clone(),
            content_type: self.content_type.to_string(),
            kind: AttachmentKind::of(self.content_type),
            declared_bytes: self.size_bytes,
            status: ItemStatus::Pending,
            size_bytes: None,
            width: None,
            height: None,
            objects: vec![],
            rejection: None,
            message_id: None,
            upload_expires_at: now + Duration::minutes(TICKET_MINUTES),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub booking_id: BookingId,
    pub uploader_id: UserId,
    pub filename: String,
    /// As declared (S3 refused any other type at upload) until processing, which
    /// checks the bytes and sets what is served.
    pub content_type: String,
    pub kind: AttachmentKind,
    pub declared_bytes: u64,
    pub status: ItemStatus,
    /// Stored bytes, once ready (the re-encoded 1600 px image, or the PDF).
    #[serde(default)]
    pub size_bytes: Option<u64>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// Object keys, once ready: an image's 400 px then 1600 px; a document's file.
    #[serde(default)]
    pub objects: Vec<String>,
    #[serde(default)]
    pub rejection: Option<Rejection>,
    /// The message it went out in. Set once, in that message's transaction.
    #[serde(default)]
    pub message_id: Option<MessageId>,
    pub upload_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every change adds one; processing settles only the version it read.
    pub version: u64,
}

/// What processing stored of a ready attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// What is served: images are re-encoded (JPEG); a PDF stays a PDF.
    pub content_type: String,
    pub size_bytes: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub objects: Vec<String>,
}

/// Why an attachment cannot go into a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachError {
    /// Another participant's draft, or another room's: as if it did not exist.
    #[error("attachment {0} does not exist in this chat")]
    NotFound(AttachmentId),
    #[error("attachment {0} is still being processed; send it when it is ready")]
    NotReady(AttachmentId),
    #[error("attachment {0} was refused: {1}")]
    Rejected(AttachmentId, String),
}

/// An attachment as a message carries it (in history and in frames).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub id: AttachmentId,
    pub filename: String,
    pub content_type: String,
    pub kind: AttachmentKind,
    pub size_bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Short-lived links to an attachment's objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentLinks {
    /// An image's 400 px version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// To show: an image's 1600 px version, or the PDF inline.
    pub view: String,
    /// The same, saved under [`Attachment::download_name`].
    pub download: String,
    pub expire_at: DateTime<Utc>,
}

/// An attachment as a message shows it: what the message carries, and links where
/// the reader is given them (the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentShown {
    #[serde(flatten)]
    pub file: AttachmentRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<AttachmentLinks>,
}

/// A new attachment, as its ticket answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentView {
    pub id: AttachmentId,
    pub booking_id: BookingId,
    pub uploader_id: UserId,
    pub filename: String,
    pub content_type: String,
    pub kind: AttachmentKind,
    pub status: ItemStatus,
    pub size_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    pub created_at: DateTime<Utc>,
}

/// The keys to presign for a ready attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkKeys {
    pub thumbnail: Option<String>,
    pub view: String,
}

impl Settle for Attachment {
    fn status(&self) -> ItemStatus {
        self.status
    }
    fn mark(&mut self, status: ItemStatus, rejection: Option<Rejection>) {
        self.status = status;
        self.rejection = rejection;
    }
    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.version += 1;
    }
}

impl Attachment {
    pub fn ready(&self, stored: Stored, now: DateTime<Utc>) -> Result<Attachment, AlreadySettled> {
        self.settle(now, |a| {
            a.status = ItemStatus::Ready;
            a.content_type = stored.content_type;
            a.size_bytes = Some(stored.size_bytes);
            a.width = stored.width;
            a.height = stored.height;
            a.objects = stored.objects;
        })
    }

    /// When an unsent attachment's record is forgotten.
    pub fn forgotten_at(&self) -> DateTime<Utc> {
        self.created_at + UNSENT_RETENTION
    }

    /// What `sender` may put into a message of `booking`: their own ready attachment
    /// of that room. (Whether it already went out in another message is the store's
    /// to decide, in the message's own transaction.)
    pub fn attachable_by(&self, sender: UserId, booking: BookingId) -> Result<AttachmentRef, AttachError> {
        if self.uploader_id != sender || self.booking_id != booking {
            return Err(AttachError::NotFound(self.id));
        }
        match self.status {
            ItemStatus::Pending => Err(AttachError::NotReady(self.id)),
            ItemStatus::Rejected => Err(AttachError::Rejected(
                self.id,
                self.rejection.as_ref().map_or_else(|| "unknown".to_string(), |r| r.reason.clone()),
            )),
            ItemStatus::Ready => Ok(self.reference()),
        }
    }

    pub fn reference(&self) -> AttachmentRef {
        AttachmentRef {
            id: self.id,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            kind: self.kind,
            size_bytes: self.size_bytes.unwrap_or(self.declared_bytes),
            width: self.width,
            height: self.height,
        }
    }

    pub fn view(&self) -> AttachmentView {
        AttachmentView {
            id: self.id,
            booking_id: self.booking_id,
            uploader_id: self.uploader_id,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            kind: self.kind,
            status: self.status,
            size_bytes: self.size_bytes.unwrap_or(self.declared_bytes),
            width: self.width,
            height: self.height,
            rejection: self.rejection.clone(),
            message_id: self.message_id,
            created_at: self.created_at,
        }
    }
}

impl AttachmentRef {
    /// Its objects in the media bucket (fixed by its room, id and kind).
    pub fn link_keys(&self, booking: BookingId) -> LinkKeys {
        let keys = cm_media::objects::chat_keys(booking, &self.id.to_string(), self.kind == AttachmentKind::Image);
        match keys.as_slice() {
            [thumbnail, view] => LinkKeys { thumbnail: Some(thumbnail.clone()), view: view.clone() },
            _ => LinkKeys { thumbnail: None, view: keys.into_iter().next().unwrap_or_default() },
        }
    }

    /// The name a download is saved under, with the extension of what is stored.
    pub fn download_name(&self) -> String {
        let extension = match self.kind {
            AttachmentKind::Image => "jpg",
            AttachmentKind::Document => "pdf",
        };
        cm_media::upload::download_name(&self.filename, extension, &self.id.to_string())
    }
}

/// Whether `bytes` are a PDF: the `%PDF-` header at the start and the `%%EOF` marker
/// in the last kilobyte, as PDF readers look for them. A renamed image or a truncated
/// upload is refused with the reason.
pub fn check_pdf(bytes: &[u8]) -> Result<(), &'static str> {
    if !bytes.starts_with(b"%PDF-") {
        return Err("the file does not start like a PDF");
    }
    let tail = &bytes[bytes.len().saturating_sub(PDF_TAIL)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err("the PDF has no end marker: the upload is truncated or damaged");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
    }

    fn pending(name: &str, content_type: &str) -> Attachment {
        AttachmentRequest::parse(name, content_type, 1000).unwrap().pending(
            AttachmentId::new(),
            BookingId::new(),
            UserId::new(),
            now(),
        )
    }

    #[test]
    fn requests_are_checked_field_by_field() {
        let ok = AttachmentRequest::parse(" contract.pdf ", "application/pdf", 10).unwrap();
        assert_eq!((ok.filename.as_str(), ok.content_type, ok.size_bytes), ("contract.pdf", "application/pdf", 10));
        let e = AttachmentRequest::parse("../x.exe", "application/x-msdownload", 0).unwrap_err();
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["filename", "content_type", "size_bytes"]);
        assert!(AttachmentRequest::parse("a.png", "image/png", MAX_BYTES as i64).is_ok());
        assert!(AttachmentRequest::parse("a.png", "image/png", MAX_BYTES as i64 + 1).is_err());
        assert!(AttachmentRequest::parse("a.heic", "image/heic", 10).is_err());
    }

    #[test]
    fn only_a_pending_attachment_settles_and_each_settling_counts() {
        let a = pending("board.png", "image/png");
        assert_eq!(a.kind, AttachmentKind::Image);
        let stored = Stored {
            content_type: "image/jpeg".into(),
            size_bytes: 9,
            width: Some(1600),
            height: Some(900),
            objects: vec!["t".into(), "v".into()],
        };
        let ready = a.ready(stored.clone(), now()).unwrap();
        assert_eq!((ready.status, ready.version, ready.size_bytes), (ItemStatus::Ready, 2, Some(9)));
        assert_eq!(ready.ready(stored, now()), Err(AlreadySettled(ItemStatus::Ready)));
        assert_eq!(ready.rejected("corrupt", "x", now()), Err(AlreadySettled(ItemStatus::Ready)));
        let keys = ready.reference().link_keys(a.booking_id);
        assert_eq!(keys.thumbnail, Some(format!("chat/{}/{}/400.jpg", a.booking_id, a.id)));
        assert_eq!(keys.view, format!("chat/{}/{}/1600.jpg", a.booking_id, a.id));
        let rejected = a.rejected("not_a_pdf", "no", now()).unwrap();
        assert_eq!(rejected.status, ItemStatus::Rejected);
    }

    #[test]
    fn only_the_sender_attaches_their_own_ready_file_of_that_room() {
        let a = pending("shots.pdf", "application/pdf");
        let (me, room) = (a.uploader_id, a.booking_id);
        assert_eq!(a.attachable_by(me, room), Err(AttachError::NotReady(a.id)));
        let stored = Stored {
            content_type: "application/pdf".into(),
            size_bytes: 5,
            width: None,
            height: None,
            objects: vec!["d".into()],
        };
        let ready = a.ready(stored, now()).unwrap();
        let r = ready.attachable_by(me, room).unwrap();
        assert_eq!((r.id, r.kind, r.size_bytes), (a.id, AttachmentKind::Document, 5));
        assert_eq!(ready.attachable_by(UserId::new(), room), Err(AttachError::NotFound(a.id)));
        assert_eq!(ready.attachable_by(me, BookingId::new()), Err(AttachError::NotFound(a.id)));
        let bad = a.rejected("not_a_pdf", "the file does not start like a PDF", now()).unwrap();
        assert!(matches!(bad.attachable_by(me, room), Err(AttachError::Rejected(_, r)) if r.contains("PDF")));
    }

    #[test]
    fn pdfs_are_known_by_their_bytes() {
        assert_eq!(check_pdf(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), Ok(()));
        assert!(check_pdf(b"\x89PNG\r\n\x1a\n....%%EOF").is_err());
        assert!(check_pdf(b"%PDF-1.7\n1 0 obj").unwrap_err().contains("truncated"));
        let mut long = b"%PDF-1.4\n%%EOF".to_vec();
        long.extend(std::iter::repeat_n(b' ', PDF_TAIL + 10));
        assert!(check_pdf(&long).is_err(), "the marker must be near the end");
        assert!(check_pdf(b"").is_err());
    }

    #[test]
    fn download_names_keep_the_stored_type() {
        assert_eq!(pending("Mood board.PNG", "image/png").reference().download_name(), "Mood board.jpg");
        let contract = pending("Contract \"v2\".pdf", "application/pdf").reference();
        assert_eq!(contract.download_name(), "Contract _v2_.pdf");
        assert_eq!(contract.link_keys(BookingId::new()).thumbnail, None, "a document has one object");
        let odd = pending("…", "application/pdf");
        assert_eq!(odd.reference().download_name(), format!("{}.pdf", odd.id));
    }

    proptest! {
        #[test]
        fn a_download_name_never_breaks_its_header(name in "\\PC{1,300}") {
            if let Ok(req) = AttachmentRequest::parse(&name, "application/pdf", 10) {
                let n = req.pending(AttachmentId::new(), BookingId::new(), UserId::new(), now()).reference().download_name();
                prop_assert!(n.is_ascii() && !n.contains(['"', '\\', '/', ';', '\r', '\n']));
            }
        }

        #[test]
        fn check_pdf_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = check_pdf(&bytes);
        }
    }
}
