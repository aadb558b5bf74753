import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient, SessionState } from './api/client';
import { App as Ctx, Link } from './components/ui';
import { Register, SignIn } from './pages/auth';
import { Book } from './pages/book';
import { MyBookings, PhotographerBookings } from './pages/bookings';
import { Photographer } from './pages/photographer';
import { Search } from './pages/search';
import { clientNav, clientRoute } from './routes/client';
import { photographerNav, photographerRoute } from './routes/photographer';
import { match, navigate, useLocation } from './router';
import { adminNav, adminRoute } from './routes/admin';
import { accountNav, accountRoute } from './routes/account';
import { paymentsNav, paymentsRoute } from './routes/payments';
import { chatNav, chatRoute } from './routes/chat';

export function App({ api }: { api: ApiClient }) {
  const [session, setSession] = useState<SessionState | null>(api.session);
  const [flash, setFlash] = useState<string | null>(null);
  const loc = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(() => api.subscribe(setSession), [api]);
  // A new screen moves focus to its content (as a page load would), so keyboard and
  // screen reader users start there rather than at the link they followed.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [loc.path]);
  useEffect(() => {
    const t = flash ? window.setTimeout(() => setFlash(null), 15_000) : undefined;
    return () => window.clearTimeout(t);
  }, [flash, loc.path]);

  const screen = chatRoute(loc.path, loc.query, session) ?? clientRoute(loc.path, loc.query, session)
    ?? accountRoute(loc.path, loc.query, session)
    ?? paymentsRoute(loc.path, loc.query, session) ?? route(loc.path, loc.query, session);
  const role = session?.user.role;
  return (
    <Ctx.Provider value={{ api, session, flash: setFlash }}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Capture Moments
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/" aria-current={loc.path === '/' ? 'page' : undefined}>Find a photographer</Link>
            </li>
            {role === 'client' && (
              <li>
                <Link href="/my/bookings" aria-current={loc.path === '/my/bookings' ? 'page' : undefined}>My bookings</Link>
              </li>
            )}
            {role === 'photographer' && (
              <li>
                <Link href="/photographer/bookings" aria-current={loc.path === '/photographer/bookings' ? 'page' : undefined}>
                  Booking requests
                </Link>
              </li>
            )}
            {chatNav(loc.path, session)}
            {clientNav(loc.path, session)}
            {photographerNav(loc.path, session)}
            {paymentsNav(loc.path, session)}
            {adminNav(loc.path, session)}
            {accountNav(loc.path, session)}
            {session ? (
              <li>
                <button type="button" class="linklike" onClick={() => api.logout().then(() => navigate('/'))}>
                  Sign out <span class="muted">({session.user.name})</span>
                </button>
              </li>
            ) : (
              <>
                <li>
                  <Link href="/sign-in">Sign in</Link>
                </li>
                <li>
                  <Link href="/register">Register</Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <div role="status" aria-live="polite" class={flash ? 'alert alert-ok' : 'sr-only'}>
          {flash}
        </div>
        {screen}
      </main>
      <footer class="foot">
        <p class="muted">Capture Moments · book professional photographers</p>
      </footer>
    </Ctx.Provider>
  );
}

function route(path: string, query: URLSearchParams, session: SessionState | null) {
  let m: Record<string, string> | null;
  const admin = adminRoute(path, query, session);
  if (admin) return admin;
  if (path === '/') return <Search query={query} />;
  if (path === '/sign-in') return <SignIn query={query} />;
  if (path === '/register') return <Register query={query} />;
  if ((m = match('/photographers/:id/book', path))) return <Book id={m.id as string} query={query} />;
  if ((m = match('/photographers/:id', path))) return <Photographer id={m.id as string} />;
  if (path === '/my/bookings') return session ? <MyBookings /> : <SignInFirst path={path} />;
  if (path === '/photographer/bookings') return session ? <PhotographerBookings /> : <SignInFirst path={path} />;
  const photographer = photographerRoute(path, query, session);
  if (photographer) return photographer;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing here. <Link href="/">Find a photographer</Link>.
      </p>
    </section>
  );
}

function SignInFirst({ path }: { path: string }) {
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
