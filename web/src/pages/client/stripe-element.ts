// Stripe's Payment Element (AWS): Stripe.js is loaded from js.stripe.com, as Stripe
// requires (bundling it is not allowed), only when a client starts paying. Loaded
// through `import()` so it stays out of the initial bundle.
import type { PaymentIntent } from '../../api/types';

/** The few members of Stripe.js this page uses. */
export interface StripeLike {
  elements(opts: { clientSecret: string }): {
    create(kind: 'payment'): { mount(el: HTMLElement): void };
  };
  confirmPayment(opts: { elements: unknown; confirmParams: { return_url: string } }): Promise<{ error?: { message?: string } }>;
}
type StripeFactory = (publishableKey: string) => StripeLike;

const SRC = 'https://js.stripe.com/v3/';
let loading: Promise<StripeFactory> | null = null;

function loadStripeJs(doc: Document = document): Promise<StripeFactory> {
  const w = doc.defaultView as (Window & { Stripe?: StripeFactory }) | null;
  if (w?.Stripe) return Promise.resolve(w.Stripe);
  loading ??= new Promise<StripeFactory>((resolve, reject) => {
    const s = doc.createElement('script');
    s.src = SRC;
    s.async = true;
    s.onload = () => (w?.Stripe ? resolve(w.Stripe) : reject(new Error('Card payments could not load.')));
    s.onerror = () => {
      loading = null;
      reject(new Error('Card payments could not load. Check your connection and try again.'));
    };
    doc.head.appendChild(s);
  });
  return loading;
}

/**
 * Mounts the Payment Element for `intent` into `el`; `confirm` sends the card to
 * Stripe, which redirects to `returnUrl` (with `redirect_status`) on success and
 * answers the refusal's message otherwise.
 */
export async function mountPaymentElement(
  el: HTMLElement,
  intent: PaymentIntent,
  returnUrl: string,
  load: () => Promise<StripeFactory> = () => loadStripeJs(),
): Promise<{ confirm: () => Promise<string | null> }> {
  if (!intent.client_secret || !intent.publishable_key) throw new Error('The payment could not be opened. Try again.');
  const stripe = (await load())(intent.publishable_key);
  const elements = stripe.elements({ clientSecret: intent.client_secret });
  elements.create('payment').mount(el);
  return {
    async confirm() {
      const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: returnUrl } });
      return error ? error.message ?? 'The payment was refused.' : null;
    },
  };
}
