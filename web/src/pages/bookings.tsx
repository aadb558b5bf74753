import { useState } from 'preact/hooks';
import type { Booking, BookingStatus } from '../api/types';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../components/ui';
import { durationLabel, formatMoney, label, wallClock } from '../format';

const STATUS_TEXT: Record<BookingStatus, string> = {
  pending: 'Waiting for the photographer',
  confirmed: 'Confirmed',
  declined: 'Declined',
  cancelled: 'Cancelled',
  completed: 'Completed',
  expired: 'Expired (not answered in time)',
};

function Status({ s }: { s: BookingStatus }) {
  return <span class={`status status-${s}`}>{STATUS_TEXT[s]}</span>;
}

function BookingSummary({ b }: { b: Booking }) {
  return (
    <>
      <h2>
        {label(b.event_type)} · {wallClock(b.local.start).label}
      </h2>
      <p>
        <Status s={b.status} />
      </p>
      <p class="muted">
        {durationLabel(b.duration_minutes)} at {b.location.address}, {b.location.city} ({b.local.timezone})
      </p>
      <p>
        Price <strong>{formatMoney(b.price)}</strong>
      </p>
      {b.notes && <p class="muted">“{b.notes}”</p>}
    </>
  );
}

/** "My bookings" for a client: newest request first as the API lists them. */
export function MyBookings() {
  const { api } = useApp();
  const [page, retry] = useAsync(() => api.myBookings({ as: 'client' }), []);
  return (
    <section>
      <h1>My bookings</h1>
      {page.state === 'loading' && <Loading what="your bookings" />}
      {page.state === 'error' && <ErrorMessage error={page.error} retry={retry} />}
      {page.state === 'done' && page.value.items.length === 0 && (
        <Empty>
          <p>No bookings yet.</p>
          <p>
            <Link href="/">Find a photographer</Link> to book your first shoot.
          </p>
        </Empty>
      )}
      {page.state === 'done' && page.value.items.length > 0 && (
        <ul class="bookings">
          {page.value.items.map((b) => (
            <li class="card booking" key={b.id} data-booking={b.id}>
              <BookingSummary b={b} />
              {b.status === 'pending' && b.expires_at && (
                <p class="muted">The photographer has until {wallClock(b.expires_at).label} UTC to answer.</p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A photographer's requests to confirm or decline, then the rest. */
export function PhotographerBookings() {
  const { api } = useApp();
  const [page, retry] = useAsync(() => api.myBookings({ as: 'photographer' }), []);
  const [changed, setChanged] = useState<Record<string, Booking>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, unknown>>({});

  async function answer(b: Booking, status: 'confirmed' | 'declined') {
    setBusy(b.id);
    setErrors((e) => ({ ...e, [b.id]: null }));
    try {
      const updated = await api.setStatus(b.id, { status });
      setChanged((c) => ({ ...c, [b.id]: updated }));
    } catch (err) {
      setErrors((e) => ({ ...e, [b.id]: err }));
    } finally {
      setBusy(null);
    }
  }

  const items = page.state === 'done' ? page.value.items.map((b) => changed[b.id] ?? b) : [];
  const pending = items.filter((b) => b.status === 'pending');
  const others = items.filter((b) => b.status !== 'pending');
  return (
    <section>
      <h1>Booking requests</h1>
      {page.state === 'loading' && <Loading what="your bookings" />}
      {page.state === 'error' && <ErrorMessage error={page.error} retry={retry} />}
      {page.state === 'done' && (
        <>
          <h2 class="section-title">To answer</h2>
          {pending.length === 0 ? (
            <Empty>
              <p>No requests waiting for you.</p>
            </Empty>
          ) : (
            <ul class="bookings">
              {pending.map((b) => (
                <li class="card booking" key={b.id} data-booking={b.id}>
                  <BookingSummary b={b} />
                  {errors[b.id] ? <ErrorMessage error={errors[b.id]} /> : null}
                  <div class="actions">
                    <button type="button" class="button" disabled={busy === b.id} onClick={() => answer(b, 'confirmed')}>
                      Confirm
                    </button>
                    <button type="button" class="button secondary" disabled={busy === b.id} onClick={() => answer(b, 'declined')}>
                      Decline
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
          <h2 class="section-title">All bookings</h2>
          {others.length === 0 ? (
            <Empty>
              <p>Nothing else yet.</p>
            </Empty>
          ) : (
            <ul class="bookings">
              {others.map((b) => (
                <li class="card booking" key={b.id} data-booking={b.id}>
                  <BookingSummary b={b} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
