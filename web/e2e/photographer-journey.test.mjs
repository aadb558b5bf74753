// The photographer's journey in a real browser against a local stack: registration,
// the profile created on first visit (a refused first try with the problem's errors
// next to their fields), weekly hours and time off (an overlap caught beside its
// interval), a quote previewed with dynamic pricing on, the portfolio (a photo uploaded
// straight to S3 when the stack lets a browser do that), the month calendar, the stats
// (utilisation, the rate against the city's) and the way to payout onboarding. Every
// page is checked with axe-core and photographed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  PASSWORD, WEB, api, assertNoProblems, launch, login, newPage, unique, visited,
} from './support.mjs';

const PHOTO = join(import.meta.dirname, '..', '..', 'tools', 'local-stack', 'assets', 'smoke-photo.jpg');
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/**
 * Whether a browser on the app's page may post to the S3 endpoint of upload tickets:
 * the app's Content-Security-Policy must list that origin in `connect-src`. Asked with
 * a real ticket (then deleted), so the journey uploads as soon as the stack allows it.
 */
async function browserUploadAllowed(token) {
  const ticket = await api('POST', '/photographers/me/portfolio/uploads', {
    token, body: { filename: 'probe.jpg', content_type: 'image/jpeg', size_bytes: 1000, category: 'wedding' },
  });
  assert.equal(ticket.status, 201, `an upload ticket: ${JSON.stringify(ticket.body)}`);
  const gone = await api('DELETE', `/photographers/me/portfolio/${ticket.body.item.id}`, { token });
  assert.equal(gone.status, 204);
  const origin = new URL(ticket.body.upload.url).origin;
  const csp = (await fetch(`${WEB}/`)).headers.get('content-security-policy') ?? '';
  const connect = /connect-src([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
  return { allowed: connect.includes(origin) || connect.includes('*'), origin, connect };
}

test('a new photographer creates a profile, sets hours, previews a dynamic price and manages the portfolio', async (t) => {
  const started = Date.now();
  const { context, page } = await newPage(browser, 'photographer journey');
  const email = `${unique('lens')}@photographers.test`;
  await page.goto(`${WEB}/register`);
  await page.getByLabel('Full name').fill('Meera Lens');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('offer my photography').check();
  await page.getByRole('button', { name: 'Create account' }).click();

  // First visit: no profile yet (GET answers 404), so the editor creates one.
  await page.waitForURL(/\/photographer\/profile$/);
  await page.getByRole('heading', { name: 'Create your photographer profile' }).waitFor();
  // The stats without a profile (the API's 404) lead back to creating it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stats' }).click();
  await page.getByRole('link', { name: 'Create your profile' }).click();
  await page.getByRole('heading', { name: 'Create your photographer profile' }).waitFor();
  assert.equal(await page.getByLabel('Display name (required)').inputValue(), 'Meera Lens');
  await page.getByLabel('Wedding', { exact: true }).check();
  await page.getByLabel('Portrait', { exact: true }).check();
  await page.getByLabel('Bio').fill('Candid weddings and portraits in Hyderabad.');
  await page.getByLabel('City (required)').fill('Hyderabad');
  await page.getByLabel('Country code (required)').fill('IND'); // refused by the API: two letters
  await page.getByLabel('Latitude (required)').fill('17.385');
  await page.getByLabel('Longitude (required)').fill('78.4867');
  await page.getByLabel('Hourly rate in INR (required)').fill('2500');
  await page.getByLabel('Languages').fill('en, hi, te');
  await page.getByRole('button', { name: 'Add a package' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Half day');
  await page.getByLabel('Minutes').fill('240');
  await page.getByLabel('Price in INR').fill('9000');
  await page.getByLabel('Let prices follow demand, within the bounds below').check();
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.locator('#pf-country-error').waitFor();
  assert.equal(await page.getByLabel('Country code (required)').getAttribute('aria-invalid'), 'true');
  await page.getByRole('alert').first().waitFor();
  await visited(page, 'p01-profile-refused');

  await page.getByLabel('Country code (required)').fill('IN');
  await page.getByRole('button', { name: 'Create profile' }).click();
  await page.getByRole('heading', { name: 'Your profile', level: 1 }).waitFor();
  await page.getByText('Your profile is created').waitFor();
  assert.match(await page.getByTestId('payout-status').innerText(), /Not set up/);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Half day', 'the package is kept');
  assert.match(await page.getByRole('group', { name: /Package 1/ }).innerText(), /half-day/, 'with an id made from its name');
  await visited(page, 'p02-profile');

  // Weekly hours: an overlapping interval is caught beside it before anything is sent.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hours' }).click();
  await page.getByRole('heading', { name: 'Your working hours' }).waitFor();
  await page.getByLabel('Time zone').selectOption('Asia/Kolkata');
  await page.getByRole('button', { name: 'Add hours on Saturday' }).click();
  await page.getByRole('button', { name: 'Add hours on Saturday' }).click();
  await page.getByLabel('Saturday from').nth(1).fill('16:00');
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.getByText(/Overlaps 09:00–17:00/).waitFor();
  await page.getByRole('button', { name: 'Remove Saturday 16:00–18:00' }).click();
  await page.getByRole('button', { name: 'Add time off' }).click();
  await page.getByLabel('Time off 1 from').fill('2027-01-10T00:00');
  await page.getByLabel('Time off 1 until').fill('2027-01-12T00:00');
  // A special date: a day off first, whose hours are refused until it has a date.
  await page.getByRole('button', { name: 'Add a special date' }).click();
  const special = page.getByRole('group', { name: /^Special date 1/ });
  await special.getByLabel('Closed all day').uncheck();
  await page.getByRole('button', { name: 'Save hours' }).click();
  await special.getByText('Enter a date.').waitFor();
  await special.getByLabel('Date', { exact: true }).fill('2027-01-26');
  await special.getByLabel('Until').fill('13:00');
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.getByText('Your hours are saved.').waitFor();
  await visited(page, 'p03-hours');
  const hours = await api('GET', '/photographers/me/availability', { token: await login(email) });
  assert.equal(hours.status, 200);
  assert.deepEqual(hours.body.weekly.sat, [{ start: '09:00', end: '17:00' }]);
  assert.equal(hours.body.timezone, 'Asia/Kolkata');
  assert.equal(hours.body.time_off.length, 1);
  assert.equal(Date.parse(hours.body.time_off[0].start), Date.parse('2027-01-10T00:00:00+05:30'));
  assert.deepEqual(hours.body.overrides, [{ date: '2027-01-26', intervals: [{ start: '09:00', end: '13:00' }] }]);

  // The price of a session with dynamic pricing on: each factor with its reason, the bounds.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pricing' }).click();
  await page.getByRole('heading', { name: 'Pricing', level: 1 }).waitFor();
  assert.equal(await page.getByTestId('dynamic-state').innerText(), 'on');
  await page.getByLabel('Package').selectOption('half-day');
  await page.getByRole('button', { name: 'Preview the price' }).click();
  await page.getByTestId('preview-price').waitFor();
  const factors = page.locator('.factors li');
  assert.ok((await factors.count()) >= 1, 'the preview explains its factors');
  assert.match(await factors.first().innerText(), /×\d\.\d{3}.*\n.+/);
  assert.match(await page.locator('.quote').innerText(), /Between .+ \(lowest\) and .+ \(highest\)/);
  await visited(page, 'p04-pricing-preview');

  // The portfolio: empty at first; a photo goes straight to S3 with its ticket when the
  // app's security policy lets the browser reach the S3 endpoint.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Portfolio' }).click();
  await page.getByRole('heading', { name: 'Your portfolio' }).waitFor();
  await page.getByText('No photos published yet.').waitFor();
  await visited(page, 'p05-portfolio-empty');
  const probe = await browserUploadAllowed(await login(email));
  if (probe.allowed) {
    await page.locator('#up-files').setInputFiles({ name: 'wedding.jpg', mimeType: 'image/jpeg', buffer: readFileSync(PHOTO) });
    await page.locator('.upload-list li[data-phase="ready"]').waitFor({ timeout: 45_000 });
    await page.locator('.gallery li').first().waitFor();
    await page.getByRole('button', { name: 'Make cover photo 1' }).click();
    await page.locator('.gallery li.is-cover').waitFor();
    await visited(page, 'p06-portfolio');
  } else {
    t.diagnostic(`portfolio upload skipped: the app's CSP connect-src (${probe.connect.join(' ')}) does not allow the upload endpoint ${probe.origin}`);
  }

  // The month calendar: empty, then with a session a client requests (through the API)
  // on the day and time of the photographer's own clock.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
  await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
  await page.locator('table.calendar').waitFor();
  const booked = await requestSession(await login(email));
  const month = booked.local.start.slice(0, 7);
  await page.goto(`${WEB}/photographer/calendar?month=${month}`);
  const entry = page.locator('.cal-booking', { hasText: booked.local.start.slice(11, 16) });
  await entry.waitFor();
  const agenda = await page.locator('.agenda li').innerText();
  assert.match(agenda, /Wedding · Hyderabad/);
  assert.ok(agenda.includes(booked.local.start.slice(11, 16)), `the session at ${booked.local.start} on the photographer's clock`);
  await visited(page, 'p07-calendar');
  await page.getByRole('button', { name: /^Next month/ }).click();
  await page.waitForURL(/month=\d{4}-\d{2}$/);
  await page.getByText(/No bookings in/).waitFor();

  // Stats: utilisation against the hours just set, the rate against Hyderabad's other
  // wedding photographers (the seeded catalog has some), a chart's data table opened
  // from the keyboard, the granularity kept in the URL.
  const statsStarted = Date.now();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Stats' }).click();
  await page.getByRole('heading', { name: 'Your stats', level: 1 }).waitFor();
  const util = page.locator('figure[data-chart="utilisation"]');
  await util.waitFor();
  assert.match(await util.locator('path[data-series="utilisation"]').getAttribute('d'), /^M[\d.]+,[\d.]+L/,
    'a utilisation line: every week has working hours');
  assert.match(await page.getByTestId('utilisation-total').innerText(), /^\d+(\.\d)? %$/);
  assert.match(await util.locator('figcaption').innerText(), /over the range/);
  const compared = page.getByTestId('price-comparison').locator('li');
  assert.equal(await compared.count(), 2, 'one comparison per specialization (wedding, portrait)');
  const wedding = compared.filter({ hasText: 'Wedding, INR' });
  assert.match(await wedding.innerText(), /Your ₹2,500 an hour is .+ the median \(₹[\d,.]+\) of the \d+ other wedding photographers? in your city/);
  assert.match(await compared.filter({ hasText: 'Portrait, INR' }).innerText(), /median|nobody to compare/);
  const details = util.locator('details');
  await details.locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.equal(await details.getAttribute('open'), '');
  const weeks = await util.locator('details table tbody tr').count();
  assert.ok(weeks >= 16 && weeks <= 17, `a row per week of the default range (${weeks})`);
  await visited(page, 'p07b-stats');
  await page.getByLabel('Periods', { exact: true }).selectOption('month');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/\/photographer\/stats\?.*granularity=month/);
  // Redrawn by month: its summary names months ("Sep 2026"), not days.
  await util.locator('figcaption', { hasText: /\d periods from [A-Z][a-z]{2} \d{4} to/ }).waitFor();
  t.diagnostic(`stats step took ${((Date.now() - statsStarted) / 1000).toFixed(1)} s`);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payouts' }).click();
  await page.getByRole('heading', { name: 'Payouts', level: 1 }).waitFor();
  await page.getByTestId('payout-status').waitFor();
  await visited(page, 'p08-payouts');
  await page.getByRole('button', { name: 'Set up payouts' }).click();
  await page.waitForURL(/\/standin\/onboarding\//);
  assertNoProblems(page);
  await context.close();
  t.diagnostic(`journey took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

/** A demo client requests the first free half-day session of the photographer. */
async function requestSession(photographerToken) {
  const me = await api('GET', '/photographers/me', { token: photographerToken });
  assert.equal(me.status, 200);
  const from = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const to = new Date(Date.now() + 15 * 86_400_000).toISOString().slice(0, 10);
  const slots = await api('GET', `/photographers/${me.body.id}/availability?${new URLSearchParams({ from, to, duration_minutes: '240' })}`);
  assert.equal(slots.status, 200, JSON.stringify(slots.body));
  assert.ok(slots.body.slots.length > 0, 'the hours just set give free slots');
  const start = slots.body.slots[0].start;
  // Dynamic pricing is on: a booking carries the quote it was priced by.
  const quote = await api('GET', `/photographers/${me.body.id}/quote?${new URLSearchParams({ start, package_id: 'half-day', event_type: 'wedding' })}`);
  assert.equal(quote.status, 200, JSON.stringify(quote.body));
  const client = await login('rahul.verma@clients.test');
  const made = await api('POST', '/bookings', {
    token: client,
    headers: { 'idempotency-key': unique('cal') },
    body: {
      photographer_id: me.body.id, package_id: 'half-day', event_type: 'wedding', start,
      location: { address: '7 Lake View Road', city: 'Hyderabad' }, quote_id: quote.body.quote_id,
    },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body;
}
