// The payment history (`/payments`, `GET /payments`, a chunk of its own): one entry per
// booking that took payments, newest first, "Show more" with the cursor, filters by
// state and currency kept in the URL, and sums per currency of what is shown.
import { useState } from 'preact/hooks';
import { listPayments } from '../../api/client-area';
import { PAYABLE_CURRENCIES } from '../../api/photographer';
import type { PaymentRecord } from '../../api/types';
import { type Pages, readPages } from '../../components/paging';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../../components/ui';
import { formatMoney } from '../../format';
import { navigate } from '../../router';
import {
  chargeText, filtersQuery, mergeRecords, partiesText, PAYMENT_STATES, type PaymentFilters, type Reader, readFilters,
  stateText, stateTone, totalsByCurrency,
} from './payments-rules';

const PAGE_SIZE = 20;
type Page = { items: PaymentRecord[]; next_cursor: string | null };

export function PaymentsPage({ query }: { query: URLSearchParams }) {
  const { api, session } = useApp();
  const reader: Reader = (session?.user.role ?? 'client') as Reader;
  const filters = readFilters(query);
  const load = (cursor: string | null): Promise<Page> =>
    listPayments(api, { cursor, state: filters.state || undefined, currency: filters.currency || undefined, limit: PAGE_SIZE });
  const [extra, setExtra] = useState<Pages<PaymentRecord, Page> | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [first, retry] = useAsync(() => {
    setExtra(null);
    setMoreError(null);
    return readPages<PaymentRecord, Page>(load, 1);
  }, [filters.state, filters.currency]);

  const records = first.state === 'done' ? mergeRecords(first.value.items, extra?.items ?? []) : [];
  const next = extra ? extra.cursor : first.state === 'done' ? first.value.cursor : null;
  const totals = totalsByCurrency(records);
  const filtered = filters.state !== '' || filters.currency !== '';

  async function more() {
    if (!next || loadingMore) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await readPages<PaymentRecord, Page>(load, 1, next);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.cursor, last: page.last }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  function apply(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const f: PaymentFilters = readFilters(new URLSearchParams({
      state: String(form.get('state') ?? ''), currency: String(form.get('currency') ?? ''),
    }));
    navigate(`/payments${filtersQuery(f)}`, { replace: true });
  }

  return (
    <section class="payments" aria-labelledby="payments-title">
      <h1 id="payments-title">Payments</h1>
      <p class="muted">
        {reader === 'photographer'
          ? 'What clients paid for each booking, what was refunded, the platform’s fee and what you keep. Newest first.'
          : reader === 'admin'
            ? 'Every booking’s payments, newest first.'
            : 'What you paid for each booking and what came back to you. Newest first.'}
      </p>
      <form class="filters" onSubmit={apply} aria-label="Filter payments">
        <div class="field">
          <label for="pay-state">State</label>
          <select id="pay-state" name="state" value={filters.state}>
            <option value="">Any state</option>
            {PAYMENT_STATES.map((s) => (
              <option key={s} value={s}>{stateText(s, reader)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="pay-currency">Currency</label>
          <select id="pay-currency" name="currency" value={filters.currency}>
            <option value="">Any currency</option>
            {PAYABLE_CURRENCIES.map((c) => (
              <option key={c} value={c}>{c}</option>
            ))}
          </select>
        </div>
        <div class="filters-submit">
          <button class="button" type="submit">Show</button>
        </div>
      </form>

      {first.state === 'loading' && <Loading what={reader === 'admin' ? 'the payments' : 'your payments'} />}
      {first.state === 'error' && <ErrorMessage error={first.error} retry={retry} />}
      {first.state === 'done' && records.length === 0 && (
        <Empty>
          {filtered ? (
            <p>
              No payments match these filters. <Link href="/payments">Show all payments</Link>
            </p>
          ) : reader === 'photographer' ? (
            <p>No payments yet. They show here once a client pays a deposit or a booking in full.</p>
          ) : reader === 'admin' ? (
            <p>
              No payments on the platform yet. Every booking’s shows here once its client pays; the bookings themselves are
              under <Link href="/admin/bookings">All bookings</Link>.
            </p>
          ) : (
            <p>
              No payments yet. You pay from a booking’s page: <Link href="/my/bookings">My bookings</Link>.
            </p>
          )}
        </Empty>
      )}
      {records.length > 0 && (
        <>
          <h2 id="totals-title">{next ? `Totals of the ${records.length} bookings shown` : 'Totals'}</h2>
          {/* Focusable: at 360 px the table scrolls sideways, and a keyboard must reach it. */}
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="totals-title">
            <table class="data">
              <caption class="sr-only">Totals per currency, never added across currencies</caption>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">Bookings</th>
                  <th scope="col">Paid</th>
                  <th scope="col">Refunded</th>
                  <th scope="col">Still due</th>
                  {totals.some((t) => t.fee !== null) && <th scope="col">Platform fee</th>}
                  {totals.some((t) => t.earnings !== null) && <th scope="col">{reader === 'photographer' ? 'You keep' : 'Earnings'}</th>}
                </tr>
              </thead>
              <tbody>
                {totals.map((t) => {
                  const m = (minor: number | null) => (minor === null ? '—' : formatMoney({ amount_minor: minor, currency: t.currency }));
                  return (
                    <tr key={t.currency}>
                      <th scope="row">{t.currency}</th>
                      <td>{t.bookings}</td>
                      <td>{m(t.paid)}</td>
                      <td>{m(t.refunded)}</td>
                      <td>{m(t.due)}</td>
                      {totals.some((x) => x.fee !== null) && <td>{m(t.fee)}</td>}
                      {totals.some((x) => x.earnings !== null) && <td>{m(t.earnings)}</td>}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <h2>By booking</h2>
          <ul class="rows payment-rows">
            {records.map((r) => (
              <PaymentRow key={r.booking_id} r={r} reader={reader} />
            ))}
          </ul>
        </>
      )}
      {moreError !== null && <ErrorMessage error={moreError} retry={more} />}
      {next && (
        <button type="button" class="button secondary more" onClick={more} disabled={loadingMore}>
          {loadingMore ? 'Loading more payments…' : 'Show more'}
        </button>
      )}
    </section>
  );
}

/** A date with its year, in the reader's zone: a history runs over years. */
function dateText(rfc3339: string): string {
  const t = new Date(rfc3339);
  return Number.isNaN(t.getTime()) ? rfc3339 : t.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

function PaymentRow({ r, reader }: { r: PaymentRecord; reader: Reader }) {
  const money = (minor: number) => formatMoney({ amount_minor: minor, currency: r.currency });
  const parties = partiesText(r, reader);
  return (
    <li class="panel payment-row" data-booking={r.booking_id} data-state={r.state}>
      <h3 class="row-title">
        <Link href={`/bookings/${encodeURIComponent(r.booking_id)}`}>
          Booking{parties && ` ${parties}`} <span class="muted">…{r.booking_id.slice(-6)}</span>
        </Link>{' '}
        <span class={`status tone-${stateTone(r.state)}`}>{stateText(r.state, reader)}</span>
      </h3>
      <dl class="facts">
        <dt>Price</dt>
        <dd>{money(r.total_minor)}</dd>
        <dt>{reader === 'client' ? 'You paid' : 'Paid'}</dt>
        <dd data-testid="paid" data-minor={r.paid_minor}>{money(r.paid_minor)}</dd>
        {r.refunded_minor > 0 && (
          <>
            <dt>{reader === 'client' ? 'Refunded to you' : 'Refunded'}</dt>
            <dd data-testid="refunded" data-minor={r.refunded_minor}>{money(r.refunded_minor)}</dd>
          </>
        )}
        {r.due_minor > 0 && (
          <>
            <dt>Still due</dt>
            <dd>{money(r.due_minor)}</dd>
          </>
        )}
        {r.platform_fee_minor !== undefined && (
          <>
            <dt>Platform fee</dt>
            <dd>{money(r.platform_fee_minor)}</dd>
          </>
        )}
        {r.earnings_minor !== undefined && (
          <>
            <dt>{reader === 'photographer' ? 'You keep' : 'Photographer’s earnings'}</dt>
            <dd>{money(r.earnings_minor)}</dd>
          </>
        )}
        <dt>First payment</dt>
        <dd>
          <time dateTime={r.created_at}>{dateText(r.created_at)}</time>
        </dd>
        <dt>Last change</dt>
        <dd>
          <time dateTime={r.updated_at}>{dateText(r.updated_at)}</time>
        </dd>
      </dl>
      {r.charges.length > 0 && (
        <details class="charges">
          <summary>
            {r.charges.length} charge{r.charges.length === 1 ? '' : 's'} on the card
          </summary>
          <ul>
            {r.charges.map((c, i) => (
              <li key={`${c.kind}-${i}`}>{chargeText(c, money)}</li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
