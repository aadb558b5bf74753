import { describe, expect, it, vi } from 'vitest';
import { addDays, dayLabel, durationLabel, formatMoney, minorDigits, toMinor, wallClock } from '../src/format';
import { searchQuery } from '../src/pages/search';
import { slotsByDay, multiplierText } from '../src/pages/book';
import { policyText } from '../src/pages/photographer';
import { loadConfig, parseConfig } from '../src/config';
import { loadPayments } from '../src/pages/client/payconfig';

describe('money in minor units', () => {
  it('knows each currency’s digits', () => {
    expect(minorDigits('INR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });
  it('formats minor units as the currency', () => {
    expect(formatMoney({ amount_minor: 250000, currency: 'INR' })).toBe('₹2,500');
    expect(formatMoney({ amount_minor: 12345, currency: 'GBP' })).toBe('£123.45');
    expect(formatMoney({ amount_minor: 20000, currency: 'JPY' })).toBe('¥20,000');
  });
  it('turns typed whole units into minor units', () => {
    expect(toMinor(2500, 'INR')).toBe(250000);
    expect(toMinor(20000, 'JPY')).toBe(20000);
    expect(toMinor(19.99, 'EUR')).toBe(1999);
  });
});

describe('times are read in the zone the API wrote them', () => {
  it('keeps the wall clock of the offset, whatever the browser’s zone', () => {
    const w = wallClock('2026-12-05T17:30:00+05:30');
    expect(w).toEqual({ date: '2026-12-05', time: '17:30', weekday: 'Sat', label: 'Sat 5 Dec 2026, 17:30' });
  });
  it('labels dates and steps days across month ends', () => {
    expect(dayLabel('2026-12-31')).toBe('Thu 31 Dec');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('says durations in hours and minutes', () => {
    expect(durationLabel(90)).toBe('1 h 30 min');
    expect(durationLabel(45)).toBe('45 min');
  });
});

describe('search filters', () => {
  it('sends a highest rate in minor units of its currency, never without one', () => {
    expect(searchQuery(new URLSearchParams('city=Hyderabad&max_price=3000&currency=INR'))).toEqual({
      city: 'Hyderabad', currency: 'INR', max_hourly_rate: '300000',
    });
    expect(searchQuery(new URLSearchParams('max_price=3000'))).toEqual({});
    expect(searchQuery(new URLSearchParams('city=%20&specialization=wedding&min_rating=4'))).toEqual({
      specialization: 'wedding', min_rating: '4',
    });
  });
});

describe('availability and quotes', () => {
  it('puts each slot under its local date', () => {
    const sun = { sunrise: null, sunset: null, golden_hour: { morning: null, evening: null }, blue_hour: { morning: null, evening: null }, polar: null };
    const days = [{ date: '2026-12-05', sun }, { date: '2026-12-06', sun }];
    const slots = [
      { start: '2026-12-05T23:00:00+05:30', end: '2026-12-06T00:00:00+05:30', score: 10, reasons: [] },
      { start: '2026-12-06T09:00:00+05:30', end: '2026-12-06T10:00:00+05:30', score: 80, reasons: [] },
    ];
    const g = slotsByDay(days, slots);
    expect(g.map((d) => d.slots.length)).toEqual([1, 1]);
  });
  it('writes a factor as a percentage change', () => {
    expect(multiplierText(1.12)).toBe('+12 %');
    expect(multiplierText(0.95)).toBe('−5 %');
    expect(multiplierText(1)).toBe('no change');
  });
  it('writes cancellation tiers in days when whole', () => {
    expect(policyText({ min_hours_before: 168, refund_percent: 100 })).toBe('Cancelled 7 days or more before: 100 % refunded');
    expect(policyText({ min_hours_before: 0, refund_percent: 0 })).toBe('Cancelled up to the start: 0 % refunded');
  });
});

describe('runtime configuration', () => {
  it('takes the API from config.json, else the app’s own origin', () => {
    expect(parseConfig({ apiUrl: 'http://127.0.0.1:3000/', wsUrl: 'ws://127.0.0.1:3001/dev' }, 'http://x')).toEqual({
      apiUrl: 'http://127.0.0.1:3000', wsUrl: 'ws://127.0.0.1:3001/dev',
    });
    expect(parseConfig(null, 'https://app.example')).toEqual({ apiUrl: 'https://app.example', wsUrl: null });
  });

  it('is fetched once per page load, as preloaded, for the app and the payment screens alike', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({
      apiUrl: 'https://api.example', payments: { provider: 'standin', standinUrl: 'http://127.0.0.1:4242' },
    })));
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('window', { location: { origin: 'https://app.example' } });
    try {
      expect((await loadConfig()).apiUrl).toBe('https://api.example');
      expect(await loadPayments()).toEqual({ provider: 'standin', standinUrl: 'http://127.0.0.1:4242' });
      expect(fetch).toHaveBeenCalledTimes(1);
      // The preload is only used by a fetch of the same mode and credentials.
      expect(fetch).toHaveBeenCalledWith('/config.json', { mode: 'cors', credentials: 'same-origin' });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
