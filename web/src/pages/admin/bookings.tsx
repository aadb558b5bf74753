import type { AdminBooking } from '../../api/admin';
import { fieldErrors } from '../../api/problem';
import type { BookingStatus, Page } from '../../api/types';
import { Empty, ErrorMessage, Field, Loading, useApp } from '../../components/ui';
import { durationLabel, formatMoney, label, wallClock } from '../../format';
import { navigate } from '../../router';
import { MoreButton, usePaged } from './paged';

const STATUSES: readonly BookingStatus[] = ['pending', 'confirmed', 'declined', 'cancelled', 'completed', 'expired'];
const FILTERS = ['status', 'from', 'to'] as const;

/** Every booking on the platform by session start, with the API's filters. */
export function AllBookings({ query }: { query: URLSearchParams }) {
  const { api } = useApp();
  const q = Object.fromEntries(FILTERS.map((k) => [k, query.get(k)?.trim() ?? ''])) as Record<(typeof FILTERS)[number], string>;
  const key = JSON.stringify(q);
  const p = usePaged<AdminBooking>(
    (cursor) => api.request<Page<AdminBooking>>('GET', '/admin/bookings', { query: { ...q, limit: 50, cursor }, auth: 'required' }),
    [key],
  );
  const { byField } = fieldErrors(p.first.state === 'error' ? p.first.error : null);

  function submit(e: Event) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const v = String(form.get(name) ?? '').trim();
      if (v) params.set(name, v);
    }
    navigate(`/admin/bookings${params.size ? `?${params.toString()}` : ''}`);
  }

  return (
    <section class="admin">
      <h1>All bookings</h1>
      <form class="filters" onSubmit={submit} aria-label="Bookings filters" key={key}>
        <Field id="b-status" label="Status" error={byField.status}>
          {(a) => (
            <select {...a} name="status">
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option value={s} key={s} selected={q.status === s}>
                  {label(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="b-from" label="Sessions from" error={byField.from}>
          {(a) => <input {...a} name="from" type="date" defaultValue={q.from} />}
        </Field>
        <Field id="b-to" label="Sessions to" error={byField.to}>
          {(a) => <input {...a} name="to" type="date" defaultValue={q.to} />}
        </Field>
        <div class="filters-submit">
          <button class="button" type="submit">
            Show
          </button>
        </div>
      </form>
      {p.first.state === 'loading' && <Loading what="bookings" />}
      {p.first.state === 'error' && <ErrorMessage error={p.first.error} retry={p.retry} />}
      {p.first.state === 'done' && p.items.length === 0 && !p.next && (
        <Empty>
          <p>No bookings match these filters.</p>
        </Empty>
      )}
      {p.items.length > 0 && (
        <ul class="rows">
          {p.items.map((b) => (
            <li class="card row" key={b.id} data-booking={b.id}>
              <div class="row-main">
                <h2 class="row-title">
                  {label(b.event_type)} · {wallClock(b.local.start).label}
                </h2>
                <p>
                  <span class={`status status-${b.status}`}>{label(b.status)}</span>{' '}
                  <strong>{formatMoney(b.price)}</strong>
                </p>
                <p class="muted">
                  {durationLabel(b.duration_minutes)} in {b.location.city} ({b.local.timezone}) · booking{' '}
                  <code>{b.id}</code>
                </p>
                <p data-testid="parties">
                  Client <strong data-client-name>{b.client_name ?? 'no active account'}</strong>{' '}
                  <code class="muted">{b.client_id}</code> · photographer{' '}
                  <strong data-photographer-name>{b.photographer_name ?? 'no active profile'}</strong>{' '}
                  <code class="muted">{b.photographer_id}</code>
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
      <MoreButton p={p} what="bookings" />
    </section>
  );
}
