// The chat's routes and nav item (web/README.md: one file per area, called by app.tsx):
// `/chats` and `/bookings/{id}/chat`, one chunk of their own that the public pages never
// load. The socket itself (src/realtime/) is in the first chunk: the notifications
// badge follows it on every screen.
import type { VNode } from 'preact';
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

/** "Messages" in the main navigation, for clients and photographers (admins read a
 * booking's chat from its page). */
export function chatNav(path: string, session: SessionState | null): VNode | null {
  const role = session?.user.role;
  if (role !== 'client' && role !== 'photographer') return null;
  return (
    <li>
      <Link href="/chats" aria-current={path === '/chats' ? 'page' : undefined}>
        Messages
      </Link>
    </li>
  );
}
