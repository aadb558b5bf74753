import { configDocument } from '../../config';

/**
 * How the browser completes a card payment, from `/config.json`'s `payments` field:
 *
 * - `{"provider": "stripe"}` (also what a config without the field means): Stripe.js's
 *   Payment Element with the intent's `client_secret` and the `publishable_key` the
 *   API answers. Stripe.js is only ever loaded from js.stripe.com (Stripe requires it),
 *   so the hosting's Content-Security-Policy must allow it.
 * - `{"provider": "standin", "standinUrl": "http://127.0.0.1:<port>"}`: the local
 *   stack's Stripe stand-in (tools/stripe-standin), whose checkout page
 *   `/standin/checkout/<intent>?client_secret=…` plays the Payment Element with a
 *   button per test card.
 *
 * The default is Stripe because a deployment that forgets the field must never send a
 * client to a test page; the stand-in needs both the provider and its URL.
 */
export type PaymentsConfig = { provider: 'stripe' } | { provider: 'standin'; standinUrl: string };

export function parsePayments(raw: unknown): PaymentsConfig {
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const p = (typeof c.payments === 'object' && c.payments !== null ? c.payments : {}) as Record<string, unknown>;
  if (p.provider === 'standin' && typeof p.standinUrl === 'string' && /^https?:\/\/[^\s/]+/.test(p.standinUrl)) {
    return { provider: 'standin', standinUrl: p.standinUrl.replace(/\/+$/, '') };
  }
  return { provider: 'stripe' };
}

/** The stand-in's checkout page for an intent. */
export function standinCheckoutUrl(base: string, intentId: string, clientSecret: string): string {
  return `${base}/standin/checkout/${encodeURIComponent(intentId)}?client_secret=${encodeURIComponent(clientSecret)}`;
}

/** From the config document the app read at start-up (no second request). */
export function loadPayments(): Promise<PaymentsConfig> {
  return configDocument().then(parsePayments);
}
