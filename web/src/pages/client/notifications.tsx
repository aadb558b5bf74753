import { useEffect, useRef, useState } from 'preact/hooks';
import { listNotifications, markNotificationsRead } from '../../api/client-area';
import type { AppNotification, UnreadNotifications } from '../../api/types';
import { Empty, ErrorMessage, Link, Loading, useApp, useAsync } from '../../components/ui';
import { clockTime } from '../../format';
import { useFrames, useRealtimeStatus } from '../../realtime/hooks';
import { type Badge, badgeAfter, notificationsAfter } from '../../realtime/badge';
import { navigate } from '../../router';
import { newestId, notificationHref, unreadLabel } from './terms';

// The nav's badge and the list share the unread count: the list reports each answer
// of POST /notifications/read here, and the badge shows it without asking again.
const listeners = new Set<(u: UnreadNotifications) => void>();
function reportUnread(u: UnreadNotifications): void {
  for (const l of listeners) l(u);
}

/** The nav link with the unread count: read on every new screen and each time the
 * socket (re)opens (frames sent while it was down are not sent again), and moved by the
 * socket's `notification` and `notifications_read` frames in between. */
export function NotificationsLink({ path, current }: { path: string; current: boolean }) {
  const { api, session } = useApp();
  const [badge, setBadge] = useState<Badge | null>(null);
  // The frames arrive faster than renders: each one is applied to the latest badge.
  const latest = useRef<Badge | null>(null);
  const [round, setRound] = useState(0);
  const { opens } = useRealtimeStatus();
  const show = (b: Badge | null) => {
    latest.current = b;
    setBadge(b);
  };
  useEffect(() => {
    const l = (u: UnreadNotifications) => show({ unread: u.unread, capped: u.unread_capped, newest: latest.current?.newest ?? null });
    listeners.add(l);
    return () => { listeners.delete(l); };
  }, []);
  useEffect(() => {
    if (!session) return;
    let gone = false;
    listNotifications(api, null, 1)
      .then((n) => { if (!gone) show({ unread: n.unread, capped: n.unread_capped, newest: n.items[0]?.id ?? null }); })
      .catch(() => undefined); // the badge is a hint; the page itself shows errors
    return () => { gone = true; };
  }, [api, session?.user.id, path, opens, round]);
  useFrames((f) => {
    if (!latest.current) return; // the first read, still on its way, will count it
    const next = badgeAfter(latest.current, f);
    if (next.badge !== latest.current) show(next.badge);
    if (next.refetch) setRound((r) => r + 1);
  });
  const count = badge ? unreadLabel(badge.unread, badge.capped) : '';
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
  // What is shown: the first page, older pages after it, notifications pushed since,
  // and read marks from this tab or (by frames) any other.
  const [list, setList] = useState<AppNotification[] | null>(null);
  const [before, setBefore] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { opens } = useRealtimeStatus();
  const seenOpens = useRef(opens);
  useEffect(() => {
    if (first.state === 'done') setList(first.value.items);
  }, [first]);
  useFrames((f) => setList((l) => (l && notificationsAfter(l, f)) ?? l));
  // Back after a drop: what came meanwhile is read again and merged, older pages kept.
  useEffect(() => {
    if (opens <= seenOpens.current) return;
    seenOpens.current = opens;
    if (list === null) return;
    listNotifications(api).then((page) => setList((l) => {
      const fresh = new Map(page.items.map((n) => [n.id, n]));
      const rest = (l ?? []).filter((n) => !fresh.has(n.id));
      return [...page.items, ...rest].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    }), () => undefined);
  }, [opens]);
  const items = list ?? [];
  const next = before === undefined ? (first.state === 'done' ? first.value.next_before ?? null : null) : before;
  const unread = items.filter((n) => !n.read);

  async function mark(which: { up_to: string } | { ids: string[] }, ids: string[]) {
    setBusy(true);
    setError(null);
    try {
      reportUnread(await markNotificationsRead(api, which));
      const done = new Set(ids);
      setList((l) => l && l.map((n) => (done.has(n.id) ? { ...n, read: true } : n)));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function loadOlder(b: string) {
    try {
      const page = await listNotifications(api, b);
      setList((l) => [...(l ?? []), ...page.items.filter((n) => !l?.some((m) => m.id === n.id))]);
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
      {list !== null && items.length === 0 && (
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
