// The admin area's routes and navigation, called from app.tsx. Every screen needs a
// signed-in admin; the API checks the role too (403), this only spares the round trip.
import type { VNode } from 'preact';
import type { SessionState } from '../api/client';
import { ErrorMessage, Link, Loading, useAsync } from '../components/ui';

type Pages = typeof import('../pages/admin/index');
let pages: Promise<Pages> | null = null;
/** The admin area's chunk, fetched once (and again after a failed try). */
function loadPages(): Promise<Pages> {
  pages ??= import('../pages/admin/index').catch((e) => {
    pages = null;
    throw e;
  });
  return pages;
}

function Lazy({ page, query }: { page: 'Dashboard' | 'Users' | 'AllBookings' | 'FeedbackTriage'; query: URLSearchParams }) {
  const [mod, retry] = useAsync(loadPages, []);
  if (mod.state === 'loading') return <Loading what="the admin area" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  const Page = mod.value[page];
  return <Page query={query} />;
}

const PAGES: { path: string; name: string }[] = [
  { path: '/admin', name: 'Dashboard' },
  { path: '/admin/users', name: 'Users' },
  { path: '/admin/bookings', name: 'All bookings' },
  { path: '/admin/feedback', name: 'Feedback' },
];

export function adminRoute(path: string, query: URLSearchParams, session: SessionState | null): VNode | null {
  if (path !== '/admin' && !path.startsWith('/admin/')) return null;
  if (!session) {
    return (
      <section class="narrow">
        <h1>Sign in to continue</h1>
        <p>
          <Link class="button" href={`/sign-in?next=${encodeURIComponent(path + (query.size ? `?${query}` : ''))}`}>
            Sign in
          </Link>
        </p>
      </section>
    );
  }
  if (session.user.role !== 'admin') {
    return (
      <section class="narrow">
        <h1>Admins only</h1>
        <p>This part of Capture Moments is for the platform's administrators.</p>
      </section>
    );
  }
  if (path === '/admin') return <Lazy page="Dashboard" query={query} />;
  if (path === '/admin/users') return <Lazy page="Users" query={query} />;
  if (path === '/admin/bookings') return <Lazy page="AllBookings" query={query} />;
  if (path === '/admin/feedback') return <Lazy page="FeedbackTriage" query={query} />;
  return null;
}

/** The admin's items in the main navigation: the admin area's pages, then every
 * booking's payments (the shared payment history, `/payments`, whose chunk and route
 * are routes/payments.tsx's; the API answers an admin with every booking's). */
export function adminNav(path: string, session: SessionState | null): VNode[] {
  if (session?.user.role !== 'admin') return [];
  return [...PAGES, { path: '/payments', name: 'Payments' }].map((p) => (
    <li key={p.path}>
      <Link href={p.path} aria-current={path === p.path ? 'page' : undefined}>
        {p.name}
      </Link>
    </li>
  ));
}
