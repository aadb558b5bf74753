// The chat's routes and nav item (web/README.md: one file per area, called by app.tsx):
// `/chats` and `/bookings/{id}/chat`, one chunk of their own that the public pages never
// load. The socket (src/realtime/socket.ts) and the Messages link's unread count
// (src/pages/chat/messages-badge.tsx) are chunks of their own too, loaded once someone
// signs in; only the socket's hub and hooks are in the first chunk.
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { SessionState } from '../api/client';
import { ErrorMessage, Link, Loading, SignInFirst, useAsync } from '../components/ui';
import { match } from '../router';

type ChatModule = typeof import('../pages/chat/chat');
let chatModule: Promise<ChatModule> | null = null;
function loadChat(): Promise<ChatModule> {
  chatModule ??= import('../pages/chat/chat').catch((e) => {
    chatModule = null;
    throw e;
  });
  return chatModule;
}

function Lazy({ booking }: { booking: string | null }) {
  const [mod, retry] = useAsync(loadChat, []);
  if (mod.state === 'loading') return <Loading what="messages" />;
  if (mod.state === 'error') return <ErrorMessage error={mod.error} retry={retry} />;
  const { ChatScreen, ChatsPage } = mod.value;
  return booking ? <ChatScreen id={booking} /> : <ChatsPage />;
}

export function chatRoute(path: string, query: URLSearchParams, session: SessionState | null): VNode | null {
  let m: Record<string, string> | null;
  if (path === '/chats') return session ? <Lazy booking={null} /> : <SignInFirst path={path} query={query} />;
  if ((m = match('/bookings/:id/chat', path))) {
    const id = m.id as string;
    return session ? <Lazy key={id} booking={id} /> : <SignInFirst path={path} query={query} />;
  }
  return null;
}

type BadgeModule = typeof import('../pages/chat/messages-badge');
let badgeModule: Promise<BadgeModule> | null = null;

/** The link, with the unread count once its chunk has loaded (nothing before: the count
 * is a hint). With a count, the name is one hidden line, "Messages, 3 unread", and what
 * is seen is hidden from screen readers: Chromium puts a space before any hidden span
 * ("Messages , 3 unread"), and an `aria-label` would not contain the visible "3"
 * as axe wants a name to. */
function MessagesLink({ path }: { path: string }) {
  const [mod, setMod] = useState<BadgeModule | null>(null);
  const [count, setCount] = useState('');
  useEffect(() => {
    let gone = false;
    badgeModule ??= import('../pages/chat/messages-badge').catch((e) => {
      badgeModule = null; // tried again the next time the link is drawn
      throw e;
    });
    badgeModule.then((m) => { if (!gone) setMod(m); }, () => undefined);
    return () => { gone = true; };
  }, []);
  const Badge = mod?.MessagesBadge;
  return (
    <Link href="/chats" aria-current={path === '/chats' ? 'page' : undefined}>
      <span aria-hidden={count ? 'true' : undefined}>
        Messages
        {Badge && <Badge path={path} onText={setCount} />}
      </span>
      {count && <span class="sr-only">Messages, {count} unread</span>}
    </Link>
  );
}

/** "Messages" in the main navigation, for clients and photographers (admins read a
 * booking's chat from its page). */
export function chatNav(path: string, session: SessionState | null): VNode | null {
  const role = session?.user.role;
  if (role !== 'client' && role !== 'photographer') return null;
  return (
    <li>
      <MessagesLink path={path} />
    </li>
  );
}
