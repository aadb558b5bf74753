// The dashboard's charts, hand-written SVG (web/README.md says why), loaded as a
// chunk of their own with import() when an admin opens the dashboard. Every chart is
// a <figure> whose caption names it and says what it shows in a sentence (the SVG is
// one image labelled by that caption), and whose data table, behind a
// keyboard-reachable <details>, has every value. Colours differ in lightness and each
// line has its own dash pattern, so no series is told apart by hue alone. No style
// attributes: the app's CSP allows stylesheets from its own origin only.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { AnalyticsGranularity } from '../../api/admin';
import {
  type Bar, type ChartData, bandPath, isolated, linePath, periodLabel, scale, ticks, xTickIndexes,
} from './chartdata';

const COLOURS = ['#0b5cad', '#1d6b34', '#a4161a', '#7a4a00', '#5b3b8c', '#515b6b'];
const DASHES = ['', '6 3', '2 3', '10 3 2 3', '1 0', '4 4'];
const HEIGHT = 240;
const PAD = { top: 12, right: 12, bottom: 28, left: 52 };

/** The width the chart has on the page now, so text is drawn at its real size on a
 * phone as on a desktop (a viewBox scaled down would shrink the labels). */
function useWidth(): [preact.RefObject<HTMLDivElement>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const update = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    update();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

interface FigureProps {
  title: string;
  summary: string;
  table: ComponentChildren;
  legend?: { label: string; i: number; band?: boolean }[];
  children: (captionId: string) => ComponentChildren;
  testId?: string;
}

function Figure({ title, summary, table, legend, children, testId }: FigureProps) {
  const id = useId();
  return (
    <figure class="chart" aria-labelledby={`${id}-cap`} data-chart={testId}>
      <figcaption id={`${id}-cap`}>
        <strong class="chart-title">{title}</strong>
        <span class="chart-summary">{summary}</span>
      </figcaption>
      {legend && legend.length > 0 && (
        <ul class="legend" aria-hidden="true">
          {legend.map((l) => (
            <li key={l.label}>
              <svg width="28" height="12" focusable="false">
                {l.band ? (
                  <rect x="0" y="1" width="28" height="10" fill={COLOURS[l.i % COLOURS.length]} fill-opacity="0.18" />
                ) : (
                  <line x1="0" x2="28" y1="6" y2="6" stroke={COLOURS[l.i % COLOURS.length]} stroke-width="3"
                    stroke-dasharray={DASHES[l.i % DASHES.length] || undefined} />
                )}
              </svg>
              {l.label}
            </li>
          ))}
        </ul>
      )}
      {children(`${id}-cap`)}
      <details class="chart-data">
        <summary>Data table: {title}</summary>
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`${title}, data`}>
          {table}
        </div>
      </details>
    </figure>
  );
}

export interface LineChartProps {
  title: string;
  summary: string;
  data: ChartData;
  granularity?: AnalyticsGranularity;
  /** How a value is written on the axis and in the table. */
  format?: (v: number) => string;
  /** A shaded interval around the first series (a forecast's 80 % band). */
  band?: { lower: (number | null)[]; upper: (number | null)[]; label: string };
  /** Values the axis always shows (a score's whole scale, −1 to +1). */
  extent?: number[];
  testId?: string;
}

/** Lines over time, the value axis from zero (or below, for negative values). */
export function LineChart({ title, summary, data, granularity = 'day', format = String, band, extent = [], testId }: LineChartProps) {
  const [ref, width] = useWidth();
  const n = data.labels.length;
  const all = [...data.series.flatMap((s) => s.values), ...(band ? [...band.lower, ...band.upper] : []), ...extent];
  const t = ticks(all);
  // Room for the longest value label (about 7 px a character at 12 px).
  const left = Math.max(PAD.left, 10 + 7 * Math.max(...t.ticks.map((v) => format(v).length)));
  const right = width - PAD.right;
  const x = (i: number) => (n <= 1 ? (left + right) / 2 : scale([0, n - 1], [left, right])(i));
  const y = scale([t.min, t.max], [HEIGHT - PAD.bottom, PAD.top]);
  // A date label is about 80 px wide at 12 px: as many as fit with room between.
  const xt = xTickIndexes(n, Math.max(2, Math.floor((right - left) / 110)));
  const legend = [
    ...data.series.map((s, i) => ({ label: s.label, i })),
    ...(band ? [{ label: band.label, i: 0, band: true }] : []),
  ];
  const table = (
    <table>
      <thead>
        <tr>
          <th scope="col">{granularity === 'day' ? 'Day' : granularity === 'week' ? 'Week of' : 'Month'}</th>
          {data.series.map((s) => (
            <th scope="col" key={s.key}>{s.label}</th>
          ))}
          {band && <th scope="col">{band.label}</th>}
        </tr>
      </thead>
      <tbody>
        {data.labels.map((l, i) => (
          <tr key={l}>
            <th scope="row">{periodLabel(l, granularity)}</th>
            {data.series.map((s) => {
              const v = s.values[i];
              return <td key={s.key}>{v === null || v === undefined ? '–' : format(v)}</td>;
            })}
            {band && (
              <td>
                {band.lower[i] === null || band.lower[i] === undefined || band.upper[i] === null || band.upper[i] === undefined
                  ? '–'
                  : `${format(band.lower[i] as number)} to ${format(band.upper[i] as number)}`}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <Figure title={title} summary={summary} table={table} legend={legend} testId={testId}>
      {(cap) => (
        <div class="plot" ref={ref}>
          <svg role="img" aria-labelledby={cap} width={width} height={HEIGHT} focusable="false">
            {t.ticks.map((v) => (
              <g key={v}>
                <line x1={left} x2={right} y1={y(v)} y2={y(v)} stroke={v === 0 ? '#515b6b' : '#d5dae2'} stroke-width="1" />
                <text x={left - 6} y={y(v) + 4} text-anchor="end" class="tick">{format(v)}</text>
              </g>
            ))}
            {xt.map((i) => (
              <text key={i} x={x(i)} y={HEIGHT - 8} class="tick"
                text-anchor={i === 0 && n > 1 ? 'start' : i === n - 1 && n > 1 ? 'end' : 'middle'}>
                {periodLabel(data.labels[i] as string, granularity)}
              </text>
            ))}
            {band && <path d={bandPath(band.lower, band.upper, x, y)} fill={COLOURS[0]} fill-opacity="0.18" stroke="none" />}
            {data.series.map((s, si) => (
              <path key={s.key} d={linePath(s.values, x, y)} fill="none" stroke={COLOURS[si % COLOURS.length]}
                stroke-width="2" stroke-dasharray={DASHES[si % DASHES.length] || undefined} stroke-linejoin="round"
                data-series={s.key} />
            ))}
            {/* A value with no neighbour draws no line: a dot shows it. */}
            {data.series.flatMap((s, si) => isolated(s.values).map((i) => (
              <circle key={`${s.key}-${i}`} cx={x(i)} cy={y(s.values[i] as number)} r="3.5" fill={COLOURS[si % COLOURS.length]} />
            )))}
          </svg>
        </div>
      )}
    </Figure>
  );
}

export interface BarChartProps {
  title: string;
  summary: string;
  bars: Bar[];
  /** The table's heading for the values. */
  unit: string;
  testId?: string;
}

/** Horizontal bars with their values written at their ends (so the value never needs
 * the axis). */
export function BarChart({ title, summary, bars, unit, testId }: BarChartProps) {
  const [ref, width] = useWidth();
  // Labels beside the bars where they fit, above them on a narrow screen (a long
  // label would otherwise run off the left edge).
  const stacked = width < 400;
  const labelWidth = stacked ? 0 : Math.min(190, Math.floor(width * 0.38));
  const row = stacked ? 46 : 30;
  const barTop = stacked ? 22 : 6;
  const height = bars.length * row + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  // Room after the longest bar for its value, about 8 px a character at 13 px.
  const valueRoom = 12 + 8 * Math.max(...bars.map((b) => valueText(b).length), 1);
  const w = scale([0, max], [0, Math.max(20, width - labelWidth - valueRoom)]);
  const table = (
    <table>
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col">{unit}</th>
        </tr>
      </thead>
      <tbody>
        {bars.map((b) => (
          <tr key={b.label}>
            <th scope="row">{b.label}</th>
            <td>
              {b.value}
              {b.note ? ` (${b.note})` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <Figure title={title} summary={summary} table={table} testId={testId}>
      {(cap) => (
        <div class="plot" ref={ref}>
          <svg role="img" aria-labelledby={cap} width={width} height={height} focusable="false">
            {bars.map((b, i) => (
              <g key={b.label}>
                {stacked ? (
                  <text x={0} y={i * row + 16} class="bar-label">{b.label}</text>
                ) : (
                  <text x={labelWidth - 8} y={i * row + 20} text-anchor="end" class="bar-label">{b.label}</text>
                )}
                <rect x={labelWidth} y={i * row + barTop} height={20} width={Math.max(b.value > 0 ? 2 : 0, w(Math.max(0, b.value)))}
                  fill={COLOURS[0]} rx="3" />
                <text x={labelWidth + w(Math.max(0, b.value)) + 6} y={i * row + barTop + 14} class="bar-value">
                  {valueText(b)}
                </text>
              </g>
            ))}
          </svg>
        </div>
      )}
    </Figure>
  );
}

function valueText(b: Bar): string {
  return b.note ? `${b.value} · ${b.note}` : String(b.value);
}
