// Largest Contentful Paint of the public pages, measured in Chromium: the search page
// (home), a seeded photographer's page and the sign-in page, each loaded RUNS times in
// a fresh browser context (empty cache, no session) at phone width, once with a slow
// phone's network and CPU and once without. Reports LCP p50/p95, the element that was
// the LCP and the JavaScript transferred (the local stack does not compress; what the
// same scripts weigh gzipped, as CloudFront sends them, beside it). A measurement, not
// a test: no thresholds.
//
//   API_URL=http://127.0.0.1:3000 WEB_URL=http://127.0.0.1:3002 npm run lcp
//
// RUNS (default 5) per page and profile. Every run also lands in
// ../.local/lcp/results.json. Debian's Chromium, launched as the browser journeys
// launch it (e2e/support.mjs).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { API, WEB, PHONE, launch } from '../e2e/support.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
assert.ok(Number.isInteger(RUNS) && RUNS > 0, 'RUNS is a positive whole number');
const OUT = join(import.meta.dirname, '..', '..', '.local', 'lcp');

// Lighthouse's mobile profile: 1.6 Mbps down, 750 kbps up, 150 ms round trips (here
// added to every request by DevTools), a CPU four times slower than this machine's.
const PROFILES = {
  throttled: { network: { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 }, cpu: 4 },
  unthrottled: { network: null, cpu: 1 },
};

/** Collects every LCP candidate with a description of its element, before the app's
 * script runs. Injected over the DevTools protocol, which the page's CSP does not govern. */
function observeLcp() {
  const seen = [];
  Object.defineProperty(window, '__lcp', { value: seen });
  const describe = (el) => {
    if (!el) return '(removed)';
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${cls}${el.tagName === 'IMG' ? ' (image)' : text ? ` "${text}"` : ''}`;
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.push({ time: e.startTime, size: e.size, element: describe(e.element), url: e.url });
  }).observe({ type: 'largest-contentful-paint', buffered: true });
}

async function photographerPath() {
  const res = await fetch(`${API}/photographers?limit=20`);
  assert.equal(res.status, 200, `GET /photographers answered ${res.status}`);
  const { items } = await res.json();
  assert.ok(items?.length, 'the stack has seeded photographers');
  // One with a cover photo: a page that has photos to paint, as most will.
  const p = items.find((i) => i.cover_photo) ?? items[0];
  return `/photographers/${encodeURIComponent(p.id)}`;
}

async function measure(browser, path, profile) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
  const page = await context.newPage();
  await page.addInitScript(observeLcp);
  const cdp = await context.newCDPSession(page);
  const scripts = new Map();
  let js = 0;
  let total = 0;
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script') scripts.set(e.requestId, e.response.url);
  });
  cdp.on('Network.loadingFinished', (e) => {
    total += e.encodedDataLength;
    if (scripts.has(e.requestId)) js += e.encodedDataLength;
  });
  await cdp.send('Network.enable');
  if (profile.network) await cdp.send('Network.emulateNetworkConditions', profile.network);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  await page.goto(`${WEB}${path}`, { waitUntil: 'load', timeout: 120_000 });
  // The app renders after config.json and its API calls, and photos come after that:
  // wait for the network to go quiet, then a moment for the last paint.
  await page.waitForLoadState('networkidle', { timeout: 120_000 }).catch(() => {});
  await page.waitForTimeout(1000);
  const entries = await page.evaluate(() => window.__lcp);
  await context.close();
  const last = entries.at(-1);
  assert.ok(last, `${path}: no LCP entry`);
  return { lcp: last.time, element: last.element, url: last.url || undefined, jsBytes: js, totalBytes: total, scripts: [...scripts.values()] };
}

// The local stack sends scripts uncompressed; CloudFront compresses them (Compress:
// true in template.yaml). What the same scripts weigh gzipped, for comparison.
const gzipped = new Map();
async function gzipBytes(urls) {
  let sum = 0;
  for (const url of urls) {
    if (!gzipped.has(url)) gzipped.set(url, gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer()), { level: 9 }).length);
    sum += gzipped.get(url);
  }
  return sum;
}

/** The nearest-rank percentile. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function mostCommon(values) {
  const counts = new Map();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([v, n]) => (n === values.length ? v : `${v} (${n}/${values.length})`))[0];
}

const pages = [
  ['search (home)', '/'],
  ['photographer', await photographerPath()],
  ['sign-in', '/sign-in'],
];
const browser = await launch();
const results = [];
try {
  for (const [name, path] of pages) {
    for (const [profileName, profile] of Object.entries(PROFILES)) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, path, profile));
      const lcps = runs.map((r) => r.lcp);
      const row = {
        page: name,
        path,
        profile: profileName,
        runs: RUNS,
        p50: Math.round(percentile(lcps, 50)),
        p95: Math.round(percentile(lcps, 95)),
        element: mostCommon(runs.map((r) => r.element)),
        jsKB: +(percentile(runs.map((r) => r.jsBytes), 50) / 1024).toFixed(1),
        jsGzipKB: +((await gzipBytes(runs[0].scripts)) / 1024).toFixed(1),
        totalKB: +(percentile(runs.map((r) => r.totalBytes), 50) / 1024).toFixed(1),
        samples: runs,
      };
      results.push(row);
      console.log(`${name.padEnd(14)} ${profileName.padEnd(12)} LCP p50 ${String(row.p50).padStart(5)} ms  p95 ${String(row.p95).padStart(5)} ms  JS ${row.jsKB} KB (${row.jsGzipKB} KB gzipped)  all ${row.totalKB} KB  ${row.element}`);
    }
  }
} finally {
  await browser.close();
}
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'results.json'), JSON.stringify({ at: new Date().toISOString(), web: WEB, api: API, profiles: PROFILES, results }, null, 2));
console.log(`\nevery run: ${join(OUT, 'results.json')}`);
