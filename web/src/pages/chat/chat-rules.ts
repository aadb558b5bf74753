// The chat screens' pure rules: the history merged with pushed and sent messages, what
// is still on its way, where "Seen" goes, when to say "typing" and for how long to show
// it, and the chat list following the frames.
import type { ChatMessage, ChatSummary } from '../../api/chat';
import type { ErrorFrame, ServerFrame } from '../../realtime/rules';

/** A message of mine not yet stored: sent (or waiting for a socket to send it on), or
 * refused with the frame that said why. */
export interface Outgoing {
  client_id: string;
  text: string;
  state: 'pending' | 'failed';
  error?: ErrorFrame;
  /** A file of mine sent with it (uploaded and processed first). */
  attachment?: { id: string; filename: string };
}

/** ChatAttachmentInput: images or PDFs (HEIC has no decoder there), at most 20 MiB. */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export const MAX_ATTACHMENT_BYTES = 20_971_520;

/** Why a file cannot be attached, before asking the API; null when it can. */
export function checkAttachment(f: { name: string; type: string; size: number }): string | null {
  if (!(ATTACHMENT_TYPES as readonly string[]).includes(f.type)) {
    return `${f.name}: only photos (JPEG, PNG, WebP) and PDFs can be shared${f.type ? ` (this is ${f.type})` : ''}.`;
  }
  if (f.size < 1) return `${f.name}: the file is empty.`;
  if (f.size > MAX_ATTACHMENT_BYTES) return `${f.name}: larger than 20 MB (${(f.size / 1_048_576).toFixed(1)} MB).`;
  return null;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID-shaped id for a message I send (`client_id`): the time in 10 characters, then
 * 80 random bits. The server keeps a message per sender and `client_id`, so resending
 * after a reconnect stores nothing twice, and ids made later sort later.
 */
export function newClientId(now: number, random: () => number = Math.random): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rest = '';
  for (let i = 0; i < 16; i++) rest += CROCKFORD[Math.floor(random() * 32) % 32];
  return time + rest;
}

/** Both lists as one, oldest first, each message once; of two copies the later one
 * wins (a read of the history brings fresh attachment links), except that a copy
 * without links (the sender's `sent` answer) never replaces one with them. */
export function mergeMessages(a: readonly ChatMessage[], b: readonly ChatMessage[]): ChatMessage[] {
  const byId = new Map<string, ChatMessage>();
  const put = (m: ChatMessage) => {
    const had = byId.get(m.id);
    byId.set(m.id, had?.attachment?.links && m.attachment && !m.attachment.links ? had : m);
  };
  for (const m of a) put(m);
  for (const m of b) put(m);
  return [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/** What is still on its way once `messages` are stored: mine whose `client_id` is
 * among them have arrived (by the `sent` answer, a `message` frame or a read of the
 * history, whichever came first). */
export function settlePending(pending: readonly Outgoing[], messages: readonly ChatMessage[], me: string): Outgoing[] {
  const stored = new Set(messages.filter((m) => m.sender_id === me).map((m) => m.client_id));
  const left = pending.filter((p) => !stored.has(p.client_id));
  return left.length === pending.length ? (pending as Outgoing[]) : left;
}

export function laterId(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
}

/** The last of my messages the other person has read (their mark at or after it):
 * where "Seen" goes. Null when they have read none of mine. */
export function seenAt(messages: readonly ChatMessage[], me: string, otherMark: string | null): string | null {
  if (!otherMark) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (m.sender_id === me && m.id <= otherMark) return m.id;
  }
  return null;
}

/** The message to mark read now: the newest from anyone else, when it is past my mark
 * (the mark never moves back, so an older one is never sent). */
export function toMarkRead(messages: readonly ChatMessage[], me: string, myMark: string | null): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (m.sender_id === me) continue;
    return myMark && m.id <= myMark ? null : m.id;
  }
  return null;
}

/** The server relays one `typing` per 3 s per socket; sending more is wasted. */
export const TYPING_EVERY_MS = 3000;
/** "X is typing…" stays this long after the last `typing` frame: a little longer than
 * the sender's interval, so steady typing shows steadily. */
export const TYPING_SHOWN_MS = 5000;

export function typingDue(lastSent: number | null, now: number): boolean {
  return lastSent === null || now - lastSent >= TYPING_EVERY_MS;
}

/** Until when the other person is shown typing, after a frame (or a message from them,
 * which ends it). */
export function typingUntil(until: number | null, f: ServerFrame, booking: string, me: string, now: number): number | null {
  if (f.type === 'typing' && f.booking_id === booking && f.user_id !== me) return now + TYPING_SHOWN_MS;
  if (f.type === 'message' && f.message.booking_id === booking && f.message.sender_id !== me) return null;
  return until;
}

export function typingShown(until: number | null, now: number): boolean {
  return until !== null && now < until;
}

/** What a refused frame says to the person beside the composer. */
export function problemText(f: ErrorFrame): string {
  switch (f.code) {
    case 'rate-limited':
      return `Too many messages at once. Wait ${f.retry_after_secs ?? 10} s and try again.`;
    case 'forbidden':
      return `${f.detail || 'Not allowed'}. Admins can read chats but not write in them.`;
    case 'validation': {
      const fields = (f.errors ?? []).map((e) => (e.field === 'text' ? `Message ${e.message}` : `${e.field} ${e.message}`));
      return fields.length ? `${fields.join('. ')}.` : f.detail;
    }
    case 'unavailable':
      return 'The chat is briefly unavailable. Try again in a moment.';
    case 'not-found':
      return 'This chat is not one of yours.';
    default:
      return f.detail || f.title;
  }
}

/** A message's one-line preview in the list, as the API makes it (140 characters). */
export function preview(m: ChatMessage): string {
  if (m.text) return m.text.slice(0, 140);
  return m.attachment ? `Attachment: ${m.attachment.filename}` : '';
}

/**
 * The chat list after a frame: a message moves its chat to the top with it as the last
 * message, and counts as unread when someone else sent it after my mark (once: a
 * message no newer than the last one shown was counted already); my mark moving
 * (`marked`, from any of my tabs) sets the count the server worked out. `unknown`: a
 * message of a chat not listed (its first), so the list is read again.
 */
export function chatsAfter(
  chats: readonly ChatSummary[], f: ServerFrame, me: string,
): { chats: ChatSummary[]; unknown: boolean } {
  const same = { chats: chats as ChatSummary[], unknown: false };
  if (f.type === 'message' || f.type === 'sent') {
    const m = f.message;
    const i = chats.findIndex((c) => c.booking_id === m.booking_id);
    if (i < 0) return { chats: chats as ChatSummary[], unknown: true };
    const c = chats[i] as ChatSummary;
    if (c.last_message && m.id <= c.last_message.id) return same;
    const counts = m.sender_id !== me && (!c.read_upto || m.id > c.read_upto);
    const unread = counts && !c.unread_capped ? Math.min(999, c.unread + 1) : c.unread;
    const updated: ChatSummary = {
      ...c,
      last_message: { id: m.id, sender_id: m.sender_id, preview: preview(m), sent_at: m.sent_at },
      unread,
      unread_capped: c.unread_capped || unread >= 999,
    };
    return { chats: [updated, ...chats.slice(0, i), ...chats.slice(i + 1)], unknown: false };
  }
  if (f.type === 'marked') {
    const i = chats.findIndex((c) => c.booking_id === f.booking_id);
    if (i < 0) return same;
    const c = chats[i] as ChatSummary;
    if (c.read_upto && f.message_id < c.read_upto) return same;
    const next = chats.slice();
    next[i] = { ...c, unread: f.unread, unread_capped: f.unread >= 999, read_upto: f.message_id };
    return { chats: next, unknown: false };
  }
  return same;
}

/** The parties of a booking as `GET /bookings/{id}` names them (names absent from
 * older answers, null for an account gone or deactivated). */
export interface NamedParties {
  client_id: string;
  photographer_id: string;
  client_name?: string | null;
  photographer_name?: string | null;
}

/**
 * The other participant's name as the booking gives it: the photographer's display name
 * to the client, the client's name to the photographer. `null` when the booking says
 * there is none to show (the chat then says "the client" or "the photographer"), and
 * `undefined` when it does not say (an older answer: the name is looked up elsewhere).
 */
export function otherNameIn(b: NamedParties, me: string): string | null | undefined {
  if (me === b.client_id) return b.photographer_name;
  if (me === b.photographer_id) return b.client_name;
  return undefined;
}

/** A sender as someone who reads a chat they are not in (an admin) sees them named. */
export function senderName(b: NamedParties, sender: string): string {
  return sender === b.client_id ? b.client_name ?? 'The client' : b.photographer_name ?? 'The photographer';
}
