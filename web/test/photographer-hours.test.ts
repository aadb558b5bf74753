import { describe, expect, it } from 'vitest';
import { addDays } from '../src/format';
import {
  MAX_OVERRIDES, instantToWall, isDate, isPastDate, nextInterval, overrideDrafts, overridesInput, parseTime, settingsInput,
  timeOffInput, validateDay, validateWeekly, wallToInstant, zoneList, zoneOffsetMinutes,
} from '../src/pages/photographer/hours-rules';

describe('intervals', () => {
  it('parses quarter-hour times, with 24:00 only as an end', () => {
    expect(parseTime('09:15', false)).toBe(555);
    expect(parseTime('24:00', true)).toBe(1440);
    expect(parseTime('24:00', false)).toMatch(/23:59/);
    expect(parseTime('09:10', false)).toMatch(/quarter/);
    expect(parseTime('9:00', false)).toMatch(/HH:MM/);
    expect(parseTime('12:60', true)).toMatch(/HH:MM/);
  });

  it('finds ends before starts and overlaps, against the furthest-reaching earlier interval', () => {
    expect(validateDay([{ start: '09:00', end: '12:00' }, { start: '12:00', end: '24:00' }])).toEqual({});
    expect(validateDay([{ start: '10:00', end: '09:00' }])).toEqual({ '[0].end': 'Must be after the start.' });
    // 09–13, 10–11, 12–14 overlaps twice, as the API sees it.
    const e = validateDay([{ start: '09:00', end: '13:00' }, { start: '10:00', end: '11:00' }, { start: '12:00', end: '14:00' }]);
    expect(Object.keys(e).sort()).toEqual(['[1]', '[2]']);
    expect(e['[2]']).toMatch(/09:00–13:00/);
  });

  it('names errors as the API does', () => {
    expect(validateWeekly({ mon: [{ start: '09:00', end: '17:00' }], wed: [{ start: 'x', end: '10:00' }] }))
      .toEqual({ 'weekly.wed[0].start': expect.stringMatching(/HH:MM/) });
  });

  it('suggests the next interval after the last', () => {
    expect(nextInterval([])).toEqual({ start: '09:00', end: '17:00' });
    expect(nextInterval([{ start: '09:00', end: '12:00' }])).toEqual({ start: '12:00', end: '13:00' });
    expect(nextInterval([{ start: '20:00', end: '24:00' }])).toEqual({ start: '23:00', end: '24:00' });
  });
});

describe('time zones', () => {
  it('reads offsets, daylight saving included', () => {
    expect(zoneOffsetMinutes('Asia/Kolkata', Date.UTC(2026, 11, 20))).toBe(330);
    expect(zoneOffsetMinutes('Europe/London', Date.UTC(2026, 6, 1))).toBe(60);
    expect(zoneOffsetMinutes('Europe/London', Date.UTC(2026, 0, 1))).toBe(0);
    expect(zoneOffsetMinutes('America/St_Johns', Date.UTC(2026, 0, 1))).toBe(-210);
  });

  it('turns wall clock into instants and back', () => {
    expect(wallToInstant('2026-12-20T00:00', 'Asia/Kolkata')).toBe('2026-12-20T00:00:00+05:30');
    expect(wallToInstant('2026-03-29T01:30', 'Europe/London')).toBe('2026-03-29T01:30:00+00:00'); // skipped hour: the offset before the jump
    expect(wallToInstant('2026-10-25T12:00', 'Europe/London')).toBe('2026-10-25T12:00:00+00:00');
    expect(wallToInstant('2026-02-30T10:00', 'UTC')).toBeNull();
    expect(wallToInstant('', 'UTC')).toBeNull();
    expect(instantToWall('2026-12-19T18:30:00Z', 'Asia/Kolkata')).toBe('2026-12-20T00:00');
    expect(instantToWall('2026-12-20T00:00:00+05:30', 'Europe/London')).toBe('2026-12-19T18:30');
  });

  it('checks time off ranges', () => {
    const ok = timeOffInput([{ key: 'a', start: '2026-12-20T00:00', end: '2026-12-27T00:00' }], 'Asia/Kolkata');
    expect(ok).toEqual({ ranges: [{ start: '2026-12-20T00:00:00+05:30', end: '2026-12-27T00:00:00+05:30' }], errors: {} });
    const bad = timeOffInput([
      { key: 'a', start: '2026-12-20T00:00', end: '2026-12-19T00:00' },
      { key: 'b', start: '', end: '2026-12-19T00:00' },
    ], 'UTC');
    expect(bad.ranges).toEqual([]);
    expect(bad.errors).toEqual({ 'time_off[0].end': 'Must be after the start.', 'time_off[1].start': 'Enter a date and time.' });
  });
});

describe('booking rules', () => {
  it('checks bounds and steps, and lets the daily limit be empty', () => {
    const values = {
      buffer_before_minutes: '15', buffer_after_minutes: '20', min_notice_minutes: '1440', max_days_ahead: '0',
      max_bookings_per_day: '', slot_step_minutes: '30', cancellation_window_hours: '48', travel_speed_kmh: '30',
    };
    const { settings, errors } = settingsInput(values);
    expect(errors).toEqual({ buffer_after_minutes: 'Use a multiple of 15.', max_days_ahead: 'Enter a whole number from 1 to 730.' });
    expect(settings.max_bookings_per_day).toBeNull();
    expect(settings.min_notice_minutes).toBe(1440);
  });
});

describe('zone list', () => {
  it('uses current names, keeps the zones in use, and lists each once', () => {
    expect(zoneList(['Europe/London', 'Asia/Calcutta', 'Asia/Kolkata'], 'Asia/Kolkata', 'Etc/UTC', null))
      .toEqual(['Asia/Kolkata', 'Etc/UTC', 'Europe/London']);
  });
});

describe('special dates (overrides)', () => {
  let n = 0;
  const key = () => `k${++n}`;

  it('reads the API’s overrides by date, closed when they have no hours', () => {
    const d = overrideDrafts([
      { date: '2027-12-31', intervals: [{ start: '10:00', end: '14:00' }] },
      { date: '2027-12-25' },
      { date: '2027-12-26', intervals: [] },
    ], key);
    expect(d.map((x) => [x.date, x.closed])).toEqual([['2027-12-25', true], ['2027-12-26', true], ['2027-12-31', false]]);
  });

  it('sends closed days without hours and open days with theirs', () => {
    const r = overridesInput([
      { key: 'a', date: '2027-12-25', closed: true, intervals: [{ start: '09:00', end: '17:00' }] },
      { key: 'b', date: '2027-12-31', closed: false, intervals: [{ start: '10:00', end: '14:00' }] },
    ]);
    expect(r.errors).toEqual({});
    expect(r.overrides).toEqual([
      { date: '2027-12-25', intervals: [] },
      { date: '2027-12-31', intervals: [{ start: '10:00', end: '14:00' }] },
    ]);
  });

  it('names each mistake as the API would', () => {
    const r = overridesInput([
      { key: 'a', date: '2027-12-25', closed: true, intervals: [] },
      { key: 'b', date: '2027-12-25', closed: true, intervals: [] },
      { key: 'c', date: '2027-02-30', closed: false, intervals: [{ start: '10:00', end: '09:00' }] },
      { key: 'd', date: '', closed: false, intervals: [] },
      { key: 'e', date: '2027-06-01', closed: false, intervals: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:10' }] },
    ]);
    expect(r.errors).toEqual({
      'overrides[1].date': '2027-12-25 is already in the list.',
      'overrides[2].date': 'Enter a date.',
      'overrides[2].intervals[0].end': 'Must be after the start.',
      'overrides[3].date': 'Enter a date.',
      'overrides[3].intervals': 'Add hours, or mark the day closed.',
      'overrides[4].intervals[1].end': 'Use a quarter hour: HH:00, HH:15, HH:30 or HH:45.',
    });
    const overlap = overridesInput([
      { key: 'e', date: '2027-06-01', closed: false, intervals: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '13:00' }] },
    ]);
    expect(overlap.errors).toEqual({ 'overrides[0].intervals[1]': 'Overlaps 09:00–12:00.' });
  });

  it('refuses more dates than the API keeps, and knows past dates', () => {
    const many = Array.from({ length: MAX_OVERRIDES + 1 }, (_, i) => ({ key: `${i}`, date: addDays('2027-01-01', i), closed: true, intervals: [] }));
    expect(overridesInput(many).errors.overrides).toMatch(/At most 366/);
    expect(overridesInput(many.slice(1)).errors).toEqual({});
    expect(isPastDate('2027-01-01', '2027-01-02')).toBe(true);
    expect(isPastDate('2027-01-02', '2027-01-02')).toBe(false);
    expect(isPastDate('nope', '2027-01-02')).toBe(false);
    expect(isDate('2028-02-29')).toBe(true);
    expect(isDate('2027-02-29')).toBe(false);
  });
});
