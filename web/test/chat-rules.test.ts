import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatSummary } from '../src/api/chat';
import {
  MAX_ATTACHMENT_BYTES, TYPING_EVERY_MS, checkAttachment, TYPING_SHOWN_MS, chatsAfter, laterId, mergeMessages, newClientId, otherNameIn, preview,
  problemText, seenAt, senderName, settlePending, toMarkRead, typingDue, typingShown, typingUntil,
} from '../src/pages/chat/chat-rules';
import type { ServerFrame } from '../src/realtime/rules';

const B = '01JB0000000000000000000000';
const OTHER_B = '01JC0000000000000000000000';
const ME = '01JW1000000000000000000000';
const YOU = '01JW2000000000000000000000';
const id = (n: number) => `01JM${String(n).padStart(22, '0')}`;
const msg = (n: number, sender = ME, over: Partial<ChatMessage> = {}): ChatMessage => ({
  id: id(n), booking_id: B, sender_id: sender, client_id: `c${n}`, text: `text ${n}`, sent_at: '2026-12-02T10:00:00Z', ...over,
});

describe('client ids', () => {
  it('are ULID-shaped, accepted by the server, and sort by time', () => {
    const a = newClientId(1_700_000_000_000, () => 0.5);
    const b = newClientId(1_700_000_000_001, () => 0);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(a < b).toBe(true);
    expect(newClientId(0, () => 0.999999)).toBe(`0000000000${'Z'.repeat(16)}`);
    expect(new Set(Array.from({ length: 50 }, () => newClientId(1)))).toHaveProperty('size', 50);
  });
});

describe('the history merged with pushed and sent messages', () => {
  it('keeps each message once, oldest first, the later copy winning', () => {
    const history = [msg(1), msg(3, YOU)];
    const pushed = [msg(2, YOU), msg(3, YOU, { text: 'fresh' })];
    const merged = mergeMessages(history, pushed);
    expect(merged.map((m) => m.id)).toEqual([id(1), id(2), id(3)]);
    expect(merged[2]?.text).toBe('fresh');
    // An older page put in front of what is shown.
    expect(mergeMessages([msg(0)], merged).map((m) => m.id)).toEqual([id(0), id(1), id(2), id(3)]);
  });

  it('never lets the sender\'s linkless copy of a message with a file replace one with links', () => {
    const file = { id: id(9), filename: 'a.jpg', content_type: 'image/jpeg', kind: 'image' as const, size_bytes: 10 };
    const linked = msg(1, ME, { attachment: { ...file, links: { view: 'v', download: 'd', expire_at: '2026-12-02T10:15:00Z' } } });
    const bare = msg(1, ME, { attachment: file });
    expect(mergeMessages([linked], [bare])[0]).toBe(linked);
    expect(mergeMessages([bare], [linked])[0]).toBe(linked);
  });

  it('settles what was on its way once my message with its client_id is stored, whoever said so first', () => {
    const pending = [
      { client_id: 'c5', text: 'a', state: 'pending' as const },
      { client_id: 'c6', text: 'b', state: 'failed' as const },
    ];
    expect(settlePending(pending, [msg(5)], ME)).toEqual([pending[1]]);
    // Someone else's message with the same client_id settles nothing of mine.
    expect(settlePending(pending, [msg(5, YOU)], ME)).toBe(pending);
    expect(settlePending(pending, [msg(5), msg(6)], ME)).toEqual([]);
  });

  it('orders ids', () => {
    expect(laterId(null, id(1))).toBe(id(1));
    expect(laterId(id(2), id(1))).toBe(id(2));
    expect(laterId(id(2), undefined)).toBe(id(2));
  });
});

describe('read receipts', () => {
  const chat = [msg(1), msg(2, YOU), msg(3), msg(4), msg(5, YOU), msg(6)];

  it('puts "Seen" under the last of my messages at or before the other\'s mark', () => {
    expect(seenAt(chat, ME, id(4))).toBe(id(4));
    expect(seenAt(chat, ME, id(5))).toBe(id(4));
    expect(seenAt(chat, ME, id(6))).toBe(id(6));
    expect(seenAt(chat, ME, id(2))).toBe(id(1));
    expect(seenAt(chat, ME, null)).toBeNull();
    expect(seenAt([msg(2, YOU)], ME, id(2))).toBeNull();
  });

  it('marks the newest message from the other person, once, never backwards', () => {
    expect(toMarkRead(chat, ME, null)).toBe(id(5));
    expect(toMarkRead(chat, ME, id(2))).toBe(id(5));
    expect(toMarkRead(chat, ME, id(5))).toBeNull();
    expect(toMarkRead(chat, ME, id(6))).toBeNull();
    expect(toMarkRead([msg(1)], ME, null)).toBeNull();
  });
});

describe('typing', () => {
  it('is said at most once every 3 s', () => {
    expect(typingDue(null, 0)).toBe(true);
    expect(typingDue(1000, 1000 + TYPING_EVERY_MS - 1)).toBe(false);
    expect(typingDue(1000, 1000 + TYPING_EVERY_MS)).toBe(true);
  });

  it('is shown for a few seconds after the other\'s frame, and ends with their message', () => {
    const typing: ServerFrame = { type: 'typing', booking_id: B, user_id: YOU };
    const until = typingUntil(null, typing, B, ME, 10_000);
    expect(until).toBe(10_000 + TYPING_SHOWN_MS);
    expect(typingShown(until, 10_000 + TYPING_SHOWN_MS - 1)).toBe(true);
    expect(typingShown(until, 10_000 + TYPING_SHOWN_MS)).toBe(false);
    expect(typingUntil(until, { type: 'message', message: msg(9, YOU) }, B, ME, 11_000)).toBeNull();
    // My own typing (another tab), another chat's, and my own message change nothing.
    expect(typingUntil(null, { type: 'typing', booking_id: B, user_id: ME }, B, ME, 0)).toBeNull();
    expect(typingUntil(null, { type: 'typing', booking_id: OTHER_B, user_id: YOU }, B, ME, 0)).toBeNull();
    expect(typingUntil(until, { type: 'message', message: msg(9) }, B, ME, 11_000)).toBe(until);
  });
});

describe('files', () => {
  it('takes photos and PDFs up to 20 MB, and says why not otherwise', () => {
    expect(checkAttachment({ name: 'a.pdf', type: 'application/pdf', size: 10 })).toBeNull();
    expect(checkAttachment({ name: 'a.webp', type: 'image/webp', size: MAX_ATTACHMENT_BYTES })).toBeNull();
    expect(checkAttachment({ name: 'a.heic', type: 'image/heic', size: 10 })).toContain('this is image/heic');
    expect(checkAttachment({ name: 'a.jpg', type: 'image/jpeg', size: 0 })).toContain('empty');
    expect(checkAttachment({ name: 'a.jpg', type: 'image/jpeg', size: MAX_ATTACHMENT_BYTES + 1 })).toContain('larger than 20 MB');
  });
});

describe('refusals beside the composer', () => {
  const err = (code: string, over: object = {}) => ({ type: 'error' as const, status: 400, code, title: 'T', detail: 'D', ...over });
  it('says the wait of a rate limit, the field of a validation, and that admins only read', () => {
    expect(problemText(err('rate-limited', { retry_after_secs: 7 }))).toContain('7 s');
    expect(problemText(err('validation', { errors: [{ field: 'text', message: 'must be 1 to 2000 characters' }] })))
      .toBe('Message must be 1 to 2000 characters.');
    expect(problemText(err('forbidden', { detail: 'admins do not write in chats' }))).toContain('Admins can read chats');
    expect(problemText(err('conflict'))).toBe('D');
  });
});

describe('the chat list follows the frames', () => {
  const chat = (booking: string, over: Partial<ChatSummary> = {}): ChatSummary => ({
    booking_id: booking, with: { id: YOU, name: 'Asha' }, unread: 0, unread_capped: false,
    last_message: { id: id(1), sender_id: ME, preview: 'hi', sent_at: '2026-12-02T10:00:00Z' }, ...over,
  });
  const list = [chat(OTHER_B), chat(B)];

  it('moves a chat with a new message to the top, counting it unread once when it is the other\'s', () => {
    const f: ServerFrame = { type: 'message', message: msg(2, YOU, { text: 'x'.repeat(200) }) };
    const after = chatsAfter(list, f, ME);
    expect(after.unknown).toBe(false);
    expect(after.chats.map((c) => c.booking_id)).toEqual([B, OTHER_B]);
    expect(after.chats[0]).toMatchObject({ unread: 1, last_message: { id: id(2), sender_id: YOU } });
    expect(after.chats[0]?.last_message?.preview).toHaveLength(140);
    expect(chatsAfter(after.chats, f, ME).chats).toBe(after.chats);
    expect(chatsAfter(list, { type: 'message', message: msg(2) }, ME).chats[0]?.unread).toBe(0);
  });

  it('asks for the list again for a chat it does not show', () => {
    const f: ServerFrame = { type: 'message', message: msg(2, YOU, { booking_id: '01JD0000000000000000000000' }) };
    expect(chatsAfter(list, f, ME).unknown).toBe(true);
  });

  it('takes the count a mark gives, never going back to an older mark', () => {
    const unread = [chat(B, { unread: 3, read_upto: id(2) })];
    expect(chatsAfter(unread, { type: 'marked', booking_id: B, message_id: id(4), unread: 1 }, ME).chats[0])
      .toMatchObject({ unread: 1, read_upto: id(4) });
    expect(chatsAfter(unread, { type: 'marked', booking_id: B, message_id: id(1), unread: 0 }, ME).chats).toBe(unread);
  });

  it('previews an attachment without text by its file name', () => {
    expect(preview(msg(1, ME, {
      text: '', attachment: { id: id(9), filename: 'plan.pdf', content_type: 'application/pdf', kind: 'document', size_bytes: 1 },
    }))).toBe('Attachment: plan.pdf');
  });
});

describe('names from the booking', () => {
  const b = { client_id: ME, photographer_id: YOU, client_name: 'Priya Sharma', photographer_name: 'Asha Lens' };
  it('gives each participant the other\'s name, null when there is none to show', () => {
    expect(otherNameIn(b, ME)).toBe('Asha Lens');
    expect(otherNameIn(b, YOU)).toBe('Priya Sharma');
    expect(otherNameIn({ ...b, client_name: null }, YOU)).toBeNull();
  });
  it('does not say when the booking does not (an older answer) or the reader is not in it', () => {
    expect(otherNameIn({ client_id: ME, photographer_id: YOU }, ME)).toBeUndefined();
    expect(otherNameIn(b, '01JW3000000000000000000000')).toBeUndefined();
  });
  it('names senders to an admin, "The client" or "The photographer" without a name', () => {
    expect(senderName(b, ME)).toBe('Priya Sharma');
    expect(senderName(b, YOU)).toBe('Asha Lens');
    expect(senderName({ client_id: ME, photographer_id: YOU, client_name: null }, ME)).toBe('The client');
    expect(senderName({ client_id: ME, photographer_id: YOU }, YOU)).toBe('The photographer');
  });
});
