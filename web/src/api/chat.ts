// The chat's HTTP calls and shapes (docs/openapi.json: ChatMessage, ChatHistory, Chat,
// ChatPage), through the client's generic `request` like the other area helpers.
// Messages themselves are sent over the WebSocket (src/realtime/).
import type { ApiClient } from './client';
import type { Ulid } from './types';

export interface ChatAttachmentRef {
  id: Ulid;
  filename: string;
  content_type: string;
  kind: 'image' | 'document';
  size_bytes: number;
  width?: number;
  height?: number;
  /** Presigned, 15 minutes; absent in the sending tab's `sent` answer (it has the file). */
  links?: { thumbnail?: string; view: string; download: string; expire_at: string };
}

export interface ChatMessage {
  /** Orders the chat: later messages have greater ids. */
  id: Ulid;
  booking_id: Ulid;
  sender_id: Ulid;
  /** The sender's de-duplication id. */
  client_id: string;
  /** Plain text, shown as text; empty only beside an attachment. */
  text: string;
  attachment?: ChatAttachmentRef;
  sent_at: string;
}

export interface ChatHistory {
  /** Newest first. */
  items: ChatMessage[];
  next_before?: Ulid;
  /** Each participant's read mark, by user id. */
  read_upto: Record<string, Ulid>;
}

export interface ChatSummary {
  booking_id: Ulid;
  with: { id: Ulid; name: string };
  last_message?: { id: Ulid; sender_id: Ulid; preview: string; sent_at: string };
  unread: number;
  unread_capped: boolean;
  read_upto?: Ulid;
}

export interface ChatPage {
  items: ChatSummary[];
  next_cursor: string | null;
}

const enc = encodeURIComponent;

export function listChats(api: ApiClient, cursor?: string | null, limit = 50): Promise<ChatPage> {
  return api.request('GET', '/chats', { query: { cursor, limit }, auth: 'required' });
}

export function chatHistory(api: ApiClient, booking: string, before?: string | null, limit = 30): Promise<ChatHistory> {
  return api.request('GET', `/bookings/${enc(booking)}/messages`, { query: { before, limit }, auth: 'required' });
}

export type AttachmentType = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';

/** ChatAttachmentTicket: the draft attachment (`pending`) and the S3 POST to send the
 * file with. */
export interface AttachmentTicket {
  attachment: { id: string; booking_id: string; filename: string; kind: 'image' | 'document'; status: string; size_bytes: number };
  upload: { url: string; fields: Record<string, string>; expires_at: string };
}

export function createAttachment(
  api: ApiClient, booking: string, input: { filename: string; content_type: AttachmentType; size_bytes: number },
): Promise<AttachmentTicket> {
  return api.request('POST', `/bookings/${enc(booking)}/attachments`, { body: input, auth: 'required' });
}
