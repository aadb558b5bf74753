import { useEffect, useRef, useState } from 'preact/hooks';
import { getBooking, startPayment } from '../../api/client-area';
import type { BookingDetail, PaymentIntent, PaymentKind } from '../../api/types';
import { ErrorMessage, useApp } from '../../components/ui';
import { loadPayments, standinCheckoutUrl, type PaymentsConfig } from './payconfig';
import { kindAmount, money, payableKinds } from './terms';

const KIND_TEXT: Record<PaymentKind, string> = { deposit: 'Pay the deposit', full: 'Pay in full', balance: 'Pay the balance' };
const POLL_MS = 1000;
const POLL_FOR_MS = 180_000;

/** What of the money changed since `before`: a new state or a new failure. */
function moved(before: BookingDetail, now: BookingDetail): boolean {
  return before.payment.state !== now.payment.state || before.payment.last_failure !== now.payment.last_failure
    || before.payment.authorized_minor !== now.payment.authorized_minor || before.payment.paid_minor !== now.payment.paid_minor;
}

/**
 * Paying for a booking: the API opens (or hands back) a PaymentIntent, the card is
 * given to Stripe (its Payment Element, or the local stand-in's checkout page), and
 * Stripe tells the API by webhook; this page then shows the new state by reading the
 * booking again until it moves.
 */
export function PayPanel({ b, onChange, query }: { b: BookingDetail; onChange: (b: BookingDetail) => void; query: URLSearchParams }) {
  const { api } = useApp();
  const kinds = payableKinds(b);
  const [busy, setBusy] = useState<PaymentKind | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [intent, setIntent] = useState<{ intent: PaymentIntent; config: PaymentsConfig } | null>(null);
  // Back from Stripe (its redirect after confirmPayment): until the webhook has moved
  // the ledger, the booking still reads unpaid.
  const returned = query.get('redirect_status');
  const unsettled = b.payment.state === 'unpaid' || b.payment.state === 'failed';
  const [waiting, setWaiting] = useState<BookingDetail | null>(returned === 'succeeded' && unsettled ? b : null);
  const latest = useRef(b);
  latest.current = b;

  // After the card went to Stripe: read the booking until the webhook has moved it.
  useEffect(() => {
    if (!waiting) return;
    const until = Date.now() + POLL_FOR_MS;
    let stop = false;
    const tick = async () => {
      if (stop) return;
      try {
        const now = await getBooking(api, b.id);
        if (stop) return;
        if (moved(waiting, now)) {
          onChange(now);
          setWaiting(null);
          setIntent(null);
          return;
        }
      } catch {
        // A failed read is tried again on the next tick.
      }
      if (Date.now() < until) timer = window.setTimeout(tick, POLL_MS);
      else setWaiting(null);
    };
    let timer = window.setTimeout(tick, POLL_MS);
    return () => {
      stop = true;
      window.clearTimeout(timer);
    };
  }, [waiting, api, b.id, onChange]);

  async function start(kind: PaymentKind) {
    setBusy(kind);
    setError(null);
    try {
      const [opened, config] = await Promise.all([startPayment(api, b.id, kind), loadPayments()]);
      setIntent({ intent: opened, config });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const c = b.price.currency;
  return (
    <div class="pay">
      {returned === 'succeeded' && waiting && <p role="status">Checking your payment with the bank…</p>}
      {returned === 'failed' && unsettled && (
        <div class="alert alert-error" role="alert"><p>The payment was not completed. Nothing was taken: try again.</p></div>
      )}
      {!intent && kinds.length > 0 && (
        <div class="actions">
          {kinds.map((k) => (
            <button type="button" class={k === 'full' && kinds.length > 1 ? 'button secondary' : 'button'} key={k}
              disabled={busy !== null} onClick={() => start(k)}>
              {busy === k ? 'Opening…' : `${KIND_TEXT[k]} (${money(kindAmount(b, k), c)})`}
            </button>
          ))}
        </div>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {intent && intent.config.provider === 'standin' && (
        <StandinCheckout intent={intent.intent} base={intent.config.standinUrl} waiting={waiting !== null}
          onOpened={() => setWaiting(latest.current)} onCancel={() => { setIntent(null); setWaiting(null); }} />
      )}
      {intent && intent.config.provider === 'stripe' && (
        <StripeCheckout intent={intent.intent} bookingId={b.id} onCancel={() => setIntent(null)} />
      )}
    </div>
  );
}

function StandinCheckout({ intent, base, waiting, onOpened, onCancel }: {
  intent: PaymentIntent; base: string; waiting: boolean; onOpened: () => void; onCancel: () => void;
}) {
  if (!intent.client_secret) return <p class="alert alert-error">The payment could not be opened. Try again.</p>;
  return (
    <div class="checkout" aria-live="polite">
      <p>
        {money(intent.amount_minor, intent.currency)} to pay
        {intent.capture === 'on_confirmation' ? ', held on your card until the photographer confirms' : ''}.
      </p>
      <p class="muted">Local test payments: the Stripe stand-in’s checkout opens in a new tab with a button per test card.</p>
      <div class="actions">
        <a class="button" href={standinCheckoutUrl(base, intent.intent_id, intent.client_secret)} target="_blank"
          rel="noopener noreferrer" onClick={onOpened}>
          Enter card details (opens a new tab)
        </a>
        <button type="button" class="button secondary" onClick={onCancel}>
          Not now
        </button>
      </div>
      {waiting && (
        <p role="status" class="loading">
          <span class="spinner" aria-hidden="true" /> Waiting for the payment…
        </p>
      )}
    </div>
  );
}

/** Stripe's Payment Element, in a chunk of its own: only a client who pays loads it. */
function StripeCheckout({ intent, bookingId, onCancel }: { intent: PaymentIntent; bookingId: string; onCancel: () => void }) {
  const mount = useRef<HTMLDivElement>(null);
  const [ready, setReady] = useState<null | { confirm: () => Promise<string | null> }>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let gone = false;
    import('./stripe-element')
      .then((m) => m.mountPaymentElement(mount.current as HTMLElement, intent,
        `${window.location.origin}/bookings/${encodeURIComponent(bookingId)}`))
      .then((r) => { if (!gone) setReady(r); })
      .catch((e: unknown) => { if (!gone) setError(e instanceof Error ? e.message : 'Card payments could not load.'); });
    return () => { gone = true; };
  }, [intent, bookingId]);

  async function pay(e: Event) {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(null);
    // On success Stripe sends the browser to the return URL; an answer here is a refusal.
    const message = await ready.confirm();
    setBusy(false);
    if (message) setError(message);
  }

  return (
    <form onSubmit={pay} aria-label="Card payment" class="checkout">
      <p>{money(intent.amount_minor, intent.currency)} to pay.</p>
      <div ref={mount} />
      {!ready && !error && <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> Loading the card form…</p>}
      {error && <div class="alert alert-error" role="alert"><p>{error}</p></div>}
      <div class="actions">
        <button type="submit" class="button" disabled={!ready || busy}>{busy ? 'Paying…' : 'Pay'}</button>
        <button type="button" class="button secondary" onClick={onCancel}>Not now</button>
      </div>
    </form>
  );
}
