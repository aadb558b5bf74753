// The admin's journey in a real browser against a local stack: sign in as the seeded
// admin; the dashboard's charts drawn from the seeded booking history, their data
// tables, the CSV download and the demand forecast with its interval; the users list
// with a throwaway account (registered here through the API) deactivated; every
// booking; feedback triaged most negative first. Every page visited is checked with
// axe-core and photographed at phone and desktop width.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  API, PASSWORD, WEB, api, assertNoProblems, launch, login, newPage, unique, visited,
} from './support.mjs';

const ADMIN = 'admin@capturemoments.test';
let browser;
let adminToken;
let throwaway; // { id, name, email }
let feedback; // { negative, positive } ids

/** The control URL of the stack serving API: CONTROL_URL, or the state file the stack
 * started from this checkout writes (scripts/web-test and scripts/dev start it there). */
function controlUrl() {
  if (process.env.CONTROL_URL) return process.env.CONTROL_URL.replace(/\/+$/, '');
  try {
    const state = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '.local', 'dev', 'state.json'), 'utf8'));
    return state.api?.replace(/\/+$/, '') === API ? state.control : null;
  } catch {
    return null;
  }
}

async function until(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return last.value;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`${what} within ${seconds} s; last: ${JSON.stringify(last?.value).slice(0, 400)}`);
}

before(async () => {
  browser = await launch();
  adminToken = await login(ADMIN);

  // A throwaway client, with two pieces of feedback to triage, one glum, one glad.
  throwaway = { name: `Throwaway ${unique('u')}`, email: `${unique('throwaway')}@clients.test` };
  const reg = await api('POST', '/auth/register', {
    body: { email: throwaway.email, password: PASSWORD, name: throwaway.name, role: 'client' },
  });
  assert.equal(reg.status, 201, `registering the throwaway: ${JSON.stringify(reg.body)}`);
  throwaway.id = reg.body.user.id;
  const token = reg.body.access_token;
  const tag = unique('fb');
  const sent = {};
  for (const [kind, subject, message] of [
    ['negative', `Terrible experience ${tag}`, 'The photographer was late, rude and the photos were awful. Very disappointed and angry.'],
    ['positive', `Wonderful shoot ${tag}`, 'Great photographer, lovely photos, delivered quickly. Excellent and friendly, thank you!'],
  ]) {
    const r = await api('POST', '/feedback', { token, body: { category: 'booking', subject, message } });
    assert.equal(r.status, 201, `feedback: ${JSON.stringify(r.body)}`);
    sent[kind] = r.body.id;
  }
  feedback = sent;

  // The seeded history reaches the analytics through the stream: some of it is enough.
  await until('booking events in the analytics', 120, async () => {
    const r = await api('GET', '/admin/analytics?granularity=week', { token: adminToken });
    return { ok: r.status === 200 && r.body.totals.requested > 0, value: r.body };
  });
  // The forecast pass, as the nightly schedule runs it: invocations until it is done.
  // On a fresh stack it reads the history aggregated so far, which is enough for the
  // platform's forecast (and it is the day's pass: later firings only read it).
  const control = controlUrl();
  assert.ok(control, 'the stack\'s control URL (CONTROL_URL, or .local/dev/state.json of this checkout)');
  for (let i = 0; i < 10; i++) {
    const r = await fetch(`${control}/schedules/forecast-demand/fire`, { method: 'POST' });
    const text = await r.text();
    assert.equal(r.status, 200, `firing forecast-demand: ${text}`);
    const run = JSON.parse(text);
    if (run.response?.done === true) break;
  }

  await until('the platform\'s forecast', 30, async () => {
    const r = await api('GET', '/admin/forecasts', { token: adminToken });
    return { ok: r.status === 200 && r.body.points.length > 0, value: r.body };
  });
  // Both pieces of feedback analysed, so the order is by their scores.
  await until('the feedback analysed', 60, async () => {
    const r = await api('GET', '/admin/feedback?status=open&limit=100', { token: adminToken });
    const mine = (r.body?.items ?? []).filter((f) => f.id === feedback.negative || f.id === feedback.positive);
    return { ok: mine.length === 2 && mine.every((f) => f.analysis_state === 'done'), value: mine };
  });
});

after(async () => {
  await browser?.close();
});

test('an admin reads the dashboard, downloads its CSV, deactivates an account, and triages feedback', async () => {
  const started = Date.now();
  const mark = (what) => process.env.TIMINGS && console.log(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);
  const { context, page } = await newPage(browser, 'admin journey');

  // Signing in from the admin's address returns there.
  await page.goto(`${WEB}/admin`);
  await page.getByRole('heading', { name: 'Sign in to continue' }).waitFor();
  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(ADMIN);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

  // The booking events chart has lines with data, and its table a row per period.
  const counts = page.locator('[data-chart="counts"]');
  await counts.locator('svg[role="img"]').waitFor();
  const requested = await counts.locator('path[data-series="requested"]').getAttribute('d');
  assert.match(requested ?? '', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/, 'the requests line is drawn');
  const labelledBy = await counts.locator('svg[role="img"]').getAttribute('aria-labelledby');
  assert.match(await page.locator(`[id="${labelledBy}"]`).innerText(), /Requested: \d+ in all/);
  // The data table behind the summary, opened from the keyboard.
  await counts.locator('summary').focus();
  await page.keyboard.press('Enter');
  const rows = await counts.locator('tbody tr').count();
  assert.ok(rows >= 50, `a row per week of the last 52: ${rows}`);
  for (const chart of ['hours', 'funnel', 'lead-time', 'cancel-who', 'cancel-stage', 'top-cities', 'top-specializations',
    'forecast']) {
    await page.locator(`[data-chart="${chart}"] svg[role="img"]`).waitFor();
  }
  assert.ok(await page.locator('[data-table="leaderboard"] tbody tr').count() > 0, 'a leaderboard');
  // Revenue: a chart per currency with money in the range, never one for all. The
  // seeded history has no payments, so on a fresh stack there may be none: then the
  // section says so.
  const [from, to] = [await page.getByLabel('From', { exact: true }).inputValue(), await page.getByLabel('To', { exact: true }).inputValue()];
  const same = await api('GET', `/admin/analytics?granularity=week&from=${from}&to=${to}`, { token: adminToken });
  const withMoney = [...new Set([same.body.totals, ...same.body.series].flatMap((p) =>
    [p.revenue_minor, p.refunds_minor, p.net_minor].flatMap((m) => Object.keys(m).filter((c) => m[c] !== 0))))].sort();
  const charted = await page.locator('[data-chart^="revenue-"]').evaluateAll((els) => els.map((e) => e.dataset.chart.slice(8)));
  assert.deepEqual(charted, withMoney, 'a revenue chart for each currency with money');
  if (withMoney.length === 0) await page.getByText('No money taken or given back in this range.').waitFor();
  // Sentiment: the aggregates come through the same stream as the seeded history and
  // wait behind it on a fresh stack; until then the section explains it has none.
  await page.locator('[data-chart="sentiment"] svg[role="img"], :text("No feedback in this range.")').first().waitFor();
  // The platform's forecast: its line, its 80 % band, its model.
  const forecast = page.locator('[data-chart="forecast"]');
  assert.match(await forecast.locator('path[fill-opacity]').getAttribute('d') ?? '', /Z$/, 'the interval band');
  assert.match(await forecast.locator('path[data-series="actual"]').getAttribute('d') ?? '', /L/, 'the recent requests before it');
  assert.match(await page.locator('.stats').last().innerText(), /Model/);
  mark('dashboard');
  await visited(page, 'admin-01-dashboard');

  // The same series as CSV, saved as a file named after its range.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^capture-moments-analytics_\d{4}-\d{2}-\d{2}_to_\d{4}-\d{2}-\d{2}_week\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^period_start,requested,confirmed,/);
  assert.ok(csv.trim().split('\n').length >= 51, 'a line per week and the header');

  // A segment's forecast: its model and its backtest error (or why it has none: a
  // sparse series is pooled, which on a fresh stack's partly aggregated history any
  // segment may still be).
  await page.getByLabel('City', { exact: true }).fill('Hyderabad');
  await page.getByLabel('Kind of shoot', { exact: true }).selectOption('wedding');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.waitForURL(/city=Hyderabad/);
  await page.locator('[data-chart="forecast"] figcaption', { hasText: 'Hyderabad' }).waitFor();
  assert.match(await page.locator('.stats').last().innerText(), /MASE \d+\.\d\d · sMAPE|None \(pooled\)/);
  mark('segment');

  // A range the API refuses: its problem's field error beside the field.
  await page.getByLabel('From', { exact: true }).fill('2026-06-01');
  await page.getByLabel('To', { exact: true }).fill('2026-01-01');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.locator('#a-to-error').waitFor();
  assert.equal(await page.getByLabel('To', { exact: true }).getAttribute('aria-invalid'), 'true');

  // Users: the throwaway, newest of the clients, deactivated after a confirmation.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  await page.getByLabel('Role', { exact: true }).selectOption('client');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  const row = page.locator(`[data-user="${throwaway.email}"]`);
  await row.waitFor();
  mark('users');
  await visited(page, 'admin-02-users');
  // From the keyboard: the question takes focus on its safe answer, and the answer
  // leaves it on Reactivate.
  await row.getByRole('button', { name: `Deactivate ${throwaway.name}` }).focus();
  await page.keyboard.press('Enter');
  await row.getByRole('button', { name: 'Yes, deactivate' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Keep active', null, { timeout: 5000 });
  await row.getByRole('button', { name: 'Yes, deactivate' }).click();
  await row.getByText('Deactivated', { exact: true }).waitFor();
  await row.getByRole('button', { name: `Reactivate ${throwaway.name}` }).waitFor();
  await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === `Reactivate ${name}`,
    throwaway.name, { timeout: 5000 });
  const refused = await api('POST', '/auth/login', { body: { email: throwaway.email, password: PASSWORD } });
  assert.ok(refused.status >= 400 && refused.status < 500, `a deactivated account cannot sign in: ${refused.status}`);

  // Every booking, then only the confirmed ones.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All bookings' }).click();
  await page.getByRole('heading', { name: 'All bookings', level: 1 }).waitFor();
  await page.locator('[data-booking]').first().waitFor();
  // Upcoming confirmed sessions (the listing runs by start time, the history first).
  await page.getByLabel('Status', { exact: true }).selectOption('confirmed');
  await page.getByLabel('Sessions from', { exact: true }).fill(new Date().toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.waitForURL(/status=confirmed/);
  // The filtered list replaces the first one: wait until what is shown is it.
  await until('only confirmed bookings listed', 15, async () => {
    const statuses = await page.locator('[data-booking] .status').allInnerTexts();
    return { ok: statuses.length > 0 && statuses.every((st) => st === 'Confirmed'), value: statuses };
  });
  // Each row names both parties (one batch read for the page), not just their ids.
  const firstRow = page.locator('[data-booking]').first();
  const clientName = await firstRow.locator('[data-client-name]').innerText();
  const photographerName = await firstRow.locator('[data-photographer-name]').innerText();
  assert.ok(clientName && clientName !== 'no active account', `the client is named: ${clientName}`);
  assert.ok(photographerName && photographerName !== 'no active profile', `the photographer is named: ${photographerName}`);
  mark('bookings');
  await visited(page, 'admin-03-bookings');

  // Feedback: the glum one before the glad one, with topics; triaged in place.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Feedback' }).click();
  await page.getByRole('heading', { name: 'Feedback', level: 1 }).waitFor();
  await page.locator(`[data-feedback="${feedback.positive}"]`).waitFor();
  const order = await page.locator('[data-feedback]').evaluateAll((els) => els.map((e) => e.dataset.feedback));
  const [neg, pos] = [order.indexOf(feedback.negative), order.indexOf(feedback.positive)];
  assert.ok(neg >= 0 && pos >= 0 && neg < pos, `the negative feedback first: ${neg} < ${pos}`);
  const item = page.locator(`[data-feedback="${feedback.negative}"]`);
  assert.match(await item.locator('.sentiment').first().innerText(), /Negative -[01]\.\d\d/);
  mark('feedback');
  await visited(page, 'admin-04-feedback');
  await item.getByLabel('Status', { exact: true }).selectOption('in_progress');
  await item.getByRole('button', { name: 'Save status' }).click();
  await item.getByText('Marked in progress.').waitFor();
  const stored = await api('GET', '/admin/feedback?status=in_progress&limit=100', { token: adminToken });
  assert.ok(stored.body.items.some((f) => f.id === feedback.negative), 'the triage is stored');

  assertNoProblems(page);
  await context.close();
  console.log(`admin journey in the browser: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
