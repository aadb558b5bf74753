import type { VNode } from 'preact';
import type { SessionState } from '../api/client';
import { ErrorMessage, Link, Loading, useAsync } from '../components/ui';
import { CalendarPage } from '../pages/photographer/calendar';
import { HoursEditor } from '../pages/photographer/hours';
import { PortfolioPage } from '../pages/photographer/portfolio';
import { PricingPage } from '../pages/photographer/pricing';
import { PayoutsPage, ProfileEditor } from '../pages/photographer/profile';
import { match } from '../router';

type StatsModule = typeof import('../pages/photographer/stats');
let statsModule: Promise<StatsModule> | null = null;
/** The stats screen is a chunk of its own (with the charts another), fetched the first
 * time it opens (and again after a failed try): the public pages do not carry it. */
function loadStats(): Promise<StatsModule> {
  statsModule ??= import('../pages/photographer/stats').catch((e) => {
    statsModule = null;
    throw e;
  });
  return statsModule;
}

function LazyStats({ query }: { query: URLSearchParams }) {
  const [mod, retry] = useAsync(loadStats, []);
  if (mod.state === 'loading') return <Loading what="your stats" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  return <mod.value.StatsPage query={query} />;
}

type DeliveryModule = typeof import('../pages/photographer/delivery');
let deliveryModule: Promise<DeliveryModule> | null = null;
/** A booking's gallery delivery (uploads, retention, delivery): a chunk of its own. */
function loadDelivery(): Promise<DeliveryModule> {
  deliveryModule ??= import('../pages/photographer/delivery').catch((e) => {
    deliveryModule = null;
    throw e;
  });
  return deliveryModule;
}

function LazyDelivery({ id }: { id: string }) {
  const [mod, retry] = useAsync(loadDelivery, []);
  if (mod.state === 'loading') return <Loading what="the gallery" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  return <mod.value.GalleryDeliveryScreen id={id} />;
}

/** The photographer's own screens (booking requests stay in app.tsx). */
const SCREENS: { path: string; label: string; render: (query: URLSearchParams) => VNode }[] = [
  { path: '/photographer/profile', label: 'Profile', render: () => <ProfileEditor /> },
  { path: '/photographer/hours', label: 'Hours', render: () => <HoursEditor /> },
  { path: '/photographer/pricing', label: 'Pricing', render: () => <PricingPage /> },
  { path: '/photographer/portfolio', label: 'Portfolio', render: () => <PortfolioPage /> },
  { path: '/photographer/calendar', label: 'Calendar', render: (q) => <CalendarPage query={q} /> },
  { path: '/photographer/stats', label: 'Stats', render: (q) => <LazyStats query={q} /> },
  { path: '/photographer/payouts', label: 'Payouts', render: (q) => <PayoutsPage query={q} /> },
];

/** The screen for `path`, a sign-in prompt without a session, a refusal for another
 * role; null when the path is not one of these screens. */
export function photographerRoute(path: string, query: URLSearchParams, session: SessionState | null): VNode | null {
  const gallery = match('/photographer/bookings/:id/gallery', path);
  const screen = gallery
    ? { render: () => <LazyDelivery id={gallery.id as string} /> }
    : SCREENS.find((s) => s.path === path);
  if (!screen) return null;
  if (!session) {
    return (
      <section class="narrow">
        <h1>Sign in to continue</h1>
        <p>
          <Link class="button" href={`/sign-in?next=${encodeURIComponent(path + (query.toString() ? `?${query}` : ''))}`}>Sign in</Link>
        </p>
      </section>
    );
  }
  if (session.user.role !== 'photographer') {
    return (
      <section class="narrow">
        <h1>For photographers</h1>
        <p>This page is for photographer accounts. <Link href="/">Find a photographer</Link>.</p>
      </section>
    );
  }
  return screen.render(query);
}

/** Navigation items for a signed-in photographer. */
export function photographerNav(path: string, session: SessionState | null): VNode[] {
  if (session?.user.role !== 'photographer') return [];
  return SCREENS.map((s) => (
    <li key={s.path}>
      <Link href={s.path} aria-current={path === s.path ? 'page' : undefined}>{s.label}</Link>
    </li>
  ));
}
