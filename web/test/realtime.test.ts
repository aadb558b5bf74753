import { describe, expect, it } from 'vitest';
import type { AppNotification } from '../src/api/types';
import { type Badge, badgeAfter, notificationsAfter } from '../src/realtime/badge';
import {
  BACKOFF_CAP_MS, STABLE_AFTER_MS, type ServerFrame, Seen, backoffDelay, frameKey, parseFrame, reconnectPlan, shouldRefresh,
} from '../src/realtime/rules';
import { RealtimeSocket, type SessionSource } from '../src/realtime/socket';

const B = '01JB0000000000000000000000';
const U1 = '01JW1000000000000000000000';
const U2 = '01JW2000000000000000000000';
const M1 = '01JM1000000000000000000000';
const M2 = '01JM2000000000000000000000';
const N1 = '01JN1000000000000000000000';
const N2 = '01JN2000000000000000000000';
const N3 = '01JN3000000000000000000000';

const message = (id = M1, over: Record<string, unknown> = {}) => ({
  id, booking_id: B, sender_id: U1, client_id: 'c1', text: 'hello <b>there</b>', sent_at: '2026-12-02T10:00:00Z', ...over,
});
const notice = (id: string, read = false): AppNotification => ({
  id, kind: 'booking_confirmed', title: 'Confirmed', booking_id: B, link: `/bookings/${B}`, created_at: '2026-12-02T10:00:00Z', read,
});
const frame = (v: unknown) => parseFrame(JSON.stringify(v));

describe('frames from the server', () => {
  it('reads each frame of the protocol', () => {
    expect(frame({ type: 'message', message: message() })).toEqual({ type: 'message', message: message() });
    expect(frame({ type: 'sent', client_id: 'c1', duplicate: true, message: message() }))
      .toMatchObject({ type: 'sent', client_id: 'c1', duplicate: true });
    expect(frame({ type: 'typing', booking_id: B, user_id: U1 })).toEqual({ type: 'typing', booking_id: B, user_id: U1 });
    expect(frame({ type: 'read', booking_id: B, user_id: U2, message_id: M1 })).toMatchObject({ type: 'read', message_id: M1 });
    expect(frame({ type: 'marked', booking_id: B, message_id: M1, unread: 0 })).toMatchObject({ type: 'marked', unread: 0 });
    expect(frame({ type: 'notification', notification: notice(N1) })).toEqual({ type: 'notification', notification: notice(N1) });
    expect(frame({ type: 'notifications_read', up_to: N1 })).toEqual({ type: 'notifications_read', up_to: N1 });
    expect(frame({ type: 'notifications_read', ids: [N1, N2] })).toEqual({ type: 'notifications_read', ids: [N1, N2] });
    expect(frame({ type: 'pong', at: '2026-12-02T10:00:00Z' })).toMatchObject({ type: 'pong' });
  });

  it('reads an error frame with its problem fields, and only those of the right type', () => {
    expect(frame({
      type: 'error', status: 429, code: 'rate-limited', title: 'Too many messages', detail: 'slow down',
      action: 'send_message', client_id: 'c9', retry_after_secs: 7, errors: [{ field: 'text', message: 'x' }, { bad: 1 }],
    })).toEqual({
      type: 'error', status: 429, code: 'rate-limited', title: 'Too many messages', detail: 'slow down',
      action: 'send_message', client_id: 'c9', retry_after_secs: 7, errors: [{ field: 'text', message: 'x' }],
    });
    expect(frame({ type: 'error', status: 403, code: 'forbidden' })).toMatchObject({ detail: 'The chat refused that.', title: 'Refused' });
    expect(frame({ type: 'error', code: 'forbidden' })).toBeNull();
  });

  it('ignores what is not a frame of the protocol: not JSON, unknown types, missing or malformed members', () => {
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame('[1]')).toBeNull();
    expect(frame({ type: 'shiny_new_thing', x: 1 })).toBeNull();
    expect(frame({ type: 'message' })).toBeNull();
    expect(frame({ type: 'message', message: message('not-a-ulid') })).toBeNull();
    expect(frame({ type: 'message', message: message(M1, { text: 5 }) })).toBeNull();
    expect(frame({ type: 'message', message: message(M1, { client_id: 'has spaces' }) })).toBeNull();
    expect(frame({ type: 'message', message: message(M1, { attachment: { id: M2 } }) })).toBeNull();
    expect(frame({ type: 'sent', client_id: 'c1', message: message() })).toBeNull(); // no duplicate
    expect(frame({ type: 'marked', booking_id: B, message_id: M1, unread: -1 })).toBeNull();
    expect(frame({ type: 'notification', notification: { ...notice(N1), read: 'no' } })).toBeNull();
    expect(frame({ type: 'notifications_read' })).toBeNull();
    expect(frame({ type: 'notifications_read', ids: [] })).toBeNull();
    expect(frame({ type: 'notifications_read', ids: ['x'] })).toBeNull();
  });

  it('keeps a message\'s attachment with its links', () => {
    const attachment = {
      id: M2, filename: 'plan.pdf', content_type: 'application/pdf', kind: 'document', size_bytes: 1200,
      links: { view: 'https://s3/v', download: 'https://s3/d', expire_at: '2026-12-02T10:15:00Z' },
    };
    expect(frame({ type: 'message', message: message(M1, { text: '', attachment }) })).toMatchObject({
      message: { attachment: { filename: 'plan.pdf', links: { view: 'https://s3/v' } } },
    });
  });
});

describe('de-duplication of frames delivered more than once', () => {
  it('keys frames by the ids they carry; moments without ids have none', () => {
    const m = frame({ type: 'message', message: message() }) as ServerFrame;
    expect(frameKey(m)).toBe(`message:${M1}`);
    expect(frameKey(frame({ type: 'notification', notification: notice(N1) }) as ServerFrame)).toBe(`notification:${N1}`);
    expect(frameKey(frame({ type: 'typing', booking_id: B, user_id: U1 }) as ServerFrame)).toBeNull();
    expect(frameKey(frame({ type: 'error', status: 400, code: 'bad-frame' }) as ServerFrame)).toBeNull();
    // Two marks to the same message with different counts are two facts.
    const a = frame({ type: 'marked', booking_id: B, message_id: M1, unread: 2 }) as ServerFrame;
    const b = frame({ type: 'marked', booking_id: B, message_id: M1, unread: 0 }) as ServerFrame;
    expect(frameKey(a)).not.toBe(frameKey(b));
  });

  it('says a key is new once, and forgets the oldest past its capacity', () => {
    const seen = new Seen(3);
    expect(seen.first('a')).toBe(true);
    expect(seen.first('a')).toBe(false);
    seen.first('b');
    seen.first('c');
    seen.first('d'); // 'a' falls out
    expect(seen.first('b')).toBe(false);
    expect(seen.first('a')).toBe(true);
  });
});

describe('reconnecting', () => {
  it('doubles the wait from a second up to 30 s, jittered within the upper half', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(1, () => 0)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(8000);
    expect(backoffDelay(5, () => 1)).toBe(BACKOFF_CAP_MS);
    expect(backoffDelay(50, () => 0.999)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(backoffDelay(50, () => 0)).toBe(BACKOFF_CAP_MS / 2);
    for (let a = 0; a < 10; a++) {
      const d = backoffDelay(a, Math.random);
      const ceiling = Math.min(BACKOFF_CAP_MS, 1000 * 2 ** a);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
  });

  it('starts the schedule again after a connection that lasted, keeps climbing after one that did not', () => {
    expect(reconnectPlan(4, STABLE_AFTER_MS, () => 1)).toEqual({ delay: 1000, attempt: 1 });
    expect(reconnectPlan(4, 500, () => 1)).toEqual({ delay: 16_000, attempt: 5 });
    expect(reconnectPlan(2, null, () => 1)).toEqual({ delay: 4000, attempt: 3 });
  });

  it('refreshes the token after the first refused handshake of an outage, not after every one', () => {
    const neverOpened = { opened: false, code: 1006, unauthorized: false };
    expect(shouldRefresh(neverOpened, false)).toBe(true);
    expect(shouldRefresh(neverOpened, true)).toBe(false);
    expect(shouldRefresh({ opened: true, code: 1006, unauthorized: false }, false)).toBe(false);
    expect(shouldRefresh({ opened: true, code: 1001, unauthorized: true }, true)).toBe(true);
    expect(shouldRefresh({ opened: true, code: 1008, unauthorized: false }, true)).toBe(true);
    expect(shouldRefresh({ opened: true, code: 4001, unauthorized: false }, true)).toBe(true);
  });
});

describe('the notifications badge and list follow the frames', () => {
  const badge: Badge = { unread: 2, capped: false, newest: N2 };
  const n = (id: string, read = false) => ({ type: 'notification', notification: notice(id, read) }) as ServerFrame;

  it('counts a new unread notification once, not one the last read counted', () => {
    const after = badgeAfter(badge, n(N3));
    expect(after).toEqual({ badge: { unread: 3, capped: false, newest: N3 }, refetch: false });
    expect(badgeAfter(after.badge, n(N3)).badge.unread).toBe(3);
    expect(badgeAfter(badge, n(N1)).badge).toBe(badge);
    expect(badgeAfter(badge, n(N3, true)).badge).toBe(badge);
    expect(badgeAfter({ unread: 0, capped: false, newest: null }, n(N1)).badge).toEqual({ unread: 1, capped: false, newest: N1 });
  });

  it('stops at 99, as the API counts', () => {
    expect(badgeAfter({ unread: 98, capped: false, newest: N1 }, n(N2)).badge).toEqual({ unread: 99, capped: true, newest: N2 });
    expect(badgeAfter({ unread: 99, capped: true, newest: N1 }, n(N2)).badge).toMatchObject({ unread: 99, capped: true });
  });

  it('clears on "read up to" the newest; asks the API again when it cannot count', () => {
    const upTo = (id: string) => ({ type: 'notifications_read', up_to: id }) as ServerFrame;
    expect(badgeAfter(badge, upTo(N2))).toEqual({ badge: { unread: 0, capped: false, newest: N2 }, refetch: false });
    expect(badgeAfter(badge, upTo(N3)).badge.unread).toBe(0);
    expect(badgeAfter(badge, upTo(N1))).toEqual({ badge, refetch: true });
    expect(badgeAfter(badge, { type: 'notifications_read', ids: [N2] })).toEqual({ badge, refetch: true });
    expect(badgeAfter(badge, { type: 'typing', booking_id: B, user_id: U1 })).toEqual({ badge, refetch: false });
  });

  it('puts a pushed notification on top of the list once, and marks read what a frame says', () => {
    const list = [notice(N2), notice(N1)];
    expect(notificationsAfter(list, n(N3))?.map((x) => x.id)).toEqual([N3, N2, N1]);
    expect(notificationsAfter(list, n(N2))).toBeNull();
    expect(notificationsAfter(list, { type: 'notifications_read', up_to: N1 })?.map((x) => x.read)).toEqual([false, true]);
    expect(notificationsAfter(list, { type: 'notifications_read', ids: [N2] })?.map((x) => x.read)).toEqual([true, false]);
    expect(notificationsAfter([notice(N1, true)], { type: 'notifications_read', up_to: N1 })).toBeNull();
  });
});

// --- the socket, with a fake WebSocket and a hand-turned clock ---

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closed: number | null = null;
  onopen: ((e: unknown) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  constructor(readonly url: string, readonly protocols: string[]) {
    FakeSocket.all.push(this);
  }
  send(d: string) { this.sent.push(d); }
  close(code = 1000) { this.closed = code; }
  open() { this.readyState = 1; this.onopen?.({}); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code }); }
  push(v: unknown) { this.onmessage?.({ data: JSON.stringify(v) }); }
}

function harness() {
  FakeSocket.all = [];
  let t = 1_000_000;
  const timers: { at: number; f: () => void; id: number }[] = [];
  let nextId = 1;
  const listeners = new Set<(s: SessionSource['session']) => void>();
  let refreshes = 0;
  const src = {
    session: { user: { id: U1 }, accessToken: 'tok-1', expiresAt: t + 900_000 } as SessionSource['session'],
    subscribe(l: (s: SessionSource['session']) => void) { listeners.add(l); return () => listeners.delete(l); },
    async refresh() {
      refreshes++;
      if (src.session) src.session = { ...src.session, accessToken: `tok-${refreshes + 1}`, expiresAt: t + 900_000 };
      return src.session !== null;
    },
  };
  const socket = new RealtimeSocket('ws://x/dev', src, {
    WebSocket: FakeSocket, now: () => t, random: () => 1,
    setTimeout: (f, ms) => { const id = nextId++; timers.push({ at: t + ms, f, id }); return id; },
    clearTimeout: (id) => { const i = timers.findIndex((x) => x.id === id); if (i >= 0) timers.splice(i, 1); },
  });
  return {
    socket, src,
    get refreshes() { return refreshes; },
    last: () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket,
    /** Moves the clock, running what falls due. */
    async advance(ms: number) {
      const until = t + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        t = next.at;
        next.f();
        await Promise.resolve();
        await Promise.resolve();
      }
      t = until;
    },
    signOut() { src.session = null; for (const l of listeners) l(null); },
    pending: () => timers.map((x) => x.at - t),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the socket', () => {
  it('opens with the token as the second subprotocol and hands each frame on once', async () => {
    const h = harness();
    const got: ServerFrame[] = [];
    h.socket.onFrame((f) => got.push(f));
    h.socket.start();
    await flush();
    expect(h.last().protocols).toEqual(['capture-moments', 'tok-1']);
    h.last().open();
    expect(h.socket.status).toBe('open');
    h.last().push({ type: 'message', message: message() });
    h.last().push({ type: 'message', message: message() });
    h.last().push({ type: 'typing', booking_id: B, user_id: U2 });
    h.last().push({ type: 'typing', booking_id: B, user_id: U2 });
    expect(got.map((f) => f.type)).toEqual(['message', 'typing', 'typing']);
    expect(h.socket.send({ action: 'typing', booking_id: B })).toBe(true);
    expect(JSON.parse(h.last().sent[0] as string)).toEqual({ action: 'typing', booking_id: B });
  });

  it('reconnects after a drop with the backoff, refreshing the token after a refused handshake', async () => {
    const h = harness();
    h.socket.start();
    await flush();
    h.last().open();
    await h.advance(STABLE_AFTER_MS);
    h.last().drop(1006);
    expect(h.socket.status).toBe('waiting');
    expect(h.pending()).toContain(1000); // attempt 0, jitter at the top
    expect(h.socket.send({ action: 'ping' })).toBe(false);
    await h.advance(1000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(h.refreshes).toBe(0); // it had opened: no reason to doubt the token
    h.last().drop(1006); // refused before opening: maybe the token
    await h.advance(2000);
    expect(h.refreshes).toBe(1);
    expect(h.last().protocols[1]).toBe('tok-2');
    h.last().drop(1006); // again: the fresh token is not the problem; wait, do not refresh
    await h.advance(4000);
    expect(h.refreshes).toBe(1);
    expect(FakeSocket.all).toHaveLength(4);
    h.last().open();
    expect(h.socket.openCount).toBe(2);
  });

  it('starts over with a fresh token when the server says unauthorized', async () => {
    const h = harness();
    h.socket.start();
    await flush();
    h.last().open();
    h.last().push({ type: 'error', status: 401, code: 'unauthorized', title: 'Unauthorized', detail: 'gone' });
    expect(h.last().closed).toBe(4001);
    h.last().drop(4001);
    await h.advance(1000);
    expect(h.refreshes).toBe(1);
    expect(h.last().protocols[1]).toBe('tok-2');
  });

  it('refreshes a token about to expire before the handshake', async () => {
    const h = harness();
    h.src.session = { ...(h.src.session as NonNullable<SessionSource['session']>), expiresAt: 1_000_000 + 10_000 };
    h.socket.start();
    await flush();
    expect(h.refreshes).toBe(1);
    expect(h.last().protocols[1]).toBe('tok-2');
  });

  it('closes on sign-out and does not come back', async () => {
    const h = harness();
    h.socket.start();
    await flush();
    const ws = h.last();
    ws.open();
    h.signOut();
    expect(ws.closed).toBe(1000);
    expect(h.socket.status).toBe('off');
    await h.advance(120_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('closes a socket still connecting only once it opens (the browser logs an error otherwise)', async () => {
    const h = harness();
    h.socket.start();
    await flush();
    const ws = h.last();
    h.signOut();
    expect(ws.closed).toBeNull();
    ws.open();
    expect(ws.closed).toBe(1000);
    expect(h.socket.status).toBe('off');
  });

  it('pings while open, inside the gateway\'s idle timeout', async () => {
    const h = harness();
    h.socket.start();
    await flush();
    h.last().open();
    await h.advance(5 * 60_000);
    expect(h.last().sent.map((s) => JSON.parse(s))).toEqual([{ action: 'ping' }]);
  });
});
