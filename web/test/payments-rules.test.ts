import { describe, expect, it } from 'vitest';
import type { Charge, PaymentRecord } from '../src/api/types';
import {
  chargeText, filtersQuery, mergeRecords, partiesText, readFilters, stateText, stateTone, totalsByCurrency,
} from '../src/pages/payments/payments-rules';

function rec(id: string, over: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    booking_id: id, currency: 'INR', state: 'deposit_paid', total_minor: 1_000_000, paid_minor: 300_000, refunded_minor: 0,
    due_minor: 700_000, charges: [], created_at: '2027-01-01T00:00:00Z', updated_at: '2027-01-01T00:00:00Z', ...over,
  };
}

describe('sums per currency', () => {
  it('never adds amounts of different currencies, and lists currencies in code order', () => {
    const t = totalsByCurrency([
      rec('a'), rec('b', { currency: 'USD', total_minor: 20_000, paid_minor: 20_000, due_minor: 0, state: 'paid' }),
      rec('c', { paid_minor: 100_000, refunded_minor: 50_000, due_minor: 0 }),
    ]);
    expect(t.map((x) => x.currency)).toEqual(['INR', 'USD']);
    expect(t[0]).toMatchObject({ bookings: 2, total: 2_000_000, paid: 400_000, refunded: 50_000, due: 700_000, fee: null, earnings: null });
    expect(t[1]).toMatchObject({ bookings: 1, paid: 20_000, due: 0 });
  });

  it('adds the fee and earnings only where the API gave them (a zero counts)', () => {
    const t = totalsByCurrency([
      rec('a', { platform_fee_minor: 45_000, earnings_minor: 255_000 }),
      rec('b', { platform_fee_minor: 0, earnings_minor: 0 }),
    ]);
    expect(t[0]).toMatchObject({ fee: 45_000, earnings: 255_000 });
  });

  it('counts a booking listed twice once', () => {
    expect(totalsByCurrency([rec('a'), rec('a')])[0]?.bookings).toBe(1);
    expect(totalsByCurrency([])).toEqual([]);
  });

  it('merges pages keeping each booking once, its newest state', () => {
    const m = mergeRecords(
      [rec('a'), rec('b')],
      [rec('a', { state: 'refunded', updated_at: '2027-02-01T00:00:00Z' }), rec('c')],
    );
    expect(m.map((r) => r.booking_id)).toEqual(['a', 'b', 'c']);
    expect(m[0]?.state).toBe('refunded');
    expect(mergeRecords([rec('a', { updated_at: '2027-03-01T00:00:00Z', state: 'paid' })], [rec('a')])[0]?.state).toBe('paid');
  });
});

describe('filters in the URL', () => {
  it('keeps what the API takes and drops the rest rather than sending a 400', () => {
    expect(readFilters(new URLSearchParams('state=paid&currency=inr'))).toEqual({ state: 'paid', currency: 'INR' });
    expect(readFilters(new URLSearchParams('state=lost&currency=rupees'))).toEqual({ state: '', currency: '' });
    expect(filtersQuery({ state: 'refunded', currency: '' })).toBe('?state=refunded');
    expect(filtersQuery({ state: '', currency: '' })).toBe('');
    expect(filtersQuery(readFilters(new URLSearchParams('currency=EUR&state=disputed')))).toBe('?state=disputed&currency=EUR');
  });
});

describe('words', () => {
  it('says a state as the reader lives it', () => {
    expect(stateText('authorized', 'client')).toBe('Held on your card');
    expect(stateText('authorized', 'photographer')).toBe('Held on the client’s card');
    expect(stateText('something_new', 'client')).toBe('something_new');
    expect(stateTone('paid')).toBe('ok');
    expect(stateTone('disputed')).toBe('bad');
    expect(stateTone('authorized')).toBe('pending');
    expect(stateTone('refunded')).toBe('neutral');
  });

  it('says what happened to each charge', () => {
    const m = (n: number) => `₹${n / 100}`;
    const c = (over: Partial<Charge>): Charge => ({
      kind: 'deposit', status: 'succeeded', amount_minor: 300_000, captured_minor: 300_000, refunded_minor: 0, ...over,
    });
    expect(chargeText(c({}), m)).toBe('Deposit of ₹3000, taken');
    expect(chargeText(c({ refunded_minor: 300_000 }), m)).toBe('Deposit of ₹3000, taken, refunded in full');
    expect(chargeText(c({ refunded_minor: 150_000 }), m)).toBe('Deposit of ₹3000, taken, ₹1500 refunded');
    expect(chargeText(c({ kind: 'balance', captured_minor: 200_000 }), m)).toBe('Balance of ₹3000, ₹2000 taken');
    expect(chargeText(c({ status: 'authorized', captured_minor: 0 }), m)).toBe('Deposit of ₹3000, held, not taken yet');
    expect(chargeText(c({ status: 'canceled', captured_minor: 0 }), m)).toBe('Deposit of ₹3000, cancelled, nothing taken');
    expect(chargeText(c({ kind: 'full', status: 'failed', captured_minor: 0 }), m)).toBe('Full payment of ₹3000, failed');
  });
});

describe('who a payment was with', () => {
  const named = rec('a', { client_name: 'Priya Sharma', photographer_name: 'Asha Lens' });
  it('names the other party to each reader, and both to admins', () => {
    expect(partiesText(rec('a', { photographer_name: 'Asha Lens' }), 'client')).toBe('with Asha Lens');
    expect(partiesText(rec('a', { client_name: 'Priya Sharma' }), 'photographer')).toBe('for Priya Sharma');
    expect(partiesText(named, 'admin')).toBe('for Priya Sharma with Asha Lens');
    expect(partiesText(named, 'client')).toBe('with Asha Lens');
    expect(partiesText(named, 'photographer')).toBe('for Priya Sharma');
  });
  it('says nothing of a party without a name (gone, deactivated, or an older API)', () => {
    expect(partiesText(rec('a', { photographer_name: null }), 'client')).toBe('');
    expect(partiesText(rec('a'), 'photographer')).toBe('');
    expect(partiesText(rec('a', { client_name: null, photographer_name: 'Asha Lens' }), 'admin')).toBe('with Asha Lens');
    expect(partiesText(rec('a', { client_name: 'Priya Sharma', photographer_name: null }), 'admin')).toBe('for Priya Sharma');
    expect(partiesText(rec('a', { client_name: null, photographer_name: null }), 'admin')).toBe('');
  });
});
