//! Chat per booking, as pure rules: who is in a room and what each may do
//! ([`room`]), what a message is and how its text is checked ([`message`]), the files
//! shared in a room ([`attachment`]), the frames
//! a WebSocket connection sends and receives ([`frame`]), and how often a connection
//! may send ([`rate`]), and the in-app notifications pushed on the same sockets
//! ([`notice`]). Storage, sockets and AWS live elsewhere: the functions parse a
//! frame here, authorize here, and hand the result to the store.

pub mod attachment;
pub mod frame;
pub mod message;
pub mod notice;
pub mod rate;
pub mod room;

pub use attachment::{Attachment, AttachmentId, AttachmentRef};
pub use frame::{ErrorFrame, Inbound, Outbound};
pub use message::{Message, MessageId, MessageView};
pub use notice::{Notice, NoticeId, NoticeView};
pub use room::{Access, Room};
