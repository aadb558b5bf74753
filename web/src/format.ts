import type { Money } from './api/types';

/** Digits after the decimal point of a currency, as Intl knows them (JPY 0, INR 2,
 * KWD 3): amounts travel in minor units. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(m: Money, locale = 'en'): string {
  const digits = minorDigits(m.currency);
  const value = m.amount_minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency', currency: m.currency, minimumFractionDigits: value % 1 === 0 ? 0 : digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${m.currency}`;
  }
}

/** Whole units typed by a person into minor units (500 INR is 50000). */
export function toMinor(units: number, currency: string): number {
  return Math.round(units * 10 ** minorDigits(currency));
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The wall-clock date and time written in an RFC 3339 instant, in the zone its offset
 * names. The API gives a photographer's slots and a booking's local times in the
 * photographer's zone: a person books "17:00 in Hyderabad" whatever their own
 * browser's zone is, so the offset is read, never converted away.
 */
export function wallClock(rfc3339: string): { date: string; time: string; weekday: string; label: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(rfc3339);
  if (!m) return { date: rfc3339, time: '', weekday: '', label: rfc3339 };
  const [, y, mo, d, h, mi] = m as unknown as [string, string, string, string, string, string];
  const weekday = WEEKDAYS[new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDay()] ?? '';
  const date = `${y}-${mo}-${d}`;
  const time = `${h}:${mi}`;
  return { date, time, weekday, label: `${weekday} ${+d} ${MONTHS[+mo - 1]} ${y}, ${time}` };
}

export function dayLabel(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const weekday = WEEKDAYS[new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDay()];
  return `${weekday} ${+d} ${MONTHS[+mo - 1]}`;
}

/** `YYYY-MM-DD` of a day `offset` days from `from` (UTC calendar arithmetic). */
export function addDays(isoDate: string, offset: number): string {
  const t = Date.parse(`${isoDate}T00:00:00Z`) + offset * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

export function today(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function label(slug: string): string {
  const s = slug.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function durationLabel(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}

/** An instant that belongs to no place (a deadline), in the reader's own zone. */
export function clockTime(rfc3339: string, withDate = false): string {
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return rfc3339;
  return t.toLocaleString('en-GB', withDate
    ? { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
    : { hour: '2-digit', minute: '2-digit' });
}

/** A countdown as m:ss ("0:42", "9:05"), with hours when it runs that long ("1:00:00"). */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** A wait in words for a sentence: "42 seconds", "1 minute", "3 minutes 5 seconds",
 * "about 12 minutes" (seconds stop mattering past ten minutes). */
export function waitText(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.floor(s / 60);
  const r = s % 60;
  const mins = `${m} minute${m === 1 ? '' : 's'}`;
  if (m >= 10) return `about ${r >= 30 ? m + 1 : m} minutes`;
  return r ? `${mins} ${r} second${r === 1 ? '' : 's'}` : mins;
}
