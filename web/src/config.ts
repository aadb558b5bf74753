/** What the app needs to know about where it runs, read at start-up from
 * `/config.json` beside index.html: the deployment (or the local stack) writes it, so
 * one build serves every environment. */
export interface AppConfig {
  apiUrl: string;
  wsUrl: string | null;
}

export function parseConfig(raw: unknown, origin: string): AppConfig {
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const apiUrl = typeof c.apiUrl === 'string' && c.apiUrl ? c.apiUrl : origin;
  const wsUrl = typeof c.wsUrl === 'string' && c.wsUrl ? c.wsUrl : null;
  return { apiUrl: apiUrl.replace(/\/+$/, ''), wsUrl };
}

let fetched: Promise<unknown> | null = null;

/** `/config.json` as served, fetched once per page load: the app's loader reads the
 * API's addresses from it and the payment screens their provider (`payconfig.ts`). */
export function configDocument(): Promise<unknown> {
  // index.html preloads this file (`as="fetch" crossorigin`) so it arrives with the
  // entry script: the browser hands the preloaded response to this fetch only when the
  // mode and credentials match the preload's, cors and same-origin. Freshness is the
  // server's (no-store locally, revalidated every time behind CloudFront), so no cache
  // mode is set here: a mode the preload did not use could make a browser fetch again.
  fetched ??= fetch('/config.json', { mode: 'cors', credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : null))
    .catch(() => null);
  return fetched;
}

export async function loadConfig(): Promise<AppConfig> {
  const raw = await configDocument();
  // Without a config file the API is taken to be at the app's own origin; under
  // `vite` (npm run dev) VITE_API_URL names the local stack's instead.
  const fallback = (import.meta.env.VITE_API_URL as string | undefined) ?? window.location.origin;
  return parseConfig(raw, fallback);
}
