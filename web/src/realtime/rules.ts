// The realtime socket's pure rules: what a frame from the server is, which frames were
// seen already (delivery is at least once), how long to wait before reconnecting, when
// to refresh the access token first, and how the notifications badge follows the
// frames. README.md "Chat (WebSocket API)" and "Notifications" define the protocol.
import type { ChatAttachmentRef, ChatMessage } from '../api/chat';
import type { AppNotification, FieldError } from '../api/types';

/** A refusal, the HTTP problem's fields in a frame. */
export interface ErrorFrame {
  type: 'error';
  status: number;
  /** `bad-frame`, `validation`, `unknown-action`, `not-found`, `forbidden`, `conflict`,
   * `rate-limited`, `unauthorized`, `unavailable`. */
  code: string;
  title: string;
  detail: string;
  errors?: FieldError[];
  action?: string;
  client_id?: string;
  retry_after_secs?: number;
}

export type ServerFrame =
  | { type: 'message'; message: ChatMessage }
  | { type: 'sent'; client_id: string; duplicate: boolean; message: ChatMessage }
  | { type: 'typing'; booking_id: string; user_id: string }
  | { type: 'read'; booking_id: string; user_id: string; message_id: string }
  | { type: 'marked'; booking_id: string; message_id: string; unread: number }
  | { type: 'pong'; at: string }
  | { type: 'notification'; notification: AppNotification }
  | { type: 'notifications_read'; up_to?: string; ids?: string[] }
  | { type: 'attachment'; attachment: SettledAttachment }
  | ErrorFrame;

/** An attachment of mine that processing settled (`ready`, or `rejected` with why). */
export interface SettledAttachment {
  id: string;
  status: string;
  booking_id?: string;
  rejection?: { code: string; reason: string };
}

export type ClientFrame =
  | { action: 'send_message'; booking_id: string; client_id: string; text: string; attachment_id?: string }
  | { action: 'typing'; booking_id: string }
  | { action: 'mark_read'; booking_id: string; message_id: string }
  | { action: 'ping' };

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && ULID.test(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function attachment(v: unknown): ChatAttachmentRef | null {
  if (!isObj(v) || !isId(v.id) || !isStr(v.filename) || !isStr(v.content_type) || !isNat(v.size_bytes)) return null;
  if (v.kind !== 'image' && v.kind !== 'document') return null;
  const links = v.links;
  if (links !== undefined && !(isObj(links) && isStr(links.view) && isStr(links.download))) return null;
  return v as unknown as ChatAttachmentRef;
}

/** A message as the API gives it, or null when a member is missing or malformed. */
export function chatMessage(v: unknown): ChatMessage | null {
  if (!isObj(v) || !isId(v.id) || !isId(v.booking_id) || !isId(v.sender_id)) return null;
  if (!isStr(v.client_id) || !CLIENT_ID.test(v.client_id) || !isStr(v.text) || !isStr(v.sent_at)) return null;
  if (v.attachment !== undefined && !attachment(v.attachment)) return null;
  return v as unknown as ChatMessage;
}

function notification(v: unknown): AppNotification | null {
  if (!isObj(v) || !isId(v.id) || !isStr(v.kind) || !isStr(v.title) || !isStr(v.created_at)) return null;
  if (typeof v.read !== 'boolean') return null;
  if (v.booking_id !== undefined && !isId(v.booking_id)) return null;
  if (v.link !== undefined && !isStr(v.link)) return null;
  return v as unknown as AppNotification;
}

function fieldErrors(v: unknown): FieldError[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter((e): e is FieldError => isObj(e) && isStr(e.field) && isStr(e.message));
}

/**
 * One frame from the server, checked member by member: anything that is not a known
 * frame of the right shape is null and ignored (a newer server's frame types included),
 * so a screen never reads a member that is not there.
 */
export function parseFrame(text: string): ServerFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(v) || !isStr(v.type)) return null;
  switch (v.type) {
    case 'message': {
      const message = chatMessage(v.message);
      return message && { type: 'message', message };
    }
    case 'sent': {
      const message = chatMessage(v.message);
      if (!message || !isStr(v.client_id) || typeof v.duplicate !== 'boolean') return null;
      return { type: 'sent', client_id: v.client_id, duplicate: v.duplicate, message };
    }
    case 'typing':
      return isId(v.booking_id) && isId(v.user_id) ? { type: 'typing', booking_id: v.booking_id, user_id: v.user_id } : null;
    case 'read':
      return isId(v.booking_id) && isId(v.user_id) && isId(v.message_id)
        ? { type: 'read', booking_id: v.booking_id, user_id: v.user_id, message_id: v.message_id }
        : null;
    case 'marked':
      return isId(v.booking_id) && isId(v.message_id) && isNat(v.unread)
        ? { type: 'marked', booking_id: v.booking_id, message_id: v.message_id, unread: v.unread }
        : null;
    case 'pong':
      return isStr(v.at) ? { type: 'pong', at: v.at } : null;
    case 'notification': {
      const n = notification(v.notification);
      return n && { type: 'notification', notification: n };
    }
    case 'notifications_read': {
      const upTo = v.up_to === undefined ? undefined : isId(v.up_to) ? v.up_to : null;
      const ids = v.ids === undefined ? undefined : Array.isArray(v.ids) && v.ids.every(isId) ? (v.ids as string[]) : null;
      if (upTo === null || ids === null || (upTo === undefined && (ids === undefined || ids.length === 0))) return null;
      return { type: 'notifications_read', ...(upTo ? { up_to: upTo } : {}), ...(ids ? { ids } : {}) };
    }
    case 'attachment':
      return isObj(v.attachment) && isId(v.attachment.id) && isStr(v.attachment.status)
        ? { type: 'attachment', attachment: v.attachment as unknown as SettledAttachment }
        : null;
    case 'error': {
      if (!isNat(v.status) || !isStr(v.code)) return null;
      const frame: ErrorFrame = {
        type: 'error', status: v.status, code: v.code,
        title: isStr(v.title) ? v.title : 'Refused',
        detail: isStr(v.detail) ? v.detail : isStr(v.title) ? v.title : 'The chat refused that.',
      };
      const errors = fieldErrors(v.errors);
      if (errors) frame.errors = errors;
      if (isStr(v.action)) frame.action = v.action;
      if (isStr(v.client_id)) frame.client_id = v.client_id;
      if (isNat(v.retry_after_secs)) frame.retry_after_secs = v.retry_after_secs;
      return frame;
    }
    default:
      return null;
  }
}

/**
 * What makes two deliveries of a frame the same frame: the ids the server puts in it.
 * Null for frames that are answers or moments rather than facts (`typing`, `pong`,
 * errors): a repeat of those is harmless and has no id to tell it by.
 */
export function frameKey(f: ServerFrame): string | null {
  switch (f.type) {
    case 'message':
      return `message:${f.message.id}`;
    case 'sent':
      return `sent:${f.client_id}:${f.message.id}`;
    case 'read':
      return `read:${f.booking_id}:${f.user_id}:${f.message_id}`;
    case 'marked':
      return `marked:${f.booking_id}:${f.message_id}:${f.unread}`;
    case 'notification':
      return `notification:${f.notification.id}`;
    case 'notifications_read':
      return `notifications_read:${f.up_to ?? ''}:${(f.ids ?? []).join(',')}`;
    case 'attachment':
      return `attachment:${f.attachment.id}:${f.attachment.status}`;
    default:
      return null;
  }
}

/** The keys of the frames seen lately, forgetting the oldest past `capacity`: a
 * redelivery comes within seconds, and a page open for days must not grow without end. */
export class Seen {
  private readonly keys = new Set<string>();
  constructor(private readonly capacity = 1000) {}

  /** True the first time a key is offered (the frame is new), false after. */
  first(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
    return true;
  }
}

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;

/**
 * The wait before reconnection attempt `attempt` (0 for the first after a drop):
 * doubling from a second up to 30 s, then a random point in its upper half, so the
 * tabs of everyone dropped by one outage do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 20)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A socket that stayed open this long was a working connection, and the next drop
 * starts the schedule again; one closed sooner (accepted, then dropped) keeps climbing. */
export const STABLE_AFTER_MS = 10_000;

/** After a close: the wait before the next attempt, and the attempt number after it.
 * `openedForMs` is how long the socket was open, null when it never opened. */
export function reconnectPlan(
  attempt: number, openedForMs: number | null, random: () => number = Math.random,
): { delay: number; attempt: number } {
  const n = openedForMs !== null && openedForMs >= STABLE_AFTER_MS ? 0 : attempt;
  return { delay: backoffDelay(n, random), attempt: n + 1 };
}

/** How a socket ended, as far as a browser can tell. */
export interface CloseInfo {
  /** The handshake succeeded at some point. */
  opened: boolean;
  code: number;
  /** The server said `unauthorized` on it (its connection record is gone). */
  unauthorized: boolean;
}

/**
 * Whether to refresh the access token before the next attempt. A browser sees a
 * handshake the server refused with 401 only as a close before opening (code 1006), the
 * same as a network failure; so the first such close of an outage refreshes (the token
 * may have expired while the socket was down), and later ones, with the token just
 * refreshed, only wait: refreshing on every failed attempt would rotate the refresh
 * token for nothing while the network is out. Policy-violation closes (1008) and the
 * 4xxx codes a gateway uses for authentication, and an `unauthorized` frame, always do.
 */
export function shouldRefresh(close: CloseInfo, refreshedThisOutage: boolean): boolean {
  if (close.unauthorized || close.code === 1008 || close.code === 4001 || close.code === 4401 || close.code === 4003) {
    return true;
  }
  return !close.opened && !refreshedThisOutage;
}
