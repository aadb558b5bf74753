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

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' }).catch(() => null);
  const raw = res?.ok ? await res.json().catch(() => null) : null;
  // Without a config file the API is taken to be at the app's own origin; under
  // `vite` (npm run dev) VITE_API_URL names the local stack's instead.
  const fallback = (import.meta.env.VITE_API_URL as string | undefined) ?? window.location.origin;
  return parseConfig(raw, fallback);
}
