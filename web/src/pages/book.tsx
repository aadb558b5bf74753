import { useMemo, useState } from 'preact/hooks';
import { ApiError, fieldErrors } from '../api/problem';
import type { Day, LightWindow, PublicProfile, ScoredSlot, Specialization } from '../api/types';
import { Empty, ErrorMessage, Field, FormError, Link, Loading, useApp, useAsync } from '../components/ui';
import { addDays, clockTime, dayLabel, durationLabel, formatMoney, label, today, wallClock } from '../format';
import { navigate } from '../router';

const HOURLY = 'hourly';
const DURATIONS = [60, 90, 120, 180, 240, 360, 480];
const RANGE_DAYS = 7;

/** The slots of each date, in the order the API lists dates. */
export function slotsByDay(days: Day[], slots: ScoredSlot[]): { day: Day; slots: ScoredSlot[] }[] {
  return days.map((day) => ({ day, slots: slots.filter((s) => wallClock(s.start).date === day.date) }));
}

function windowText(w: LightWindow): string | null {
  return w ? `${wallClock(w.start).time}–${wallClock(w.end).time}` : null;
}

/** After a 409 the slot is gone: say what to do next under the API's detail. */
function conflictHint(error: unknown, rest: string[]): string[] {
  return error instanceof ApiError && error.status === 409 ? [...rest, 'Choose another time below.'] : rest;
}

/** 32 random hex digits (crypto.randomUUID needs a secure context; this does not). */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function factorLabel(f: string): string {
  return ({
    demand: 'Demand that week', weekday: 'Day of the week', lead_time: 'Booked ahead', utilisation: 'Photographer’s week',
    rating: 'Rating',
  } as Record<string, string>)[f] ?? label(f);
}

export function multiplierText(m: number): string {
  const pct = Math.round((m - 1) * 1000) / 10;
  return pct === 0 ? 'no change' : `${pct > 0 ? '+' : '−'}${Math.abs(pct)} %`;
}

export function Book({ id, query }: { id: string; query: URLSearchParams }) {
  const { api } = useApp();
  const [profile, retry] = useAsync(() => api.photographer(id), [id]);
  if (profile.state === 'loading') return <Loading what="the photographer" />;
  if (profile.state === 'error') return <ErrorMessage error={profile.error} retry={retry} />;
  return <BookWith p={profile.value} query={query} />;
}

function BookWith({ p, query }: { p: PublicProfile; query: URLSearchParams }) {
  const { api, session, flash } = useApp();
  const [pkg, setPkg] = useState<string>(p.packages[0]?.id ?? HOURLY);
  const [hours, setHours] = useState(60);
  const [event, setEvent] = useState<Specialization>(p.specializations[0] ?? 'portrait');
  const [from, setFrom] = useState(query.get('from') ?? addDays(today(), 1));
  const [picked, setPicked] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const chosen = p.packages.find((k) => k.id === pkg) ?? null;
  const duration = chosen ? chosen.duration_minutes : hours;
  const to = addDays(from, RANGE_DAYS - 1);

  const [slots, retrySlots] = useAsync(
    () => api.availability(p.id, { from, to, duration_minutes: duration, event_type: event }),
    [p.id, from, duration, event, round],
  );
  const [quote, retryQuote] = useAsync(
    () => (picked
      ? api.quote(p.id, { start: picked, duration_minutes: duration, package_id: chosen?.id ?? null, event_type: event })
      : Promise.resolve(null)),
    [p.id, picked, duration, pkg, event],
  );
  const groups = useMemo(
    () => (slots.state === 'done' ? slotsByDay(slots.value.days, slots.value.slots) : []),
    [slots],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const known = ['location.address', 'location.city', 'notes', 'start', 'quote_id'];
  const { byField, rest } = fieldErrors(error, known);
  // One key per attempt at one quote: a retry after a lost answer is the same booking.
  const idempotencyKey = useMemo(
    () => (quote.state === 'done' && quote.value ? `web-${randomId()}` : ''),
    [quote],
  );

  async function submit(e: Event) {
    e.preventDefault();
    if (quote.state !== 'done' || !quote.value || !picked) return;
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const notes = String(form.get('notes') ?? '').trim();
      const booking = await api.book({
        photographer_id: p.id,
        package_id: chosen?.id ?? null,
        duration_minutes: chosen ? null : duration,
        event_type: event,
        start: picked,
        location: { address: String(form.get('address') ?? ''), city: String(form.get('city') ?? '') },
        notes: notes || null,
        quote_id: quote.value.quote_id,
      }, idempotencyKey);
      flash(`Booking requested with ${p.display_name} for ${wallClock(booking.local.start).label}. It is pending until they confirm.`);
      navigate('/my/bookings');
    } catch (err) {
      setError(err);
      setBusy(false);
      if (err instanceof ApiError && err.status === 409) {
        // The slot went to someone else: show what is free now.
        setPicked(null);
        setRound((r) => r + 1);
      }
    }
  }

  const here = `/photographers/${encodeURIComponent(p.id)}/book`;
  return (
    <section>
      <p>
        <Link href={`/photographers/${encodeURIComponent(p.id)}`}>← {p.display_name}</Link>
      </p>
      <h1>Book {p.display_name}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="The shoot">
        <Field id="b-package" label="Package">
          {(a) => (
            <select {...a} value={pkg} onChange={(e) => { setPkg(e.currentTarget.value); setPicked(null); }}>
              {p.packages.map((k) => (
                <option value={k.id} key={k.id}>
                  {k.name}: {durationLabel(k.duration_minutes)}, {formatMoney(k.price)}
                </option>
              ))}
              <option value={HOURLY}>By the hour ({formatMoney(p.hourly_rate)} an hour)</option>
            </select>
          )}
        </Field>
        {!chosen && (
          <Field id="b-duration" label="How long">
            {(a) => (
              <select {...a} value={String(hours)} onChange={(e) => { setHours(Number(e.currentTarget.value)); setPicked(null); }}>
                {DURATIONS.map((d) => (
                  <option value={d} key={d}>
                    {durationLabel(d)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field id="b-event" label="Kind of shoot">
          {(a) => (
            <select {...a} value={event} onChange={(e) => { setEvent(e.currentTarget.value as Specialization); setPicked(null); }}>
              {p.specializations.map((s) => (
                <option value={s} key={s}>
                  {label(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="b-from" label="From" hint={`Shows ${RANGE_DAYS} days.`}>
          {(a) => (
            <input {...a} type="date" value={from} min={today()}
              onChange={(e) => { if (e.currentTarget.value) { setFrom(e.currentTarget.value); setPicked(null); } }} />
          )}
        </Field>
      </form>

      <h2>Available times</h2>
      <p class="muted">Times are the photographer’s local time{slots.state === 'done' ? ` (${slots.value.timezone})` : ''}.</p>
      {!picked && error !== null && <FormError error={error} rest={conflictHint(error, rest)} />}
      {slots.state === 'loading' && <Loading what="available times" />}
      {slots.state === 'error' && <ErrorMessage error={slots.error} retry={retrySlots} />}
      {slots.state === 'done' && slots.value.slots.length === 0 && (
        <Empty>
          <p>No free time from {dayLabel(from)} to {dayLabel(to)}.</p>
          <button type="button" class="button secondary" onClick={() => setFrom(addDays(from, RANGE_DAYS))}>
            Next {RANGE_DAYS} days
          </button>
        </Empty>
      )}
      {slots.state === 'done' && slots.value.slots.length > 0 && (
        <div class="days">
          {groups.map(({ day, slots: daySlots }) => (
            <fieldset class="day" key={day.date}>
              <legend>{dayLabel(day.date)}</legend>
              <p class="light">
                {windowText(day.sun.golden_hour.morning) && <span class="golden">Golden hour {windowText(day.sun.golden_hour.morning)}</span>}
                {windowText(day.sun.golden_hour.evening) && <span class="golden">Golden hour {windowText(day.sun.golden_hour.evening)}</span>}
                {windowText(day.sun.blue_hour.evening) && <span class="blue">Blue hour {windowText(day.sun.blue_hour.evening)}</span>}
              </p>
              {daySlots.length === 0 ? (
                <p class="muted">Fully booked or not working.</p>
              ) : (
                <div class="slots">
                  {daySlots.map((s) => {
                    const golden = s.reasons.some((r) => r.code.endsWith('golden_hour') && r.code !== 'no_golden_hour');
                    return (
                      <label class={`slot${picked === s.start ? ' picked' : ''}${golden ? ' is-golden' : ''}`} key={s.start}
                        title={s.reasons.map((r) => r.text).join('; ')}>
                        <input type="radio" name="slot" value={s.start} checked={picked === s.start}
                          onChange={() => setPicked(s.start)} />
                        {wallClock(s.start).time}
                        {golden && <span class="badge">golden</span>}
                      </label>
                    );
                  })}
                </div>
              )}
            </fieldset>
          ))}
        </div>
      )}
      {slots.state === 'done' && slots.value.slots.length > 0 && (
        <button type="button" class="button secondary" onClick={() => setFrom(addDays(from, RANGE_DAYS))}>
          Next {RANGE_DAYS} days
        </button>
      )}

      {picked && (
        <section class="quote" aria-labelledby="quote-title" aria-live="polite">
          <h2 id="quote-title">Your price for {wallClock(picked).label}</h2>
          {quote.state === 'loading' && <Loading what="the price" />}
          {quote.state === 'error' && <ErrorMessage error={quote.error} retry={retryQuote} />}
          {quote.state === 'done' && quote.value && (
            <>
              <p class="total">
                <strong data-testid="quote-price">{formatMoney(quote.value.price)}</strong>
                {quote.value.price.amount_minor !== quote.value.base_price.amount_minor && (
                  <span class="muted"> (usually {formatMoney(quote.value.base_price)})</span>
                )}
              </p>
              {quote.value.dynamic_pricing ? (
                <>
                  <p>How this price was worked out:</p>
                  <ul class="factors">
                    {quote.value.factors.map((f) => (
                      <li key={f.factor}>
                        <strong>{factorLabel(f.factor)}</strong> <span class="mult">{multiplierText(f.multiplier)}</span>
                        <br />
                        <span class="muted">{f.reason}</span>
                      </li>
                    ))}
                  </ul>
                  {quote.value.limit && (
                    <p class="muted">
                      Held at the photographer’s {quote.value.limit === 'floor' ? 'lowest' : 'highest'} price (
                      {formatMoney(quote.value.limit === 'floor' ? quote.value.bounds.floor : quote.value.bounds.ceiling)}).
                    </p>
                  )}
                </>
              ) : (
                <p class="muted">This photographer charges the same price for every date.</p>
              )}
              <p class="muted">This price is held until {clockTime(quote.value.expires_at)} (your time).</p>

              {session ? (
                <form onSubmit={submit} noValidate aria-label="Request the booking">
                  <FormError error={error} rest={rest} />
                  <Field id="b-address" label="Where is the shoot?" error={byField['location.address']}>
                    {(a) => <input {...a} name="address" autocomplete="street-address" required />}
                  </Field>
                  <Field id="b-city" label="City" error={byField['location.city']}>
                    {(a) => <input {...a} name="city" defaultValue={p.city} autocomplete="address-level2" required />}
                  </Field>
                  <Field id="b-notes" label="Notes for the photographer (optional)" error={byField.notes}>
                    {(a) => <textarea {...a} name="notes" rows={3} />}
                  </Field>
                  <button class="button" type="submit" disabled={busy}>
                    {busy ? 'Requesting…' : `Request booking for ${formatMoney(quote.value.price)}`}
                  </button>
                </form>
              ) : (
                <p>
                  <Link class="button" href={`/sign-in?next=${encodeURIComponent(here)}`}>
                    Sign in to book
                  </Link>{' '}
                  or <Link href={`/register?next=${encodeURIComponent(here)}`}>create an account</Link>.
                </p>
              )}
            </>
          )}
        </section>
      )}
    </section>
  );
}
