// The screens' view of the tab's socket (src/realtime/socket.ts, through hub.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { onRealtime, realtime, realtimeEnabled } from './hub';
import type { ServerFrame } from './rules';
import type { RealtimeSocket, Status } from './socket';

/** The socket, once its chunk has loaded (null before, and without a WebSocket API). */
export function useRealtime(): RealtimeSocket | null {
  const [socket, setSocket] = useState(realtime);
  useEffect(() => {
    if (socket) return undefined;
    const now = realtime();
    if (now) {
      setSocket(now);
      return undefined;
    }
    return onRealtime(() => setSocket(realtime()));
  }, [socket]);
  return socket;
}

/** Calls `handler` with each new frame while the component is shown (the newest
 * handler, so it sees the component's current state). */
export function useFrames(handler: (f: ServerFrame) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  const socket = useRealtime();
  useEffect(() => socket?.onFrame((f) => ref.current(f)), [socket]);
}

/** The socket's state, and how many times it has opened (a reconnect moves it). While
 * its chunk loads: `connecting`; without a WebSocket API configured: `off`, 0. */
export function useRealtimeStatus(): { status: Status; opens: number } {
  const socket = useRealtime();
  const initial: Status = socket?.status ?? (realtimeEnabled() ? 'connecting' : 'off');
  const [state, setState] = useState({ status: initial, opens: socket?.openCount ?? 0 });
  useEffect(() => {
    if (!socket) return undefined;
    setState({ status: socket.status, opens: socket.openCount });
    return socket.onStatus((status, opens) => setState({ status, opens }));
  }, [socket]);
  return state;
}
