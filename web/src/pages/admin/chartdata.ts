// The admin dashboard's pure logic: the API's series turned into what a chart draws
// (labels, values, scales, ticks, paths), money kept per currency, and the names and
// queries the screens build. No DOM here, so Vitest checks all of it.
import type {
  AnalyticsGranularity, AnalyticsPeriod, DemandPoint, Feedback, Funnel, Granularity, LeadTime, MoneyByCurrency,
  SentimentPeriod,
} from '../../api/admin';
import { SPECIALIZATIONS } from '../../api/types';
import { addDays, formatMoney, label, minorDigits } from '../../format';

/** One line (or set of bars) of a chart: a value per label, `null` where there is none. */
export interface Series {
  key: string;
  label: string;
  values: (number | null)[];
}
export interface ChartData {
  /** The x positions' names: a period's first day, a forecast's date. */
  labels: string[];
  series: Series[];
}

// --- the query -------------------------------------------------------------------

export interface AnalyticsQuery {
  from: string;
  to: string;
  granularity: AnalyticsGranularity;
  city?: string;
  specialization?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const GRANULARITIES: readonly AnalyticsGranularity[] = ['day', 'week', 'month'];

/** The dashboard's filters as the URL keeps them, with defaults: the last 52 weeks to
 * today (UTC, as the API counts days), by week. Values the API would refuse are kept
 * as typed so its problem shows next to the field. */
export function analyticsQuery(q: URLSearchParams, todayUtc: string): AnalyticsQuery {
  const to = q.get('to')?.trim() || todayUtc;
  const from = q.get('from')?.trim() || (DAY.test(to) ? addDays(to, -363) : addDays(todayUtc, -363));
  const g = q.get('granularity') as AnalyticsGranularity | null;
  const out: AnalyticsQuery = { from, to, granularity: g && GRANULARITIES.includes(g) ? g : 'week' };
  const city = q.get('city')?.trim();
  if (city) out.city = city;
  const spec = q.get('specialization');
  if (spec && (SPECIALIZATIONS as readonly string[]).includes(spec)) out.specialization = spec;
  return out;
}

/** The sentiment trend over the same days: it takes `day` or `week` only and a range
 * shorter than 366 days, so a month view asks by week and a longer range its last
 * 365 days. */
export function sentimentQuery(a: AnalyticsQuery): { from: string; to: string; granularity: Granularity } {
  let from = a.from;
  if (DAY.test(a.from) && DAY.test(a.to) && Date.parse(a.to) - Date.parse(a.from) > 364 * 86_400_000) {
    from = addDays(a.to, -364);
  }
  return { from, to: a.to, granularity: a.granularity === 'day' ? 'day' : 'week' };
}

export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** A name for the CSV export that says what is in it: the range, the granularity and
 * the filters, in characters every file system accepts. */
export function csvFilename(a: AnalyticsQuery): string {
  const parts = ['capture-moments-analytics', safe(a.from), 'to', safe(a.to), a.granularity];
  const city = a.city ? slug(a.city) : '';
  if (city) parts.push(city);
  if (a.specialization) parts.push(slug(a.specialization));
  return `${parts.join('_')}.csv`;
}

function safe(s: string): string {
  return s.replace(/[^0-9A-Za-z-]/g, '') || 'unknown';
}

/** Lower case ASCII letters and digits with single dashes: "São Paulo" → "sao-paulo". */
export function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

// --- series to chart data ----------------------------------------------------------

export const COUNT_KEYS = ['requested', 'confirmed', 'cancelled', 'completed'] as const;
export type CountKey = (typeof COUNT_KEYS)[number];

/** Booking events per period, a line per kind of event. */
export function countChart(series: AnalyticsPeriod[], keys: readonly CountKey[] = COUNT_KEYS): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: keys.map((k) => ({ key: k, label: label(k), values: series.map((p) => p[k]) })),
  };
}

export function hoursChart(series: AnalyticsPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [{ key: 'booked_hours', label: 'Booked hours', values: series.map((p) => round(p.booked_hours, 2)) }],
  };
}

type WithMoney = Pick<AnalyticsPeriod, 'revenue_minor' | 'refunds_minor' | 'net_minor'>;

/** Every currency with money anywhere in the periods, in code order (as the CSV
 * orders its columns). */
export function currenciesIn(periods: WithMoney[]): string[] {
  const seen = new Set<string>();
  for (const p of periods) {
    for (const m of [p.revenue_minor, p.refunds_minor, p.net_minor]) {
      for (const [code, v] of Object.entries(m ?? {})) if (v !== 0) seen.add(code);
    }
  }
  return [...seen].sort();
}

/** Minor units to the currency's major unit (JPY has no minor unit, KWD three). */
export function toMajor(minor: number, currency: string): number {
  const d = minorDigits(currency);
  return round(minor / 10 ** d, d);
}

/** One currency's revenue, refunds and net per period, in its major unit. One chart a
 * currency: amounts in different currencies are never added or drawn on one axis. */
export function revenueChart(series: AnalyticsPeriod[], currency: string): ChartData {
  const pick = (m: MoneyByCurrency) => toMajor(m[currency] ?? 0, currency);
  return {
    labels: series.map((p) => p.start),
    series: [
      { key: 'revenue', label: 'Revenue', values: series.map((p) => pick(p.revenue_minor)) },
      { key: 'refunds', label: 'Refunds', values: series.map((p) => pick(p.refunds_minor)) },
      { key: 'net', label: 'Net', values: series.map((p) => pick(p.net_minor)) },
    ],
  };
}

/** Amounts by currency written out one by one ("₹1,200 · $40"), never summed. */
export function moneyList(m: MoneyByCurrency): string[] {
  return Object.keys(m)
    .sort()
    .filter((code) => m[code] !== 0)
    .map((code) => formatMoney({ amount_minor: m[code] as number, currency: code }));
}

export function sentimentChart(series: SentimentPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [
      { key: 'negative', label: 'Negative', values: series.map((p) => p.negative) },
      { key: 'neutral', label: 'Neutral', values: series.map((p) => p.neutral) },
      { key: 'positive', label: 'Positive', values: series.map((p) => p.positive) },
    ],
  };
}

export function sentimentScoreChart(series: SentimentPeriod[]): ChartData {
  return {
    labels: series.map((p) => p.start),
    series: [{
      key: 'score', label: 'Average score',
      values: series.map((p) => (p.average_score === null ? null : round(p.average_score, 2))),
    }],
  };
}

export interface ForecastChart extends ChartData {
  /** The interval by label; `null` on days of history. */
  lower: (number | null)[];
  upper: (number | null)[];
}

/** The forecast's days, after the recent days' actual requests when given (the
 * analytics' daily series up to the forecast's `as_of`): one line of what was, one of
 * what is expected, and the interval over the expected only. */
export function forecastChart(points: DemandPoint[], actual: Pick<AnalyticsPeriod, 'start' | 'requested'>[] = []): ForecastChart {
  const first = points[0]?.date;
  const past = actual.filter((a) => first === undefined || a.start < first);
  const none = past.map(() => null);
  const series: Series[] = [{
    key: 'forecast', label: 'Forecast requests a day', values: [...none, ...points.map((p) => round(p.forecast, 2))],
  }];
  if (past.length > 0) {
    series.push({ key: 'actual', label: 'Requests a day so far', values: [...past.map((a) => a.requested), ...points.map(() => null)] });
  }
  return {
    labels: [...past.map((a) => a.start), ...points.map((p) => p.date)],
    series,
    lower: [...none, ...points.map((p) => round(p.lower, 2))],
    upper: [...none, ...points.map((p) => round(p.upper, 2))],
  };
}

export interface Bar {
  label: string;
  value: number;
  /** Said after the value ("42 %"). */
  note?: string;
}

export function funnelBars(f: Funnel): Bar[] {
  return [
    { label: 'Requested', value: f.requested },
    { label: 'Confirmed', value: f.confirmed, note: percent(f.confirmed_rate) },
    { label: 'Paid', value: f.paid, note: percent(f.paid_rate) },
    { label: 'Completed', value: f.completed, note: percent(f.completed_rate) },
    { label: 'Reviewed', value: f.reviewed, note: percent(f.reviewed_rate) },
  ];
}

export function leadTimeBars(l: LeadTime): Bar[] {
  return [
    { label: 'Under a day', value: l.under_1d },
    { label: '1 to 7 days', value: l.from_1_to_7d },
    { label: '7 to 30 days', value: l.from_7_to_30d },
    { label: '30 to 90 days', value: l.from_30_to_90d },
    { label: 'Over 90 days', value: l.over_90d },
  ];
}

export function cancellationBars(c: AnalyticsPeriod['cancellations']): { who: Bar[]; stage: Bar[] } {
  return {
    who: [
      { label: 'By the client', value: c.by_client },
      { label: 'By the photographer', value: c.by_photographer },
      { label: 'By the platform', value: c.by_platform },
    ],
    stage: [
      { label: 'While pending', value: c.while_pending },
      { label: 'After confirmation', value: c.after_confirmation },
      { label: 'Late (inside the window)', value: c.late },
    ],
  };
}

/** A city as the analytics key it (lower case, as search compares cities) written as
 * a name: "são paulo" → "São Paulo", "new york" → "New York". */
export function placeName(key: string): string {
  return key.replace(/(^|\s)(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

/** A share as a whole percentage, "–" when there is nothing to divide by. */
export function percent(rate: number | null): string {
  return rate === null || !Number.isFinite(rate) ? '–' : `${Math.round(rate * 100)} %`;
}

// --- scales and ticks --------------------------------------------------------------

/** A step of 1, 2 or 5 times a power of ten near `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const f = rough / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

export interface Ticks {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** The value axis: zero always in view (counts and money read from zero), round
 * steps, the ends on ticks, about `count` intervals. An all-zero series still gets an
 * axis from 0 to 1. */
export function ticks(values: (number | null)[], count = 4): Ticks {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  let lo = Math.min(0, ...finite);
  let hi = Math.max(0, ...finite);
  if (lo === hi) hi = lo + 1;
  const step = niceStep((hi - lo) / count);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const out: number[] = [];
  for (let v = lo, i = 0; v <= hi + step / 2 && i < 100; i++, v = lo + i * step) out.push(Number(v.toFixed(decimals)) || 0); // never -0
  return { min: Number(lo.toFixed(decimals)), max: Number(hi.toFixed(decimals)), step, ticks: out };
}

/** A linear map from `domain` onto `range`. */
export function scale(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Which of `n` labels to write under the x axis: at most `max`, evenly spaced, the
 * first and last always. */
export function xTickIndexes(n: number, max = 6): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < max; i++) out.add(Math.round((i * (n - 1)) / (max - 1)));
  return [...out].sort((a, b) => a - b);
}

/** An SVG path through the values; a `null` breaks the line (no data is not zero). */
export function linePath(values: (number | null)[], x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${fmt(x(i))},${fmt(y(v))}`;
    pen = true;
  });
  return d;
}

/** Indexes of values with no value on either side: a line through them is a point,
 * so the chart marks them with a dot. */
export function isolated(values: (number | null)[]): number[] {
  const has = (i: number) => i >= 0 && i < values.length && values[i] !== null && Number.isFinite(values[i] as number);
  return values.map((_, i) => i).filter((i) => has(i) && !has(i - 1) && !has(i + 1));
}

/** The closed area between `lower` and `upper` (a prediction interval) over the
 * indexes where both are known (they are contiguous: the forecast's days). */
export function bandPath(
  lower: (number | null)[],
  upper: (number | null)[],
  x: (i: number) => number,
  y: (v: number) => number,
): string {
  const known = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  const at = lower.map((_, i) => i).filter((i) => known(lower[i]) && known(upper[i]));
  if (at.length === 0) return '';
  let d = '';
  at.forEach((i, k) => {
    d += `${k ? 'L' : 'M'}${fmt(x(i))},${fmt(y(upper[i] as number))}`;
  });
  for (const i of [...at].reverse()) d += `L${fmt(x(i))},${fmt(y(lower[i] as number))}`;
  return `${d}Z`;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// --- text alternatives -------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A period's first day as people say it: "3 Mar 2026", "Mar 2026" for a month. */
export function periodLabel(start: string, granularity: AnalyticsGranularity = 'day'): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(start);
  if (!m) return start;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const month = MONTHS[+mo - 1] ?? mo;
  return granularity === 'month' ? `${month} ${y}` : `${+d} ${month} ${y}`;
}

/** The chart in a sentence a screen reader says: each series' total (or mean) and
 * where it peaked. The data table beside it has every value. */
export function summarise(
  data: ChartData,
  how: 'total' | 'mean' = 'total',
  granularity: AnalyticsGranularity = 'day',
  format: (v: number) => string = String,
): string {
  if (data.labels.length === 0) return 'No periods in the range.';
  const first = periodLabel(data.labels[0] as string, granularity);
  const last = periodLabel(data.labels[data.labels.length - 1] as string, granularity);
  const parts = data.series.map((s) => {
    const finite = s.values.map((v, i) => [v, i] as const).filter((p): p is readonly [number, number] => p[0] !== null);
    if (finite.length === 0) return `${s.label}: no data`;
    const sum = finite.reduce((a, [v]) => a + v, 0);
    const [peak, at] = finite.reduce((best, p) => (p[0] > best[0] ? p : best));
    const whole = how === 'total' ? `${format(round(sum, 2))} in all` : `mean ${format(round(sum / finite.length, 2))}`;
    return `${s.label}: ${whole}, highest ${format(peak)} (${periodLabel(data.labels[at] as string, granularity)})`;
  });
  return `${data.labels.length} periods from ${first} to ${last}. ${parts.join('; ')}.`;
}

// --- feedback ----------------------------------------------------------------------

/** Most negative first: by sentiment score, lowest first; feedback not analysed yet
 * after the analysed, newest first among equals. */
export function sortByNegativity(items: Feedback[]): Feedback[] {
  return [...items].sort((a, b) => {
    const sa = a.sentiment?.score ?? Number.POSITIVE_INFINITY;
    const sb = b.sentiment?.score ?? Number.POSITIVE_INFINITY;
    if (sa !== sb) return sa - sb;
    return b.created_at.localeCompare(a.created_at);
  });
}
