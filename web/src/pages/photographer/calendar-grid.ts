// The month calendar: its grid of weeks (Monday first, the days of the neighbouring
// months filling the first and last week), the range of bookings to ask for, and the
// bookings placed on the photographer's local dates.
import type { Booking } from '../../api/types';

export interface CalendarDay { date: string; inMonth: boolean }

/** `YYYY-MM` of a date text, or null. */
export function monthOf(text: string | null | undefined): string | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text ?? '');
  return m ? `${m[1]}-${m[2]}` : null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Whole weeks from the Monday on or before the 1st to the Sunday on or after the last day. */
export function monthGrid(month: string): CalendarDay[][] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = Date.UTC(y, m - 1, 1);
  const mondayOffset = (new Date(first).getUTCDay() + 6) % 7;
  const last = Date.UTC(y, m - 1, daysInMonth(month));
  const sundayOffset = (7 - new Date(last).getUTCDay()) % 7;
  const weeks: CalendarDay[][] = [];
  for (let t = first - mondayOffset * 86_400_000; t <= last + sundayOffset * 86_400_000; t += 7 * 86_400_000) {
    const week: CalendarDay[] = [];
    for (let d = 0; d < 7; d++) {
      const date = iso(t + d * 86_400_000);
      week.push({ date, inMonth: date.startsWith(month) });
    }
    weeks.push(week);
  }
  return weeks;
}

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

/**
 * `from`/`to` for GET /bookings: dates are UTC midnights there, while the calendar
 * shows the photographer's local dates, which can be up to 14 hours either side; one
 * day more each way covers every zone, and `byLocalDate` drops what falls outside.
 */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return {
    from: iso(Date.UTC(y, m - 1, 1) - 86_400_000),
    to: iso(Date.UTC(y, m - 1, daysInMonth(month)) + 2 * 86_400_000),
  };
}

/** Bookings by the local date they start on (the photographer's wall clock), each day's
 * by start time; only dates of `month`. */
export function byLocalDate(bookings: readonly Booking[], month: string): Map<string, Booking[]> {
  const out = new Map<string, Booking[]>();
  for (const b of bookings) {
    const date = b.local.start.slice(0, 10);
    if (!date.startsWith(month)) continue;
    const list = out.get(date) ?? [];
    list.push(b);
    out.set(date, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.local.start.localeCompare(b.local.start));
  return out;
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
export function monthTitle(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${MONTH_NAMES[m - 1]} ${y}`;
}
