import { describe, expect, it } from 'vitest';
import type { Booking } from '../src/api/types';
import { byLocalDate, daysInMonth, monthGrid, monthOf, monthRange, monthTitle, shiftMonth } from '../src/pages/photographer/calendar-grid';

describe('month grid', () => {
  it('runs Monday to Sunday over whole weeks', () => {
    const g = monthGrid('2026-12'); // 1 December 2026 is a Tuesday, the 31st a Thursday
    expect(g).toHaveLength(5);
    expect(g[0]![0]).toEqual({ date: '2026-11-30', inMonth: false });
    expect(g[0]![1]).toEqual({ date: '2026-12-01', inMonth: true });
    expect(g[4]![6]).toEqual({ date: '2027-01-03', inMonth: false });
    expect(g.flat().filter((d) => d.inMonth)).toHaveLength(31);
  });
  it('handles a month starting on Monday and February of leap years', () => {
    const feb = monthGrid('2027-02'); // starts Monday, 28 days: exactly four weeks
    expect(feb).toHaveLength(4);
    expect(feb[0]![0]!.date).toBe('2027-02-01');
    expect(daysInMonth('2028-02')).toBe(29);
    expect(monthGrid('2026-03')).toHaveLength(6); // Sunday the 1st
  });
  it('moves between months and reads them', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(monthOf('2026-13')).toBeNull();
    expect(monthOf('2026-07')).toBe('2026-07');
    expect(monthOf(null)).toBeNull();
    expect(monthTitle('2026-12')).toBe('December 2026');
  });
});

const b = (id: string, localStart: string): Booking => ({
  id, status: 'confirmed', client_id: 'c', photographer_id: 'p', package_id: null, event_type: 'wedding',
  start: localStart, end: localStart, duration_minutes: 60, local: { timezone: 'Asia/Kolkata', start: localStart, end: localStart },
  location: { address: 'a', city: 'b' }, notes: null, price: { amount_minor: 1, currency: 'INR' }, history: [], created_at: '',
});

describe('bookings on the calendar', () => {
  it('asks a day more each side (UTC dates against local ones)', () => {
    expect(monthRange('2026-12')).toEqual({ from: '2026-11-30', to: '2027-01-02' });
  });
  it('places bookings on their local date, sorted, within the month only', () => {
    const map = byLocalDate([
      b('late', '2026-12-05T17:00:00+05:30'), b('early', '2026-12-05T07:00:00+05:30'),
      b('before', '2026-11-30T23:00:00+05:30'), b('after', '2027-01-01T01:00:00+05:30'),
    ], '2026-12');
    expect([...map.keys()]).toEqual(['2026-12-05']);
    expect(map.get('2026-12-05')!.map((x) => x.id)).toEqual(['early', 'late']);
  });
});
