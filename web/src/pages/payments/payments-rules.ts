// The payment history's pure rules: its filters in the URL, sums per currency (never
// across currencies), and the words for states and charges as each role reads them.
import type { Charge, PaymentKind, PaymentRecord, PaymentState } from '../../api/types';

export type Reader = 'client' | 'photographer' | 'admin';

export const PAYMENT_STATES: readonly PaymentState[] = [
  'unpaid', 'failed', 'authorized', 'released', 'deposit_paid', 'paid', 'partially_refunded', 'refunded', 'disputed',
];

export interface PaymentFilters { state: PaymentState | ''; currency: string }

/** The filters as the URL keeps them; anything the API would refuse (400) is dropped
 * rather than sent, so a hand-edited address still shows a list. */
export function readFilters(query: URLSearchParams): PaymentFilters {
  const state = query.get('state') ?? '';
  const currency = (query.get('currency') ?? '').trim().toUpperCase();
  return {
    state: (PAYMENT_STATES as readonly string[]).includes(state) ? (state as PaymentState) : '',
    currency: /^[A-Z]{3}$/.test(currency) ? currency : '',
  };
}

export function filtersQuery(f: PaymentFilters): string {
  const q = new URLSearchParams();
  if (f.state) q.set('state', f.state);
  if (f.currency) q.set('currency', f.currency);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface CurrencyTotals {
  currency: string;
  bookings: number;
  total: number;
  paid: number;
  refunded: number;
  due: number;
  /** Only where the API gave them (photographers and admins). */
  fee: number | null;
  earnings: number | null;
}

/** Sums of the records loaded, one line per currency in code order. A booking listed
 * twice (a page read again) counts once. */
export function totalsByCurrency(records: readonly PaymentRecord[]): CurrencyTotals[] {
  const seen = new Set<string>();
  const by = new Map<string, CurrencyTotals>();
  for (const r of records) {
    if (seen.has(r.booking_id)) continue;
    seen.add(r.booking_id);
    const t = by.get(r.currency) ?? {
      currency: r.currency, bookings: 0, total: 0, paid: 0, refunded: 0, due: 0, fee: null, earnings: null,
    };
    t.bookings += 1;
    t.total += r.total_minor;
    t.paid += r.paid_minor;
    t.refunded += r.refunded_minor;
    t.due += r.due_minor;
    if (r.platform_fee_minor !== undefined) t.fee = (t.fee ?? 0) + r.platform_fee_minor;
    if (r.earnings_minor !== undefined) t.earnings = (t.earnings ?? 0) + r.earnings_minor;
    by.set(r.currency, t);
  }
  return [...by.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Records of later pages after the first's, each booking once (the newest answer). */
export function mergeRecords(a: readonly PaymentRecord[], b: readonly PaymentRecord[]): PaymentRecord[] {
  const out = new Map<string, PaymentRecord>();
  for (const r of [...a, ...b]) {
    const had = out.get(r.booking_id);
    if (!had || r.updated_at >= had.updated_at) out.set(r.booking_id, r);
  }
  return [...out.values()];
}

const CLIENT: Record<PaymentState, string> = {
  unpaid: 'Not paid yet',
  failed: 'The last payment failed',
  authorized: 'Held on your card',
  released: 'Hold released, nothing taken',
  deposit_paid: 'Deposit paid',
  paid: 'Paid in full',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
  disputed: 'Disputed with your bank',
};
const OTHERS: Record<PaymentState, string> = {
  unpaid: 'Not paid yet',
  failed: 'The client’s last payment failed',
  authorized: 'Held on the client’s card',
  released: 'Hold released, nothing taken',
  deposit_paid: 'Deposit paid',
  paid: 'Paid in full',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
  disputed: 'Disputed by the client’s bank',
};
export function stateText(state: PaymentState | string, reader: Reader): string {
  const words = reader === 'client' ? CLIENT : OTHERS;
  return words[state as PaymentState] ?? state;
}

/**
 * Who the booking was with, after "Booking": the photographer for a client ("with Asha
 * Lens"), the client for a photographer ("for Priya Sharma"), both for an admin. Empty
 * when the API gave no name (an account gone or deactivated): the row then says
 * "Booking" alone, as it did before names.
 */
export function partiesText(r: PaymentRecord, reader: Reader): string {
  const forClient = r.client_name ? `for ${r.client_name}` : '';
  const withPhotographer = r.photographer_name ? `with ${r.photographer_name}` : '';
  if (reader === 'client') return withPhotographer;
  if (reader === 'photographer') return forClient;
  return [forClient, withPhotographer].filter(Boolean).join(' ');
}

/** The badge's colour: money kept, money on its way back or held, trouble. */
export function stateTone(state: PaymentState | string): 'ok' | 'pending' | 'bad' | 'neutral' {
  if (state === 'paid' || state === 'deposit_paid') return 'ok';
  if (state === 'authorized' || state === 'unpaid' || state === 'partially_refunded') return 'pending';
  if (state === 'failed' || state === 'disputed') return 'bad';
  return 'neutral';
}

const KIND: Record<PaymentKind, string> = { deposit: 'Deposit', balance: 'Balance', full: 'Full payment' };

/**
 * One charge in a sentence: its kind, the amount, and what happened to it. Amounts
 * come formatted (`money`), so the rule stays about which figures are said.
 */
export function chargeText(c: Charge, money: (minor: number) => string): string {
  const kind = KIND[c.kind] ?? c.kind;
  const parts: string[] = [`${kind} of ${money(c.amount_minor)}`];
  switch (c.status) {
    case 'open':
      parts.push('not completed');
      break;
    case 'failed':
      parts.push('failed');
      break;
    case 'authorized':
      parts.push('held, not taken yet');
      break;
    case 'canceled':
      parts.push(c.captured_minor > 0 ? `cancelled after ${money(c.captured_minor)} was taken` : 'cancelled, nothing taken');
      break;
    case 'succeeded':
      parts.push(c.captured_minor === c.amount_minor ? 'taken' : `${money(c.captured_minor)} taken`);
      break;
    default:
      parts.push(String(c.status));
  }
  if (c.refunded_minor > 0) {
    parts.push(c.refunded_minor >= c.captured_minor && c.captured_minor > 0 ? 'refunded in full' : `${money(c.refunded_minor)} refunded`);
  }
  return parts.join(', ');
}
