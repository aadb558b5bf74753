import { useEffect, useMemo, useState } from 'preact/hooks';
import { cancelBooking, getBooking, postReview, rescheduleBooking } from '../../api/client-area';
import { ApiError, fieldErrors } from '../../api/problem';
import type { BookingDetail, BookingStatus, Review, Slot } from '../../api/types';
import { Empty, ErrorMessage, Field, FormError, Link, Loading, useApp, useAsync, useNow } from '../../components/ui';
import { addDays, clockTime, dayLabel, durationLabel, formatMoney, label, today, wallClock } from '../../format';
import { slotsByDay } from '../book';
import { policyText } from '../photographer';
import { PayPanel } from './pay';
import {
  cancellationPreview, declineText, historyText, money, paymentStateText, settledRefund, sortTiers, withNames,
} from './terms';

const STATUS_TEXT: Record<BookingStatus, string> = {
  pending: 'Waiting for the photographer',
  confirmed: 'Confirmed',
  declined: 'Declined',
  cancelled: 'Cancelled',
  completed: 'Completed',
  expired: 'Expired (not answered in time)',
};
const RANGE_DAYS = 7;


/** A client's booking: where it stands, its money, its history, and what can be done. */
export function BookingPage({ id, query }: { id: string; query: URLSearchParams }) {
  const { api } = useApp();
  const [loaded, retry] = useAsync(() => getBooking(api, id), [id]);
  const [booking, setBooking] = useState<BookingDetail | null>(null);
  useEffect(() => setBooking(loaded.state === 'done' ? loaded.value : null), [loaded]);
  if (loaded.state === 'loading' || (loaded.state === 'done' && !booking)) return <Loading what="the booking" />;
  if (loaded.state === 'error') return <ErrorMessage error={loaded.error} retry={retry} />;
  return <BookingView b={booking as BookingDetail} onChange={(next) => setBooking((prev) => withNames(next, prev))} query={query} />;
}

function BookingView({ b, onChange, query }: { b: BookingDetail; onChange: (b: BookingDetail) => void; query: URLSearchParams }) {
  const { api, session } = useApp();
  // Paying, moving, cancelling and reviewing here are the client's; the photographer
  // (or an admin) who opens the page sees where it stands.
  const mine = session?.user.id === b.client_id;
  // The page names the photographer to the client and admins; anyone else (the
  // photographer themselves, or an older API) reads the public profile.
  const [photographer] = useAsync(
    () => (b.photographer_name === undefined ? api.photographer(b.photographer_id) : Promise.resolve(null)),
    [b.photographer_id, b.photographer_name === undefined],
  );
  const name =
    b.photographer_name ?? (photographer.state === 'done' && photographer.value ? photographer.value.display_name : 'the photographer');
  const open = b.status === 'pending' || b.status === 'confirmed';
  const started = Date.parse(b.start) <= Date.now();
  return (
    <article class="booking-detail">
      <p>
        {mine ? <Link href="/my/bookings">← My bookings</Link> : <Link href="/photographer/bookings">← Booking requests</Link>}
      </p>
      <h1>
        {label(b.event_type)} · {wallClock(b.local.start).label}
      </h1>
      <p>
        <span class={`status status-${b.status}`} data-testid="booking-status">{STATUS_TEXT[b.status]}</span>
      </p>
      <dl class="facts">
        <dt>Photographer</dt>
        <dd>
          <Link href={`/photographers/${encodeURIComponent(b.photographer_id)}`}>{name}</Link>
        </dd>
        {!mine && b.client_name && (
          <>
            <dt>Client</dt>
            <dd data-testid="client-name">{b.client_name}</dd>
          </>
        )}
        <dt>When</dt>
        <dd>
          {wallClock(b.local.start).label}–{wallClock(b.local.end).time}, {durationLabel(b.duration_minutes)}{' '}
          <span class="muted">({b.local.timezone} time)</span>
        </dd>
        <dt>Where</dt>
        <dd>
          {b.location.address}, {b.location.city}
        </dd>
        {b.notes && (
          <>
            <dt>Your notes</dt>
            <dd>{b.notes}</dd>
          </>
        )}
        {b.status === 'pending' && b.expires_at && (
          <>
            <dt>Answer due</dt>
            <dd>by {clockTime(b.expires_at, true)} (your time)</dd>
          </>
        )}
      </dl>
      <p>
        <Link class="button secondary" href={`/bookings/${encodeURIComponent(b.id)}/chat`}>
          {mine ? `Messages with ${name}` : session?.user.id === b.photographer_id ? `Messages with ${b.client_name ?? 'the client'}` : 'Messages'}
        </Link>
      </p>

      <Payment b={b} onChange={onChange} query={query} mine={mine} />

      {(b.status === 'confirmed' || b.status === 'completed') && (
        <section aria-labelledby="photos-title">
          <h2 id="photos-title">Photos</h2>
          {!mine && session?.user.role === 'photographer' ? (
            <p>
              <Link class="button" href={`/photographer/bookings/${encodeURIComponent(b.id)}/gallery`}>
                Upload and deliver photos
              </Link>{' '}
              <span class="muted">(the client gallery: retention, uploads, delivery, the client’s favourites)</span>
            </p>
          ) : (
            <p>
              <Link href={`/bookings/${encodeURIComponent(b.id)}/gallery`}>
                {mine ? 'Your photos from this session' : 'The client gallery'}
              </Link>{' '}
              <span class="muted">
                {mine ? '(once the photographer delivers them: favourites and full-size downloads)' : '(what the client sees once delivered)'}
              </span>
            </p>
          )}
        </section>
      )}
      {mine && open && !started && <Reschedule b={b} onChange={onChange} />}
      {mine && open && <Cancel b={b} onChange={onChange} />}
      {mine && b.status === 'completed' && <ReviewForm b={b} name={name} />}

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol class="history">
          {b.history.map((h, i) => (
            <li key={`${h.at}-${i}`}>
              <time dateTime={h.at}>{clockTime(h.at, true)}</time> {historyText(h, b.local.timezone)}
              {h.reason && <span class="muted"> · “{h.reason}”</span>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

/** While a cancelled booking's refund (or release) is still to come, read it again
 * every few seconds for a while: settle-payments runs every minute. */
function useRefundWatch(b: BookingDetail, onChange: (b: BookingDetail) => void): boolean {
  const { api } = useApp();
  const pending = settledRefund(b)?.pending ?? false;
  const [gaveUp, setGaveUp] = useState(false);
  useEffect(() => {
    if (!pending) return;
    const until = Date.now() + 150_000;
    const t = window.setInterval(() => {
      if (Date.now() > until) {
        window.clearInterval(t);
        setGaveUp(true);
        return;
      }
      getBooking(api, b.id).then((now) => {
        const moved = now.payment.refunded_minor !== b.payment.refunded_minor
          || now.payment.authorized_minor !== b.payment.authorized_minor;
        if (moved) onChange(now);
      }, () => undefined);
    }, 3000);
    return () => window.clearInterval(t);
  }, [pending, api, b, onChange]);
  return pending && !gaveUp;
}

function Payment({ b, onChange, query, mine }: {
  b: BookingDetail; onChange: (b: BookingDetail) => void; query: URLSearchParams; mine: boolean;
}) {
  const p = b.payment;
  const c = b.price.currency;
  const refund = settledRefund(b);
  const watching = useRefundWatch(b, onChange);
  return (
    <section aria-labelledby="payment-title" class="panel">
      <h2 id="payment-title">Price and payment</h2>
      <p class="total">
        <strong data-testid="booking-price">{formatMoney(b.price)}</strong>
      </p>
      <p data-testid="payment-state">
        <strong>{paymentStateText(p.state)}</strong>
      </p>
      {p.last_failure && (p.state === 'failed' || p.state === 'unpaid') && (
        <div class="alert alert-error" role="alert" data-testid="payment-failure">
          <p>{declineText(p.last_failure)} Nothing was taken. Try again, or with another card.</p>
        </div>
      )}
      <dl class="facts">
        {p.deposit_minor !== undefined && (p.balance_minor ?? 0) > 0 && (b.status === 'pending' || b.status === 'confirmed') && (
          <>
            <dt>Deposit ({p.deposit_percent} %)</dt>
            <dd>{money(p.deposit_minor, c)}, held when you pay and taken when the photographer confirms</dd>
            <dt>Balance</dt>
            <dd>
              {money(p.balance_minor ?? 0, c)}, charged {p.balance_due_days} days before the session
              {p.balance_due_at && ` (${clockTime(p.balance_due_at, true)})`} to the card you paid the deposit with
            </dd>
          </>
        )}
        {(p.authorized_minor ?? 0) > 0 && (
          <>
            <dt>Held on your card</dt>
            <dd data-testid="payment-held">{money(p.authorized_minor ?? 0, c)}</dd>
          </>
        )}
        {p.paid_minor !== undefined && (
          <>
            <dt>Paid</dt>
            <dd>{money(p.paid_minor, c)}</dd>
          </>
        )}
        {(p.refunded_minor ?? 0) > 0 && (
          <>
            <dt>Refunded</dt>
            <dd data-testid="payment-refunded">{money(p.refunded_minor ?? 0, c)}</dd>
          </>
        )}
        {p.due_minor !== undefined && (b.status === 'pending' || b.status === 'confirmed') && (
          <>
            <dt>Still to pay</dt>
            <dd>{money(p.due_minor, c)}</dd>
          </>
        )}
      </dl>
      {refund && ((p.paid_minor ?? 0) > 0 || (p.authorized_minor ?? 0) > 0) && (
        <div class="refund" data-testid="refund-settled">
          <p>
            {refund.byClient
              ? `Cancelled by you: the policy gives back ${refund.percent} % of what was paid`
              : 'Cancelled by the photographer or Capture Moments: everything paid comes back'}
            {(p.paid_minor ?? 0) > 0 && <>, <strong>{money(refund.targetMinor, c)}</strong> in all</>}.
            {(p.authorized_minor ?? 0) > 0 && ` The ${money(p.authorized_minor ?? 0, c)} held on your card is released.`}
          </p>
          {refund.pending && (
            <p class={watching ? 'loading' : 'muted'} role="status">
              {watching && <span class="spinner" aria-hidden="true" />}
              {' '}On its way: refunds are made within minutes; banks show them in 5–10 business days.
            </p>
          )}
        </div>
      )}
      {p.deposit_minor === undefined && (
        <p class="muted">This booking’s currency cannot be paid by card here: settle with the photographer.</p>
      )}
      {mine && <PayPanel b={b} onChange={onChange} query={query} />}
    </section>
  );
}

function Cancel({ b, onChange }: { b: BookingDetail; onChange: (b: BookingDetail) => void }) {
  const { api, flash } = useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const now = useNow(30_000);
  const preview = useMemo(() => cancellationPreview(b, now), [b, now]);
  const { byField, rest } = fieldErrors(error, ['reason']);
  const c = b.price.currency;

  async function submit(e: Event) {
    e.preventDefault();
    const reason = String(new FormData(e.currentTarget as HTMLFormElement).get('reason') ?? '');
    setBusy(true);
    setError(null);
    try {
      await cancelBooking(api, b.id, reason);
      // The status answer carries the terms only; the page's own read adds where the money stands.
      onChange(await getBooking(api, b.id));
      flash('Booking cancelled. Any refund is on its way: banks show it in 5–10 business days.');
      setOpen(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const policy = sortTiers(b.payment.cancellation_policy);
  return (
    <section aria-labelledby="cancel-title" class="panel">
      <h2 id="cancel-title">Cancel</h2>
      {!open ? (
        <button type="button" class="button secondary" onClick={() => setOpen(true)}>
          Cancel this booking…
        </button>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Cancel the booking">
          <div class="refund" data-testid="refund-preview" aria-live="polite">
            {preview.allowed ? (
              <>
                <p>
                  If you cancel now ({noticeText(preview.minutesBefore)} before the start), the photographer’s policy gives back{' '}
                  <strong>{preview.percent} %</strong> of what you paid.
                </p>
                <ul>
                  {preview.paidMinor > 0 && (
                    <li>
                      Refund: <strong data-testid="refund-amount" data-minor={preview.refundMinor}>{money(preview.refundMinor, c)}</strong> of the{' '}
                      {money(preview.paidMinor, c)} paid
                    </li>
                  )}
                  {preview.releasedMinor > 0 && (
                    <li>The {money(preview.releasedMinor, c)} held on your card is released in full.</li>
                  )}
                  {preview.paidMinor === 0 && preview.releasedMinor === 0 && <li>Nothing was paid, so nothing is charged.</li>}
                </ul>
                {preview.dropsAt !== null && preview.nextPercent !== null && (
                  <p class="muted">From {clockTime(new Date(preview.dropsAt).toISOString(), true)} (your time) it falls to {preview.nextPercent} %.</p>
                )}
              </>
            ) : (
              <p class="alert alert-error">{preview.refusal}</p>
            )}
            <details>
              <summary>The cancellation policy of this booking</summary>
              <ul>
                {policy.map((t) => (
                  <li key={t.min_hours_before}>{policyText(t)}</li>
                ))}
              </ul>
            </details>
          </div>
          <FormError error={error} rest={rest} />
          <Field id="cancel-reason" label="Why are you cancelling?" hint="The photographer sees this." error={byField.reason}>
            {(a) => <textarea {...a} name="reason" rows={3} maxLength={500} required />}
          </Field>
          <div class="actions">
            <button type="submit" class="button danger" disabled={busy}>
              {busy ? 'Cancelling…' : 'Cancel booking'}
            </button>
            <button type="button" class="button secondary" onClick={() => { setOpen(false); setError(null); }}>
              Keep booking
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** "3 days 4 h" of notice, from minutes. */
export function noticeText(minutes: number): string {
  if (minutes <= 0) return 'after the start';
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return `${d} day${d === 1 ? '' : 's'}${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  return `${m} min`;
}

function Reschedule({ b, onChange }: { b: BookingDetail; onChange: (b: BookingDetail) => void }) {
  const { api, flash } = useApp();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(() => {
    const day = wallClock(b.local.start).date;
    return day > today() ? day : addDays(today(), 1);
  });
  const [round, setRound] = useState(0);
  const [picked, setPicked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const to = addDays(from, RANGE_DAYS - 1);
  const [slots, retrySlots] = useAsync(
    () => (open
      ? api.availability(b.photographer_id, { from, to, duration_minutes: b.duration_minutes, event_type: b.event_type })
      : Promise.resolve(null)),
    [open, b.photographer_id, from, b.duration_minutes, b.event_type, round],
  );
  const groups = slots.state === 'done' && slots.value ? slotsByDay(slots.value.days, slots.value.slots) : [];
  const { byField, rest } = fieldErrors(error, ['start']);
  const suggested: Slot[] = error instanceof ApiError ? error.problem.suggested_starts ?? [] : [];

  async function move(start: string) {
    setBusy(true);
    setError(null);
    try {
      await rescheduleBooking(api, b.id, { start });
      onChange(await getBooking(api, b.id));
      flash(`Moved to ${wallClock(start).label}.${b.status === 'confirmed' ? ' The photographer confirms the new time again.' : ''}`);
      setOpen(false);
      setPicked(null);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError && err.status === 409) {
        // The time went meanwhile (or breaks a rule): show what is free now.
        setPicked(null);
        setRound((r) => r + 1);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="move-title" class="panel">
      <h2 id="move-title">Change the time</h2>
      {!open ? (
        <>
          <p class="muted">
            Pick another time the photographer is free.{b.status === 'confirmed' ? ' They confirm the new time again.' : ''}
          </p>
          <button type="button" class="button secondary" onClick={() => setOpen(true)}>
            Choose a new time…
          </button>
        </>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (picked) void move(picked); }} noValidate aria-label="Choose a new time">
          <FormError error={error} rest={error instanceof ApiError && error.status === 409 ? [...rest, 'Choose another time below.'] : rest} />
          {suggested.length > 0 && (
            <div class="suggested">
              <p>Nearest free times (choose one, then move):</p>
              <div class="actions">
                {suggested.map((s) => (
                  <button type="button" class="button secondary" key={s.start} disabled={busy}
                    aria-pressed={picked === s.start}
                    onClick={() => { setFrom(wallClock(s.start).date); setPicked(s.start); }}>
                    {wallClock(s.start).label}
                  </button>
                ))}
              </div>
            </div>
          )}
          <Field id="move-from" label="From" hint={`Shows ${RANGE_DAYS} days, in the photographer’s time.`}>
            {(a) => (
              <input {...a} type="date" value={from} min={today()}
                onChange={(e) => { if (e.currentTarget.value) { setFrom(e.currentTarget.value); setPicked(null); } }} />
            )}
          </Field>
          {slots.state === 'loading' && <Loading what="free times" />}
          {slots.state === 'error' && <ErrorMessage error={slots.error} retry={retrySlots} />}
          {slots.state === 'done' && slots.value && slots.value.slots.length === 0 && (
            <Empty>
              <p>No free time from {dayLabel(from)} to {dayLabel(to)}.</p>
            </Empty>
          )}
          {groups.length > 0 && slots.state === 'done' && slots.value && slots.value.slots.length > 0 && (
            <div class="days" role="group" aria-label="Free times" aria-describedby={byField.start ? 'move-start-error' : undefined}>
              {groups.filter((g) => g.slots.length > 0).map(({ day, slots: daySlots }) => (
                <fieldset class="day" key={day.date}>
                  <legend>{dayLabel(day.date)}</legend>
                  <div class="slots">
                    {daySlots.map((s) => (
                      <label class={`slot${picked === s.start ? ' picked' : ''}`} key={s.start}>
                        <input type="radio" name="new-start" value={s.start} checked={picked === s.start}
                          onChange={() => setPicked(s.start)} />
                        {wallClock(s.start).time}
                      </label>
                    ))}
                  </div>
                </fieldset>
              ))}
            </div>
          )}
          {byField.start && (
            <p class="field-error" id="move-start-error">
              {byField.start}
            </p>
          )}
          <div class="actions">
            <button type="button" class="button secondary" onClick={() => { setFrom(addDays(from, RANGE_DAYS)); setPicked(null); }}>
              Next {RANGE_DAYS} days
            </button>
            <button type="submit" class="button" disabled={!picked || busy}>
              {busy ? 'Moving…' : picked ? `Move to ${wallClock(picked).label}` : 'Pick a time first'}
            </button>
            <button type="button" class="button secondary" onClick={() => { setOpen(false); setError(null); }}>
              Keep the time
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function ReviewForm({ b, name }: { b: BookingDetail; name: string }) {
  const { api } = useApp();
  const [rating, setRating] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Review | null>(null);
  const { byField, rest } = fieldErrors(error, ['rating', 'text']);
  const reviewed = error instanceof ApiError && error.status === 409;

  async function submit(e: Event) {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget as HTMLFormElement).get('text') ?? '');
    setBusy(true);
    setError(null);
    try {
      setDone(await postReview(api, b.id, { rating, text }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const reviews = `/photographers/${encodeURIComponent(b.photographer_id)}#reviews`;
  return (
    <section aria-labelledby="review-title" class="panel">
      <h2 id="review-title">Your review</h2>
      {done ? (
        <div class="alert alert-ok" role="status">
          <p>Thank you: your {done.rating}-star review is posted.</p>
          <p>
            <Link href={reviews}>See it on {name}’s page</Link>
          </p>
        </div>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Review the session">
          <FormError error={error} rest={rest} />
          {reviewed && (
            <p>
              <Link href={reviews}>See the reviews on {name}’s page</Link>
            </p>
          )}
          <fieldset class={`choice stars-input${byField.rating ? ' has-error' : ''}`}
            aria-describedby={byField.rating ? 'review-rating-error' : undefined}>
            <legend>How was your session with {name}?</legend>
            {[5, 4, 3, 2, 1].map((n) => (
              <label key={n}>
                <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} />
                {n} star{n === 1 ? '' : 's'} <span aria-hidden="true">{'★'.repeat(n)}</span>
              </label>
            ))}
            {byField.rating && (
              <p class="field-error" id="review-rating-error">
                {byField.rating}
              </p>
            )}
          </fieldset>
          <Field id="review-text" label="Tell others about it" hint="Shown with your name on the photographer’s page." error={byField.text}>
            {(a) => <textarea {...a} name="text" rows={4} maxLength={5000} required />}
          </Field>
          <button type="submit" class="button" disabled={busy}>
            {busy ? 'Posting…' : 'Post review'}
          </button>
        </form>
      )}
    </section>
  );
}
