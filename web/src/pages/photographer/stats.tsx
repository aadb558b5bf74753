// The photographer's stats (GET /photographers/me/stats): totals, utilisation,
// bookings, ratings and sentiment per period, time to confirm, and their rate against
// their city's. Loaded with import() by routes/photographer.tsx, and drawing with the
// admin area's SVG charts, another import(): the public pages carry neither.
import type { PhotographerStats } from '../../api/photographer';
import { ApiError, fieldErrors } from '../../api/problem';
import { Empty, ErrorMessage, Field, Link, Loading, useApp, useAsync } from '../../components/ui';
import { today } from '../../format';
import { navigate } from '../../router';
import { periodLabel, summarise } from '../admin/chartdata';
import {
  bookingsChart, comparisonText, confirmTime, hoursChart, moneyRows, percentAxis, ratingChart, sentimentChart,
  statsPath, statsQuery, utilisationChart, utilisationPercent, utilisationSummary,
} from './stats-data';

type Charts = typeof import('../admin/charts');
let charts: Promise<Charts> | null = null;
/** The admin area's chart chunk, fetched once (and again after a failed try). */
function loadCharts(): Promise<Charts> {
  charts ??= import('../admin/charts').catch((e) => {
    charts = null;
    throw e;
  });
  return charts;
}

export function StatsPage({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  const s = statsQuery(query, today());
  const key = JSON.stringify(s);
  const [chartsMod, retryCharts] = useAsync(loadCharts, []);
  const [stats, retry] = useAsync(
    () => api.request<PhotographerStats>('GET', '/photographers/me/stats', { query: { ...s }, auth: 'required' }),
    [key],
  );
  const noProfile = stats.state === 'error' && stats.error instanceof ApiError && stats.error.status === 404;
  const { byField } = fieldErrors(stats.state === 'error' && !noProfile ? stats.error : null);

  if (noProfile) {
    return (
      <section>
        <h1>Your stats</h1>
        <div class="empty">
          <p>Create your profile first: your stats are of the bookings it brings.</p>
          <p><Link class="button" href="/photographer/profile">Create your profile</Link></p>
        </div>
      </section>
    );
  }

  function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const v = (name: string) => String(form.get(name) ?? '').trim();
    navigate(statsPath({ from: v('from'), to: v('to'), granularity: v('granularity') as typeof s.granularity }));
  }

  const C = chartsMod.state === 'done' ? chartsMod.value : null;
  return (
    <section class="photographer-stats">
      <h1>Your stats</h1>
      <form class="filters" onSubmit={submit} aria-label="Stats filters" key={key}>
        <Field id="s-from" label="From" error={byField.from}>
          {(p) => <input {...p} name="from" type="date" defaultValue={s.from} />}
        </Field>
        <Field id="s-to" label="To" error={byField.to}>
          {(p) => <input {...p} name="to" type="date" defaultValue={s.to} />}
        </Field>
        <Field id="s-granularity" label="Periods" error={byField.granularity}>
          {(p) => (
            <select {...p} name="granularity">
              {(['day', 'week', 'month'] as const).map((g) => (
                <option value={g} key={g} selected={s.granularity === g}>
                  {g === 'day' ? 'Days' : g === 'week' ? 'Weeks' : 'Months'}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="filters-submit">
          <button class="button" type="submit">Show</button>
        </div>
      </form>

      {chartsMod.state === 'error' && <ErrorMessage error={chartsMod.error} retry={retryCharts} />}
      {stats.state === 'loading' && <Loading what="your stats" />}
      {stats.state === 'error' && <ErrorMessage error={stats.error} retry={retry} />}
      {stats.state === 'done' && !C && chartsMod.state === 'loading' && <Loading what="the charts" />}
      {stats.state === 'done' && C && <StatsView data={stats.value} C={C} />}
    </section>
  );
}

function Stat({ name, value, testId }: { name: string; value: string | number; testId?: string }) {
  return (
    <div class="stat">
      <dt>{name}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function StatsView({ data, C }: { data: PhotographerStats; C: Charts }) {
  const g = data.granularity;
  const t = data.totals;
  const hours = hoursChart(data.series);
  const util = utilisationChart(data.series);
  const bookings = bookingsChart(data.series);
  const ratings = ratingChart(data.series);
  const sentiment = sentimentChart(data.series);
  const money = moneyRows(t);
  const reviews = t.reviewed;
  const analysed = t.sentiment.analysed;
  const signed = (v: number) => (v > 0 ? `+${v}` : String(v));
  return (
    <>
      <h2>{periodLabel(data.from)} to {periodLabel(data.to)}</h2>
      <p class="muted">Days of your time zone ({data.timezone}); events counted on the day they happened.</p>
      <dl class="stats">
        <Stat name="Requests" value={t.requested} />
        <Stat name="Confirmed" value={t.confirmed} />
        <Stat name="Cancelled" value={t.cancelled} />
        <Stat name="Completed" value={t.completed} />
        <Stat name="Utilisation" value={utilisationPercent(t.utilisation)} testId="utilisation-total" />
        <Stat name="Mean time to confirm" value={confirmTime(t.mean_confirm_minutes)} />
      </dl>

      <h2>Money, before the platform's commission</h2>
      {money.length === 0 ? (
        <Empty><p>No money taken or given back in this range.</p></Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="money-caption">
          <table class="data" data-table="money">
            <caption id="money-caption">
              Money by currency (each on its own: amounts in different currencies are never added)
            </caption>
            <thead>
              <tr>
                <th scope="col">Currency</th>
                <th scope="col">Taken</th>
                <th scope="col">Refunded</th>
                <th scope="col">Net</th>
              </tr>
            </thead>
            <tbody>
              {money.map((m) => (
                <tr key={m.currency}>
                  <th scope="row">{m.currency}</th>
                  <td>{m.taken}</td>
                  <td>{m.refunded}</td>
                  <td>{m.net}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Utilisation and bookings</h2>
      {t.requested + t.confirmed + t.cancelled + t.completed === 0 && (
        <Empty>
          <p>
            No bookings counted in this range yet, so the lines below stay at zero. They are counted as the bookings
            change, so a request made a moment ago can take a little while to show.
          </p>
        </Empty>
      )}
      <div class="chart-grid">
        <C.LineChart title="Session hours and available hours" data={hours} granularity={g} testId="utilisation-hours"
          summary={`${utilisationSummary(t)} ${summarise(hours, 'total', g)}`} />
        <C.LineChart title="Utilisation (session hours ÷ available hours)" data={util} granularity={g}
          format={percentAxis} testId="utilisation"
          summary={`${utilisationPercent(t.utilisation)} over the range; a gap is a period without working hours. ${summarise(util, 'mean', g, percentAxis)}`} />
        <C.LineChart title="Bookings" data={bookings} granularity={g} testId="bookings"
          summary={summarise(bookings, 'total', g)} />
      </div>

      <h2>Ratings and review sentiment</h2>
      <p class="muted">
        All time: {data.rating.count === 0 || data.rating.average === null
          ? 'no reviews yet'
          : `${data.rating.average.toFixed(1)} stars from ${data.rating.count} review${data.rating.count === 1 ? '' : 's'}`}
        {`. In this range: ${reviews} review${reviews === 1 ? '' : 's'}, ${analysed} analysed`}
        {analysed > 0 ? ` (${t.sentiment.positive} positive, ${t.sentiment.neutral} neutral, ${t.sentiment.negative} negative)` : ''}.
      </p>
      {reviews === 0 && analysed === 0 ? (
        <Empty><p>No reviews in this range, so no rating or sentiment trend to draw.</p></Empty>
      ) : (
        <div class="chart-grid">
          <C.LineChart title="Average rating per period (stars)" data={ratings} granularity={g} extent={[0, 5]}
            testId="rating" summary={summarise(ratings, 'mean', g)} />
          <C.LineChart title="Review sentiment per period (−1 to +1)" data={sentiment} granularity={g} extent={[-1, 1]}
            format={signed} testId="sentiment" summary={summarise(sentiment, 'mean', g, signed)} />
        </div>
      )}

      <h2>Your rate against your city's</h2>
      <Comparison data={data} />
    </>
  );
}

function Comparison({ data }: { data: PhotographerStats }) {
  if (data.price_comparison.length === 0) {
    return (
      <Empty>
        <p>
          Your profile lists no kinds of shoot, so there is nothing to compare. <Link href="/photographer/profile">Add them to your profile</Link>.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <p class="muted">
        Your hourly rate against the other photographers of your city with the same kind of shoot, in the same currency.
      </p>
      <ul class="comparisons" data-testid="price-comparison">
        {data.price_comparison.map((c) => {
          const w = comparisonText(c);
          return (
            <li key={`${c.specialization}-${c.currency}`} class={w.empty ? 'empty' : 'stat'} data-empty={w.empty ? 'true' : undefined}>
              <h3>{w.title}</h3>
              <p>{w.sentence}</p>
              {!w.empty && (
                <dl class="comparison-figures">
                  <div><dt>Your rate</dt><dd>{w.yours}</dd></div>
                  <div><dt>Median</dt><dd>{w.median}</dd></div>
                  <div><dt>Charge less than you</dt><dd>{c.percentile === null ? '–' : `${c.percentile} %`}</dd></div>
                  <div><dt>Compared with</dt><dd>{c.compared_with}</dd></div>
                </dl>
              )}
            </li>
          );
        })}
      </ul>
    </>
  );
}
