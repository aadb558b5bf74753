// One WebSocket per signed-in tab to the chat WebSocket API (README.md "Chat
// (WebSocket API)"): opened with the access token as the second subprotocol, closed
// on sign-out, reopened after a drop with a capped, jittered backoff (refreshing the
// token first when the drop looks like a refused token), and every pushed frame handed
// to the screens once, however often it is delivered.
import { type ClientFrame, type ServerFrame, Seen, frameKey, parseFrame, reconnectPlan, shouldRefresh } from './rules';

/** What the socket needs of the API client (src/api/client.ts): the session, its
 * changes, and the shared refresh. */
export interface SessionSource {
  readonly session: { user: { id: string }; accessToken: string; expiresAt: number } | null;
  subscribe(listener: (s: SessionSource['session']) => void): () => void;
  refresh(): Promise<boolean>;
}

/** `off`: signed out (or stopped); `connecting`: a handshake under way; `open`;
 * `waiting`: dropped, the next attempt scheduled. */
export type Status = 'off' | 'connecting' | 'open' | 'waiting';

export const SUBPROTOCOL = 'capture-moments';
/** API Gateway closes a socket idle for 10 minutes. */
export const PING_EVERY_MS = 5 * 60_000;
/** A token this close to its expiry is refreshed before a handshake. */
const TOKEN_MARGIN_MS = 30_000;

interface SocketLike {
  readonly readyState: number;
  onopen: ((e: unknown) => void) | null;
  onclose: ((e: { code: number }) => void) | null;
  onmessage: ((e: { data: unknown }) => void) | null;
  onerror: ((e: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketOptions {
  WebSocket?: new (url: string, protocols: string[]) => SocketLike;
  now?: () => number;
  random?: () => number;
  setTimeout?: (f: () => void, ms: number) => unknown;
  clearTimeout?: (t: unknown) => void;
}

const CONNECTING = 0;
const OPEN = 1;

export class RealtimeSocket {
  private readonly make: new (url: string, protocols: string[]) => SocketLike;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly later: (f: () => void, ms: number) => unknown;
  private readonly cancel: (t: unknown) => void;

  private ws: SocketLike | null = null;
  private user: string | null = null;
  private state: Status = 'off';
  /** Bumped by every connect and stop: an older run's callbacks see it moved and stop. */
  private generation = 0;
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private forceRefresh = false;
  private refreshedThisOutage = false;
  private opens = 0;
  private readonly seen = new Seen();
  private readonly frameListeners = new Set<(f: ServerFrame) => void>();
  private readonly statusListeners = new Set<(s: Status, opens: number) => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(readonly url: string, private readonly source: SessionSource, opts: SocketOptions = {}) {
    this.make = opts.WebSocket ?? (globalThis.WebSocket as unknown as new (url: string, protocols: string[]) => SocketLike);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.later = opts.setTimeout ?? ((f, ms) => globalThis.setTimeout(f, ms));
    this.cancel = opts.clearTimeout ?? ((t) => globalThis.clearTimeout(t as number));
  }

  get status(): Status {
    return this.state;
  }

  /** How many times a socket has opened: a screen that saw 1 and now sees 2 knows it
   * may have missed frames in between, and reads them over HTTP. */
  get openCount(): number {
    return this.opens;
  }

  /** Follows the session: connects when someone is signed in, closes on sign-out,
   * starts over when another person signs in. */
  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.source.subscribe(() => this.follow());
    this.follow();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.shutdown();
  }

  onFrame(listener: (f: ServerFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onStatus(listener: (s: Status, opens: number) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Sends when open; false when not (the caller keeps what it meant to send). */
  send(frame: ClientFrame): boolean {
    if (!this.ws || this.ws.readyState !== OPEN || this.state !== 'open') return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** The network is back, or the tab visible again: try now rather than at the
   * scheduled time. */
  wake(): void {
    if (this.state !== 'waiting') return;
    this.cancel(this.retryTimer);
    this.retryTimer = null;
    void this.connect();
  }

  private follow(): void {
    const id = this.source.session?.user.id ?? null;
    if (id === this.user) return;
    this.shutdown();
    this.user = id;
    if (id) void this.connect();
  }

  private shutdown(): void {
    this.generation++;
    this.cancel(this.retryTimer);
    this.cancel(this.pingTimer);
    this.retryTimer = this.pingTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = null;
      const close = () => {
        try {
          ws.close(1000, 'signed out');
        } catch {
          // already closing
        }
      };
      // Closing a socket still connecting makes the browser log an error (as if the
      // connection had failed): let it open first, then close it.
      if (ws.readyState === CONNECTING) {
        ws.onopen = close;
        ws.onerror = () => undefined;
      } else {
        ws.onopen = null;
        close();
      }
    }
    this.user = null;
    this.attempt = 0;
    this.forceRefresh = this.refreshedThisOutage = false;
    this.setStatus('off');
  }

  private setStatus(s: Status): void {
    if (s === this.state) return;
    this.state = s;
    for (const l of this.statusListeners) l(s, this.opens);
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    this.setStatus('connecting');
    let session = this.source.session;
    if (!session) {
      this.setStatus('off');
      return;
    }
    if (this.forceRefresh || session.expiresAt - this.now() < TOKEN_MARGIN_MS) {
      this.forceRefresh = false;
      this.refreshedThisOutage = true;
      // Offline (the refresh itself could not be sent): keep the token and let the
      // handshake fail and back off like any other.
      await this.source.refresh().catch(() => true);
      if (gen !== this.generation) return;
      session = this.source.session;
      // Signed out by the refresh: the session listener has shut this down already.
      if (!session) return;
    }
    let ws: SocketLike;
    try {
      ws = new this.make(this.url, [SUBPROTOCOL, session.accessToken]);
    } catch {
      this.dropped(null, { opened: false, code: 1006, unauthorized: false });
      return;
    }
    this.ws = ws;
    let openedAt: number | null = null;
    let unauthorized = false;
    ws.onopen = () => {
      openedAt = this.now();
      this.refreshedThisOutage = false;
      this.opens++;
      this.setStatus('open');
      this.keepAlive(ws);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      const frame = parseFrame(e.data);
      if (!frame) return;
      if (frame.type === 'error' && frame.code === 'unauthorized') {
        // The server no longer knows this connection: start a new one, with a fresh token.
        unauthorized = true;
        try {
          ws.close(4001, 'unauthorized');
        } catch {
          // closing already
        }
      }
      const key = frameKey(frame);
      if (key !== null && !this.seen.first(key)) return;
      for (const l of this.frameListeners) l(frame);
    };
    ws.onerror = () => undefined; // a close follows, which decides what to do
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const openedFor = openedAt === null ? null : this.now() - openedAt;
      this.dropped(openedFor, { opened: openedAt !== null, code: e.code, unauthorized });
    };
  }

  private dropped(openedFor: number | null, close: { opened: boolean; code: number; unauthorized: boolean }): void {
    this.cancel(this.pingTimer);
    this.pingTimer = null;
    if (!this.user || !this.source.session) {
      this.setStatus('off');
      return;
    }
    if (shouldRefresh(close, this.refreshedThisOutage)) this.forceRefresh = true;
    const plan = reconnectPlan(this.attempt, openedFor, this.random);
    this.attempt = plan.attempt;
    this.setStatus('waiting');
    const gen = this.generation;
    this.retryTimer = this.later(() => {
      if (gen !== this.generation) return;
      this.retryTimer = null;
      void this.connect();
    }, plan.delay);
  }

  private keepAlive(ws: SocketLike): void {
    this.cancel(this.pingTimer);
    this.pingTimer = this.later(() => {
      if (this.ws !== ws) return;
      this.send({ action: 'ping' });
      this.keepAlive(ws);
    }, PING_EVERY_MS);
  }
}
