// The Messages badge's pure rules: what is unread across my chats, from the first page
// of GET /chats, then followed by the socket's frames (README.md "Chat (WebSocket
// API)"). Counted per booking, so a `marked` frame (the server's count for one chat)
// replaces that chat's count alone and the total stays exact.
import type { ChatPage } from '../../api/chat';
import type { ServerFrame } from '../../realtime/rules';

/** One chat's unread messages as the badge knows them. */
export interface ChatUnread {
  /** The server's count, from GET /chats or a `marked` frame. */
  base: number;
  /** The server stopped counting at its cap (999). */
  capped: boolean;
  /** My read mark: nothing at or before it is unread. */
  mark: string | null;
  /** Every message at or before this one is in `base`: the last the server had. */
  upto: string | null;
  /** Messages from the other person pushed since, by id: each counts once however
   * often it is delivered. */
  extra: string[];
}

/** By booking id. */
export type UnreadState = Readonly<Record<string, ChatUnread>>;

/** GET /chats answers at most 100 chats a page, latest activity first. The badge reads
 * that first page only: a chat with something unread has had activity lately, and a
 * person with more than 100 livelier chats reads "99+" anyway. */
export const FIRST_PAGE = 100;
/** The API's own cap on one chat's count. */
const CHAT_CAP = 999;
/** The badge says "99+" past this, as the notifications badge does. */
export const BADGE_CAP = 99;

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * The badge after a read of GET /chats: each listed chat as the server counts it, plus
 * messages pushed meanwhile that the read did not include yet (newer than its last
 * message and my mark). A chat whose mark a `marked` frame moved past the read's (the
 * read was answered before it) keeps what the frame said; chats not listed (past the
 * first page, or too new for the listing) keep what the frames gave them.
 */
export function fromChats(page: ChatPage, before: UnreadState): UnreadState {
  const next: Record<string, ChatUnread> = { ...before };
  for (const c of page.items) {
    const prev = before[c.booking_id];
    const mark = c.read_upto ?? null;
    if (prev?.mark && (mark === null || prev.mark > mark)) continue;
    const upto = c.last_message?.id ?? null;
    const extra = (prev?.extra ?? []).filter((id) => (upto === null || id > upto) && (mark === null || id > mark));
    next[c.booking_id] = { base: c.unread, capped: c.unread_capped, mark, upto, extra };
  }
  return next;
}

/**
 * The badge after a frame. A message pushed from the other person counts once (not one
 * the server already counted or that is read), except in the chat on screen, which
 * marks it read itself (the `marked` frame that follows sets that chat's count). A
 * `marked` frame, from this tab or another of mine, is the server's count for its
 * chat, taken whole; a stale one (a mark before the one known) changes nothing.
 * Anything else leaves the state as it was (the same object).
 */
export function unreadAfter(s: UnreadState, f: ServerFrame, me: string, open: string | null): UnreadState {
  if (f.type === 'message') {
    const m = f.message;
    if (m.sender_id === me || m.booking_id === open) return s;
    const c = s[m.booking_id] ?? { base: 0, capped: false, mark: null, upto: null, extra: [] };
    if ((c.mark !== null && m.id <= c.mark) || (c.upto !== null && m.id <= c.upto) || c.extra.includes(m.id)) return s;
    if (c.capped || c.base + c.extra.length >= CHAT_CAP) return s;
    return { ...s, [m.booking_id]: { ...c, extra: [...c.extra, m.id] } };
  }
  if (f.type === 'marked') {
    const c = s[f.booking_id];
    if (c?.mark && f.message_id < c.mark) return s;
    // The server counted every message stored when the mark moved, which includes every
    // one pushed to this tab before it.
    const upto = [f.message_id, ...(c?.extra ?? [])].reduce<string | null>(later, c?.upto ?? null);
    return { ...s, [f.booking_id]: { base: f.unread, capped: f.unread >= CHAT_CAP, mark: f.message_id, upto, extra: [] } };
  }
  return s;
}

/** One chat's unread messages. */
export function chatUnread(c: ChatUnread): number {
  return c.capped ? CHAT_CAP : Math.min(CHAT_CAP, c.base + c.extra.length);
}

/** Unread messages across every chat known. */
export function totalUnread(s: UnreadState): number {
  let n = 0;
  for (const c of Object.values(s)) n += chatUnread(c);
  return n;
}

/** What the badge shows: nothing at 0, "99+" past 99. */
export function badgeText(total: number): string {
  if (total <= 0) return '';
  return total > BADGE_CAP ? `${BADGE_CAP}+` : String(total);
}

/** The booking whose chat is on screen (and the tab shown, so it is being read), or null. */
export function openChat(path: string, visible: boolean): string | null {
  if (!visible) return null;
  const m = /^\/bookings\/([^/]+)\/chat\/?$/.exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    return null;
  }
}
