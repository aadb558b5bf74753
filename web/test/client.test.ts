import { beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, buildUrl, type KeyValueStore } from '../src/api/client';
import { ApiError } from '../src/api/problem';

class MemoryStore implements KeyValueStore {
  map = new Map<string, string>();
  getItem(k: string) { return this.map.get(k) ?? null; }
  setItem(k: string, v: string) { this.map.set(k, v); }
  removeItem(k: string) { this.map.delete(k); }
}

interface Call { method: string; url: string; headers: Record<string, string>; body: unknown }

const user = { id: '01J00000000000000000000000', email: 'a@b.test', name: 'Ann', role: 'client', phone: null, timezone: 'UTC', active: true };
function session(n: number, expiresIn = 900) {
  return { user, access_token: `access-${n}`, token_type: 'Bearer', expires_in: expiresIn, refresh_token: `refresh-${n}` };
}
function json(status: number, body: unknown, type = 'application/json') {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': type } });
}
const unauthorized = () => json(401, { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'The token has expired.' }, 'application/problem+json');

/** A fake API: a handler per "METHOD /path", every call recorded. */
function fakeApi(routes: Record<string, (c: Call) => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const call: Call = {
      method: init?.method ?? 'GET', url: url.toString(), headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const handler = routes[`${call.method} ${url.pathname}`];
    if (!handler) return json(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no route' }, 'application/problem+json');
    await new Promise((r) => setTimeout(r, 1));
    return handler(call);
  };
  return { calls, fetchImpl: fetchImpl as typeof fetch };
}

describe('buildUrl', () => {
  it('joins base and path and drops empty parameters', () => {
    expect(buildUrl('http://127.0.0.1:3000/', '/photographers', { city: 'São Paulo', limit: 12, cursor: null, specialization: '' }))
      .toBe('http://127.0.0.1:3000/photographers?city=S%C3%A3o+Paulo&limit=12');
  });
});

describe('the session', () => {
  let store: MemoryStore;
  let now: number;
  beforeEach(() => {
    store = new MemoryStore();
    now = 1_000_000;
  });

  it('keeps the access token in memory and only the refresh token in storage', async () => {
    const api = fakeApi({ 'POST /auth/login': () => json(200, session(1)) });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    expect(client.session?.accessToken).toBe('access-1');
    expect([...store.map.values()]).toEqual(['refresh-1']);
    expect(JSON.stringify([...store.map])).not.toContain('access-1');
  });

  it('sends the bearer token, and refreshes before it expires', async () => {
    let n = 1;
    const api = fakeApi({
      'POST /auth/login': () => json(200, session(1)),
      'POST /auth/refresh': (c) => {
        expect(c.body).toEqual({ refresh_token: `refresh-${n}` });
        n += 1;
        return json(200, session(n));
      },
      'GET /bookings': () => json(200, { items: [], next_cursor: null }),
    });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    await client.myBookings({ as: 'client' });
    expect(api.calls.at(-1)?.headers.authorization).toBe('Bearer access-1');
    now += 880_000; // 20 s before the 15 minutes are up
    await client.myBookings({ as: 'client' });
    expect(api.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
      'POST /auth/login', 'GET /bookings', 'POST /auth/refresh', 'GET /bookings',
    ]);
    expect(api.calls.at(-1)?.headers.authorization).toBe('Bearer access-2');
    expect(store.getItem('cm.refresh')).toBe('refresh-2');
  });

  it('refreshes once for many requests refused at once, and retries each', async () => {
    let refreshes = 0;
    const api = fakeApi({
      'POST /auth/login': () => json(200, session(1)),
      'POST /auth/refresh': () => { refreshes += 1; return json(200, session(2)); },
      'GET /bookings': (c) => (c.headers.authorization === 'Bearer access-2' ? json(200, { items: [], next_cursor: null }) : unauthorized()),
    });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    const pages = await Promise.all([1, 2, 3].map(() => client.myBookings({ as: 'client' })));
    expect(pages).toHaveLength(3);
    expect(refreshes).toBe(1);
  });

  it('signs out when the refresh token is refused, and says sign in', async () => {
    const api = fakeApi({
      'POST /auth/login': () => json(200, session(1)),
      'POST /auth/refresh': () => unauthorized(),
      'GET /bookings': () => unauthorized(),
    });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    const seen: (string | null)[] = [];
    client.subscribe((s) => seen.push(s?.accessToken ?? null));
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    const err = await client.myBookings({ as: 'client' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(err.problem.detail).toBe('Sign in to continue.');
    expect(client.session).toBeNull();
    expect(store.getItem('cm.refresh')).toBeNull();
    expect(seen).toEqual(['access-1', null]);
  });

  it('restores a session from a kept refresh token after a reload', async () => {
    store.setItem('cm.refresh', 'refresh-7');
    const api = fakeApi({ 'POST /auth/refresh': () => json(200, session(8)) });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    expect((await client.restore())?.accessToken).toBe('access-8');
    expect(store.getItem('cm.refresh')).toBe('refresh-8');
  });

  it('adopts the token another tab stored when the API says it was just rotated (409)', async () => {
    store.setItem('cm.refresh', 'refresh-1');
    const api = fakeApi({
      'POST /auth/refresh': (c) => {
        if ((c.body as { refresh_token: string }).refresh_token === 'refresh-1') {
          store.setItem('cm.refresh', 'refresh-2'); // the other tab won the race
          return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'refresh-superseded' }, 'application/problem+json');
        }
        return json(200, session(3));
      },
    });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    expect((await client.restore())?.accessToken).toBe('access-3');
  });

  it('keeps the refresh token when offline, so the session comes back later', async () => {
    store.setItem('cm.refresh', 'refresh-1');
    const client = new ApiClient({
      baseUrl: 'http://api', storage: store, now: () => now,
      fetch: (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch,
    });
    const err = await client.restore().catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(0);
    expect(store.getItem('cm.refresh')).toBe('refresh-1');
  });

  it('never sends a token to the sign-in routes, and ends the family on sign-out', async () => {
    const api = fakeApi({
      'POST /auth/login': () => json(200, session(1)),
      'POST /auth/logout': () => new Response(null, { status: 204 }),
    });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    await client.logout();
    expect(api.calls.every((c) => !c.headers.authorization)).toBe(true);
    expect(api.calls.at(-1)?.body).toEqual({ refresh_token: 'refresh-1' });
    expect(client.session).toBeNull();
    expect(store.getItem('cm.refresh')).toBeNull();
  });

  it('books with the quote and an idempotency key, and surfaces a taken slot as a 409 problem', async () => {
    const api = fakeApi({
      'POST /auth/login': () => json(200, session(1)),
      'POST /bookings': () => json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'That time is no longer free.', rule: 'overlap' }, 'application/problem+json'),
    });
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    await client.login({ email: 'a@b.test', password: 'pw-123456789' });
    const err = await client.book({
      photographer_id: 'p', package_id: 'essentials', event_type: 'portrait', start: '2026-12-05T17:00:00+05:30',
      location: { address: '1 Road', city: 'Hyderabad' }, quote_id: 'q-1',
    }, 'key-1').catch((e) => e);
    const call = api.calls.at(-1)!;
    expect(call.headers['idempotency-key']).toBe('key-1');
    expect((call.body as { quote_id: string }).quote_id).toBe('q-1');
    expect(err.status).toBe(409);
    expect(err.problem.rule).toBe('overlap');
    expect(client.session).not.toBeNull(); // a refusal is not a sign-out
  });

  it('refuses a signed-in route without a session before calling the API', async () => {
    const api = fakeApi({});
    const client = new ApiClient({ baseUrl: 'http://api', fetch: api.fetchImpl, storage: store, now: () => now });
    const err = await client.myBookings({ as: 'client' }).catch((e) => e);
    expect(err.status).toBe(401);
    expect(api.calls).toHaveLength(0);
  });
});

describe('answers that are not the API', () => {
  it('turns a non-JSON success into a problem rather than a parse error', async () => {
    const client = new ApiClient({
      baseUrl: 'http://app',
      fetch: (async () => new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } })) as typeof fetch,
    });
    const err = await client.photographer('x').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.problem.detail).toMatch(/not the API/);
  });
});
