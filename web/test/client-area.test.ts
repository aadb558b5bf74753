import { describe, expect, it } from 'vitest';
import type { BookingDetail, PaymentIntent, Tier } from '../src/api/types';
import { noticeText } from '../src/pages/client/booking';
import { parsePayments, standinCheckoutUrl } from '../src/pages/client/payconfig';
import { mountPaymentElement, type StripeLike } from '../src/pages/client/stripe-element';
import {
  cancellationPreview, currencyStep, declineText, historyText, kindAmount, minutesBefore, newestId, notificationHref,
  payableKinds, paymentStateText, refundAmount, settledRefund, sortTiers, tierFor, unreadLabel, withNames, zonedLabel,
} from '../src/pages/client/terms';

const DEFAULT_POLICY: Tier[] = [
  { min_hours_before: 168, refund_percent: 100 },
  { min_hours_before: 48, refund_percent: 50 },
  { min_hours_before: 0, refund_percent: 0 },
];
const H = 3_600_000;
const START = '2027-03-20T10:00:00Z';
const T0 = Date.parse(START);

function booking(over: Partial<BookingDetail> = {}, payment: Partial<BookingDetail['payment']> = {}): BookingDetail {
  return {
    id: '01JBOOKING0000000000000000', status: 'confirmed', client_id: 'c', photographer_id: 'p', package_id: null,
    event_type: 'portrait', start: START, end: '2027-03-20T12:00:00Z', duration_minutes: 120,
    local: { timezone: 'Asia/Kolkata', start: '2027-03-20T15:30:00+05:30', end: '2027-03-20T17:30:00+05:30' },
    location: { address: 'x', city: 'Hyderabad' }, notes: null, price: { amount_minor: 1_000_000, currency: 'INR' },
    history: [], created_at: '2027-01-01T00:00:00Z', updated_at: '2027-01-01T00:00:00Z', cancellation_window_hours: 24,
    sequence: 1,
    ...over,
    payment: {
      deposit_percent: 30, deposit_minor: 300_000, balance_minor: 700_000, balance_due_days: 7,
      cancellation_policy: DEFAULT_POLICY, state: 'deposit_paid', authorized_minor: 0, paid_minor: 300_000,
      refunded_minor: 0, due_minor: 700_000, ...payment,
    },
  };
}

describe('the refund a client cancellation gives (cm_payments policy and terms)', () => {
  it('counts whole minutes before the start, truncated toward zero', () => {
    expect(minutesBefore(START, T0 - 90_000)).toBe(1);
    expect(minutesBefore(START, T0 - 59_999)).toBe(0);
    expect(minutesBefore(START, T0 + 90_000)).toBe(-1);
    expect(minutesBefore('not a date', T0)).toBe(0);
  });

  it('applies each default tier from exactly its boundary (as policy.rs tests it)', () => {
    const pct = (m: number) => tierFor(DEFAULT_POLICY, m)?.refund_percent ?? 0;
    expect(pct(168 * 60)).toBe(100);
    expect(pct(168 * 60 - 1)).toBe(50);
    expect(pct(48 * 60)).toBe(50);
    expect(pct(48 * 60 - 1)).toBe(0);
    expect(pct(0)).toBe(0);
    expect(pct(-60)).toBe(0);
  });

  it('refunds nothing when the notice is shorter than every tier, whatever the order given', () => {
    expect(tierFor([{ min_hours_before: 24, refund_percent: 80 }], 24 * 60 - 1)).toBeNull();
    expect(tierFor([{ min_hours_before: 24, refund_percent: 80 }], 24 * 60)?.refund_percent).toBe(80);
    const shuffled = [DEFAULT_POLICY[2], DEFAULT_POLICY[0], DEFAULT_POLICY[1]] as Tier[];
    expect(sortTiers(shuffled).map((t) => t.min_hours_before)).toEqual([168, 48, 0]);
    expect(tierFor(shuffled, 200 * 60)?.refund_percent).toBe(100);
  });

  it('rounds refunds down to the currency’s step (terms.rs cases)', () => {
    expect(refundAmount('KWD', 1_250, 50)).toBe(620);
    expect(refundAmount('INR', 450_001, 50)).toBe(225_000);
    expect(refundAmount('INR', 450_001, 100)).toBe(450_001);
    expect(refundAmount('INR', 450_001, 0)).toBe(0);
    expect(refundAmount('HUF', 1_234_567, 50)).toBe(617_200);
    expect(refundAmount('JPY', 999, 33)).toBe(329);
    expect(refundAmount('INR', 0, 50)).toBe(0);
    expect(currencyStep('tnd')).toBe(10);
  });

  it('never refunds more than was paid or than the percentage grants', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (const currency of ['INR', 'KWD', 'HUF', 'JPY', 'USD']) {
      for (let i = 0; i < 500; i++) {
        const paid = rand(10_000_000);
        const pct = rand(101);
        const r = refundAmount(currency, paid, pct);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(paid);
        expect(r * 100).toBeLessThanOrEqual(paid * pct);
        if (pct < 100) expect(r % currencyStep(currency)).toBe(0);
      }
    }
  });
});

describe('the cancellation preview', () => {
  it('gives the tier’s share of what was captured, less what came back already, and when it drops', () => {
    const p = cancellationPreview(booking({}, { refunded_minor: 10_000 }), T0 - 100 * H);
    expect(p.allowed).toBe(true);
    expect(p.percent).toBe(50);
    expect(p.refundMinor).toBe(150_000 - 10_000);
    expect(p.dropsAt).toBe(T0 - 48 * H);
    expect(p.nextPercent).toBe(0);
  });

  it('releases holds in full and refunds nothing of them', () => {
    const p = cancellationPreview(
      booking({ status: 'pending' }, { state: 'authorized', authorized_minor: 300_000, paid_minor: 0 }), T0 - 10 * H);
    expect(p.allowed).toBe(true); // a pending request may be withdrawn inside the window
    expect(p.releasedMinor).toBe(300_000);
    expect(p.refundMinor).toBe(0);
  });

  it('says a confirmed booking inside the window, an ended one or a closed one cannot be cancelled', () => {
    expect(cancellationPreview(booking(), T0 - 23 * H).allowed).toBe(false);
    expect(cancellationPreview(booking(), T0 - 23 * H).refusal).toMatch(/24 hours/);
    expect(cancellationPreview(booking(), T0 - 25 * H).allowed).toBe(true);
    expect(cancellationPreview(booking({ status: 'pending' }), T0 + 3 * H).allowed).toBe(false);
    expect(cancellationPreview(booking({ status: 'completed' }), T0 - 200 * H).refusal).toMatch(/completed/);
  });

  it('has no next drop in the last tier', () => {
    const p = cancellationPreview(booking({ cancellation_window_hours: 0 }), T0 - H);
    expect(p.percent).toBe(0);
    expect(p.dropsAt).toBeNull();
    expect(noticeText(p.minutesBefore)).toBe('1 h');
    expect(noticeText(4 * 1440 + 125)).toBe('4 days 2 h');
    expect(noticeText(-5)).toBe('after the start');
  });
});

describe('the refund of a cancelled booking (as settle-payments works it out)', () => {
  const cancelled = (actor: 'client' | 'photographer', hoursBefore: number, payment = {}) => booking({
    status: 'cancelled',
    history: [
      { at: '2027-01-01T00:00:00Z', by: null, actor: 'client', action: 'created', from: null, to: 'pending' },
      { at: new Date(T0 - hoursBefore * H).toISOString(), by: null, actor, action: 'status_changed', from: 'confirmed', to: 'cancelled' },
    ],
  }, payment);

  it('takes the client’s tier at the moment they cancelled, not now', () => {
    expect(settledRefund(cancelled('client', 100))).toEqual({ percent: 50, byClient: true, targetMinor: 150_000, pending: true });
    expect(settledRefund(cancelled('client', 200))?.targetMinor).toBe(300_000);
    expect(settledRefund(cancelled('client', 10))).toEqual({ percent: 0, byClient: true, targetMinor: 0, pending: false });
  });

  it('gives everything back when the photographer cancelled, and is done once refunded', () => {
    expect(settledRefund(cancelled('photographer', 1))?.targetMinor).toBe(300_000);
    expect(settledRefund(cancelled('photographer', 1, { refunded_minor: 300_000 }))?.pending).toBe(false);
    expect(settledRefund(cancelled('client', 10, { authorized_minor: 5 }))?.pending).toBe(true); // a hold to release
    expect(settledRefund(booking())).toBeNull();
  });
});

describe('payments', () => {
  it('offers a deposit or the whole price first, the balance once the deposit is in', () => {
    expect(payableKinds(booking({ status: 'pending' }, { state: 'unpaid', paid_minor: 0 }))).toEqual(['deposit', 'full']);
    expect(payableKinds(booking({}, { state: 'unpaid', balance_minor: 0 }))).toEqual(['full']);
    expect(payableKinds(booking({}, { state: 'deposit_paid' }))).toEqual(['balance']);
    expect(payableKinds(booking({ status: 'pending' }, { state: 'deposit_paid' }))).toEqual([]);
    expect(payableKinds(booking({}, { state: 'failed', paid_minor: 0 }))).toEqual(['deposit', 'full']);
    expect(payableKinds(booking({}, { state: 'failed', paid_minor: 300_000 }))).toEqual(['balance']);
    expect(payableKinds(booking({}, { state: 'authorized' }))).toEqual([]);
    expect(payableKinds(booking({}, { state: 'paid', due_minor: 0 }))).toEqual([]);
    expect(payableKinds(booking({ status: 'cancelled' }, { state: 'unpaid' }))).toEqual([]);
    expect(payableKinds(booking({}, { state: 'unpaid', deposit_minor: undefined }))).toEqual([]);
  });

  it('asks each kind’s amount', () => {
    const b = booking({}, { due_minor: 650_000 });
    expect(kindAmount(b, 'deposit')).toBe(300_000);
    expect(kindAmount(b, 'balance')).toBe(650_000);
    expect(kindAmount(b, 'full')).toBe(1_000_000);
  });

  it('says states and declines in words', () => {
    expect(paymentStateText('authorized')).toMatch(/Held on your card/);
    expect(paymentStateText(undefined)).toBe('Not known yet');
    expect(declineText('insufficient_funds')).toMatch(/insufficient funds/);
    expect(declineText('do_not_honor')).toBe('The payment failed (do_not_honor).');
  });

  it('reads the payments provider from config.json, Stripe unless the stand-in is named with its URL', () => {
    expect(parsePayments(null)).toEqual({ provider: 'stripe' });
    expect(parsePayments({ apiUrl: 'x' })).toEqual({ provider: 'stripe' });
    expect(parsePayments({ payments: { provider: 'standin' } })).toEqual({ provider: 'stripe' });
    expect(parsePayments({ payments: { provider: 'standin', standinUrl: 'javascript:alert(1)' } })).toEqual({ provider: 'stripe' });
    expect(parsePayments({ payments: { provider: 'standin', standinUrl: 'http://127.0.0.1:4242/' } }))
      .toEqual({ provider: 'standin', standinUrl: 'http://127.0.0.1:4242' });
    expect(standinCheckoutUrl('http://127.0.0.1:4242', 'pi_1', 'pi_1_secret_a+b'))
      .toBe('http://127.0.0.1:4242/standin/checkout/pi_1?client_secret=pi_1_secret_a%2Bb');
  });

  it('mounts the Payment Element with the intent’s secret and key, and answers a refusal’s message', async () => {
    const calls: unknown[] = [];
    let answer: { error?: { message?: string } } = { error: { message: 'Your card was declined.' } };
    const fake: StripeLike = {
      elements: (o) => { calls.push(['elements', o]); return { create: () => ({ mount: (el) => calls.push(['mount', el]) }) }; },
      confirmPayment: async (o) => { calls.push(['confirm', o.confirmParams.return_url]); return answer; },
    };
    const intent: PaymentIntent = {
      booking_id: 'b', kind: 'deposit', intent_id: 'pi_1', client_secret: 'sec', publishable_key: 'pk_test',
      amount_minor: 300_000, currency: 'INR', status: 'requires_payment_method', capture: 'on_confirmation',
    };
    const keys: string[] = [];
    const el = {} as HTMLElement;
    const m = await mountPaymentElement(el, intent, 'https://app/bookings/b', async () => (k) => { keys.push(k); return fake; });
    expect(keys).toEqual(['pk_test']);
    expect(calls[0]).toEqual(['elements', { clientSecret: 'sec' }]);
    expect(calls[1]).toEqual(['mount', el]);
    expect(await m.confirm()).toBe('Your card was declined.');
    answer = {};
    expect(await m.confirm()).toBeNull();
    expect(calls[2]).toEqual(['confirm', 'https://app/bookings/b']);
    await expect(mountPaymentElement(el, { ...intent, client_secret: null }, 'x', async () => () => fake)).rejects.toThrow();
  });
});

describe('history and notifications', () => {
  it('tells each history entry from the client’s side', () => {
    const base = { at: START, by: null, from: null, to: 'pending' as const };
    expect(historyText({ ...base, actor: 'client', action: 'created' })).toBe('Requested by you');
    expect(historyText({ ...base, actor: 'photographer', action: 'status_changed', from: 'pending', to: 'confirmed' }))
      .toBe('Confirmed by the photographer');
    expect(historyText({ ...base, actor: 'system', action: 'status_changed', to: 'expired' })).toBe('Expired automatically');
    // The API writes these starts in UTC; they read on the photographer's clock.
    expect(historyText({
      ...base, actor: 'client', action: 'rescheduled', from: 'confirmed', to: 'pending',
      previous_start: '2027-03-20T10:00:00Z', new_start: '2027-03-20T21:30:00Z',
    }, 'Asia/Kolkata')).toBe('Moved from Sat 20 Mar 2027, 15:30 to Sun 21 Mar 2027, 03:00 by you (now requested)');
    expect(zonedLabel('2027-07-01T12:00:00Z', 'Europe/London')).toBe('Thu 1 Jul 2027, 13:00');
    expect(zonedLabel('2027-07-01T12:00:00Z', 'Not/AZone')).toBe('Thu 1 Jul 2027, 12:00');
  });

  it('shows the unread count, capped at 99+', () => {
    expect(unreadLabel(0, false)).toBe('');
    expect(unreadLabel(3, false)).toBe('3');
    expect(unreadLabel(99, true)).toBe('99+');
  });

  it('links a notification to its booking, a delivered gallery to its photos, and finds the newest for “mark all read”', () => {
    const n = { id: '01J0000000000000000000000B', kind: 'booking_confirmed', title: 't', created_at: START, read: false };
    expect(notificationHref({ ...n, booking_id: '01JBOOKING0000000000000000' })).toBe('/bookings/01JBOOKING0000000000000000');
    expect(notificationHref({ ...n, link: '/bookings/01JBOOKING0000000000000001/gallery' }))
      .toBe('/bookings/01JBOOKING0000000000000001/gallery');
    expect(notificationHref({ ...n, kind: 'gallery_delivered', booking_id: '01JBOOKING0000000000000002' }))
      .toBe('/bookings/01JBOOKING0000000000000002/gallery');
    expect(notificationHref({ ...n, link: '/bookings/01JBOOKING0000000000000001/gallery/x' }))
      .toBe('/bookings/01JBOOKING0000000000000001');
    expect(notificationHref(n)).toBeNull();
    expect(newestId([{ ...n, id: '01J0000000000000000000000A' }, n])).toBe(n.id);
    expect(newestId([])).toBeNull();
  });
});

describe('the parties\' names across changes (only GET /bookings/{id} gives them)', () => {
  it('keeps the names the page read when a change answers without them', () => {
    const read = booking({ client_name: 'Priya Sharma', photographer_name: 'Asha Lens' });
    const changed = withNames(booking({ status: 'cancelled' }), read);
    expect(changed.status).toBe('cancelled');
    expect([changed.client_name, changed.photographer_name]).toEqual(['Priya Sharma', 'Asha Lens']);
  });
  it('takes the names a newer read gives, null included, and never another booking\'s', () => {
    const read = booking({ client_name: 'Priya Sharma', photographer_name: 'Asha Lens' });
    const again = withNames(booking({ client_name: null, photographer_name: 'Asha Reddy' }), read);
    expect([again.client_name, again.photographer_name]).toEqual([null, 'Asha Reddy']);
    const other = withNames(booking({ id: '01JOTHER00000000000000000' }), read);
    expect([other.client_name, other.photographer_name]).toEqual([undefined, undefined]);
    expect(withNames(booking(), null).client_name).toBeUndefined();
  });
});
