import { useEffect, useState } from 'preact/hooks';
import { listNotifications, markNotificationsRead } from '../../api/client-area';
import type { AppNotification, UnreadNotifications } from '../../api/types';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../../components/ui';
import { clockTime } from '../../format';
import { navigate } from '../../router';
import { newestId, notificationHref, unreadLabel } from './terms';

// The nav's badge and the list share the unread count: the list reports each answer
// of POST /notifications/read here, and the badge shows it without asking again.
const listeners = new Set<(u: UnreadNotifications) => void>();
function reportUnread(u: UnreadNotifications): void {
  for (const l of listeners) l(u);
}

/** The nav link with the unread count, read again on every new screen. */
export function NotificationsLink({ path, current }: { path: string; current: boolean }) {
  const { api, session } = useApp();
  const [unread, setUnread] = useState<UnreadNotifications | null>(null);
  useEffect(() => {
    listeners.add(setUnread);
    return () => { listeners.delete(setUnread); };
  }, []);
  useEffect(() => {
    if (!session) return;
    let gone = false;
    listNotifications(api, null, 1)
      .then((n) => { if (!gone) setUnread({ unread: n.unread, unread_capped: n.unread_capped }); })
      .catch(() => undefined); // the badge is a hint; the page itself shows errors
    return () => { gone = true; };
  }, [api, session?.user.id, path]);
  const count = unread ? unreadLabel(unread.unread, unread.unread_capped) : '';
  return (
    <Link href="/notifications" aria-current={current ? 'page' : undefined}>
      Notifications
      {count && (
        <span class="count" data-testid="unread-badge">
          {count}
          <span class="sr-only"> unread</span>
        </span>
      )}
    </Link>
  );
}

export function NotificationsPage() {
  const { api } = useApp();
  const [first, retry] = useAsync(() => listNotifications(api), []);
  const [older, setOlder] = useState<AppNotification[]>([]);
  const [before, setBefore] = useState<string | null | undefined>(undefined);
  const [read, setRead] = useState<Set<string>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const items = first.state === 'done' ? [...first.value.items, ...older].map((n) => (read.has(n.id) ? { ...n, read: true } : n)) : [];
  const next = before === undefined ? (first.state === 'done' ? first.value.next_before ?? null : null) : before;
  const unread = items.filter((n) => !n.read);

  async function mark(which: { up_to: string } | { ids: string[] }, ids: string[]) {
    setBusy(true);
    setError(null);
    try {
      reportUnread(await markNotificationsRead(api, which));
      setRead((r) => new Set([...r, ...ids]));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function loadOlder(b: string) {
    try {
      const page = await listNotifications(api, b);
      setOlder((o) => [...o, ...page.items]);
      setBefore(page.next_before ?? null);
    } catch (e) {
      setError(e);
    }
  }

  async function open(n: AppNotification, href: string) {
    if (!n.read) await mark({ ids: [n.id] }, [n.id]);
    navigate(href);
  }

  return (
    <section>
      <h1>Notifications</h1>
      {first.state === 'loading' && <Loading what="your notifications" />}
      {first.state === 'error' && <ErrorMessage error={first.error} retry={retry} />}
      {first.state === 'done' && items.length === 0 && (
        <Empty>
          <p>Nothing yet. Booking changes and payments show up here.</p>
        </Empty>
      )}
      {error !== null && <ErrorMessage error={error} />}
      {unread.length > 0 && (
        <p>
          <button type="button" class="button secondary" disabled={busy}
            onClick={() => { const top = newestId(items); if (top) void mark({ up_to: top }, items.map((n) => n.id)); }}>
            Mark all as read
          </button>
        </p>
      )}
      {items.length > 0 && (
        <ul class="notifications">
          {items.map((n) => {
            const href = notificationHref(n);
            return (
              <li key={n.id} class={n.read ? 'read' : 'unread'} data-notification={n.id}>
                <span class={n.read ? 'dot seen' : 'dot'} aria-hidden="true" />
                <div>
                  <p>
                    {!n.read && <span class="sr-only">Unread: </span>}
                    {href ? (
                      <a href={href} onClick={(e) => { if (e.button === 0 && !e.metaKey && !e.ctrlKey) { e.preventDefault(); void open(n, href); } }}>
                        {n.title}
                      </a>
                    ) : (
                      n.title
                    )}
                  </p>
                  <p class="muted">
                    <time dateTime={n.created_at}>{clockTime(n.created_at, true)}</time>
                  </p>
                </div>
                {!n.read && (
                  <button type="button" class="linklike" disabled={busy} onClick={() => mark({ ids: [n.id] }, [n.id])}>
                    Mark as read<span class="sr-only">: {n.title}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {next && (
        <button type="button" class="button secondary" onClick={() => loadOlder(next)}>
          Older notifications
        </button>
      )}
      <p class="muted">
        Also by email, as set in your account. <Link href="/my/bookings">My bookings</Link>
      </p>
    </section>
  );
}
