// The client area's routes and nav items (web/README.md: one file per area, called by app.tsx).
import type { VNode } from 'preact';
import type { SessionState } from '../api/client';
import { BookingPage } from '../pages/client/booking';
import { NotificationsLink, NotificationsPage } from '../pages/client/notifications';
import { Recommended } from '../pages/client/recommended';
import { Search } from '../pages/search';
import { match } from '../router';
import { ErrorMessage, Loading, SignInFirst, useAsync } from '../components/ui';

type GalleryModule = typeof import('../pages/client/gallery');
let galleryModule: Promise<GalleryModule> | null = null;
/** The gallery is a chunk of its own (with the lightbox's gallery controls): fetched the
 * first time it opens, and again after a failed try. */
function loadGallery(): Promise<GalleryModule> {
  galleryModule ??= import('../pages/client/gallery').catch((e) => {
    galleryModule = null;
    throw e;
  });
  return galleryModule;
}

function LazyGallery({ id, query }: { id: string; query: URLSearchParams }) {
  const [mod, retry] = useAsync(loadGallery, []);
  if (mod.state === 'loading') return <Loading what="the photos" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  return <mod.value.GalleryScreen id={id} query={query} />;
}

/** The client area's screen for `path`, or null when the path is not the client area's. */
export function clientRoute(path: string, query: URLSearchParams, session: SessionState | null): VNode | null {
  let m: Record<string, string> | null;
  if (path === '/' && session?.user.role === 'client' && [...query.keys()].length === 0) {
    // The landing search, with recommendations for the signed-in client under its filters.
    return (
      <Search query={query}>
        <Recommended />
      </Search>
    );
  }
  if ((m = match('/bookings/:id/gallery', path))) {
    return session ? <LazyGallery id={m.id as string} query={query} /> : <SignInFirst path={path} query={query} />;
  }
  if ((m = match('/bookings/:id', path))) {
    return session ? <BookingPage id={m.id as string} query={query} /> : <SignInFirst path={path} query={query} />;
  }
  if (path === '/notifications') return session ? <NotificationsPage /> : <SignInFirst path={path} query={query} />;
  return null;
}

/** Nav items of the client area: notifications with the unread count, for anyone signed in. */
export function clientNav(path: string, session: SessionState | null): VNode | null {
  if (!session) return null;
  return (
    <li>
      <NotificationsLink path={path} current={path === '/notifications'} />
    </li>
  );
}

