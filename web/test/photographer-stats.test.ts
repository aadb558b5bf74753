import { describe, expect, it } from 'vitest';
import type { PhotographerStatsPeriod, PriceComparison } from '../src/api/photographer';
import { summarise } from '../src/pages/admin/chartdata';
import {
  bookingsChart, comparisonText, confirmTime, hoursChart, moneyRows, ratingChart, sentimentChart, statsPath, statsQuery,
  utilisationChart, utilisationPercent, utilisationSummary,
} from '../src/pages/photographer/stats-data';

function period(start: string, over: Partial<PhotographerStatsPeriod> = {}): PhotographerStatsPeriod {
  return {
    start, requested: 0, confirmed: 0, declined: 0, cancelled: 0, expired: 0, completed: 0, booked_hours: 0,
    session_hours: 0, available_hours: 0, utilisation: null, paid: 0, reviewed: 0,
    revenue_minor: {}, refunds_minor: {}, net_minor: {},
    cancellations: { by_client: 0, by_photographer: 0, by_platform: 0, while_pending: 0, after_confirmation: 0, late: 0 },
    rating_average: null,
    sentiment: { analysed: 0, positive: 0, neutral: 0, negative: 0, mean_score: null },
    mean_confirm_minutes: null,
    ...over,
  };
}

function comparison(over: Partial<PriceComparison> = {}): PriceComparison {
  return {
    specialization: 'wedding', currency: 'INR', your_hourly_rate_minor: 250_000, compared_with: 7,
    median_hourly_rate_minor: 200_000, difference_percent: 25, percentile: 64.3, ...over,
  };
}

describe('the filters', () => {
  it('defaults to twelve weeks back and four ahead, by week, as the API does', () => {
    const s = statsQuery(new URLSearchParams(), '2026-12-01');
    expect(s).toEqual({ from: '2026-09-09', to: '2026-12-29', granularity: 'week' });
    // 112 days: the API's default range (`from` 111 days before `to`).
    expect((Date.parse(s.to) - Date.parse(s.from)) / 86_400_000).toBe(111);
  });

  it('keeps what the URL says, a range from `to` when only it is given, and a known granularity only', () => {
    expect(statsQuery(new URLSearchParams('from=2026-01-01&to=2026-03-31&granularity=month'), '2026-12-01'))
      .toEqual({ from: '2026-01-01', to: '2026-03-31', granularity: 'month' });
    expect(statsQuery(new URLSearchParams('to=2026-06-30'), '2026-12-01').from).toBe('2026-03-11');
    expect(statsQuery(new URLSearchParams('granularity=year'), '2026-12-01').granularity).toBe('week');
  });

  it('keeps a date the API will refuse as typed, so its error shows beside the field', () => {
    const s = statsQuery(new URLSearchParams('from=2026-13-40'), '2026-12-01');
    expect(s.from).toBe('2026-13-40');
  });

  it('writes the filters into the URL and reads them back', () => {
    const s = { from: '2026-01-05', to: '2026-02-01', granularity: 'day' as const };
    const path = statsPath(s);
    expect(path).toBe('/photographer/stats?from=2026-01-05&to=2026-02-01&granularity=day');
    expect(statsQuery(new URLSearchParams(path.split('?')[1]), '2030-01-01')).toEqual(s);
  });
});

describe('series to chart data', () => {
  const series = [
    period('2026-03-02', { session_hours: 4, available_hours: 40, utilisation: 0.1, requested: 3, confirmed: 2, rating_average: 4.5,
      sentiment: { analysed: 2, positive: 1, neutral: 1, negative: 0, mean_score: 0.4567 } }),
    period('2026-03-09', { session_hours: 2.5, available_hours: 0, utilisation: null, cancelled: 1 }),
    period('2026-03-16', { session_hours: 48, available_hours: 40, utilisation: 1.2, completed: 4 }),
  ];

  it('draws session hours against available hours, a value per period', () => {
    const c = hoursChart(series);
    expect(c.labels).toEqual(['2026-03-02', '2026-03-09', '2026-03-16']);
    expect(c.series.map((s) => s.label)).toEqual(['Session hours', 'Available hours']);
    expect(c.series[0]?.values).toEqual([4, 2.5, 48]);
    expect(c.series[1]?.values).toEqual([40, 0, 40]);
  });

  it('leaves a gap in utilisation where there were no working hours, never 0 %', () => {
    expect(utilisationChart(series).series[0]?.values).toEqual([10, null, 120]);
  });

  it('draws a line per kind of booking event', () => {
    const c = bookingsChart(series);
    expect(c.series.map((s) => s.key)).toEqual(['requested', 'confirmed', 'cancelled', 'completed']);
    expect(c.series[0]?.values).toEqual([3, 0, 0]);
    expect(c.series[2]?.values).toEqual([0, 1, 0]);
    expect(c.series[3]?.values).toEqual([0, 0, 4]);
  });

  it('draws ratings and sentiment with gaps where there were no reviews', () => {
    expect(ratingChart(series).series[0]?.values).toEqual([4.5, null, null]);
    expect(sentimentChart(series).series[0]?.values).toEqual([0.46, null, null]);
  });

  it('gives the charts a summary of the periods without the gaps', () => {
    expect(summarise(utilisationChart(series), 'mean', 'week')).toBe(
      '3 periods from 2 Mar 2026 to 16 Mar 2026. Utilisation: mean 65, highest 120 (16 Mar 2026).',
    );
  });
});

describe('words', () => {
  it('writes utilisation as a percentage with at most one decimal', () => {
    expect(utilisationPercent(0.456)).toBe('45.6 %');
    expect(utilisationPercent(0)).toBe('0 %');
    expect(utilisationPercent(1.2)).toBe('120 %');
    expect(utilisationPercent(null)).toBe('no working hours');
  });

  it('says the range\'s utilisation, and when sessions ran past the hours kept', () => {
    expect(utilisationSummary({ session_hours: 12.25, available_hours: 80, utilisation: 0.153 }))
      .toBe('12.3 h of sessions in 80 h of working hours: 15.3 % used.');
    expect(utilisationSummary({ session_hours: 10, available_hours: 8, utilisation: 1.25 }))
      .toBe('10 h of sessions in 8 h of working hours: 125 % used (sessions ran outside your working hours).');
    expect(utilisationSummary({ session_hours: 3, available_hours: 0, utilisation: null }))
      .toBe('3 h of sessions in 0 h of working hours: no working hours in the range, so no utilisation.');
  });

  it('writes the mean time to confirm as people say it', () => {
    expect(confirmTime(null)).toBe('none yet');
    expect(confirmTime(0.4)).toBe('under a minute');
    expect(confirmTime(45.2)).toBe('45 min');
    expect(confirmTime(125)).toBe('2 h 5 min');
    expect(confirmTime(120)).toBe('2 h');
    expect(confirmTime(3 * 1440 + 240)).toBe('3 days 4 h');
  });

  it('keeps money per currency, in code order, never added across currencies', () => {
    const rows = moneyRows({
      revenue_minor: { USD: 12_000, INR: 900_000 }, refunds_minor: { INR: 100_000 }, net_minor: { USD: 12_000, INR: 800_000 },
    });
    expect(rows.map((r) => r.currency)).toEqual(['INR', 'USD']);
    expect(rows[0]).toMatchObject({ taken: '₹9,000', refunded: '₹1,000', net: '₹8,000' });
    expect(rows[1]).toMatchObject({ taken: '$120', refunded: '$0', net: '$120' });
    expect(moneyRows({ revenue_minor: {}, refunds_minor: {}, net_minor: {} })).toEqual([]);
  });

  it('keeps a currency whose only money is a refund (a negative net)', () => {
    const rows = moneyRows({ revenue_minor: {}, refunds_minor: { EUR: 5_000 }, net_minor: { EUR: -5_000 } });
    expect(rows).toEqual([{ currency: 'EUR', taken: '€0', refunded: '€50', net: '-€50' }]);
  });
});

describe('the price comparison', () => {
  it('says how far above the median the rate is and the share charging less', () => {
    const w = comparisonText(comparison());
    expect(w.empty).toBe(false);
    expect(w.title).toBe('Wedding, INR');
    expect(w.yours).toBe('₹2,500');
    expect(w.median).toBe('₹2,000');
    expect(w.sentence).toBe(
      'Your ₹2,500 an hour is 25 % above the median (₹2,000) of the 7 other wedding photographers in your city. '
      + '64.3 % of them charge less than you (an equal rate counts as half).',
    );
  });

  it('says below, and the same, as they are', () => {
    expect(comparisonText(comparison({ difference_percent: -12.5, percentile: 20 })).sentence)
      .toMatch(/is 12\.5 % below the median \(₹2,000\).*20 % of them charge less/);
    expect(comparisonText(comparison({ your_hourly_rate_minor: 200_000, difference_percent: 0, percentile: 50 })).sentence)
      .toMatch(/^Your ₹2,000 an hour is the same as the median \(₹2,000\)/);
  });

  it('speaks of one other photographer as one', () => {
    const w = comparisonText(comparison({ compared_with: 1, percentile: 100, difference_percent: 25 }));
    expect(w.sentence).toBe(
      'Your ₹2,500 an hour is 25 % above the median (₹2,000) of the 1 other wedding photographer in your city. They charge less than you.',
    );
    expect(comparisonText(comparison({ compared_with: 1, percentile: 0, difference_percent: -20 })).sentence)
      .toMatch(/They charge more than you\.$/);
  });

  it('has an explained empty state with nobody to compare with', () => {
    const w = comparisonText(comparison({
      specialization: 'portrait', compared_with: 0, median_hourly_rate_minor: null, difference_percent: null, percentile: null,
    }));
    expect(w.empty).toBe(true);
    expect(w.median).toBe('–');
    expect(w.sentence).toBe(
      'No other portrait photographers in your city charge in INR yet, so there is nobody to compare your rate with.',
    );
  });
});
