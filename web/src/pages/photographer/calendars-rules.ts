// The pure rules of "Busy time from your other calendars" (external calendars on the
// Hours page), kept out of the component so Vitest can check them: a calendar's state
// in words, "5 minutes ago", the checks made before an address is sent, and the API's
// refusals as what the photographer can do next.
import { ApiError } from '../../api/problem';
import type { ExternalCalendar, ExternalCalendarStatus, NewExternalCalendar } from '../../api/types';

/** NewExternalCalendar's limits (docs/openapi.json). */
export const MAX_URL_CHARS = 2048;
export const MAX_LABEL_CHARS = 60;
/** ExternalCalendarList.max, used until the list answers its own. */
export const DEFAULT_MAX_CALENDARS = 3;
/** "once a minute per calendar": the wait when a 429 comes without Retry-After. */
export const SYNC_GAP_SECONDS = 60;

/** The state the API gives; an unknown one (a newer API) is read from the fields the
 * way the API derives it, never shown as "ok" by default. */
export function calendarState(c: Pick<ExternalCalendar, 'status' | 'last_attempt_at' | 'last_error'>): ExternalCalendarStatus {
  if (c.status === 'pending' || c.status === 'ok' || c.status === 'failing') return c.status;
  if (!c.last_attempt_at) return 'pending';
  return c.last_error ? 'failing' : 'ok';
}

/** "just now", "5 minutes ago", "in 3 hours", "2 days ago": the distance between
 * `rfc3339` and `now` (ms), whole units rounded down, so "5 minutes ago" never
 * means four and a half. Empty for an unreadable instant. */
export function relativeTime(rfc3339: string, now: number): string {
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t)) return '';
  const diff = now - t;
  const past = diff >= 0;
  const s = Math.abs(diff) / 1000;
  if (s < 45) return past ? 'just now' : 'in under a minute';
  const minutes = Math.max(1, Math.floor(s / 60));
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  const [n, unit] = days >= 1 ? [days, 'day'] : hours >= 1 ? [hours, 'hour'] : [minutes, 'minute'];
  const amount = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return past ? `${amount} ago` : `in ${amount}`;
}

/** How long ago something happened ("5 minutes ago"). An instant the server stamped
 * can read as a little in the future here (the browser's clock behind the server's, or
 * a `now` taken before the answer came): that is "just now", never "in under a minute". */
export function agoText(rfc3339: string, now: number): string {
  const t = Date.parse(rfc3339);
  return relativeTime(rfc3339, Number.isNaN(t) ? now : Math.max(now, t));
}

/** "no busy times", "1 busy time", "12 busy times". */
export function busyText(n: number): string {
  if (n <= 0) return 'no busy times';
  return `${n} busy time${n === 1 ? '' : 's'}`;
}

/** The API's error text ("the calendar's server answered HTTP 404") as a sentence. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** What to do about a failing calendar, where its error says: a 401/403/404/410 from
 * the calendar's server is what Google and Outlook answer once a secret address has been
 * reset or the calendar unpublished, so only a new address helps. Null when the error
 * says nothing a photographer can act on (a timeout heals by itself). */
export function errorAdvice(lastError: string | null): string | null {
  if (!lastError) return null;
  if (/\bHTTP (401|403|404|410)\b/.test(lastError)) {
    return 'The address may have been reset or the calendar unpublished: copy its secret address again, add it, and remove this one.';
  }
  if (/private or reserved|not allowed/.test(lastError)) {
    return 'The address leads somewhere we do not fetch from: use the address your calendar service gives.';
  }
  return null;
}

export interface CalendarView {
  state: ExternalCalendarStatus;
  /** Short, for the badge. */
  label: string;
  /** The `status-…` class of the badge. */
  tone: 'confirmed' | 'pending' | 'failed';
  /** One sentence on what the calendar does for the photographer's bookings now. */
  summary: string;
}

/** A calendar as the list shows it, at `now` (ms). */
export function calendarView(c: ExternalCalendar, now: number): CalendarView {
  const state = calendarState(c);
  const busy = busyText(c.busy_intervals);
  const read = c.last_success_at ? agoText(c.last_success_at, now) : '';
  if (state === 'pending') {
    const due = relativeTime(c.next_sync_at, now);
    const when = !due || Date.parse(c.next_sync_at) <= now ? 'with the next sync, within 15 minutes' : `with the next sync, ${due}`;
    return {
      state, label: 'Never synced', tone: 'pending',
      summary: `Not read yet: it is read ${when}, or now with "Sync now". Nothing from it blocks bookings until then.`,
    };
  }
  if (state === 'ok') {
    return {
      state, label: 'OK', tone: 'confirmed',
      summary: `Read ${read || 'recently'}: ${busy} in the next 6 months ${c.busy_intervals === 1 ? 'blocks' : 'block'} bookings.`,
    };
  }
  return {
    state, label: 'Failing', tone: 'failed',
    summary: c.last_success_at
      ? `The last try failed. The ${busy} read ${read} still ${c.busy_intervals === 1 ? 'blocks' : 'block'} bookings.`
      : 'It has never been read: nothing from it blocks bookings.',
  };
}

export interface CalendarDraft { url: string; label: string }

/**
 * The checks made before an address is sent, by field, and the body to send. Only what
 * is wrong everywhere is refused here (blank, too long, not an address, a scheme no
 * calendar uses); `http://` and private or local hosts go to the API, whose policy is
 * the one that counts (the local stack allows its own loopback fixture calendar), and
 * its refusal comes back beside the field.
 */
export function checkDraft(d: CalendarDraft): { errors: Record<string, string>; body: NewExternalCalendar | null } {
  const errors: Record<string, string> = {};
  const url = d.url.trim();
  const label = d.label.trim();
  if (!url) {
    errors.url = 'Paste the secret address of the calendar.';
  } else if ([...url].length > MAX_URL_CHARS) {
    errors.url = `This is longer than any calendar address (at most ${MAX_URL_CHARS} characters).`;
  } else {
    // webcal:// is what calendar apps' "subscribe" links use; the API reads it as https.
    const asWeb = /^webcal:\/\//i.test(url) ? `https://${url.slice(9)}` : url;
    let parsed: URL | null = null;
    try {
      parsed = new URL(asWeb);
    } catch {
      parsed = null;
    }
    if (!parsed || !parsed.hostname) {
      errors.url = 'This is not a web address: paste the whole address, starting with https://.';
    } else if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      errors.url = 'Use the https:// (or webcal://) address your calendar gives.';
    }
  }
  if ([...label].length > MAX_LABEL_CHARS) {
    errors.label = `At most ${MAX_LABEL_CHARS} characters.`;
  } else if (/\p{Cc}/u.test(label)) {
    errors.label = 'Use letters, digits and punctuation only.';
  }
  if (Object.keys(errors).length) return { errors, body: null };
  return { errors, body: label ? { url, label } : { url } };
}

/** A refused add as a message, and the field it belongs beside (`url` for an address
 * added already); null for refusals shown as they come (422's field errors, others). */
export function addRefusal(error: unknown, max: number): { message: string; field: 'url' | null } | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const type = error.problem.type;
  if (type.endsWith('/calendar-exists')) {
    return { message: 'This calendar is added already: it is in the list above.', field: 'url' };
  }
  if (type.endsWith('/calendar-limit')) {
    return { message: `You have ${max} calendars, the most there can be: remove one to add another.`, field: null };
  }
  return null;
}

/** Seconds before "Sync now" may be asked again after a refusal: `Retry-After` of a
 * 429 (or a 503 that names one), else the API's minute for a 429. Null for any other
 * refusal, which does not make the button wait. */
export function syncWait(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 429) return Math.max(1, error.retryAfter ?? SYNC_GAP_SECONDS);
  if (error.status === 503 && error.retryAfter !== undefined) return Math.max(1, error.retryAfter);
  return null;
}

/** Whole seconds left until `until` (ms), never negative. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "2 of 3 calendars", and whether another may be added. */
export function capacity(count: number, max: number): { text: string; full: boolean } {
  const full = count >= max;
  return {
    text: full
      ? `${count} of ${max} calendars: the most there can be. Remove one to add another.`
      : `${count} of ${max} calendars.`,
    full,
  };
}
