import { useState } from 'preact/hooks';
import type { Analytics, AnalyticsPeriod, DemandForecast, Insights } from '../../api/admin';
import { ApiError, describe, fieldErrors } from '../../api/problem';
import { SPECIALIZATIONS } from '../../api/types';
import { Empty, ErrorMessage, Field, Loading, useApp, useAsync } from '../../components/ui';
import { addDays, formatMoney, label, minorDigits } from '../../format';
import { navigate } from '../../router';
import {
  type AnalyticsQuery, analyticsQuery, cancellationBars, countChart, csvFilename, currenciesIn, forecastChart,
  funnelBars, hoursChart, placeName, leadTimeBars, moneyList, percent, periodLabel, revenueChart, sentimentChart,
  sentimentQuery, sentimentScoreChart, summarise, utcToday,
} from './chartdata';

type Charts = typeof import('./charts');
let charts: Promise<Charts> | null = null;
/** The chart chunk, fetched once when the dashboard first shows (and again after a
 * failed try). */
function loadCharts(): Promise<Charts> {
  charts ??= import('./charts').catch((e) => {
    charts = null;
    throw e;
  });
  return charts;
}

const FILTERS = ['from', 'to', 'granularity', 'city', 'specialization'] as const;

export function Dashboard({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  const a = analyticsQuery(query, utcToday());
  const key = JSON.stringify(a);
  const [chartsMod, retryCharts] = useAsync(loadCharts, []);
  const [analytics, retryAnalytics] = useAsync(
    () => api.request<Analytics>('GET', '/admin/analytics', { query: { ...a }, auth: 'required' }),
    [key],
  );
  const [insights, retryInsights] = useAsync(
    () => api.request<Insights>('GET', '/admin/insights/sentiment', { query: sentimentQuery(a), auth: 'required' }),
    [key],
  );
  const [forecast, retryForecast] = useAsync(async (): Promise<ForecastData | null> => {
    const segment = { city: a.city, specialization: a.specialization };
    const f = await api
      .request<DemandForecast>('GET', '/admin/forecasts', { query: segment, auth: 'required' })
      // 404: no forecast for this segment yet, which the section explains.
      .catch((e) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)));
    if (!f) return null;
    // The last four weeks of what happened, drawn before what is expected. Without
    // them the forecast still shows, with the reason they are missing.
    try {
      const recent = await api.request<Analytics>('GET', '/admin/analytics', {
        query: { ...segment, from: addDays(f.as_of, -27), to: f.as_of, granularity: 'day' }, auth: 'required',
      });
      return { f, actual: recent.series, actualError: null };
    } catch (actualError) {
      return { f, actual: [], actualError };
    }
  }, [a.city ?? '', a.specialization ?? '']);
  const { byField } = fieldErrors(analytics.state === 'error' ? analytics.error : null);

  function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const v = String(form.get(name) ?? '').trim();
      if (v) params.set(name, v);
    }
    navigate(`/admin?${params.toString()}`);
  }

  const C = chartsMod.state === 'done' ? chartsMod.value : null;
  return (
    <section class="admin">
      <h1>Dashboard</h1>
      <form class="filters" onSubmit={submit} aria-label="Dashboard filters" key={key}>
        <Field id="a-from" label="From" error={byField.from}>
          {(p) => <input {...p} name="from" type="date" defaultValue={a.from} />}
        </Field>
        <Field id="a-to" label="To" error={byField.to}>
          {(p) => <input {...p} name="to" type="date" defaultValue={a.to} />}
        </Field>
        <Field id="a-granularity" label="Periods" error={byField.granularity}>
          {(p) => (
            <select {...p} name="granularity">
              {(['day', 'week', 'month'] as const).map((g) => (
                <option value={g} key={g} selected={a.granularity === g}>
                  {g === 'day' ? 'Days' : g === 'week' ? 'Weeks' : 'Months'}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="a-city" label="City" error={byField.city}>
          {(p) => <input {...p} name="city" defaultValue={a.city ?? ''} placeholder="All cities" />}
        </Field>
        <Field id="a-spec" label="Kind of shoot" error={byField.specialization}>
          {(p) => (
            <select {...p} name="specialization">
              <option value="">All</option>
              {SPECIALIZATIONS.map((s) => (
                <option value={s} key={s} selected={a.specialization === s}>
                  {label(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="filters-submit">
          <button class="button" type="submit">
            Show
          </button>
        </div>
      </form>
      <CsvDownload a={a} />

      {chartsMod.state === 'error' && <ErrorMessage error={chartsMod.error} retry={retryCharts} />}
      {analytics.state === 'loading' && <Loading what="the analytics" />}
      {analytics.state === 'error' && <ErrorMessage error={analytics.error} retry={retryAnalytics} />}
      {analytics.state === 'done' && !C && chartsMod.state === 'loading' && <Loading what="the charts" />}
      {analytics.state === 'done' && C && <AnalyticsView data={analytics.value} C={C} />}

      <h2>Feedback sentiment</h2>
      {insights.state === 'loading' && <Loading what="the sentiment trend" />}
      {insights.state === 'error' && <ErrorMessage error={insights.error} retry={retryInsights} />}
      {insights.state === 'done' && !C && chartsMod.state === 'loading' && <Loading what="the charts" />}
      {insights.state === 'done' && C && <SentimentView data={insights.value} C={C} />}

      <h2>Demand forecast</h2>
      {forecast.state === 'loading' && <Loading what="the forecast" />}
      {forecast.state === 'error' && <ErrorMessage error={forecast.error} retry={retryForecast} />}
      {forecast.state === 'done' && forecast.value === null && (
        <Empty>
          <p>
            No forecast for {segmentName(a)} yet. The nightly forecast job makes one for every segment with booking
            history; a segment without any has none.
          </p>
        </Empty>
      )}
      {forecast.state === 'done' && forecast.value && !C && chartsMod.state === 'loading' && <Loading what="the charts" />}
      {forecast.state === 'done' && forecast.value && C && <ForecastView data={forecast.value} C={C} />}
    </section>
  );
}

function segmentName(a: Pick<AnalyticsQuery, 'city' | 'specialization'>): string {
  const spec = a.specialization ? `${label(a.specialization).toLowerCase()} shoots` : '';
  const city = a.city ? placeName(a.city) : '';
  if (city && spec) return `${spec} in ${city}`;
  if (city) return city;
  if (spec) return spec;
  return 'the whole platform';
}

/** The same series as CSV (the API's `Accept: text/csv`), saved as a file named after
 * its range and filters. */
function CsvDownload({ a }: { a: AnalyticsQuery }) {
  const { api } = useApp();
  const [state, setState] = useState<{ busy: boolean; error: unknown; done: string | null }>({
    busy: false, error: null, done: null,
  });
  async function download() {
    setState({ busy: true, error: null, done: null });
    try {
      const csv = await api.request<string>('GET', '/admin/analytics', {
        query: { ...a }, auth: 'required', headers: { accept: 'text/csv' }, text: true,
      });
      const name = csvFilename(a);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false, error: null, done: name });
    } catch (error) {
      setState({ busy: false, error, done: null });
    }
  }
  return (
    <div class="csv">
      <button type="button" class="button secondary" onClick={download} disabled={state.busy}>
        {state.busy ? 'Preparing CSV…' : 'Download CSV'}
      </button>
      <p role="status" class="muted">
        {state.done ? `Downloaded ${state.done}.` : ''}
      </p>
      {state.error ? <ErrorMessage error={state.error} /> : null}
    </div>
  );
}

function Stat({ name, value }: { name: string; value: string | number }) {
  return (
    <div class="stat">
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function moneyAxis(currency: string) {
  const digits = minorDigits(currency);
  return (v: number) => formatMoney({ amount_minor: Math.round(v * 10 ** digits), currency });
}

function AnalyticsView({ data, C }: { data: Analytics; C: Charts }) {
  const g = data.granularity;
  const t = data.totals;
  const counts = countChart(data.series);
  const hours = hoursChart(data.series);
  const currencies = currenciesIn([t, ...data.series]);
  const cancels = cancellationBars(t.cancellations);
  const range = `${periodLabel(data.from)} to ${periodLabel(data.to)}`;
  const top = `${periodLabel(data.top_period.from)} to ${periodLabel(data.top_period.to)}`;
  return (
    <>
      <h2>Bookings, {range}</h2>
      <p class="muted">
        {segmentName({ city: data.filter.city ?? undefined, specialization: data.filter.specialization ?? undefined })}
        {' · '}events counted on their day (UTC)
      </p>
      <dl class="stats">
        <Stat name="Requested" value={t.requested} />
        <Stat name="Confirmed" value={t.confirmed} />
        <Stat name="Cancelled" value={t.cancelled} />
        <Stat name="Completed" value={t.completed} />
        <Stat name="Booked hours" value={Math.round(t.booked_hours * 10) / 10} />
        <Stat name="Fully paid" value={t.paid} />
      </dl>
      {t.requested + t.confirmed + t.cancelled + t.completed === 0 && (
        <Empty>
          <p>No booking events in this range and segment. Try a longer range or fewer filters.</p>
        </Empty>
      )}
      <div class="chart-grid">
        <C.LineChart title="Booking events" summary={summarise(counts, 'total', g)} data={counts} granularity={g}
          testId="counts" />
        <C.LineChart title="Booked hours" summary={summarise(hours, 'total', g)} data={hours} granularity={g}
          testId="hours" />
      </div>

      <h2>Revenue by currency</h2>
      {currencies.length === 0 ? (
        <Empty>
          <p>No money taken or given back in this range.</p>
        </Empty>
      ) : (
        <>
          <p class="muted">Each currency on its own: amounts in different currencies are never added together.</p>
          <div class="chart-grid">
            {currencies.map((cur) => {
              const rc = revenueChart(data.series, cur);
              const fm = moneyAxis(cur);
              const net = formatMoney({ amount_minor: t.net_minor[cur] ?? 0, currency: cur });
              return (
                <C.LineChart key={cur} title={`Revenue in ${cur}`} testId={`revenue-${cur}`}
                  summary={`Taken ${formatMoney({ amount_minor: t.revenue_minor[cur] ?? 0, currency: cur })}, refunded ${formatMoney({ amount_minor: t.refunds_minor[cur] ?? 0, currency: cur })}, net ${net}. ${summarise(rc, 'total', g, fm)}`}
                  data={rc} granularity={g} format={fm} />
              );
            })}
          </div>
        </>
      )}

      <h2>Funnel and timing</h2>
      <div class="chart-grid">
        <C.BarChart title="Funnel" unit="Bookings (share of requests)" bars={funnelBars(data.funnel)} testId="funnel"
          summary={`Of ${data.funnel.requested} requests: ${percent(data.funnel.confirmed_rate)} confirmed, ${percent(data.funnel.paid_rate)} paid, ${percent(data.funnel.completed_rate)} completed, ${percent(data.funnel.reviewed_rate)} reviewed.`} />
        <C.BarChart title="Lead time, request to session" unit="Requests" bars={leadTimeBars(data.lead_time)}
          testId="lead-time"
          summary={data.lead_time.mean_days === null
            ? 'No requests in the range.'
            : `${data.lead_time.requests} requests, booked ${Math.round(data.lead_time.mean_days * 10) / 10} days ahead on average.`} />
        <C.BarChart title="Cancellations by who cancelled" unit="Cancellations" bars={cancels.who} testId="cancel-who"
          summary={`${t.cancelled} cancellations: ${cancels.who.map((b) => `${b.value} ${b.label.toLowerCase()}`).join(', ')}.`} />
        <C.BarChart title="Cancellations by stage" unit="Cancellations" bars={cancels.stage} testId="cancel-stage"
          summary={`${cancels.stage.map((b) => `${b.value} ${b.label.toLowerCase()}`).join(', ')}.`} />
      </div>

      <h2>Across the platform, {top}</h2>
      <p class="muted">The top lists and the leaderboard cover the whole months the range touches, whatever the filters.</p>
      <div class="chart-grid">
        <C.BarChart title="Top cities by confirmed bookings" unit="Confirmed" testId="top-cities"
          bars={data.top_cities.map((r) => ({ label: placeName(r.name), value: r.confirmed, note: `${r.requested} requested` }))}
          summary={data.top_cities.length ? `Busiest: ${data.top_cities.slice(0, 3).map((r) => `${placeName(r.name)} (${r.confirmed})`).join(', ')}.` : 'No bookings.'} />
        <C.BarChart title="Top kinds of shoot by confirmed bookings" unit="Confirmed" testId="top-specializations"
          bars={data.top_specializations.map((r) => ({ label: label(r.name), value: r.confirmed, note: `${r.requested} requested` }))}
          summary={data.top_specializations.length ? `Busiest: ${data.top_specializations.slice(0, 3).map((r) => `${label(r.name)} (${r.confirmed})`).join(', ')}.` : 'No bookings.'} />
      </div>
      <Leaderboard data={data} />
    </>
  );
}

function Leaderboard({ data }: { data: Analytics }) {
  if (data.leaderboard.length === 0) {
    return (
      <Empty>
        <p>No confirmed bookings yet to rank photographers by.</p>
      </Empty>
    );
  }
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="leaderboard-caption">
      <table class="data" data-table="leaderboard">
        <caption id="leaderboard-caption">Photographer leaderboard, by confirmed bookings</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Photographer</th>
            <th scope="col">Confirmed</th>
            <th scope="col">Completed</th>
            <th scope="col">Requested</th>
            <th scope="col">Cancelled</th>
            <th scope="col">Revenue</th>
            <th scope="col">Time to confirm</th>
            <th scope="col">Rating</th>
          </tr>
        </thead>
        <tbody>
          {data.leaderboard.map((l, i) => (
            <tr key={l.photographer_id}>
              <td>{i + 1}</td>
              <th scope="row">{l.display_name ?? <span class="muted">{l.photographer_id}</span>}</th>
              <td>{l.confirmed}</td>
              <td>{l.completed}</td>
              <td>{l.requested}</td>
              <td>{l.cancelled}</td>
              <td>{moneyList(l.revenue_minor).join(' · ') || '–'}</td>
              <td>{l.mean_confirm_minutes === null ? '–' : minutesLabel(l.mean_confirm_minutes)}</td>
              <td>{l.rating ? `${l.rating.average.toFixed(1)} (${l.rating.count})` : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function minutesLabel(m: number): string {
  if (m < 60) return `${Math.round(m)} min`;
  if (m < 48 * 60) return `${Math.round((m / 60) * 10) / 10} h`;
  return `${Math.round((m / 1440) * 10) / 10} days`;
}

function SentimentView({ data, C }: { data: Insights; C: Charts }) {
  const counts = sentimentChart(data.series);
  const score = sentimentScoreChart(data.series);
  const d = data.distribution;
  const signed = (v: number) => (v > 0 ? `+${v}` : String(v));
  return (
    <>
      <p class="muted">
        {periodLabel(data.from)} to {periodLabel(data.to)}: {d.total} pieces of feedback, {d.negative} negative,{' '}
        {d.neutral} neutral, {d.positive} positive
        {d.average_score === null ? '' : `; average score ${signed(Math.round(d.average_score * 100) / 100)}`}.
      </p>
      {d.total === 0 ? (
        <Empty>
          <p>No feedback in this range.</p>
        </Empty>
      ) : (
        <div class="chart-grid">
          <C.LineChart title="Feedback by sentiment" summary={summarise(counts, 'total', data.granularity)} data={counts}
            granularity={data.granularity} testId="sentiment" />
          <C.LineChart title="Average sentiment score (−1 to +1)" data={score} granularity={data.granularity}
            summary={summarise(score, 'mean', data.granularity)} format={signed} extent={[-1, 1]} testId="sentiment-score" />
        </div>
      )}
      {data.topics.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="topics-caption">
          <table class="data">
            <caption id="topics-caption">Topics mentioned</caption>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Mentions</th>
                <th scope="col">Negative</th>
                <th scope="col">Neutral</th>
                <th scope="col">Positive</th>
                <th scope="col">Average score</th>
              </tr>
            </thead>
            <tbody>
              {data.topics.map((t) => (
                <tr key={t.topic}>
                  <th scope="row">{label(t.topic)}</th>
                  <td>{t.total}</td>
                  <td>{t.negative}</td>
                  <td>{t.neutral}</td>
                  <td>{t.positive}</td>
                  <td>{t.average_score === null ? '–' : signed(Math.round(t.average_score * 100) / 100)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

interface ForecastData {
  f: DemandForecast;
  actual: AnalyticsPeriod[];
  actualError: unknown;
}

function ForecastView({ data: { f, actual, actualError }, C }: { data: ForecastData; C: Charts }) {
  const chart = forecastChart(f.points, actual);
  const recent = actual.reduce((n, p) => n + p.requested, 0);
  const total = Math.round(f.points.reduce((s, p) => s + p.forecast, 0));
  const segment = segmentName({ city: f.city ?? undefined, specialization: f.specialization ?? undefined });
  const fmt = (v: number) => String(Math.round(v * 10) / 10);
  const pooled = f.model.startsWith('pooled(');
  return (
    <>
      <dl class="stats">
        <Stat name="Segment" value={segment} />
        <Stat name="Model" value={f.model} />
        <Stat name="Backtest error"
          value={f.backtest
            ? `MASE ${f.backtest.mase.toFixed(2)} · sMAPE ${f.backtest.smape.toFixed(1)} %`
            : pooled ? 'None (pooled)' : 'None (short history)'} />
        <Stat name="History read to" value={periodLabel(f.as_of)} />
      </dl>
      <p class="muted">
        {f.backtest
          ? `Backtested from ${f.backtest.origins} origins over ${f.backtest.horizon_days} days; a MASE below 1 beats repeating last week.`
          : pooled
            ? 'Too few bookings of its own: forecast as its share of the wider segment\'s forecast, so it has no backtest of its own.'
            : 'The history read was too short to backtest a model: last weeks repeated (seasonal naive), with intervals from their week-to-week changes.'}
        {f.normal_daily !== undefined ? ` A normal day over the last year had ${fmt(f.normal_daily)} requests.` : ''}
      </p>
      {actualError ? (
        <p class="muted" role="note">
          The recent requests could not be drawn beside it: {describe(actualError)}
        </p>
      ) : null}
      {f.points.length === 0 ? (
        <Empty>
          <p>The forecast has no days.</p>
        </Empty>
      ) : (
        <C.LineChart title={`Requests a day${actual.length ? `, the last ${actual.length} days and` : ','} the next ${f.points.length} (${segment})`} data={chart} format={fmt}
          band={{ lower: chart.lower, upper: chart.upper, label: '80 % interval' }} testId="forecast"
          summary={`${actual.length ? `${recent} requests in the ${actual.length} days to ${periodLabel(f.as_of)}; ` : ''}about ${total} expected from ${periodLabel(f.points[0]?.date ?? '')} to ${periodLabel(f.points[f.points.length - 1]?.date ?? '')}, by the ${f.model} model; the shaded band is the 80 % prediction interval. ${summarise(chart, 'mean')}`} />
      )}
    </>
  );
}
