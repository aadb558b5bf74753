import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/api/client';
import { ApiError, parseRetryAfter, problemFrom } from '../src/api/problem';
import type { NotificationPreferences, Problem } from '../src/api/types';
import {
  MAX_REMINDERS, REMINDER_HOURS, cleanCode, confirmRefusal, countdown, groupZones, preferencesBody, preferencesDraft,
  profilePatch, reminderLabel, reminderSelectable, reminderSummary, samePreferences, secondsUntil, sendRefusalText,
  sendWait, timeZones, toggleReminder, waitText, zoneParts,
} from '../src/pages/account/rules';

const PREFS: NotificationPreferences = {
  email: true, sms: false, push: true, reminder_hours: [24, 2], sms_events: ['booking_confirmed', 'booking_cancelled', 'reminder'],
};

function problem(status: number, extra: Partial<Problem> & Record<string, unknown> = {}, retryAfter?: number): ApiError {
  return new ApiError({ type: 'https://capturemoments.app/problems/x', title: 't', status, detail: 'd', ...extra }, retryAfter);
}

describe('reminders', () => {
  it('are labelled in days or hours', () => {
    expect(REMINDER_HOURS.map(reminderLabel)).toEqual([
      '1 week before', '3 days before', '2 days before', '1 day before', '12 hours before', '6 hours before',
      '3 hours before', '2 hours before', '1 hour before',
    ]);
  });

  it('take at most three, furthest first, and a fourth changes nothing', () => {
    let s = toggleReminder([], 2, true);
    s = toggleReminder(s, 168, true);
    s = toggleReminder(s, 24, true);
    expect(s).toEqual([168, 24, 2]);
    expect(toggleReminder(s, 1, true)).toEqual([168, 24, 2]);
    expect(toggleReminder(s, 24, true)).toEqual([168, 24, 2]);
    expect(toggleReminder(s, 24, false)).toEqual([168, 2]);
    expect(toggleReminder(toggleReminder(s, 24, false), 1, true)).toEqual([168, 2, 1]);
  });

  it('keep the unchosen boxes closed at the limit, the chosen ones open', () => {
    const full = [72, 12, 1];
    expect(full).toHaveLength(MAX_REMINDERS);
    expect(reminderSelectable(full, 72)).toBe(true);
    expect(reminderSelectable(full, 24)).toBe(false);
    expect(reminderSelectable([72, 12], 24)).toBe(true);
  });

  it('are summed up in a sentence', () => {
    expect(reminderSummary([])).toBe('No reminders before your sessions.');
    expect(reminderSummary([2, 24])).toBe('Reminders 1 day and 2 hours before each confirmed session.');
    expect(reminderSummary([1, 168, 3])).toBe('Reminders 1 week, 3 hours and 1 hour before each confirmed session.');
  });
});

describe('the preferences PATCH body', () => {
  it('sends every member, since the API replaces the object whole', () => {
    const body = preferencesBody(preferencesDraft(PREFS));
    expect(Object.keys(body.notification_preferences).sort()).toEqual(['email', 'push', 'reminder_hours', 'sms', 'sms_events']);
    expect(body).toEqual({ notification_preferences: PREFS });
  });

  it('keeps an empty reminder list (reminders off) rather than omitting it (which means the default)', () => {
    const d = { ...preferencesDraft(PREFS), reminder_hours: [] };
    expect(preferencesBody(d).notification_preferences.reminder_hours).toEqual([]);
  });

  it("orders, dedupes and caps the lists as the API's enums do", () => {
    const d = { email: false, sms: true, push: false, reminder_hours: [1, 24, 24, 168, 2, 25], sms_events: ['reminder', 'booking_confirmed'] as const };
    const p = preferencesBody({ ...d, sms_events: [...d.sms_events] }).notification_preferences;
    expect(p.reminder_hours).toEqual([168, 24, 2]);
    expect(p.sms_events).toEqual(['booking_confirmed', 'reminder']);
  });

  it('keeps the text events while texts are off, so turning them on again restores the choice', () => {
    const d = { ...preferencesDraft(PREFS), sms: false, sms_events: ['reminder' as const] };
    expect(preferencesBody(d).notification_preferences).toMatchObject({ sms: false, sms_events: ['reminder'] });
  });

  it("reads missing lists as the API's defaults", () => {
    const d = preferencesDraft({ email: true, sms: true, push: false } as NotificationPreferences);
    expect(d.reminder_hours).toEqual([24, 2]);
    expect(d.sms_events).toEqual(['booking_confirmed', 'booking_cancelled', 'reminder']);
    expect(samePreferences(PREFS, { ...PREFS, reminder_hours: [2, 24] })).toBe(true);
    expect(samePreferences(PREFS, { ...PREFS, sms: true })).toBe(false);
  });
});

describe('the profile PATCH', () => {
  const me = { name: 'Emma Clarke', timezone: 'Europe/London' };
  it('holds only what changed, and nothing when nothing did', () => {
    expect(profilePatch(me, { name: ' Emma Clarke ', timezone: 'Europe/London' })).toBeNull();
    expect(profilePatch(me, { name: 'Emma Clarke', timezone: 'Asia/Tokyo' })).toEqual({ timezone: 'Asia/Tokyo' });
    expect(profilePatch(me, { name: 'Emma C. ', timezone: 'Asia/Tokyo' })).toEqual({ name: 'Emma C.', timezone: 'Asia/Tokyo' });
  });
  it("sends a blank name, so the API's refusal shows next to the field", () => {
    expect(profilePatch(me, { name: '   ', timezone: 'Europe/London' })).toEqual({ name: '' });
  });
});

describe('time zones', () => {
  it("always list the account's own zone and UTC, sorted", () => {
    expect(timeZones('Asia/Kolkata', () => ['Europe/London', 'Asia/Calcutta'])).toEqual(['Asia/Calcutta', 'Asia/Kolkata', 'Europe/London', 'UTC']);
  });
  it('fall back to a list of their own when the browser has none or throws', () => {
    const fallback = timeZones('Europe/London', () => { throw new RangeError('no'); });
    expect(fallback).toContain('America/New_York');
    expect(fallback).toContain('Europe/London');
    expect(timeZones('Asia/Tokyo', () => [])).toContain('Asia/Tokyo');
  });
  it("use this runtime's own list by default", () => {
    expect(timeZones('Europe/London').length).toBeGreaterThan(100);
  });
  it('are grouped by region with readable names', () => {
    expect(zoneParts('America/Argentina/Buenos_Aires')).toEqual({ group: 'America', label: 'Argentina / Buenos Aires' });
    expect(zoneParts('UTC')).toEqual({ group: 'Other', label: 'UTC' });
    expect(groupZones(['UTC', 'Europe/Paris', 'Asia/Tokyo', 'Europe/Berlin']).map((g) => [g.group, g.zones.map((z) => z.value)])).toEqual([
      ['Asia', ['Asia/Tokyo']], ['Europe', ['Europe/Paris', 'Europe/Berlin']], ['Other', ['UTC']],
    ]);
  });
});

describe('countdowns', () => {
  it('write m:ss, with hours past one', () => {
    expect(countdown(0)).toBe('0:00');
    expect(countdown(-5)).toBe('0:00');
    expect(countdown(9.2)).toBe('0:10');
    expect(countdown(59)).toBe('0:59');
    expect(countdown(60)).toBe('1:00');
    expect(countdown(600)).toBe('10:00');
    expect(countdown(3600)).toBe('1:00:00');
    expect(countdown(3725)).toBe('1:02:05');
  });
  it('count whole seconds up to an instant, never below zero', () => {
    const now = Date.parse('2026-12-02T01:00:00Z');
    expect(secondsUntil('2026-12-02T01:01:00Z', now)).toBe(60);
    expect(secondsUntil('2026-12-02T01:00:00.200Z', now)).toBe(1);
    expect(secondsUntil('2026-12-02T00:59:00Z', now)).toBe(0);
    expect(secondsUntil('not a time', now)).toBe(0);
  });
  it('say a wait in words', () => {
    expect(waitText(1)).toBe('1 second');
    expect(waitText(42)).toBe('42 seconds');
    expect(waitText(60)).toBe('1 minute');
    expect(waitText(185)).toBe('3 minutes 5 seconds');
    expect(waitText(12 * 60 + 40)).toBe('about 13 minutes');
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-12-02T01:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('42', now)).toBe(42);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 02 Dec 2026 01:02:00 GMT', now)).toBe(120);
    expect(parseRetryAfter('Wed, 02 Dec 2026 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
  it('is kept on the error made from a refused answer', async () => {
    const res = new Response(JSON.stringify({ type: 'https://capturemoments.app/problems/too-many-requests', title: 'Too many requests', status: 429, detail: 'a code was just sent; ask for another in 40 seconds' }), {
      status: 429, headers: { 'content-type': 'application/problem+json', 'retry-after': '40' },
    });
    const e = await problemFrom(res);
    expect(e.status).toBe(429);
    expect(e.retryAfter).toBe(40);
    expect(sendWait(e)).toBe(40);
    expect(sendRefusalText(e)).toBe('A code was sent a short while ago (we send one a minute and five an hour). You can ask for a new code in 40 seconds.');
    const plain = await problemFrom(new Response('busy', { status: 503 }));
    expect(plain.retryAfter).toBeUndefined();
    expect(sendWait(plain)).toBe(60);
  });
});

describe('a refused code', () => {
  it('says how many tries are left, next to the field', () => {
    expect(confirmRefusal(problem(422, { tries_left: 4 }))).toEqual({ message: 'That is not the code we sent: 4 tries left.', restart: false, field: true });
    expect(confirmRefusal(problem(422, { tries_left: 1 }))?.message).toBe('That is not the code we sent: 1 try left.');
    expect(confirmRefusal(problem(422, { tries_left: 0 }))).toMatchObject({ restart: true, field: true });
    expect(confirmRefusal(problem(422, { errors: [{ field: 'code', message: 'must be the 6-digit code' }] }))?.message).toBe('Type the 6-digit code from the text.');
  });
  it('asks for a new code when it expired, was locked or none is waiting', () => {
    for (const s of [410, 429, 409]) expect(confirmRefusal(problem(s))).toMatchObject({ restart: true, field: false });
    expect(confirmRefusal(problem(410))?.message).toMatch(/expired/);
    expect(confirmRefusal(problem(429))?.message).toMatch(/Too many wrong codes/);
  });
  it('leaves other failures to the general error', () => {
    expect(confirmRefusal(problem(503))).toBeNull();
    expect(confirmRefusal(new Error('x'))).toBeNull();
    expect(sendWait(problem(422))).toBeNull();
    expect(sendRefusalText(problem(503, {}, 60))).toBe('The text could not be sent just now. You can ask for a new code in 1 minute.');
  });
  it('is sent as digits', () => {
    expect(cleanCode(' 123 456 ')).toBe('123456');
    expect(cleanCode('123-456')).toBe('123456');
  });
});

describe('the session after PATCH /me', () => {
  it("takes the answer's account, telling the shell, and ignores another account's", async () => {
    const user = { id: '01J00000000000000000000000', email: 'a@b.test', name: 'Ann', role: 'client' as const, phone: null, timezone: 'UTC', active: true };
    const fetchImpl = (async () => new Response(JSON.stringify({
      user, access_token: 'a', token_type: 'Bearer', expires_in: 900, refresh_token: 'r',
    }), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
    const client = new ApiClient({ baseUrl: 'http://api', fetch: fetchImpl, storage: null });
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    const seen: (string | undefined)[] = [];
    client.subscribe((s) => seen.push(s?.user.timezone));
    client.updateUser({ ...user, timezone: 'Asia/Tokyo', name: 'Ann B' });
    expect(client.session?.user).toMatchObject({ name: 'Ann B', timezone: 'Asia/Tokyo' });
    expect(client.session?.accessToken).toBe('a');
    client.updateUser({ ...user, id: '01J00000000000000000000001', timezone: 'UTC' });
    expect(client.session?.user.timezone).toBe('Asia/Tokyo');
    expect(seen).toEqual(['Asia/Tokyo']);
  });
});
