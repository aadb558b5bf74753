import { describe, expect, it } from 'vitest';
import type { AnalyticsPeriod, Feedback } from '../src/api/admin';
import { ApiClient } from '../src/api/client';
import {
  analyticsQuery, bandPath, isolated, countChart, csvFilename, currenciesIn, forecastChart, funnelBars, linePath, moneyList,
  niceStep, percent, periodLabel, placeName, revenueChart, scale, sentimentQuery, slug, sortByNegativity, summarise, ticks,
  toMajor, xTickIndexes,
} from '../src/pages/admin/chartdata';

function period(start: string, over: Partial<AnalyticsPeriod> = {}): AnalyticsPeriod {
  return {
    start, requested: 0, confirmed: 0, declined: 0, cancelled: 0, expired: 0, completed: 0, booked_hours: 0,
    paid: 0, reviewed: 0, revenue_minor: {}, refunds_minor: {}, net_minor: {},
    cancellations: { by_client: 0, by_photographer: 0, by_platform: 0, while_pending: 0, after_confirmation: 0, late: 0 },
    ...over,
  };
}

describe('series to chart data', () => {
  const series = [
    period('2026-03-02', { requested: 5, confirmed: 3, cancelled: 1, completed: 2 }),
    period('2026-03-09', { requested: 7, confirmed: 4, cancelled: 0, completed: 6 }),
  ];

  it('makes a line per kind of event, a value per period', () => {
    const c = countChart(series);
    expect(c.labels).toEqual(['2026-03-02', '2026-03-09']);
    expect(c.series.map((s) => s.key)).toEqual(['requested', 'confirmed', 'cancelled', 'completed']);
    expect(c.series[0]?.values).toEqual([5, 7]);
    expect(c.series[3]?.values).toEqual([2, 6]);
    expect(c.series[0]?.label).toBe('Requested');
  });

  it('summarises each line in a sentence: total and peak with its period', () => {
    const s = summarise(countChart(series, ['requested']), 'total', 'week');
    expect(s).toBe('2 periods from 2 Mar 2026 to 9 Mar 2026. Requested: 12 in all, highest 7 (9 Mar 2026).');
    expect(summarise({ labels: [], series: [] })).toBe('No periods in the range.');
    const money = summarise(countChart(series, ['requested']), 'total', 'week', (v) => `₹${v}`);
    expect(money).toContain('Requested: ₹12 in all, highest ₹7 (9 Mar 2026)');
    const gaps = summarise({ labels: ['2026-01-01', '2026-01-02'], series: [{ key: 's', label: 'Score', values: [null, 0.5] }] }, 'mean');
    expect(gaps).toContain('Score: mean 0.5, highest 0.5 (2 Jan 2026)');
  });

  it('turns a forecast into a line and its interval', () => {
    const f = forecastChart([
      { date: '2026-12-02', forecast: 2.345, lower: 1.2, upper: 3.5 },
      { date: '2026-12-03', forecast: 3, lower: 2, upper: 4.25 },
    ]);
    expect(f.series[0]?.values).toEqual([2.35, 3]);
    expect(f.lower).toEqual([1.2, 2]);
    expect(f.upper).toEqual([3.5, 4.25]);
  });

  it('puts the recent actual requests before the forecast, the interval over the forecast only', () => {
    const f = forecastChart(
      [{ date: '2026-12-02', forecast: 2, lower: 1, upper: 3 }, { date: '2026-12-03', forecast: 4, lower: 2, upper: 5 }],
      [period('2026-11-30', { requested: 3 }), period('2026-12-01', { requested: 1 }), period('2026-12-02', { requested: 9 })],
    );
    // A day of history the forecast also covers is the forecast's.
    expect(f.labels).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']);
    expect(f.series.map((s) => [s.key, s.values])).toEqual([
      ['forecast', [null, null, 2, 4]],
      ['actual', [3, 1, null, null]],
    ]);
    expect(f.lower).toEqual([null, null, 1, 2]);
    expect(f.upper).toEqual([null, null, 3, 5]);
    // Drawn only where it is known.
    expect(bandPath(f.lower, f.upper, (i) => i * 10, (v) => v)).toBe('M20,3L30,5L30,2L20,1Z');
  });

  it('gives the funnel its rates, and a dash where there were no requests', () => {
    const bars = funnelBars({
      requested: 10, confirmed: 6, paid: 5, completed: 4, reviewed: 1,
      confirmed_rate: 0.6, paid_rate: 0.5, completed_rate: 0.4, reviewed_rate: 0.1,
    });
    expect(bars.map((b) => [b.label, b.value, b.note])).toEqual([
      ['Requested', 10, undefined], ['Confirmed', 6, '60 %'], ['Paid', 5, '50 %'], ['Completed', 4, '40 %'],
      ['Reviewed', 1, '10 %'],
    ]);
    expect(percent(null)).toBe('–');
  });

  it('writes the analytics\' city keys as names', () => {
    expect(placeName('são paulo')).toBe('São Paulo');
    expect(placeName('new york')).toBe('New York');
    expect(placeName('aix-en-provence')).toBe('Aix-en-provence'); // words after a hyphen are left as they are
    expect(placeName('Hyderabad')).toBe('Hyderabad');
  });

  it('writes period labels by granularity', () => {
    expect(periodLabel('2026-03-01', 'month')).toBe('Mar 2026');
    expect(periodLabel('2026-03-01')).toBe('1 Mar 2026');
    expect(periodLabel('junk')).toBe('junk');
  });
});

describe('currencies', () => {
  const series = [
    period('2026-03-01', { revenue_minor: { INR: 250000, USD: 1999 }, refunds_minor: { INR: 50000 }, net_minor: { INR: 200000, USD: 1999 } }),
    period('2026-04-01', { revenue_minor: { JPY: 12000 }, net_minor: { JPY: 12000 }, refunds_minor: { EUR: 0 } }),
  ];

  it('lists every currency with money, in code order, ignoring zero entries', () => {
    expect(currenciesIn(series)).toEqual(['INR', 'JPY', 'USD']);
    expect(currenciesIn([period('2026-01-01')])).toEqual([]);
  });

  it('converts minor units by the currency’s own digits', () => {
    expect(toMajor(250000, 'INR')).toBe(2500);
    expect(toMajor(12000, 'JPY')).toBe(12000);
    expect(toMajor(1234, 'KWD')).toBe(1.234);
  });

  it('charts one currency at a time and never mixes another in', () => {
    const inr = revenueChart(series, 'INR');
    expect(inr.series.map((s) => [s.key, s.values])).toEqual([
      ['revenue', [2500, 0]], ['refunds', [500, 0]], ['net', [2000, 0]],
    ]);
    const usd = revenueChart(series, 'USD');
    expect(usd.series[0]?.values).toEqual([19.99, 0]);
  });

  it('writes amounts per currency side by side, never summed', () => {
    expect(moneyList({ USD: 1999, INR: 250000, EUR: 0 })).toEqual(['₹2,500', '$19.99']);
  });
});

describe('scales and ticks', () => {
  it('picks steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(230)).toBe(500);
    expect(niceStep(0.03)).toBeCloseTo(0.05);
    expect(niceStep(0)).toBe(1);
  });

  it('starts the axis at zero and ends it on a tick above the data', () => {
    expect(ticks([3, 17, 9])).toEqual({ min: 0, max: 20, step: 5, ticks: [0, 5, 10, 15, 20] });
  });

  it('goes below zero for negative values (booked hours can be)', () => {
    const t = ticks([-3, 8]);
    expect(t.min).toBeLessThanOrEqual(-3);
    expect(t.max).toBeGreaterThanOrEqual(8);
    expect(t.ticks).toContain(0);
  });

  it('gives an all-zero or empty series an axis from 0 to 1', () => {
    expect(ticks([0, 0]).ticks).toEqual([0, 0.5, 1]);
    expect(ticks([]).max).toBe(1);
    expect(ticks([null, null]).min).toBe(0);
  });

  it('keeps decimal ticks free of floating point noise', () => {
    // 0.05 steps summed in floating point give 0.15000000000000002 and -0: not here.
    const t = ticks([-0.06, 0.13]);
    expect(t.ticks).toEqual([-0.1, -0.05, 0, 0.05, 0.1, 0.15]);
    expect(Object.is(t.ticks[2], 0)).toBe(true);
  });

  it('maps a domain linearly onto pixels, upside down for y', () => {
    const y = scale([0, 20], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(20)).toBe(0);
    expect(y(5)).toBe(150);
    expect(scale([5, 5], [0, 10])(5)).toBe(0);
  });

  it('labels at most a few x positions, always the first and last', () => {
    expect(xTickIndexes(4)).toEqual([0, 1, 2, 3]);
    expect(xTickIndexes(52, 6)).toEqual([0, 10, 20, 31, 41, 51]);
    expect(xTickIndexes(0)).toEqual([]);
  });

  it('breaks a line where a value is missing', () => {
    expect(linePath([1, 2, null, 4], (i) => i * 10, (v) => v)).toBe('M0,1L10,2M30,4');
  });

  it('finds the values a line cannot show, alone between gaps', () => {
    expect(isolated([null, 3, null, 4, 5, null, 6])).toEqual([1, 6]);
    expect(isolated([7])).toEqual([0]);
    expect(isolated([1, 2])).toEqual([]);
  });

  it('closes the interval band from upper left to right and back along lower', () => {
    expect(bandPath([1, 2], [3, 4], (i) => i * 10, (v) => v)).toBe('M0,3L10,4L10,2L0,1Z');
    expect(bandPath([], [], (i) => i, (v) => v)).toBe('');
  });
});

describe('the dashboard query and its CSV', () => {
  it('defaults to the last 52 weeks by week', () => {
    expect(analyticsQuery(new URLSearchParams(), '2026-12-01')).toEqual({ from: '2025-12-03', to: '2026-12-01', granularity: 'week' });
  });

  it('keeps the filters from the URL and drops unknown kinds of shoot', () => {
    const q = analyticsQuery(new URLSearchParams('from=2026-01-01&to=2026-01-31&granularity=day&city=%20Hyderabad%20&specialization=wedding'), '2026-12-01');
    expect(q).toEqual({ from: '2026-01-01', to: '2026-01-31', granularity: 'day', city: 'Hyderabad', specialization: 'wedding' });
    expect(analyticsQuery(new URLSearchParams('specialization=rodeo&granularity=year'), '2026-12-01')).not.toHaveProperty('specialization');
    expect(analyticsQuery(new URLSearchParams('granularity=year'), '2026-12-01').granularity).toBe('week');
  });

  it('asks the sentiment trend for at most 365 days, by day or week', () => {
    expect(sentimentQuery({ from: '2025-01-01', to: '2026-12-01', granularity: 'month' }))
      .toEqual({ from: '2025-12-02', to: '2026-12-01', granularity: 'week' });
    expect(sentimentQuery({ from: '2026-11-01', to: '2026-12-01', granularity: 'day' }))
      .toEqual({ from: '2026-11-01', to: '2026-12-01', granularity: 'day' });
  });

  it('names the CSV after its range, granularity and filters, safely', () => {
    expect(csvFilename({ from: '2026-01-01', to: '2026-03-31', granularity: 'week' }))
      .toBe('capture-moments-analytics_2026-01-01_to_2026-03-31_week.csv');
    expect(csvFilename({ from: '2026-01-01', to: '2026-01-31', granularity: 'day', city: 'São Paulo', specialization: 'real_estate' }))
      .toBe('capture-moments-analytics_2026-01-01_to_2026-01-31_day_sao-paulo_real-estate.csv');
    expect(csvFilename({ from: '../../etc', to: '2026-01-31', granularity: 'day', city: '/// ' }))
      .toBe('capture-moments-analytics_etc_to_2026-01-31_day.csv');
    expect(slug('  New   York!  ')).toBe('new-york');
  });

  it('fetches the CSV as text with the session, not as JSON', async () => {
    const seen: { accept?: string; auth?: string }[] = [];
    const api = new ApiClient({
      baseUrl: 'https://api.test',
      fetch: async (_url, init) => {
        const h = (init?.headers ?? {}) as Record<string, string>;
        seen.push({ accept: h.accept, auth: h.authorization });
        if (String(_url).endsWith('/auth/login')) {
          return new Response(JSON.stringify({
            user: { id: 'u', email: 'a@b.c', name: 'A', role: 'admin', phone: null, timezone: 'UTC', active: true },
            access_token: 'tok', token_type: 'Bearer', expires_in: 900, refresh_token: 'r',
          }), { status: 200, headers: { 'content-type': 'application/json' } });
        }
        return new Response('period_start,requested\n2026-01-01,3\n', { status: 200, headers: { 'content-type': 'text/csv' } });
      },
    });
    await api.login({ email: 'a@b.c', password: 'x' });
    const csv = await api.request<string>('GET', '/admin/analytics', { auth: 'required', headers: { accept: 'text/csv' }, text: true });
    expect(csv).toBe('period_start,requested\n2026-01-01,3\n');
    expect(seen[1]).toEqual({ accept: 'text/csv', auth: 'Bearer tok' });
  });
});

describe('feedback triage order', () => {
  const fb = (id: string, score: number | null, created = '2026-11-01T00:00:00Z'): Feedback => ({
    id, user_id: 'u', user_role: 'client', category: 'booking', subject: id, message: '', status: 'open',
    sentiment: score === null ? null : { label: score < 0 ? 'negative' : 'positive', score, topics: [], key_phrases: [] },
    analysis_state: score === null ? 'pending' : 'done', created_at: created, updated_at: created,
  });

  it('puts the most negative first and the unanalysed last, newest first among equals', () => {
    const sorted = sortByNegativity([
      fb('ok', 0.4), fb('pending', null), fb('bad', -0.9), fb('meh', -0.2),
      fb('bad-newer', -0.9, '2026-11-05T00:00:00Z'),
    ]);
    expect(sorted.map((f) => f.id)).toEqual(['bad-newer', 'bad', 'meh', 'ok', 'pending']);
  });

  it('does not reorder the list it was given', () => {
    const list = [fb('a', 0.5), fb('b', -0.5)];
    sortByNegativity(list);
    expect(list.map((f) => f.id)).toEqual(['a', 'b']);
  });
});
