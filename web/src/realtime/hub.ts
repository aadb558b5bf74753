// Where the screens find the tab's socket. The socket's code (socket.ts, rules.ts) is a
// chunk of its own, loaded once someone signs in: a visitor of the public pages never
// downloads it. This module, in the first chunk, only holds the socket once it exists.
import type { RealtimeSocket } from './socket';

let enabled = false;
let current: RealtimeSocket | null = null;
const arrivals = new Set<() => void>();

/** /config.json names a WebSocket API (and the browser has WebSocket): live features
 * are coming, even while the socket's chunk is still loading. */
export function enableRealtime(): void {
  enabled = true;
}

export function realtimeEnabled(): boolean {
  return enabled;
}

export function setRealtime(socket: RealtimeSocket): void {
  current = socket;
  for (const l of arrivals) l();
}

export function realtime(): RealtimeSocket | null {
  return current;
}

/** Calls `listener` when the socket arrives (at most once, later than now). */
export function onRealtime(listener: () => void): () => void {
  arrivals.add(listener);
  return () => arrivals.delete(listener);
}
