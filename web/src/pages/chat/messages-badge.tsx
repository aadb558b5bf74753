// The unread count beside "Messages" in the navigation: a chunk of its own, loaded only
// for a signed-in client or photographer (src/routes/chat.tsx), so the public pages do
// not carry it. The rules are unread-rules.ts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { listChats } from '../../api/chat';
import { useApp } from '../../components/ui';
import { useFrames, useRealtimeStatus } from '../../realtime/hooks';
import { FIRST_PAGE, type UnreadState, badgeText, fromChats, openChat, totalUnread, unreadAfter } from './unread-rules';

const visible = () => typeof document === 'undefined' || document.visibilityState === 'visible';

/**
 * The count, inside the nav link: read from GET /chats when the socket opens (and after
 * each reconnection: frames sent while it was down are not sent again), moved by the
 * socket's `message` and `marked` frames in between. Without a live socket it is read
 * again on each new screen instead. The link's name ("Messages, 3 unread") is the
 * link's own to set: `onText` gives it the count shown.
 */
export function MessagesBadge({ path, onText }: { path: string; onText: (text: string) => void }) {
  const { api, session } = useApp();
  const me = session?.user.id ?? '';
  const [state, setState] = useState<UnreadState>({});
  // Frames arrive faster than renders: each one is applied to the latest state.
  const latest = useRef<UnreadState>({});
  const show = (s: UnreadState) => {
    latest.current = s;
    setState(s);
  };
  const { status, opens } = useRealtimeStatus();
  useEffect(() => show({}), [me]);
  // While the socket is connecting, its opening brings the read: one read, not two.
  const when = status === 'open' ? `open ${opens}` : status === 'connecting' ? null : `screen ${path}`;
  useEffect(() => {
    if (!me || when === null) return undefined;
    let gone = false;
    listChats(api, null, FIRST_PAGE)
      .then((page) => { if (!gone) show(fromChats(page, latest.current)); })
      .catch(() => undefined); // the badge is a hint; the Messages page itself shows errors
    return () => { gone = true; };
  }, [api, me, when]);
  useFrames((f) => {
    const next = unreadAfter(latest.current, f, me, openChat(path, visible()));
    if (next !== latest.current) show(next);
  });
  const text = badgeText(totalUnread(state));
  useEffect(() => onText(text), [text]);
  if (!text) return null;
  return <span class="count" data-testid="messages-badge">{text}</span>;
}
