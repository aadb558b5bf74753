import { ApiError, networkError, problemFrom } from './problem';
import type {
  Booking, BookingRequest, BookingStatus, Credentials, ExternalCalendar, ExternalCalendarList, NewExternalCalendar, Page,
  PublicProfile, Quote, Registration, Review, Session, Slots, StatusChange, User,
} from './types';

/** Where the refresh token is kept between page loads (web/README.md weighs the choice). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** `required`: sends the access token (refreshing it as needed) and fails without a
   * session; `optional`: sends it when signed in; `none`: never (sign-in routes). */
  auth?: 'required' | 'optional' | 'none';
  headers?: Record<string, string>;
  /** Answer the body as text rather than JSON (a CSV export asked with `accept`). */
  text?: boolean;
}

export interface ClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  storage?: KeyValueStore | null;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

/** The signed-in person and the access token, which lives in this object only. */
export interface SessionState {
  user: User;
  accessToken: string;
  /** When the access token stops working, ms since the epoch. */
  expiresAt: number;
}

const REFRESH_KEY = 'cm.refresh';
/** Refresh this long before the access token expires, so a request in flight does not
 * arrive with a token that died on the way. */
const REFRESH_MARGIN_MS = 30_000;

export function buildUrl(baseUrl: string, path: string, query?: Query): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    url.searchParams.set(k, String(v));
  }
  return url.toString();
}

/**
 * The API client: JSON in and out, every refusal an ApiError carrying the problem, and
 * the session: the access token in memory, the refresh token rotated through
 * `POST /auth/refresh` before the access token expires or when an answer says 401.
 * Concurrent requests share one refresh (the API revokes a family whose rotated-out
 * token is presented again, so two refreshes racing would sign the person out).
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly storage: KeyValueStore | null;
  private readonly now: () => number;
  private state: SessionState | null = null;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<(s: SessionState | null) => void>();

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.storage = opts.storage ?? null;
    this.now = opts.now ?? Date.now;
  }

  get session(): SessionState | null {
    return this.state;
  }

  subscribe(listener: (s: SessionState | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setSession(session: Session | null): void {
    if (session) {
      this.state = {
        user: session.user,
        accessToken: session.access_token,
        expiresAt: this.now() + session.expires_in * 1000,
      };
      this.storage?.setItem(REFRESH_KEY, session.refresh_token);
    } else {
      this.state = null;
      this.storage?.removeItem(REFRESH_KEY);
    }
    for (const l of this.listeners) l(this.state);
  }

  /** The signed-in account as the API last answered it (`PATCH /me`), so the shell and
   * every screen see a new name or time zone without waiting for the next refresh. */
  updateUser(user: User): void {
    if (!this.state || this.state.user.id !== user.id) return;
    this.state = { ...this.state, user };
    for (const l of this.listeners) l(this.state);
  }

  /** After a page load: a kept refresh token becomes a session again, or is dropped. */
  async restore(): Promise<SessionState | null> {
    if (this.state) return this.state;
    if (!this.storage?.getItem(REFRESH_KEY)) return null;
    await this.refresh();
    return this.state;
  }

  /** One refresh at a time; true when a fresh access token is in hand. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const token = this.storage?.getItem(REFRESH_KEY);
    if (!token) {
      if (this.state) this.setSession(null);
      return false;
    }
    try {
      const session = await this.send<Session>('POST', '/auth/refresh', { body: { refresh_token: token } }, null);
      this.setSession(session);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        // Another holder of this storage (a duplicated tab) rotated it within the last
        // 30 s: the family lives on, under the token it stored. Use that one.
        const newer = this.storage?.getItem(REFRESH_KEY);
        if (newer && newer !== token) return this.doRefresh();
      }
      if (e instanceof ApiError && e.status === 0) throw e; // offline: keep the session for later
      this.setSession(null);
      return false;
    }
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? 'none';
    if (auth === 'none') return this.send<T>(method, path, opts, null);
    if (this.state && this.state.expiresAt - this.now() < REFRESH_MARGIN_MS) await this.refresh();
    if (!this.state && auth === 'required') await this.refresh();
    const token = this.state?.accessToken ?? null;
    if (!token && auth === 'required') throw signInRequired();
    try {
      return await this.send<T>(method, path, opts, token);
    } catch (e) {
      // A token refused before its time (the account's sessions were ended, a clock
      // that disagrees): one refresh, one retry, and then the answer stands.
      if (!(e instanceof ApiError) || e.status !== 401 || !token) throw e;
      // Refreshed meanwhile by another request: retry with that token, no new refresh.
      const fresh = this.state && this.state.accessToken !== token;
      if (!fresh && (!(await this.refresh()) || !this.state)) {
        if (auth === 'optional') return this.send<T>(method, path, opts, null);
        throw signInRequired();
      }
      return this.send<T>(method, path, opts, (this.state as SessionState).accessToken);
    }
  }

  private async send<T>(method: string, path: string, opts: RequestOptions, token: string | null): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(buildUrl(this.baseUrl, path, opts.query), { method, headers, body });
    } catch (e) {
      throw networkError(e);
    }
    if (!res.ok) throw await problemFrom(res);
    if (res.status === 204) return undefined as T;
    if (opts.text) return (await res.text()) as T;
    try {
      return (await res.json()) as T;
    } catch {
      // Not the API (a misconfigured apiUrl answering the app's own index.html).
      throw new ApiError({
        type: 'about:blank', title: 'Unexpected answer', status: res.status,
        detail: 'The service answered something that is not the API. Try again later.',
      });
    }
  }

  // --- accounts ---
  async register(input: Registration): Promise<User> {
    const s = await this.request<Session>('POST', '/auth/register', { body: input });
    this.setSession(s);
    return s.user;
  }
  async login(input: Credentials): Promise<User> {
    const s = await this.request<Session>('POST', '/auth/login', { body: input });
    this.setSession(s);
    return s.user;
  }
  async logout(): Promise<void> {
    const token = this.storage?.getItem(REFRESH_KEY);
    this.setSession(null);
    if (token) {
      // Ends the refresh family on the server; the local session is gone either way.
      await this.request<void>('POST', '/auth/logout', { body: { refresh_token: token } }).catch(() => undefined);
    }
  }

  // --- catalog ---
  searchPhotographers(q: Query): Promise<Page<PublicProfile>> {
    return this.request('GET', '/photographers', { query: q });
  }
  photographer(id: string): Promise<PublicProfile> {
    return this.request('GET', `/photographers/${encodeURIComponent(id)}`);
  }
  reviews(id: string, cursor?: string | null): Promise<Page<Review>> {
    return this.request('GET', `/photographers/${encodeURIComponent(id)}/reviews`, { query: { limit: 10, cursor } });
  }
  availability(id: string, q: { from: string; to: string; duration_minutes: number; event_type?: string }): Promise<Slots> {
    return this.request('GET', `/photographers/${encodeURIComponent(id)}/availability`, { query: q });
  }
  quote(id: string, q: { start: string; duration_minutes: number; package_id?: string | null; event_type?: string }): Promise<Quote> {
    return this.request('GET', `/photographers/${encodeURIComponent(id)}/quote`, { query: q });
  }

  // --- bookings ---
  book(req: BookingRequest, idempotencyKey: string): Promise<Booking> {
    return this.request('POST', '/bookings', {
      body: req, auth: 'required', headers: { 'idempotency-key': idempotencyKey },
    });
  }
  /** By start time, earliest first; `order: 'desc'` puts the latest first, so the first
   * page of a range holds its newest sessions. */
  myBookings(q: {
    as: 'client' | 'photographer'; status?: BookingStatus; from?: string; to?: string; order?: 'asc' | 'desc'; cursor?: string | null;
  }): Promise<Page<Booking>> {
    return this.request('GET', '/bookings', { query: { ...q, limit: 50 }, auth: 'required' });
  }
  setStatus(id: string, change: StatusChange): Promise<Booking> {
    return this.request('PUT', `/bookings/${encodeURIComponent(id)}/status`, { body: change, auth: 'required' });
  }

  // --- a photographer's external calendars (operationIds *-my-external-calendar(s)) ---
  listMyExternalCalendars(): Promise<ExternalCalendarList> {
    return this.request('GET', '/photographers/me/calendars', { auth: 'required' });
  }
  addMyExternalCalendar(input: NewExternalCalendar): Promise<ExternalCalendar> {
    return this.request('POST', '/photographers/me/calendars', { body: input, auth: 'required' });
  }
  deleteMyExternalCalendar(id: string): Promise<void> {
    return this.request('DELETE', `/photographers/me/calendars/${encodeURIComponent(id)}`, { auth: 'required' });
  }
  /** Fetches it now; a failed fetch is still a 200 (`status: failing`). Once a minute
   * per calendar: sooner is a 429 whose wait is on `ApiError.retryAfter`. */
  syncMyExternalCalendar(id: string): Promise<ExternalCalendar> {
    return this.request('POST', `/photographers/me/calendars/${encodeURIComponent(id)}/sync`, { auth: 'required' });
  }
}

function signInRequired(): ApiError {
  return new ApiError({
    type: 'about:blank', title: 'Sign in required', status: 401, detail: 'Sign in to continue.',
  });
}
