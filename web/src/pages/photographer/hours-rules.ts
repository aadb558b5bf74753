// Weekly hours and time off: the checks the API makes (shared/booking/src/availability.rs),
// made here first so a person sees a mistake beside the interval as they save, and the
// conversion between the wall clock in the photographer's zone and the RFC 3339
// instants time off is stored as. Errors are named as the API names them
// (`weekly.mon[1].end`, `time_off[0].start`), so the API's own refusals land on the
// same fields.
import type { Availability, Interval, TimeOff, Weekday, Weekly } from '../../api/photographer';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday',
};

/** Minutes since midnight of `HH:MM` on a quarter hour (`24:00` only as an end), or an
 * error message. */
export function parseTime(text: string, isEnd: boolean): number | string {
  const m = /^(\d{2}):(\d{2})$/.exec(text.trim());
  const latest = isEnd ? '24:00' : '23:59';
  if (!m) return `Enter a time HH:MM between 00:00 and ${latest}.`;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && (min > 0 || !isEnd))) return `Enter a time HH:MM between 00:00 and ${latest}.`;
  if (min % 15 !== 0) return 'Use a quarter hour: HH:00, HH:15, HH:30 or HH:45.';
  return h * 60 + min;
}

/** One day's intervals: each well formed and ending after it starts, no two
 * overlapping (touching is fine). Errors keyed `[i].start`, `[i].end` or `[i]`. */
export function validateDay(intervals: readonly Interval[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const parsed: { start: number; end: number; index: number }[] = [];
  intervals.forEach((iv, index) => {
    const start = parseTime(iv.start, false);
    const end = parseTime(iv.end, true);
    if (typeof start === 'string') errors[`[${index}].start`] = start;
    if (typeof end === 'string') errors[`[${index}].end`] = end;
    if (typeof start === 'number' && typeof end === 'number') {
      if (end <= start) errors[`[${index}].end`] = 'Must be after the start.';
      else parsed.push({ start, end, index });
    }
  });
  parsed.sort((a, b) => a.start - b.start || a.end - b.end);
  // Against the furthest-reaching earlier interval, not only the previous one.
  let reach: { start: number; end: number; index: number } | null = null;
  for (const iv of parsed) {
    if (reach && iv.start < reach.end) {
      errors[`[${iv.index}]`] = `Overlaps ${intervals[reach.index]?.start}–${intervals[reach.index]?.end}.`;
      if (iv.end > reach.end) reach = iv;
    } else {
      reach = iv;
    }
  }
  return errors;
}

export function validateWeekly(weekly: Weekly): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const day of WEEKDAYS) {
    for (const [k, v] of Object.entries(validateDay(weekly[day] ?? []))) errors[`weekly.${day}${k}`] = v;
  }
  return errors;
}

/** A new interval for a day: after the day's last one (an hour long), or 09:00–17:00. */
export function nextInterval(intervals: readonly Interval[]): Interval {
  const ends = intervals.map((i) => parseTime(i.end, true)).filter((n): n is number => typeof n === 'number');
  const last = ends.length ? Math.max(...ends) : null;
  if (last === null) return { start: '09:00', end: '17:00' };
  const start = Math.min(last, 23 * 60);
  return { start: hhmm(start), end: hhmm(Math.min(start + 60, 24 * 60)) };
}

export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

// --- wall clock in a zone <-> instants ---

/** The zone's offset from UTC, in minutes, at the instant `ms`. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * `YYYY-MM-DDTHH:MM` on the wall clock of `zone` as an RFC 3339 instant with that
 * zone's offset then (`2026-12-20T00:00:00+05:30`); null when it is not such a text.
 * A wall time skipped by a daylight-saving jump keeps the offset before the jump
 * (01:30 on London's spring-forward night is 01:30+00:00, which clocks show as 02:30).
 */
export function wallToInstant(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== d) return null;
  // The offset at the guess, then at the instant it gives: two steps settle every zone.
  let offset = zoneOffsetMinutes(zone, wall);
  offset = zoneOffsetMinutes(zone, wall - offset * 60_000);
  return `${local}:00${offsetText(offset)}`;
}

/** An instant as `YYYY-MM-DDTHH:MM` on the wall clock of `zone` (for datetime-local inputs). */
export function instantToWall(rfc3339: string, zone: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return '';
  const local = new Date(ms + zoneOffsetMinutes(zone, ms) * 60_000);
  return local.toISOString().slice(0, 16);
}

export interface TimeOffDraft { key: string; start: string; end: string }

/** Time off as the API takes it, or errors keyed `time_off[i].start|end`. */
export function timeOffInput(drafts: readonly TimeOffDraft[], zone: string): { ranges: TimeOff[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const ranges: TimeOff[] = [];
  drafts.forEach((t, i) => {
    const start = wallToInstant(t.start, zone);
    const end = wallToInstant(t.end, zone);
    if (!start) errors[`time_off[${i}].start`] = 'Enter a date and time.';
    if (!end) errors[`time_off[${i}].end`] = 'Enter a date and time.';
    if (start && end) {
      if (Date.parse(end) <= Date.parse(start)) errors[`time_off[${i}].end`] = 'Must be after the start.';
      else ranges.push({ start, end });
    }
  });
  return { ranges, errors };
}

/** Numeric settings of AvailabilityInput with their bounds (null: the field may be empty). */
export const SETTINGS: readonly { field: keyof Availability; label: string; min: number; max: number; step?: number; optional?: boolean; hint: string }[] = [
  { field: 'buffer_before_minutes', label: 'Buffer before a session (minutes)', min: 0, max: 60, step: 15, hint: '0 to 60, in quarter hours.' },
  { field: 'buffer_after_minutes', label: 'Buffer after a session (minutes)', min: 0, max: 60, step: 15, hint: '0 to 60, in quarter hours.' },
  { field: 'min_notice_minutes', label: 'Minimum notice (minutes)', min: 0, max: 43200, hint: 'How long before a session it can be booked; 1440 is a day.' },
  { field: 'max_days_ahead', label: 'Bookable up to (days ahead)', min: 1, max: 730, hint: '1 to 730.' },
  { field: 'max_bookings_per_day', label: 'Most bookings a day', min: 1, max: 20, optional: true, hint: 'Empty: no limit.' },
  { field: 'slot_step_minutes', label: 'Start times every (minutes)', min: 15, max: 240, step: 15, hint: '15 to 240, in quarter hours.' },
  { field: 'cancellation_window_hours', label: 'Cancellation window (hours)', min: 0, max: 720, hint: '0 to 720.' },
  { field: 'travel_speed_kmh', label: 'Travel speed between shoots (km/h)', min: 5, max: 150, hint: 'Used for the travel time between two located bookings on one day.' },
];

/** The numeric settings typed, checked against their bounds. */
export function settingsInput(values: Record<string, string>): { settings: Record<string, number | null>; errors: Record<string, string> } {
  const settings: Record<string, number | null> = {};
  const errors: Record<string, string> = {};
  for (const s of SETTINGS) {
    const t = (values[s.field] ?? '').trim();
    if (t === '' && s.optional) {
      settings[s.field] = null;
      continue;
    }
    const n = Number(t);
    if (!/^\d+$/.test(t) || n < s.min || n > s.max) errors[s.field] = `Enter a whole number from ${s.min} to ${s.max}.`;
    else if (s.step && n % s.step !== 0) errors[s.field] = `Use a multiple of ${s.step}.`;
    else settings[s.field] = n;
  }
  return { settings, errors };
}

/** ICU (so Chromium's `Intl.supportedValuesOf`) still lists some zones by their old
 * names; people look for the current ones, which the API takes too. */
const CURRENT_NAMES: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata', 'Asia/Saigon': 'Asia/Ho_Chi_Minh', 'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon', 'Europe/Kiev': 'Europe/Kyiv', 'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Godthab': 'America/Nuuk', 'Pacific/Enderbury': 'Pacific/Kanton', 'Europe/Uzhgorod': 'Europe/Kyiv',
  'Europe/Zaporozhye': 'Europe/Kyiv',
};

/** The zones to choose from: the browser's list under current names, plus the zone in
 * use and the account's, sorted, each once. */
export function zoneList(supported: readonly string[], ...keep: (string | null | undefined)[]): string[] {
  const names = new Set(supported.map((z) => CURRENT_NAMES[z] ?? z));
  for (const z of keep) if (z) names.add(z);
  return [...names].sort();
}

// --- special dates (overrides): a date's own hours, or closed, instead of the week's ---

export interface OverrideDraft { key: string; date: string; closed: boolean; intervals: Interval[] }

/** The API keeps at most this many (AvailabilityInput.overrides). */
export const MAX_OVERRIDES = 366;

/** A real calendar date written `YYYY-MM-DD` (as the API takes it: no 2026-02-30). */
export function isDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** The drafts of the API's overrides, by date; an override without intervals is a day
 * closed. */
export function overrideDrafts(overrides: readonly { date: string; intervals?: Interval[] }[], key: () => string): OverrideDraft[] {
  return [...overrides]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((o) => ({ key: key(), date: o.date, closed: (o.intervals ?? []).length === 0, intervals: o.intervals ?? [] }));
}

/**
 * Special dates as the API takes them, or errors keyed as the API keys them
 * (`overrides[2].date`, `overrides[0].intervals[1].end`), so its own refusals land on
 * the same fields. A date that is not closed needs hours: an open day with none would
 * be read as closed, which is not what the form said.
 */
export function overridesInput(drafts: readonly OverrideDraft[]): { overrides: { date: string; intervals: Interval[] }[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const overrides: { date: string; intervals: Interval[] }[] = [];
  if (drafts.length > MAX_OVERRIDES) errors.overrides = `At most ${MAX_OVERRIDES} special dates: remove past ones first.`;
  const seen = new Set<string>();
  drafts.forEach((d, i) => {
    const date = d.date.trim();
    if (!isDate(date)) errors[`overrides[${i}].date`] = 'Enter a date.';
    else if (seen.has(date)) errors[`overrides[${i}].date`] = `${date} is already in the list.`;
    else seen.add(date);
    const intervals = d.closed ? [] : d.intervals;
    if (!d.closed && intervals.length === 0) errors[`overrides[${i}].intervals`] = 'Add hours, or mark the day closed.';
    for (const [k, v] of Object.entries(validateDay(intervals))) errors[`overrides[${i}].intervals${k}`] = v;
    overrides.push({ date, intervals });
  });
  return { overrides, errors };
}

/** A date before `today` (both `YYYY-MM-DD`): its special hours no longer matter. */
export function isPastDate(date: string, today: string): boolean {
  return isDate(date) && date < today;
}
