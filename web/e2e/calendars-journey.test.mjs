// A photographer's other calendars in a real browser against a local stack: the Hours
// page's "Busy time from your other calendars" empty; where to find the secret address
// opened from the keyboard; addresses refused before and by the API (beside the field);
// the stack's fixture calendar (`/demo.ics`, on loopback, which only the local stack's
// fetch allows) added and read at once, its busy times shown and its address masked;
// "Sync now" too soon (429) counting down Retry-After; an address that answers 404
// failing with its error; removal after a confirmation, by keyboard; the cap of three.
//
// The fixture's address is in the stack's banner ("Calendars  http://127.0.0.1:<port>
// /demo.ics"), which scripts/web-test keeps in ARTIFACTS/stack.log; against a stack
// started by scripts/dev, copy it from the banner into CALENDAR_FIXTURE_URL.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, PASSWORD, WEB, api, assertNoProblems, launch, newPage, unique, visited,
} from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The fixture calendar's address: CALENDAR_FIXTURE_URL, or the banner of the stack
 * scripts/web-test started (it is written as the API starts answering, so a short wait
 * covers a journey that runs first). Null when neither is there. */
async function fixtureCalendar() {
  if (process.env.CALENDAR_FIXTURE_URL) return process.env.CALENDAR_FIXTURE_URL;
  const log = join(ARTIFACTS, 'stack.log');
  for (let i = 0; i < 60 && existsSync(log); i++) {
    const found = /Calendars\s+(http:\/\/127\.0\.0\.1:\d+\/demo\.ics)/.exec(readFileSync(log, 'utf8'));
    if (found) return found[1];
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(!existsSync(log), `${log} names no fixture calendar ("Calendars  http://127.0.0.1:<port>/demo.ics")`);
  return null;
}

test('a photographer adds another calendar, sees it synced, its refusals, its failures and the cap', async (t) => {
  const demo = await fixtureCalendar();
  if (!demo) {
    t.skip('no fixture calendar: set CALENDAR_FIXTURE_URL to the "Calendars" address in the stack\'s banner');
    return;
  }
  const started = Date.now();
  const email = `${unique('busy')}@photographers.test`;
  const reg = await api('POST', '/auth/register', {
    body: { email, password: PASSWORD, name: 'Kavya Busy', role: 'photographer', timezone: 'Asia/Kolkata' },
  });
  assert.equal(reg.status, 201, `registering the photographer: ${JSON.stringify(reg.body)}`);
  const token = reg.body.access_token;

  const { context, page } = await newPage(browser, 'calendars journey');
  await page.goto(`${WEB}/sign-in?next=${encodeURIComponent('/photographer/hours')}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/photographer\/hours$/);
  const section = page.getByRole('region', { name: 'Busy time from your other calendars' });
  await section.getByText('No calendars yet').waitFor();
  assert.equal(await page.getByTestId('calendars-cap').innerText(), '0 of 3 calendars.');

  // Where the secret address is, opened from the keyboard.
  await section.getByText('Where do I find the secret address?').focus();
  await page.keyboard.press('Enter');
  await section.getByText('Secret address in iCal format').waitFor();
  await visited(page, 'cal1-calendars-empty');

  // Refused before it is sent: no scheme. Then by the API, beside the field: plain
  // http (only the stack's own loopback fixture may use it), and a private address.
  const url = page.getByLabel('Secret iCal address');
  const add = page.getByRole('button', { name: 'Add calendar' });
  await url.fill('calendar.google.com/calendar/ical/me/private-x/basic.ics');
  await add.click();
  await page.locator('#cal-url-error').getByText('not a web address').waitFor();
  await url.fill('http://calendar.example.com/private/basic.ics');
  await page.getByLabel('Name (optional)').fill('Old');
  await add.click();
  await page.locator('#cal-url-error').getByText('https://').waitFor();
  assert.equal(await url.getAttribute('aria-invalid'), 'true');
  assert.match(await url.getAttribute('aria-describedby'), /cal-url-error/);
  await url.fill('https://10.0.0.5/calendar.ics');
  await add.click();
  await page.locator('#cal-url-error').getByText(/private/).waitFor();
  await visited(page, 'cal2-calendar-refused');
  assert.equal((await api('GET', '/photographers/me/calendars', { token })).body.items.length, 0, 'nothing refused was added');

  // The fixture: added, read at once, its busy times counted, its address masked.
  await url.fill(demo);
  await page.getByLabel('Name (optional)').fill('Personal');
  await add.click();
  const personal = section.getByTestId('calendar').filter({ hasText: 'Personal' });
  await personal.getByTestId('calendar-state').getByText('OK', { exact: true }).waitFor({ timeout: 30_000 });
  const listed = (await api('GET', '/photographers/me/calendars', { token })).body.items;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].status, 'ok');
  assert.ok(listed[0].busy_intervals > 0, `the fixture has busy times: ${JSON.stringify(listed[0])}`);
  assert.equal(await personal.getByTestId('calendar-address').innerText(), listed[0].url_masked);
  assert.ok(!(await page.content()).includes(demo), 'the full address is never shown back');
  assert.match(await personal.getByTestId('calendar-busy').innerText(), new RegExp(`^${listed[0].busy_intervals}\\b`));
  assert.match(await personal.getByTestId('calendar-success').innerText(), /just now|1 minute ago/);
  assert.match(await personal.getByTestId('calendar-summary').innerText(), new RegExp(`${listed[0].busy_intervals} busy times`));
  assert.match(await page.getByTestId('calendars-note').innerText(), /Personal is synced/);
  assert.equal(await url.inputValue(), '', 'the address leaves the form once added');

  // Synced a moment ago: the API answers 429, and the button counts Retry-After down.
  await personal.getByRole('button', { name: /^Sync now/ }).click();
  const again = personal.getByRole('button', { name: /^Sync again in \d:\d\d/ });
  await again.waitFor();
  assert.equal(await again.isDisabled(), true);
  const first = await again.innerText();
  await personal.getByTestId('calendar-wait').getByText('once a minute').waitFor();
  await page.waitForTimeout(1500);
  assert.notEqual(await again.innerText(), first, 'the wait counts down');
  await visited(page, 'cal3-calendar-synced');

  // An address whose server answers 404 (a reset secret address): failing, and why.
  await url.fill(demo.replace(/\/demo\.ics$/, '/reset-long-ago.ics'));
  await page.getByLabel('Name (optional)').fill('Old work');
  await add.click();
  const old = section.getByTestId('calendar').filter({ hasText: 'Old work' });
  await old.getByTestId('calendar-state').getByText('Failing').waitFor({ timeout: 30_000 });
  await old.getByTestId('calendar-error').getByText('HTTP 404').waitFor();
  await old.getByTestId('calendar-error').getByText('copy its secret address again').waitFor();
  assert.match(await old.getByTestId('calendar-success').innerText(), /Never/);
  assert.equal(await page.getByTestId('calendars-cap').innerText(), '2 of 3 calendars.');
  await visited(page, 'cal4-calendar-failing');

  // Removed after a confirmation, from the keyboard: the question takes focus, Tab
  // reaches "Yes, remove it".
  await old.getByRole('button', { name: /^Remove/ }).click();
  await old.getByText('Remove Old work?').waitFor();
  // Focus moves once the question has rendered (an effect): wait for it rather than
  // read it the instant the text appears, which raced (a fresh-tree run saw null).
  await page
    .waitForFunction(() => document.activeElement?.getAttribute('role') === 'group', null, { timeout: 5_000 })
    .catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'group');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Yes, remove it');
  await page.keyboard.press('Enter');
  await page.getByTestId('calendars-note').getByText('Old work is removed').waitFor();
  assert.equal(await old.count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'busy-h', 'focus stays in the section');
  const left = (await api('GET', '/photographers/me/calendars', { token })).body.items;
  assert.deepEqual(left.map((c) => c.label), ['Personal']);

  // The cap: two more (through the API), and the page says why no more can be added.
  for (const name of ['a', 'b']) {
    const r = await api('POST', '/photographers/me/calendars', {
      token, body: { url: `https://calendar.example.com/${unique(name)}.ics`, label: `Shared ${name}` },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  await page.reload();
  await section.getByRole('heading', { name: /^Shared b/ }).waitFor();
  assert.match(await page.getByTestId('calendars-cap').innerText(), /^3 of 3 calendars: the most there can be\. Remove one/);
  assert.equal(await page.getByRole('button', { name: 'Add calendar' }).count(), 0);
  assert.equal(await section.getByTestId('calendar').count(), 3);
  await visited(page, 'cal5-calendars-full');

  assertNoProblems(page);
  await context.close();
  t.diagnostic(`calendars journey: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
