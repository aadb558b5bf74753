// The Account page's route and nav item, for every signed-in role (web/README.md: one
// file per area, called by app.tsx). The page is a chunk of its own (`import()`): the
// public pages never load it.
import type { VNode } from 'preact';
import type { SessionState } from '../api/client';
import { ErrorMessage, Link, Loading, useAsync } from '../components/ui';

type Page = typeof import('../pages/account/account');
let page: Promise<Page> | null = null;
/** The chunk, fetched once (and again after a failed try). */
function loadPage(): Promise<Page> {
  page ??= import('../pages/account/account').catch((e) => {
    page = null;
    throw e;
  });
  return page;
}

function Lazy() {
  const [mod, retry] = useAsync(loadPage, []);
  if (mod.state === 'loading') return <Loading what="your account" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  const { AccountPage } = mod.value;
  return <AccountPage />;
}

export function accountRoute(path: string, _query: URLSearchParams, session: SessionState | null): VNode | null {
  if (path !== '/account') return null;
  if (session) return <Lazy />;
  return (
    <section class="narrow">
      <h1>Sign in to continue</h1>
      <p>
        <Link class="button" href={`/sign-in?next=${encodeURIComponent(path)}`}>
          Sign in
        </Link>
      </p>
    </section>
  );
}

/** "Account" in the main navigation, for anyone signed in. */
export function accountNav(path: string, session: SessionState | null): VNode | null {
  if (!session) return null;
  return (
    <li>
      <Link href="/account" aria-current={path === '/account' ? 'page' : undefined}>
        Account
      </Link>
    </li>
  );
}
