// Shared by the browser journeys: Chromium, axe-core, screenshots and the API.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const WEB = (process.env.WEB_URL ?? '').replace(/\/+$/, '');
export const API = (process.env.API_URL ?? '').replace(/\/+$/, '');
export const ARTIFACTS = process.env.ARTIFACTS ?? join(process.cwd(), '..', '.local', 'web-test');
assert.ok(WEB && API, 'WEB_URL and API_URL name the app and the API (scripts/web-test sets them)');
export const PASSWORD = 'demo-password-2026';
export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 900 };

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launch() {
  // Debian's Chromium (installed by the scripts), never a downloaded one. As root the
  // sandbox cannot start; the rest keeps it from calling out (nothing here answers).
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** A context at phone width with every console error and page error recorded: a CSP
 * violation or an exception fails the journey that caused it. */
export async function newPage(browser, name) {
  const context = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The browser logs every 4xx answer; the journeys expect some (409, 422).
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    problems.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(20_000);
  page.problems = problems;
  page.journey = name;
  return { context, page };
}

export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], `${page.journey}: errors in the browser`);
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now; serious and critical
 * violations fail, the rest are written to the artifacts for a person to read. */
export async function checkA11y(page, label) {
  // Evaluated over the DevTools protocol, which the page's CSP does not govern (the
  // app's policy allows no inline script, and must not have to).
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(join(ARTIFACTS, 'axe.txt'), `${label}: ${result.violations.length} violation(s), ${result.passes.length} rules passed\n`
    + result.violations.map((v) => `  ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} node(s): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})\n`).join(''));
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${label}: serious or critical accessibility violations`,
  );
}

/** The page at phone and desktop width, full length, into ARTIFACTS/screenshots. */
export async function screenshots(page, name) {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const before = page.viewportSize();
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(dir, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(before ?? PHONE);
}

/** Each page the journey shows: accessible, and photographed at both widths. */
export async function visited(page, name) {
  await checkA11y(page, name);
  await screenshots(page, name);
}

export async function api(method, path, { token, body, headers } = {}) {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: res.status, body: json };
}

/** A photographer's free 60-minute starts from `days` days ahead, for a week. */
export async function freeStarts(photographerId, days, event) {
  const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const r = await api('GET', `/photographers/${photographerId}/availability?from=${day(days)}&to=${day(days + 6)}&duration_minutes=60&event_type=${event}`);
  assert.equal(r.status, 200, `availability: ${JSON.stringify(r.body)}`);
  return r.body.slots.map((s) => s.start);
}

/** Books the photographer (`{ profile }`) as `token` at `start` for 60 minutes, with the
 * photographer's own quote (dynamic pricing may be on); answers the `POST /bookings` reply. */
export async function bookWithQuote(photographer, token, start, event, { label, address, notes }) {
  const id = photographer.profile.id;
  const q = await api('GET', `/photographers/${id}/quote?start=${encodeURIComponent(start)}&duration_minutes=60&event_type=${event}`);
  assert.equal(q.status, 200, `quote: ${JSON.stringify(q.body)}`);
  return api('POST', '/bookings', {
    token,
    headers: { 'idempotency-key': unique(label) },
    body: {
      photographer_id: id, event_type: event, start, duration_minutes: 60, quote_id: q.body.quote_id,
      location: { address, city: 'Hyderabad' }, notes,
    },
  });
}

/** A booking at a free time picked at random within the week from `days` ahead (so reruns
 * and the other journeys do not want the same time); answers its id. */
export async function bookSomeFreeTime(photographer, token, days, details) {
  const event = photographer.profile.specializations[0];
  const starts = await freeStarts(photographer.profile.id, days, event);
  assert.ok(starts.length > 0, `a free time for the ${details.label} journey`);
  const start = starts[Math.floor(Math.random() * starts.length)];
  const made = await bookWithQuote(photographer, token, start, event, details);
  assert.equal(made.status, 201, `booking: ${JSON.stringify(made.body)}`);
  return made.body.id;
}

export async function login(email) {
  const r = await api('POST', '/auth/login', { body: { email, password: PASSWORD } });
  assert.equal(r.status, 200, `sign-in of ${email}: ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

export function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
