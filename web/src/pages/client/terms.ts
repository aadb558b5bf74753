// The client area's pure rules: what a cancellation gives back now, which payments a
// booking can take, and how notifications and history read. They mirror what
// docs/openapi.json and docs/payments.md document (the Rust in shared/payments is the
// authority; these only preview it, and the API's answer always wins).
import type {
  AppNotification, BookingDetail, BookingStatus, ClientHistoryEntry, PaymentKind, PaymentState, Tier,
} from '../../api/types';
import { formatMoney, wallClock } from '../../format';

const HOUR_MS = 3_600_000;

/**
 * Whole minutes from `nowMs` to the start, truncated toward zero (negative once it has
 * begun), as settle-payments counts them (`(start - cancelled_at).num_minutes()`).
 */
export function minutesBefore(startIso: string, nowMs: number): number {
  const start = Date.parse(startIso);
  if (Number.isNaN(start)) return 0;
  return Math.trunc((start - nowMs) / 60_000);
}

/** The tiers most notice first, as the API answers them (input may come in any order). */
export function sortTiers(policy: readonly Tier[]): Tier[] {
  return [...policy].sort((a, b) => b.min_hours_before - a.min_hours_before);
}

/**
 * The tier a client's cancellation `minutes` before the start falls in: the first with
 * at least its notice, most notice first; null (nothing back) when the notice is
 * shorter than every tier (`CancellationPolicy::refund_percent`).
 */
export function tierFor(policy: readonly Tier[], minutes: number): Tier | null {
  return sortTiers(policy).find((t) => minutes >= t.min_hours_before * 60) ?? null;
}

/** Every charge in these currencies is a multiple of this many minor units
 * (three-decimal currencies by 10, forints whole); refunds are rounded down to it. */
export function currencyStep(currency: string): number {
  const c = currency.toUpperCase();
  if (['KWD', 'BHD', 'JOD', 'OMR', 'TND'].includes(c)) return 10;
  if (c === 'HUF') return 100;
  return 1;
}

/**
 * What comes back of `paid` at `percent`: rounded down to the currency's step, never
 * more than was paid; 100 % is all of it (`cm_payments::terms::refund_amount`).
 */
export function refundAmount(currency: string, paid: number, percent: number): number {
  if (paid <= 0) return 0;
  const p = Math.min(Math.max(percent, 0), 100);
  if (p >= 100) return paid;
  const raw = Math.floor((paid * p) / 100);
  const step = currencyStep(currency);
  return Math.min(Math.max(raw - (((raw % step) + step) % step), 0), paid);
}

export interface CancellationPreview {
  /** The client may cancel now (pending, or confirmed and outside the window, before the end). */
  allowed: boolean;
  /** Why not, in words, when not allowed. */
  refusal: string | null;
  minutesBefore: number;
  tier: Tier | null;
  percent: number;
  /** Held on the card and not yet taken: released in full. */
  releasedMinor: number;
  /** Taken: what the policy gives back of it now, less what was refunded already. */
  refundMinor: number;
  paidMinor: number;
  /** When the percentage drops to the next tier (ms since the epoch), if it does before the start. */
  dropsAt: number | null;
  /** The percentage after that drop. */
  nextPercent: number | null;
}

/**
 * What cancelling `b` as its client at `nowMs` would give back, by the booking's frozen
 * policy: holds are released, and of what was captured the tier's percentage comes
 * back (docs/payments.md, "Cancellation → refund by the frozen tier").
 */
export function cancellationPreview(b: BookingDetail, nowMs: number): CancellationPreview {
  const minutes = minutesBefore(b.start, nowMs);
  const policy = b.payment.cancellation_policy;
  const tier = tierFor(policy, minutes);
  const percent = tier?.refund_percent ?? 0;
  const paid = b.payment.paid_minor ?? 0;
  const already = b.payment.refunded_minor ?? 0;
  const target = refundAmount(b.price.currency, paid, percent);
  const start = Date.parse(b.start);
  let refusal: string | null = null;
  if (b.status !== 'pending' && b.status !== 'confirmed') {
    refusal = `A ${b.status} booking cannot be cancelled.`;
  } else if (nowMs >= Date.parse(b.end)) {
    refusal = 'The session is over; it can no longer be cancelled.';
  } else if (b.status === 'confirmed' && start - nowMs < b.cancellation_window_hours * HOUR_MS) {
    refusal = `A confirmed booking cannot be cancelled by you within ${b.cancellation_window_hours} hours of its start. Contact the photographer.`;
  }
  let dropsAt: number | null = null;
  let nextPercent: number | null = null;
  if (tier && tier.min_hours_before > 0) {
    dropsAt = start - tier.min_hours_before * HOUR_MS;
    nextPercent = tierFor(policy, tier.min_hours_before * 60 - 1)?.refund_percent ?? 0;
  }
  return {
    allowed: refusal === null,
    refusal,
    minutesBefore: minutes,
    tier,
    percent,
    releasedMinor: b.payment.authorized_minor ?? 0,
    refundMinor: Math.max(target - already, 0),
    paidMinor: paid,
    dropsAt,
    nextPercent,
  };
}

export interface SettledRefund {
  /** The share of what was captured that comes back: the client's tier when they cancelled, else all. */
  percent: number;
  byClient: boolean;
  /** What the refunds add up to once settle-payments has run. */
  targetMinor: number;
  /** Refunds or releases still to come. */
  pending: boolean;
}

/**
 * What a cancelled booking gives back, worked out from the history entry that
 * cancelled it, as settle-payments does (`outcome`: who cancelled, and the minutes
 * from then to the start); null for a booking that is not cancelled.
 */
export function settledRefund(b: BookingDetail): SettledRefund | null {
  if (b.status !== 'cancelled') return null;
  const entry = [...b.history].reverse().find((h) => h.to === 'cancelled');
  const at = Date.parse(entry?.at ?? b.updated_at);
  const byClient = entry?.actor === 'client';
  const percent = byClient ? tierFor(b.payment.cancellation_policy, minutesBefore(b.start, at))?.refund_percent ?? 0 : 100;
  const targetMinor = refundAmount(b.price.currency, b.payment.paid_minor ?? 0, percent);
  const pending = (b.payment.authorized_minor ?? 0) > 0 || (b.payment.refunded_minor ?? 0) < targetMinor;
  return { percent, byClient, targetMinor, pending };
}

/** The payments the booking's client can start now (POST /bookings/{id}/payments);
 * the API decides (409 otherwise), this only offers the buttons that can work. */
export function payableKinds(b: BookingDetail): PaymentKind[] {
  const p = b.payment;
  if (b.status !== 'pending' && b.status !== 'confirmed') return [];
  if (p.deposit_minor === undefined) return []; // a currency the platform cannot charge
  const state: PaymentState = p.state ?? 'unpaid';
  if (state === 'unpaid' || state === 'failed') {
    // A failed balance leaves the deposit taken: the balance is what is left to pay.
    if (state === 'failed' && (p.paid_minor ?? 0) > 0) return b.status === 'confirmed' ? ['balance'] : [];
    return (p.balance_minor ?? 0) > 0 ? ['deposit', 'full'] : ['full'];
  }
  if (state === 'deposit_paid' && b.status === 'confirmed' && (p.due_minor ?? 0) > 0) return ['balance'];
  return [];
}

/** How much a payment of `kind` asks for, from the booking's terms. */
export function kindAmount(b: BookingDetail, kind: PaymentKind): number {
  const p = b.payment;
  if (kind === 'deposit') return p.deposit_minor ?? 0;
  if (kind === 'balance') return p.due_minor ?? p.balance_minor ?? 0;
  return b.price.amount_minor;
}

const STATE_TEXT: Record<PaymentState, string> = {
  unpaid: 'Not paid yet',
  failed: 'The last payment failed',
  authorized: 'Held on your card until the photographer confirms',
  released: 'The hold on your card was released',
  deposit_paid: 'Deposit paid',
  paid: 'Paid in full',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
  disputed: 'Disputed with your bank',
};
export function paymentStateText(s: PaymentState | undefined): string {
  return s ? STATE_TEXT[s] ?? s : 'Not known yet';
}

/** Stripe's decline codes in words a client can act on; unknown codes as they are. */
export function declineText(code: string): string {
  const known: Record<string, string> = {
    card_declined: 'Your card was declined.',
    generic_decline: 'Your card was declined.',
    insufficient_funds: 'Your card has insufficient funds.',
    authentication_required: 'Your bank asks you to confirm this payment.',
    expired_card: 'Your card has expired.',
    incorrect_cvc: 'The card’s security code is incorrect.',
  };
  return known[code] ?? `The payment failed (${code}).`;
}

const STATUS_WORD: Record<BookingStatus, string> = {
  pending: 'requested', confirmed: 'confirmed', declined: 'declined', cancelled: 'cancelled', completed: 'completed',
  expired: 'expired',
};
const ACTOR: Record<ClientHistoryEntry['actor'], string> = {
  client: 'you', photographer: 'the photographer', admin: 'Capture Moments', system: 'automatically',
};

/**
 * An instant on the wall clock of `timeZone` (the photographer's), labelled as
 * `wallClock` labels the API's local times: the history's starts come in UTC.
 */
export function zonedLabel(rfc3339: string, timeZone: string): string {
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return rfc3339;
  try {
    const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).formatToParts(t).map((p) => [p.type, p.value]));
    return wallClock(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`).label;
  } catch {
    return wallClock(rfc3339).label; // an unknown zone: the instant as written
  }
}

/** One line of a booking's history, from the client's side; starts on `timeZone`'s clock. */
export function historyText(h: ClientHistoryEntry, timeZone = 'UTC'): string {
  const who = ACTOR[h.actor] ?? h.actor;
  if (h.action === 'created') return `Requested by ${who}`;
  if (h.action === 'rescheduled') {
    const to = h.new_start ? ` to ${zonedLabel(h.new_start, timeZone)}` : '';
    const from = h.previous_start ? ` from ${zonedLabel(h.previous_start, timeZone)}` : '';
    return `Moved${from}${to} by ${who}${h.to !== h.from ? ` (now ${STATUS_WORD[h.to]})` : ''}`;
  }
  const verb = STATUS_WORD[h.to] ?? h.to;
  return h.actor === 'system' ? `${verb.charAt(0).toUpperCase()}${verb.slice(1)} automatically` : `${verb.charAt(0).toUpperCase()}${verb.slice(1)} by ${who}`;
}

/** A money amount in a booking's currency. */
export function money(minor: number, currency: string): string {
  return formatMoney({ amount_minor: minor, currency });
}

/** The badge's text: the count, or "99+" when the API capped it. */
export function unreadLabel(unread: number, capped: boolean): string {
  if (unread <= 0) return '';
  return capped ? '99+' : String(unread);
}

/** Where a notification leads in the app: a delivered gallery to its photos, anything
 * else about a booking to the booking's page. */
export function notificationHref(n: AppNotification): string | null {
  const id = n.booking_id ?? /^\/bookings\/([0-9A-Z]{26})/.exec(n.link ?? '')?.[1];
  if (!id) return null;
  const gallery = n.kind === 'gallery_delivered' || /^\/bookings\/[0-9A-Z]{26}\/gallery$/.test(n.link ?? '');
  return gallery ? `/bookings/${id}/gallery` : `/bookings/${id}`;
}

/** The newest id of a page (listed newest first), for "mark all read" (`up_to`). */
export function newestId(items: readonly AppNotification[]): string | null {
  return items.reduce<string | null>((m, n) => (m === null || n.id > m ? n.id : m), null);
}

/**
 * A booking as a change answered it (status, reschedule: answers without the parties'
 * names, which only `GET /bookings/{id}` gives), keeping the names the page had read.
 */
export function withNames(next: BookingDetail, prev: BookingDetail | null): BookingDetail {
  if (!prev || prev.id !== next.id) return next;
  const out = { ...next };
  if (out.client_name === undefined && prev.client_name !== undefined) out.client_name = prev.client_name;
  if (out.photographer_name === undefined && prev.photographer_name !== undefined) out.photographer_name = prev.photographer_name;
  return out;
}
