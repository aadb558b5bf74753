//! `POST /bookings/{id}/attachments` `{filename, content_type, size_bytes}`: a
//! participant of the booking's chat asks to share a file (an image or a PDF) and gets
//! an upload ticket: a presigned S3 POST that S3 itself limits to the declared type, at
//! most the declared size, one key under `incoming/chat/`, for a few minutes.
//! `process-upload` then checks the bytes, and the sender puts the attachment into a
//! message (`send_message` with `attachment_id`), which waits for it to be `ready`.
//! Once sent, the history (`GET /bookings/{id}/messages`) gives links to it. Admins may
//! read chats, not share in them.
//!
//! The room's quota (attachments and bytes over its life) is kept by counters moved in
//! the same transaction as the new attachment, so concurrent tickets cannot overshoot.

use cm_app::{App, AuthError, store_problem};
use cm_chat::attachment::{AttachmentRequest, AttachmentView, MAX_PER_ROOM, MAX_ROOM_BYTES};
use cm_chat::{Access, AttachmentId, Room};
use cm_core::{BookingId, FieldErrors};
use cm_http::{Body, Internal, IntoProblem, Problem, Request, RequestError, Response};
use cm_media::objects::chat_incoming_key;
use cm_runtime::{Ticket, UploadSigner};
use cm_store::attachments::{Admitted, Attachments};
use cm_store::{BookingReader, StoreError, UserReader};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error("invalid attachment: {0}")]
    Invalid(#[from] FieldErrors),
    #[error("booking {0} does not exist or is not the caller's")]
    NotFound(BookingId),
    #[error("admins may read a booking's chat but not share files in it")]
    ReaderOnly,
    #[error(
        "this chat has {count} attachments ({bytes} bytes); a chat holds at most {MAX_PER_ROOM} and {MAX_ROOM_BYTES} bytes"
    )]
    Quota { count: u32, bytes: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl IntoProblem for Error {
    fn to_problem(&self) -> Problem {
        match self {
            Error::Auth(e) => e.to_problem(),
            Error::Request(e) => e.to_problem(),
            Error::Invalid(errors) => Problem::validation(errors.clone()),
            Error::NotFound(id) => cm_app::bookings::booking_not_found(*id),
            Error::ReaderOnly => Problem::forbidden(self.to_string()),
            Error::Quota { .. } => {
                Problem::conflict("chat-attachment-quota", "Attachment quota reached", self.to_string())
            }
            Error::Store(e) => store_problem(e),
            Error::Internal(e) => e.to_problem(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadBody {
    filename: String,
    content_type: String,
    size_bytes: i64,
}

#[derive(Serialize)]
struct Answer {
    attachment: AttachmentView,
    upload: cm_media::policy::PresignedPost,
}

pub async fn handle<S: UserReader + BookingReader, C: Attachments>(
    app: &App<S>,
    chat: &C,
    uploads: &UploadSigner,
    req: Request,
) -> Result<Response<Body>, Error> {
    let caller = cm_app::authenticate(app, &req).await?;
    let id: BookingId = cm_http::path_param(&req, "id", "booking")?;
    let body = cm_http::parse_json::<UploadBody>(&req)?;
    let request = AttachmentRequest::parse(&body.filename, &body.content_type, body.size_bytes)?;
    let booking = app.store.get_booking(id).await?.ok_or(Error::NotFound(id))?;
    let room = Room { booking_id: booking.id, client: booking.client_id, photographer: booking.photographer_id };
    match room.access(caller.id(), caller.is_admin()) {
        Access::Participant => {}
        Access::Reader => return Err(Error::ReaderOnly),
        Access::None => return Err(Error::NotFound(id)),
    }
    let now = app.now();
    let attachment = request.pending(AttachmentId::new(), id, caller.id(), now);
    if let Admitted::Full { count, bytes } = chat.add_attachment(&attachment).await? {
        return Err(Error::Quota { count, bytes });
    }
    let ticket = Ticket {
        key: chat_incoming_key(id, &attachment.id.to_string()),
        content_type: attachment.content_type.clone(),
        max_bytes: attachment.declared_bytes,
        expires_at: attachment.upload_expires_at,
    };
    let upload = uploads.sign(&ticket, now).await?;
    // The attachment has no address of its own: it is read in the history, once sent.
    let location = format!("/bookings/{id}/messages");
    Ok(cm_http::created(&location, &Answer { attachment: attachment.view(), upload }))
}
