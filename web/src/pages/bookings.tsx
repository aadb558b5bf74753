import { useState } from 'preact/hooks';
import type { Booking, BookingStatus } from '../api/types';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../components/ui';
import { addDays, clockTime, durationLabel, formatMoney, label, today, wallClock } from '../format';

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

/** A booking on its client's or its photographer's list, naming the other party when
 * the listing does (null: that account is gone or deactivated). */
function BookingSummary({ b }: { b: Booking }) {
  const other = b.photographer_name !== undefined ? { word: 'With', name: b.photographer_name } : { word: 'For', name: b.client_name };
  return (
    <>
      <h3>
        {label(b.event_type)} · {wallClock(b.local.start).label}
      </h3>
      {other.name && (
        <p data-testid="other-party">
          {other.word} <strong>{other.name}</strong>
        </p>
      )}
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

/** "My bookings" for a client: what is coming up, soonest first, then what is past,
 * latest first. */
export function MyBookings() {
  const { api } = useApp();
  const [page, retry] = useAsync(async () => {
    const [upcoming, past] = await Promise.all([
      api.myBookings({ as: 'client', from: today() }),
      // Latest first, so a long history shows its newest page, not its first.
      api.myBookings({ as: 'client', to: today(), order: 'desc' }),
    ]);
    const seen = new Set(upcoming.items.map((b) => b.id));
    return { upcoming: upcoming.items, past: past.items.filter((b) => !seen.has(b.id)) };
  }, []);
  return (
    <section>
      <h1>My bookings</h1>
      {page.state === 'loading' && <Loading what="your bookings" />}
      {page.state === 'error' && <ErrorMessage error={page.error} retry={retry} />}
      {page.state === 'done' && page.value.upcoming.length + page.value.past.length === 0 && (
        <Empty>
          <p>No bookings yet.</p>
          <p>
            <Link href="/">Find a photographer</Link> to book your first shoot.
          </p>
        </Empty>
      )}
      {page.state === 'done' && page.value.upcoming.length > 0 && (
        <>
          <h2 class="section-title">Coming up</h2>
          <ClientList items={page.value.upcoming} />
        </>
      )}
      {page.state === 'done' && page.value.past.length > 0 && (
        <>
          <h2 class="section-title">Earlier</h2>
          <ClientList items={page.value.past} />
        </>
      )}
    </section>
  );
}

function ClientList({ items }: { items: Booking[] }) {
  return (
    <ul class="bookings">
      {items.map((b) => (
        <li class="card booking" key={b.id} data-booking={b.id}>
          <BookingSummary b={b} />
          <p>
            <Link href={`/bookings/${encodeURIComponent(b.id)}`}>
              Details, payment and changes<span class="sr-only">: {label(b.event_type)}, {wallClock(b.local.start).label}</span>
            </Link>
          </p>
          {b.status === 'pending' && b.expires_at && (
            <p class="muted">The photographer has until {clockTime(b.expires_at, true)} (your time) to answer.</p>
          )}
        </li>
      ))}
    </ul>
  );
}

function ChatLink({ b }: { b: Booking }) {
  return (
    <p>
      <Link href={`/bookings/${encodeURIComponent(b.id)}/chat`}>
        Message the client<span class="sr-only">: {label(b.event_type)}, {wallClock(b.local.start).label}</span>
      </Link>
    </p>
  );
}

const RECENT_DAYS = 60;

/** A confirmed or completed booking's page and its gallery, from the photographer's lists. */
function PhotographerLinks({ b }: { b: Booking }) {
  const what = `${label(b.event_type)}, ${wallClock(b.local.start).label}`;
  return (
    <p class="actions">
      <Link href={`/bookings/${encodeURIComponent(b.id)}`}>Details<span class="sr-only">: {what}</span></Link>
      {(b.status === 'confirmed' || b.status === 'completed') && (
        <Link href={`/photographer/bookings/${encodeURIComponent(b.id)}/gallery`}>
          Photos for the client<span class="sr-only">: {what}</span>
        </Link>
      )}
    </p>
  );
}

/** A photographer's requests to confirm or decline, then the rest. */
export function PhotographerBookings() {
  const { api } = useApp();
  // Three reads: the requests waiting for an answer (however many bookings there are
  // besides), what is coming up, by start time as the API lists them, and the sessions
  // of the last 60 days, latest first, whose photos are delivered from here.
  const [page, retry] = useAsync(async () => {
    const [pending, upcoming, recent] = await Promise.all([
      api.myBookings({ as: 'photographer', status: 'pending' }),
      api.myBookings({ as: 'photographer', from: today() }),
      api.myBookings({ as: 'photographer', from: addDays(today(), -RECENT_DAYS), to: today(), order: 'desc' }),
    ]);
    const ahead = new Set(upcoming.items.map((b) => b.id));
    return {
      items: [...pending.items, ...upcoming.items.filter((b) => b.status !== 'pending')],
      recent: recent.items.filter((b) => !ahead.has(b.id) && (b.status === 'confirmed' || b.status === 'completed')),
    };
  }, []);
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
                  <ChatLink b={b} />
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
          <h2 class="section-title">Coming up</h2>
          {others.length === 0 ? (
            <Empty>
              <p>No other bookings from today on.</p>
            </Empty>
          ) : (
            <ul class="bookings">
              {others.map((b) => (
                <li class="card booking" key={b.id} data-booking={b.id}>
                  <BookingSummary b={b} />
                  <ChatLink b={b} />
                  <PhotographerLinks b={b} />
                </li>
              ))}
            </ul>
          )}
          {page.value.recent.length > 0 && (
            <>
              <h2 class="section-title">Recent sessions</h2>
              <ul class="bookings">
                {page.value.recent.map((b) => (
                  <li class="card booking" key={b.id} data-booking={b.id}>
                    <BookingSummary b={b} />
                    <PhotographerLinks b={b} />
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
