import { describe, expect, it } from 'vitest';
import type { ChatPage, ChatSummary } from '../src/api/chat';
import type { ServerFrame } from '../src/realtime/rules';
import {
  type UnreadState, badgeText, fromChats, openChat, totalUnread, unreadAfter,
} from '../src/pages/chat/unread-rules';

const ME = '01JW1000000000000000000000';
const THEM = '01JW2000000000000000000000';
const B1 = '01JB1000000000000000000000';
const B2 = '01JB2000000000000000000000';
const B3 = '01JB3000000000000000000000';
const M = (n: number) => `01JM${String(n).padStart(22, '0')}`;

const chat = (booking: string, unread: number, over: Partial<ChatSummary> = {}): ChatSummary => ({
  booking_id: booking, with: { id: THEM, name: 'Asha' }, unread, unread_capped: false, ...over,
});
const page = (...items: ChatSummary[]): ChatPage => ({ items, next_cursor: null });
const last = (n: number, sender = THEM) => ({ id: M(n), sender_id: sender, preview: 'hi', sent_at: '2026-12-02T10:00:00Z' });
const message = (booking: string, n: number, sender = THEM): ServerFrame => ({
  type: 'message',
  message: { id: M(n), booking_id: booking, sender_id: sender, client_id: `c${n}`, text: 'hi', sent_at: '2026-12-02T10:00:00Z' },
});
const marked = (booking: string, n: number, unread: number): ServerFrame => ({ type: 'marked', booking_id: booking, message_id: M(n), unread });
const apply = (s: UnreadState, frames: ServerFrame[], open: string | null = null) =>
  frames.reduce((acc, f) => unreadAfter(acc, f, ME, open), s);

describe('the Messages badge', () => {
  it('starts from the sum of the first page of GET /chats', () => {
    const s = fromChats(page(chat(B1, 2, { last_message: last(5), read_upto: M(3) }), chat(B2, 0, { last_message: last(4, ME) }), chat(B3, 7)), {});
    expect(totalUnread(s)).toBe(9);
    expect(totalUnread({})).toBe(0);
  });

  it('counts a message pushed from the other person in a chat not on screen, once however often it comes', () => {
    const s = fromChats(page(chat(B1, 2, { last_message: last(5), read_upto: M(3) })), {});
    const after = apply(s, [message(B1, 6), message(B1, 6), message(B2, 7), message(B1, 8)]);
    expect(totalUnread(after)).toBe(5);
    expect(after[B2]).toMatchObject({ base: 0, extra: [M(7)] });
  });

  it('does not count my own messages, messages the read already counted, or read ones', () => {
    const s = fromChats(page(chat(B1, 2, { last_message: last(5), read_upto: M(3) })), {});
    expect(apply(s, [message(B1, 6, ME)])).toBe(s);
    expect(apply(s, [message(B1, 5), message(B1, 4)])).toBe(s);
    const read = apply(s, [marked(B1, 9, 0)]);
    expect(apply(read, [message(B1, 8)])).toBe(read);
  });

  it('leaves the chat on screen to its own read mark', () => {
    const s = fromChats(page(chat(B1, 0, { last_message: last(5), read_upto: M(5) })), {});
    expect(apply(s, [message(B1, 6)], B1)).toBe(s);
    expect(totalUnread(apply(s, [message(B1, 6)], B2))).toBe(1);
  });

  it('takes a marked frame as the server count for its chat alone, and never moves the mark back', () => {
    let s = fromChats(page(chat(B1, 4, { last_message: last(5), read_upto: M(1) }), chat(B2, 3, { last_message: last(6) })), {});
    s = apply(s, [message(B1, 7), message(B1, 8)]);
    expect(totalUnread(s)).toBe(9);
    s = apply(s, [marked(B1, 7, 1)]);
    expect(totalUnread(s)).toBe(4);
    // The message pushed before the mark is in the server's count already.
    expect(apply(s, [message(B1, 8)])).toBe(s);
    // An older mark, delivered late.
    expect(apply(s, [marked(B1, 5, 3)])).toBe(s);
    s = apply(s, [marked(B1, 8, 0), message(B1, 9)]);
    expect(totalUnread(s)).toBe(4);
    // A mark in a chat the read did not list.
    expect(totalUnread(apply(s, [marked(B3, 2, 2)]))).toBe(6);
  });

  it('keeps, across a read again, what was pushed after it and what a newer mark said', () => {
    let s = fromChats(page(chat(B1, 1, { last_message: last(5), read_upto: M(4) })), {});
    s = apply(s, [message(B1, 6), message(B1, 7), message(B2, 8)]);
    // The read has message 6 (counted now by the server) but not 7 yet; B2 not listed yet.
    const again = fromChats(page(chat(B1, 2, { last_message: last(6), read_upto: M(4) })), s);
    expect(again[B1]).toMatchObject({ base: 2, extra: [M(7)] });
    expect(totalUnread(again)).toBe(4);
    // A read answered before a mark the socket already brought does not undo it.
    const markedNow = apply(again, [marked(B1, 7, 0)]);
    const stale = fromChats(page(chat(B1, 3, { last_message: last(7), read_upto: M(4) })), markedNow);
    expect(stale[B1]).toBe(markedNow[B1]);
  });

  it('says "99+" past 99, nothing at 0, and stops a chat at the API cap of 999', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(3)).toBe('3');
    expect(badgeText(99)).toBe('99');
    expect(badgeText(100)).toBe('99+');
    const capped = fromChats(page(chat(B1, 999, { unread_capped: true })), {});
    expect(apply(capped, [message(B1, 9)])).toBe(capped);
    expect(badgeText(totalUnread(capped))).toBe('99+');
  });

  it('ignores frames that are not about messages', () => {
    const s = fromChats(page(chat(B1, 1)), {});
    expect(apply(s, [{ type: 'typing', booking_id: B1, user_id: THEM }, { type: 'pong', at: 'x' }, { type: 'read', booking_id: B1, user_id: THEM, message_id: M(1) }])).toBe(s);
    const sent: ServerFrame = { type: 'sent', client_id: 'c1', duplicate: false, message: { id: M(9), booking_id: B1, sender_id: ME, client_id: 'c1', text: 'x', sent_at: 'x' } };
    expect(apply(s, [sent])).toBe(s);
  });

  it('knows which chat is on screen from the path, and none in a hidden tab', () => {
    expect(openChat(`/bookings/${B1}/chat`, true)).toBe(B1);
    expect(openChat(`/bookings/${B1}/chat`, false)).toBeNull();
    expect(openChat(`/bookings/${B1}`, true)).toBeNull();
    expect(openChat('/chats', true)).toBeNull();
    expect(openChat('/bookings/%E0%A4%A/chat', true)).toBeNull();
  });
});
