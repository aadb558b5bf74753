// The payment history's route and nav item (web/README.md: one file per area, called by
// app.tsx). Clients and photographers see their own; an admin opening it sees every
// booking's (the API decides by role). A chunk of its own: the public pages never load it.
import type { VNode } from 'preact';
import type { SessionState } from '../api/client';
import { ErrorMessage, Link, Loading, SignInFirst, useAsync } from '../components/ui';

type Page = typeof import('../pages/payments/payments');
let page: Promise<Page> | null = null;
function loadPage(): Promise<Page> {
  page ??= import('../pages/payments/payments').catch((e) => {
    page = null;
    throw e;
  });
  return page;
}

function Lazy({ query }: { query: URLSearchParams }) {
  const [mod, retry] = useAsync(loadPage, []);
  if (mod.state === 'loading') return <Loading what="your payments" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  const { PaymentsPage } = mod.value;
  return <PaymentsPage query={query} />;
}

export function paymentsRoute(path: string, query: URLSearchParams, session: SessionState | null): VNode | null {
  if (path !== '/payments') return null;
  return session ? <Lazy query={query} /> : <SignInFirst path={path} query={query} />;
}

/** "Payments" in the main navigation, for clients and photographers (admins have it
 * among the admin area's items, routes/admin.tsx). */
export function paymentsNav(path: string, session: SessionState | null): VNode | null {
  const role = session?.user.role;
  if (role !== 'client' && role !== 'photographer') return null;
  return (
    <li>
      <Link href="/payments" aria-current={path === '/payments' ? 'page' : undefined}>
        Payments
      </Link>
    </li>
  );
}
