import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client';
import { ApiError } from '../src/api/problem';
import type { ExternalCalendar, Problem } from '../src/api/types';
import {
  addRefusal, agoText, busyText, calendarState, calendarView, capacity, checkDraft, errorAdvice, relativeTime, secondsLeft, sentence,
  syncWait,
} from '../src/pages/photographer/calendars-rules';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function calendar(extra: Partial<ExternalCalendar> = {}): ExternalCalendar {
  return {
    id: '01JCAL0000000000000000000A', label: 'Personal', url_masked: 'https://calendar.google.com/…/ics4', status: 'ok',
    last_attempt_at: ago(300), last_success_at: ago(300), last_error: null, busy_intervals: 12,
    next_sync_at: new Date(NOW + 600_000).toISOString(), created_at: ago(86_400), ...extra,
  };
}

function problem(status: number, extra: Partial<Problem> = {}, retryAfter?: number): ApiError {
  return new ApiError({ type: 'https://capturemoments.app/problems/x', title: 't', status, detail: 'd', ...extra }, retryAfter);
}

describe('a calendar\'s state', () => {
  it('is the API\'s status when it is one the app knows', () => {
    // The API's word wins over the fields: a failing calendar keeps an old success.
    expect(calendarState(calendar({ status: 'failing', last_error: null }))).toBe('failing');
    expect(calendarState(calendar({ status: 'pending' }))).toBe('pending');
    expect(calendarState(calendar())).toBe('ok');
  });

  it('is read from the fields as the API derives it when the status is new to the app', () => {
    const unknown = 'stale' as ExternalCalendar['status'];
    expect(calendarState(calendar({ status: unknown, last_attempt_at: null, last_error: null }))).toBe('pending');
    expect(calendarState(calendar({ status: unknown, last_error: 'the calendar could not be reached' }))).toBe('failing');
    expect(calendarState(calendar({ status: unknown }))).toBe('ok');
  });

  it('says what it does for bookings: never synced', () => {
    const v = calendarView(calendar({ status: 'pending', last_attempt_at: null, last_success_at: null, busy_intervals: 0, next_sync_at: ago(10) }), NOW);
    expect(v).toMatchObject({ state: 'pending', label: 'Never synced', tone: 'pending' });
    // Due already (the add makes it due at once): no "in …" for a time that has passed.
    expect(v.summary).toContain('with the next sync, within 15 minutes');
    expect(v.summary).toContain('Nothing from it blocks bookings');
    const later = calendarView(calendar({ status: 'pending', last_attempt_at: null, last_success_at: null, next_sync_at: new Date(NOW + 7 * 60_000).toISOString() }), NOW);
    expect(later.summary).toContain('with the next sync, in 7 minutes');
  });

  it('says what it does for bookings: ok, with its busy times', () => {
    const v = calendarView(calendar(), NOW);
    expect(v).toMatchObject({ state: 'ok', label: 'OK', tone: 'confirmed' });
    expect(v.summary).toBe('Read 5 minutes ago: 12 busy times in the next 6 months block bookings.');
    expect(calendarView(calendar({ busy_intervals: 1 }), NOW).summary).toContain('1 busy time in the next 6 months blocks');
    expect(calendarView(calendar({ busy_intervals: 0 }), NOW).summary).toContain('no busy times');
  });

  it('says what it does for bookings: failing, keeping an earlier success or having none', () => {
    const kept = calendarView(calendar({ status: 'failing', last_attempt_at: ago(60), last_success_at: ago(7200), last_error: 'x' }), NOW);
    expect(kept).toMatchObject({ state: 'failing', label: 'Failing', tone: 'failed' });
    expect(kept.summary).toBe('The last try failed. The 12 busy times read 2 hours ago still block bookings.');
    const never = calendarView(calendar({ status: 'failing', last_success_at: null, busy_intervals: 0, last_error: 'x' }), NOW);
    expect(never.summary).toBe('It has never been read: nothing from it blocks bookings.');
  });
});

describe('relative times', () => {
  it('round down, so "5 minutes ago" never means four and a half', () => {
    expect(relativeTime(ago(0), NOW)).toBe('just now');
    expect(relativeTime(ago(44), NOW)).toBe('just now');
    expect(relativeTime(ago(50), NOW)).toBe('1 minute ago');
    expect(relativeTime(ago(119), NOW)).toBe('1 minute ago');
    expect(relativeTime(ago(270), NOW)).toBe('4 minutes ago');
    expect(relativeTime(ago(359), NOW)).toBe('5 minutes ago');
    expect(relativeTime(ago(59 * 60 + 59), NOW)).toBe('59 minutes ago');
    expect(relativeTime(ago(3600), NOW)).toBe('1 hour ago');
    expect(relativeTime(ago(23 * 3600 + 3599), NOW)).toBe('23 hours ago');
    expect(relativeTime(ago(24 * 3600), NOW)).toBe('1 day ago');
    expect(relativeTime(ago(10 * 86_400), NOW)).toBe('10 days ago');
  });

  it('say "in" for the future and read any offset', () => {
    expect(relativeTime(new Date(NOW + 20_000).toISOString(), NOW)).toBe('in under a minute');
    expect(relativeTime(new Date(NOW + 3 * 60_000 + 5000).toISOString(), NOW)).toBe('in 3 minutes');
    expect(relativeTime('2026-12-02T17:30:00+05:30', NOW)).toBe('just now'); // 12:00Z
    expect(relativeTime('2026-12-02T16:30:00+05:30', NOW)).toBe('1 hour ago');
  });

  it('of what already happened are never in the future, whatever the clocks say', () => {
    expect(agoText(new Date(NOW + 20_000).toISOString(), NOW)).toBe('just now');
    expect(agoText(new Date(NOW + 5 * 60_000).toISOString(), NOW)).toBe('just now');
    expect(agoText(ago(300), NOW)).toBe('5 minutes ago');
    expect(agoText('not a time', NOW)).toBe('');
    // The summary says the same as the facts list.
    const v = calendarView(calendar({ last_success_at: new Date(NOW + 3000).toISOString() }), NOW);
    expect(v.summary).toMatch(/^Read just now:/);
  });

  it('are empty for an unreadable instant', () => {
    expect(relativeTime('yesterday', NOW)).toBe('');
  });
});

describe('words', () => {
  it('count busy times', () => {
    expect([0, 1, 2].map(busyText)).toEqual(['no busy times', '1 busy time', '2 busy times']);
  });

  it('make the API\'s error text a sentence', () => {
    expect(sentence("the calendar's server answered HTTP 404")).toBe("The calendar's server answered HTTP 404.");
    expect(sentence('Already a sentence.')).toBe('Already a sentence.');
    expect(sentence('  ')).toBe('');
  });

  it('advise a new address only where the error says the old one stopped working', () => {
    for (const code of [401, 403, 404, 410]) {
      expect(errorAdvice(`the calendar's server answered HTTP ${code}`)).toContain('copy its secret address again');
    }
    expect(errorAdvice("the calendar's server answered HTTP 500")).toBeNull();
    expect(errorAdvice("the calendar's server answered HTTP 4040")).toBeNull();
    expect(errorAdvice('the calendar took longer than 10 seconds to answer')).toBeNull();
    expect(errorAdvice("the calendar's address points at a private or reserved network address")).toContain('somewhere we do not fetch');
    expect(errorAdvice(null)).toBeNull();
  });

  it('explain the cap', () => {
    expect(capacity(0, 3)).toEqual({ text: '0 of 3 calendars.', full: false });
    expect(capacity(2, 3).full).toBe(false);
    expect(capacity(3, 3)).toEqual({ text: '3 of 3 calendars: the most there can be. Remove one to add another.', full: true });
  });
});

describe('a new calendar before it is sent', () => {
  it('needs an address, trimmed, and sends the label only when there is one', () => {
    expect(checkDraft({ url: '  ', label: '' }).errors.url).toMatch(/Paste/);
    expect(checkDraft({ url: ' https://calendar.google.com/calendar/ical/x/basic.ics ', label: '  ' }))
      .toEqual({ errors: {}, body: { url: 'https://calendar.google.com/calendar/ical/x/basic.ics' } });
    expect(checkDraft({ url: 'https://outlook.office365.com/owa/calendar/a/b/calendar.ics', label: ' Studio ' }).body)
      .toEqual({ url: 'https://outlook.office365.com/owa/calendar/a/b/calendar.ics', label: 'Studio' });
  });

  it('takes webcal:// as typed (the API reads it as https)', () => {
    expect(checkDraft({ url: 'webcal://p01-caldav.icloud.com/published/2/abc', label: '' }).body)
      .toEqual({ url: 'webcal://p01-caldav.icloud.com/published/2/abc' });
    expect(checkDraft({ url: 'WEBCAL://p01-caldav.icloud.com/x', label: '' }).errors).toEqual({});
  });

  it('refuses what is no address, or a scheme no calendar uses', () => {
    expect(checkDraft({ url: 'calendar.google.com/calendar/ical/x/basic.ics', label: '' }).errors.url).toMatch(/not a web address/);
    expect(checkDraft({ url: 'webcal://', label: '' }).errors.url).toMatch(/not a web address/);
    expect(checkDraft({ url: 'ftp://calendar.example.com/x.ics', label: '' }).errors.url).toMatch(/https:\/\//);
    expect(checkDraft({ url: 'file:///etc/passwd', label: '' }).body).toBeNull();
    expect(checkDraft({ url: `https://calendar.example.com/${'a'.repeat(2048)}`, label: '' }).errors.url).toMatch(/2048/);
  });

  it('leaves http:// and private hosts to the API, whose policy counts', () => {
    // The local stack lets its own fixture calendar (http://127.0.0.1) through; AWS never.
    expect(checkDraft({ url: 'http://127.0.0.1:4321/demo.ics', label: '' }).body).not.toBeNull();
    expect(checkDraft({ url: 'https://10.0.0.5/cal.ics', label: '' }).body).not.toBeNull();
  });

  it('keeps the label to 60 characters, without control characters', () => {
    const url = 'https://calendar.example.com/a.ics';
    expect(checkDraft({ url, label: 'é'.repeat(60) }).errors).toEqual({});
    expect(checkDraft({ url, label: 'x'.repeat(61) }).errors.label).toMatch(/60/);
    expect(checkDraft({ url, label: 'Work\u0007' }).errors.label).toBeDefined();
    expect(checkDraft({ url: '', label: 'x'.repeat(61) }).errors).toHaveProperty('url');
  });
});

describe('refusals', () => {
  it('put a duplicate beside the address and explain the cap', () => {
    const exists = problem(409, { type: 'https://capturemoments.app/problems/calendar-exists' });
    expect(addRefusal(exists, 3)).toEqual({ message: expect.stringMatching(/added already/), field: 'url' });
    const full = problem(409, { type: 'https://capturemoments.app/problems/calendar-limit' });
    expect(addRefusal(full, 3)).toEqual({ message: 'You have 3 calendars, the most there can be: remove one to add another.', field: null });
    expect(addRefusal(problem(409, { type: 'https://capturemoments.app/problems/version-conflict' }), 3)).toBeNull();
    expect(addRefusal(problem(422), 3)).toBeNull();
    expect(addRefusal(new Error('offline'), 3)).toBeNull();
  });

  it('make "Sync now" wait for Retry-After, a minute without one', () => {
    expect(syncWait(problem(429, {}, 42))).toBe(42);
    expect(syncWait(problem(429))).toBe(60);
    expect(syncWait(problem(429, {}, 0))).toBe(1);
    expect(syncWait(problem(503, {}, 5))).toBe(5);
    expect(syncWait(problem(503))).toBeNull();
    expect(syncWait(problem(404))).toBeNull();
    expect(syncWait(new Error('x'))).toBeNull();
  });

  it('count down in whole seconds, never below zero', () => {
    expect(secondsLeft(NOW + 41_001, NOW)).toBe(42);
    expect(secondsLeft(NOW + 1, NOW)).toBe(1);
    expect(secondsLeft(NOW - 5000, NOW)).toBe(0);
  });
});

describe('the client\'s calendar methods', () => {
  function client(answer: (method: string, url: URL, body: unknown) => Response) {
    const calls: { method: string; url: URL; body: unknown }[] = [];
    const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method: init?.method ?? 'GET', url, body });
      if (url.pathname === '/auth/refresh') {
        return new Response(JSON.stringify({
          user: { id: 'u', email: 'p@x.test', name: 'P', role: 'photographer', phone: null, timezone: 'UTC', active: true },
          access_token: 'a', token_type: 'Bearer', expires_in: 900, refresh_token: 'r2',
        }), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return answer(init?.method ?? 'GET', url, body);
    }) as typeof fetch;
    const store = new Map([['cm.refresh', 'r1']]);
    const api = new ApiClient({
      baseUrl: 'http://api', fetch: fetchImpl,
      storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    });
    return { api, calls: () => calls.filter((c) => c.url.pathname !== '/auth/refresh') };
  }
  const ok = (body: unknown, status = 200) => new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('list, add, sync and delete at the documented paths', async () => {
    const c = calendar();
    const { api, calls } = client((method, url) => {
      if (method === 'GET') return ok({ items: [c], max: 3 });
      if (method === 'POST' && url.pathname.endsWith('/sync')) return ok(c);
      if (method === 'POST') return ok({ ...c, status: 'pending' }, 201);
      return ok(null, 204);
    });
    expect((await api.listMyExternalCalendars()).items[0]?.id).toBe(c.id);
    expect((await api.addMyExternalCalendar({ url: 'https://calendar.example.com/a.ics', label: 'Work' })).status).toBe('pending');
    expect((await api.syncMyExternalCalendar('01J/../x')).id).toBe(c.id);
    expect(await api.deleteMyExternalCalendar(c.id)).toBeUndefined();
    expect(calls().map((x) => `${x.method} ${x.url.pathname}`)).toEqual([
      'GET /photographers/me/calendars',
      'POST /photographers/me/calendars',
      // An id is one path segment, whatever it holds.
      'POST /photographers/me/calendars/01J%2F..%2Fx/sync',
      `DELETE /photographers/me/calendars/${c.id}`,
    ]);
    expect(calls()[1]?.body).toEqual({ url: 'https://calendar.example.com/a.ics', label: 'Work' });
  });

  it('keep a 429\'s Retry-After for the countdown', async () => {
    const { api } = client(() => new Response(JSON.stringify({
      type: 'https://capturemoments.app/problems/too-many-requests', title: 'Too many requests', status: 429,
      detail: 'too many attempts; try again in 42 seconds',
    }), { status: 429, headers: { 'content-type': 'application/problem+json', 'retry-after': '42' } }));
    const err = await api.syncMyExternalCalendar('01JCAL0000000000000000000A').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(syncWait(err)).toBe(42);
  });
});
