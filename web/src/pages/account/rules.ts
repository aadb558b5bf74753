// The Account page's pure rules, kept out of the components so Vitest can check them:
// reminder choices and their limit, the notification preferences PATCH body (replaced
// whole by the API), the profile changes, time zones, countdowns and the verification
// flow's refusals as words.
import { ApiError } from '../../api/problem';
import type { Me, MePatch, NotificationPreferences, ReminderHour, SmsEvent } from '../../api/types';
import { waitText } from '../../format';

// Shared with the photographer's calendars (format.ts, in the first page's chunk);
// exported here too, where the Account page and its tests have always found them.
export { countdown, waitText } from '../../format';

/** NotificationPreferences.reminder_hours' enum, furthest first. */
export const REMINDER_HOURS: readonly ReminderHour[] = [168, 72, 48, 24, 12, 6, 3, 2, 1];
/** The API's `maxItems`. */
export const MAX_REMINDERS = 3;
export const SMS_EVENTS: readonly SmsEvent[] = ['booking_confirmed', 'booking_cancelled', 'reminder'];
/** What the API keeps when a PATCH omits the lists (their descriptions). */
export const DEFAULT_REMINDERS: readonly ReminderHour[] = [24, 2];

export function reminderLabel(hours: number): string {
  if (hours % 24 === 0) {
    const days = hours / 24;
    return days === 7 ? '1 week before' : `${days} day${days === 1 ? '' : 's'} before`;
  }
  return `${hours} hour${hours === 1 ? '' : 's'} before`;
}

/** The reminders in the API's order (furthest first), without repeats or unknown values. */
export function sortReminders(hours: readonly number[]): ReminderHour[] {
  return REMINDER_HOURS.filter((h) => hours.includes(h));
}

/** Ticking or unticking one reminder. Ticking a fourth changes nothing: the form keeps
 * the other boxes disabled at the limit, this is the rule behind it. */
export function toggleReminder(selected: readonly number[], hour: ReminderHour, on: boolean): ReminderHour[] {
  const now = sortReminders(selected);
  if (!on) return now.filter((h) => h !== hour);
  if (now.includes(hour) || now.length >= MAX_REMINDERS) return now;
  return sortReminders([...now, hour]);
}

/** Whether a reminder's box can be ticked now (a ticked one can always be unticked). */
export function reminderSelectable(selected: readonly number[], hour: ReminderHour): boolean {
  return selected.includes(hour) || sortReminders(selected).length < MAX_REMINDERS;
}

/** "1 day and 2 hours before each confirmed session", or that there are none. */
export function reminderSummary(selected: readonly number[]): string {
  const hours = sortReminders(selected);
  if (hours.length === 0) return 'No reminders before your sessions.';
  const labels = hours.map((h) => reminderLabel(h).replace(/ before$/, ''));
  const list = labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
  return `Reminders ${list} before each confirmed session.`;
}

export function smsEventLabel(e: SmsEvent): string {
  switch (e) {
    case 'booking_confirmed': return 'A booking is confirmed';
    case 'booking_cancelled': return 'A booking is cancelled (by the other side)';
    case 'reminder': return 'A reminder the day before a session';
  }
}

/** The preferences as the form holds them. */
export interface PreferencesDraft {
  email: boolean;
  sms: boolean;
  push: boolean;
  reminder_hours: number[];
  sms_events: SmsEvent[];
}

export function preferencesDraft(p: NotificationPreferences): PreferencesDraft {
  return {
    email: p.email,
    sms: p.sms,
    push: p.push,
    // Always present in answers; a missing list would mean the API's default.
    reminder_hours: sortReminders(p.reminder_hours ?? DEFAULT_REMINDERS),
    sms_events: SMS_EVENTS.filter((e) => (p.sms_events ?? SMS_EVENTS).includes(e)),
  };
}

/** PATCH /me's `notification_preferences`: every member, because the API replaces the
 * object whole (an omitted list would reset to its default, not stay). The text events
 * are kept while texts are off, so turning texts on again restores the same choice. */
export function preferencesBody(d: PreferencesDraft): { notification_preferences: NotificationPreferences } {
  return {
    notification_preferences: {
      email: d.email,
      sms: d.sms,
      push: d.push,
      reminder_hours: sortReminders(d.reminder_hours).slice(0, MAX_REMINDERS),
      sms_events: SMS_EVENTS.filter((e) => d.sms_events.includes(e)),
    },
  };
}

export function samePreferences(a: NotificationPreferences, b: NotificationPreferences): boolean {
  return JSON.stringify(preferencesBody(preferencesDraft(a))) === JSON.stringify(preferencesBody(preferencesDraft(b)));
}

/** PATCH /me for the profile form: only what changed (the name trimmed, as the API
 * keeps it); null when nothing did, so no empty PATCH is sent (the API refuses one). */
export function profilePatch(me: Pick<Me, 'name' | 'timezone'>, draft: { name: string; timezone: string }): MePatch | null {
  const patch: MePatch = {};
  // A blank name is sent too: the API's refusal then shows next to the field.
  if (draft.name.trim() !== me.name) patch.name = draft.name.trim();
  if (draft.timezone !== me.timezone) patch.timezone = draft.timezone;
  return Object.keys(patch).length ? patch : null;
}

/** Zones people commonly need, for a browser without `Intl.supportedValuesOf`. */
const FALLBACK_ZONES = [
  'UTC', 'Africa/Cairo', 'Africa/Johannesburg', 'Africa/Lagos', 'Africa/Nairobi', 'America/Anchorage',
  'America/Argentina/Buenos_Aires', 'America/Bogota', 'America/Chicago', 'America/Denver', 'America/Halifax',
  'America/Los_Angeles', 'America/Mexico_City', 'America/New_York', 'America/Phoenix', 'America/Sao_Paulo',
  'America/Toronto', 'America/Vancouver', 'Asia/Bangkok', 'Asia/Dhaka', 'Asia/Dubai', 'Asia/Hong_Kong',
  'Asia/Jakarta', 'Asia/Karachi', 'Asia/Kathmandu', 'Asia/Kolkata', 'Asia/Manila', 'Asia/Seoul', 'Asia/Shanghai',
  'Asia/Singapore', 'Asia/Tokyo', 'Atlantic/Reykjavik', 'Australia/Adelaide', 'Australia/Brisbane',
  'Australia/Melbourne', 'Australia/Perth', 'Australia/Sydney', 'Europe/Amsterdam', 'Europe/Athens', 'Europe/Berlin',
  'Europe/Dublin', 'Europe/Istanbul', 'Europe/Lisbon', 'Europe/London', 'Europe/Madrid', 'Europe/Moscow',
  'Europe/Paris', 'Europe/Rome', 'Europe/Stockholm', 'Europe/Warsaw', 'Pacific/Auckland', 'Pacific/Honolulu',
];

/**
 * The zones to choose from: the browser's list of IANA names where it has one, else a
 * short list, always with the account's own zone and UTC in it (browsers list some
 * zones under older names, Asia/Calcutta for Asia/Kolkata, and the saved one must show).
 */
export function timeZones(current: string, supported?: () => string[]): string[] {
  let zones: string[];
  try {
    zones = supported ? supported() : (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? FALLBACK_ZONES;
  } catch {
    zones = FALLBACK_ZONES;
  }
  if (zones.length === 0) zones = FALLBACK_ZONES;
  return [...new Set([...zones, current, 'UTC'].filter(Boolean))].sort();
}

/** "Europe/London" becomes group "Europe", label "London"; "America/Argentina/Buenos_Aires"
 * "Argentina / Buenos Aires"; names without a region go under "Other". */
export function zoneParts(zone: string): { group: string; label: string } {
  const i = zone.indexOf('/');
  if (i < 0) return { group: 'Other', label: zone };
  return { group: zone.slice(0, i), label: zone.slice(i + 1).replace(/_/g, ' ').replace(/\//g, ' / ') };
}

export function groupZones(zones: readonly string[]): { group: string; zones: { value: string; label: string }[] }[] {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const z of zones) {
    const { group, label } = zoneParts(z);
    const list = groups.get(group) ?? [];
    list.push({ value: z, label });
    groups.set(group, list);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([group, zs]) => ({ group, zones: zs }));
}

/** The time now in `zone`, e.g. "14:05", for the picker's hint; empty for a zone the
 * browser does not know. */
export function timeIn(zone: string, now: Date = new Date()): string {
  try {
    return now.toLocaleTimeString('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' });
  } catch {
    return '';
  }
}

/** Whole seconds from `now` until an RFC 3339 instant, never negative. */
export function secondsUntil(rfc3339: string, now: number): number {
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t)) return 0;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** A refused confirmation as what the person can do next. `code` is the message for the
 * code field; `restart` says only a new code helps (the form then offers to send one). */
export function confirmRefusal(error: unknown): { message: string; restart: boolean; field: boolean } | null {
  if (!(error instanceof ApiError)) return null;
  const p = error.problem as ApiError['problem'] & { tries_left?: unknown };
  switch (error.status) {
    case 422: {
      if (typeof p.tries_left === 'number') {
        const n = p.tries_left;
        if (n <= 0) return { message: 'That is not the code we sent, and it was the last try: send a new code.', restart: true, field: true };
        return { message: `That is not the code we sent: ${n} ${n === 1 ? 'try' : 'tries'} left.`, restart: false, field: true };
      }
      return { message: 'Type the 6-digit code from the text.', restart: false, field: true };
    }
    case 410: return { message: 'This code has expired: send a new code.', restart: true, field: false };
    case 429: return { message: 'Too many wrong codes: this one no longer works. Send a new code.', restart: true, field: false };
    case 409: return { message: 'No code is waiting for this account (it was used, or replaced by a newer one): send a new code.', restart: true, field: false };
    default: return null;
  }
}

/** Seconds to wait before asking for another code after a refused send (429, 503):
 * `Retry-After`, else a minute, the API's gap between codes. */
export function sendWait(error: unknown): number | null {
  if (!(error instanceof ApiError) || (error.status !== 429 && error.status !== 503)) return null;
  return error.retryAfter ?? 60;
}

/** A refused send (429, 503) as a sentence with the wait, fixed when it is said. */
export function sendRefusalText(error: unknown): string | null {
  const wait = sendWait(error);
  if (wait === null) return null;
  const why = (error as ApiError).status === 429
    ? 'A code was sent a short while ago (we send one a minute and five an hour).'
    : 'The text could not be sent just now.';
  return `${why} You can ask for a new code in ${waitText(wait)}.`;
}

/** A code as typed: digits only, so "123 456" and "123-456" are sent as the API reads them. */
export function cleanCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}
