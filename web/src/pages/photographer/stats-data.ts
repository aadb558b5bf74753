// The photographer's stats screen's pure logic: the URL's filters with their
// defaults, the API's series turned into what the admin area's charts draw
// (chartdata.ts's shapes), utilisation and time written out, money kept per currency,
// and the price comparison in words. No DOM here, so Vitest checks all of it.
import type {
  MoneyByCurrency, PhotographerStatsPeriod, PriceComparison, StatsGranularity,
} from '../../api/photographer';
import { addDays, formatMoney, label } from '../../format';
import type { ChartData } from '../admin/chartdata';

export interface StatsQuery {
  from: string;
  to: string;
  granularity: StatsGranularity;
}

const GRANULARITIES: readonly StatsGranularity[] = ['day', 'week', 'month'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters as the URL keeps them, with the screen's defaults: twelve weeks back
 * and four ahead of `today`, by week (the API's own default: `to` four weeks ahead,
 * `from` 111 days before it). Values the API would refuse are kept as typed, so its
 * problem shows next to the field. */
export function statsQuery(q: URLSearchParams, today: string): StatsQuery {
  const to = q.get('to')?.trim() || addDays(today, 28);
  const from = q.get('from')?.trim() || addDays(DAY.test(to) ? to : addDays(today, 28), -111);
  const g = q.get('granularity') as StatsGranularity | null;
  return { from, to, granularity: g && GRANULARITIES.includes(g) ? g : 'week' };
}

/** The URL of the screen for these filters. */
export function statsPath(s: StatsQuery): string {
  return `/photographer/stats?${new URLSearchParams({ from: s.from, to: s.to, granularity: s.granularity })}`;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// --- series to chart data ----------------------------------------------------------

/** Hours of sessions against working hours, a line each. */
export function hoursChart(series: PhotographerStatsPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [
      { key: 'session_hours', label: 'Session hours', values: series.map((p) => round(p.session_hours, 2)) },
      { key: 'available_hours', label: 'Available hours', values: series.map((p) => round(p.available_hours, 2)) },
    ],
  };
}

/** Utilisation in percent, one decimal; a gap where the period had no working hours
 * (the API's null: nothing to divide by is not 0 %). */
export function utilisationChart(series: PhotographerStatsPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [{
      key: 'utilisation', label: 'Utilisation',
      values: series.map((p) => (p.utilisation === null ? null : round(p.utilisation * 100, 1))),
    }],
  };
}

export const BOOKING_KEYS = ['requested', 'confirmed', 'cancelled', 'completed'] as const;

/** Bookings per period, a line per kind of event. */
export function bookingsChart(series: PhotographerStatsPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: BOOKING_KEYS.map((k) => ({ key: k, label: label(k), values: series.map((p) => p[k]) })),
  };
}

/** Mean stars of each period's reviews; a gap without reviews. */
export function ratingChart(series: PhotographerStatsPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [{
      key: 'rating', label: 'Average rating',
      values: series.map((p) => (p.rating_average === null ? null : round(p.rating_average, 2))),
    }],
  };
}

/** The mean sentiment score of each period's reviews, −1 to +1; a gap where none was
 * analysed. */
export function sentimentChart(series: PhotographerStatsPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [{
      key: 'sentiment', label: 'Mean sentiment score',
      values: series.map((p) => (p.sentiment.mean_score === null ? null : round(p.sentiment.mean_score, 2))),
    }],
  };
}

// --- words -------------------------------------------------------------------------

/** The API's utilisation (a share, three decimals) as a percentage with at most one
 * decimal: 0.456 → "45.6 %", 1.2 → "120 %"; without working hours there is none. */
export function utilisationPercent(u: number | null): string {
  if (u === null || !Number.isFinite(u)) return 'no working hours';
  return `${round(u * 100, 1)} %`;
}

/** A value of the utilisation chart (already in percent). */
export function percentAxis(v: number): string {
  return `${v} %`;
}

/** The whole range's utilisation in a sentence, saying when sessions ran past the
 * hours kept (above 100 %). */
export function utilisationSummary(t: Pick<PhotographerStatsPeriod, 'session_hours' | 'available_hours' | 'utilisation'>): string {
  const hours = `${round(t.session_hours, 1)} h of sessions in ${round(t.available_hours, 1)} h of working hours`;
  if (t.utilisation === null) return `${hours}: no working hours in the range, so no utilisation.`;
  const over = t.utilisation > 1 ? ' (sessions ran outside your working hours)' : '';
  return `${hours}: ${utilisationPercent(t.utilisation)} used${over}.`;
}

/** Minutes from request to confirmation as people say them: "under a minute",
 * "45 min", "2 h 5 min", "3 days 4 h"; "none yet" without confirmations. */
export function confirmTime(minutes: number | null): string {
  if (minutes === null || !Number.isFinite(minutes) || minutes < 0) return 'none yet';
  const m = Math.round(minutes);
  if (m < 1) return 'under a minute';
  if (m < 60) return `${m} min`;
  if (m < 48 * 60) {
    const h = Math.floor(m / 60);
    const rest = m % 60;
    return rest ? `${h} h ${rest} min` : `${h} h`;
  }
  const d = Math.floor(m / 1440);
  const h = Math.round((m % 1440) / 60);
  return h ? `${d} days ${h} h` : `${d} days`;
}

export interface CurrencyTotal {
  currency: string;
  taken: string;
  refunded: string;
  net: string;
}

/** Money of the range, one row per currency that has any, in code order: amounts in
 * different currencies are never added. */
export function moneyRows(t: { revenue_minor: MoneyByCurrency; refunds_minor: MoneyByCurrency; net_minor: MoneyByCurrency }): CurrencyTotal[] {
  const codes = new Set<string>();
  for (const m of [t.revenue_minor, t.refunds_minor, t.net_minor]) {
    for (const [code, v] of Object.entries(m ?? {})) if (v !== 0) codes.add(code);
  }
  const money = (m: MoneyByCurrency, currency: string) => formatMoney({ amount_minor: m[currency] ?? 0, currency });
  return [...codes].sort().map((currency) => ({
    currency,
    taken: money(t.revenue_minor, currency),
    refunded: money(t.refunds_minor, currency),
    net: money(t.net_minor, currency),
  }));
}

export interface ComparisonText {
  /** The kind of shoot and currency: "Wedding, INR". */
  title: string;
  yours: string;
  median: string;
  /** Where the rate stands, in a sentence. */
  sentence: string;
  /** Nobody to compare with. */
  empty: boolean;
}

/** One specialization's comparison in words. */
export function comparisonText(c: PriceComparison): ComparisonText {
  const yours = formatMoney({ amount_minor: c.your_hourly_rate_minor, currency: c.currency });
  const title = `${label(c.specialization)}, ${c.currency}`;
  const shoots = `${label(c.specialization).toLowerCase()} photographers`;
  if (c.compared_with === 0 || c.median_hourly_rate_minor === null) {
    return {
      title, yours, median: '–', empty: true,
      sentence: `No other ${shoots} in your city charge in ${c.currency} yet, so there is nobody to compare your rate with.`,
    };
  }
  const median = formatMoney({ amount_minor: c.median_hourly_rate_minor, currency: c.currency });
  const others = c.compared_with === 1 ? `the 1 other ${shoots.replace(/s$/, '')}` : `the ${c.compared_with} other ${shoots}`;
  const d = c.difference_percent;
  const where = d === null || d === 0
    ? `the same as the median (${median}) of ${others} in your city`
    : `${Math.abs(d)} % ${d > 0 ? 'above' : 'below'} the median (${median}) of ${others} in your city`;
  const share = c.percentile === null
    ? ''
    : c.compared_with === 1
      ? ` ${percentileOfOne(c.percentile)}`
      : ` ${round(c.percentile, 1)} % of them charge less than you (an equal rate counts as half).`;
  return { title, yours, median, empty: false, sentence: `Your ${yours} an hour is ${where}.${share}` };
}

/** With one other photographer the percentile is 0, 50 or 100: said as such. */
function percentileOfOne(p: number): string {
  if (p >= 100) return 'They charge less than you.';
  if (p <= 0) return 'They charge more than you.';
  return 'They charge the same as you.';
}
