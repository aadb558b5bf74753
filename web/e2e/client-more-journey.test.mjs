// The client area after booking, in a real browser against a local stack: a booking's
// page; paying the deposit on the Stripe stand-in's checkout (a declined card first,
// then a good one); moving it to another free time (once refused because the time went
// meanwhile); cancelling with the refund shown before confirming (a blank reason
// refused first), checked against what settle-payments then refunds; reviewing a
// completed session (refused without a rating first); the payment history (the
// booking's state and amounts as the API keeps them); the photographer's portfolio in
// the lightbox, by keyboard; notifications with the unread badge and "mark all read";
// recommendations on the home page. Every page is checked
// with axe-core and photographed at phone and desktop width.
//
// The stand-in is reached as config.json's `payments` field names it. Until the local
// stack writes that field, the journey adds it to the app's /config.json itself (the
// stand-in's URL from the stack's control /status, found through .local/dev/state.json
// as the smoke journey finds it, or STRIPE_STANDIN_URL).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  PASSWORD, WEB, api, assertNoProblems, bookWithQuote, freeStarts, launch, login, newPage, unique, visited,
} from './support.mjs';

const PHOTOGRAPHER = 'asha.reddy@photographers.test';
const CLIENT = 'priya.sharma@clients.test';
let browser;
let control = null; // the stack's control URL, to fire settle-payments now
let standin = null; // the Stripe stand-in's base URL
let asha; // { token, profile }
let priya; // { token, id }
let warmSettle = Promise.resolve();

/** `GET path` (as `token`) until `done(body)`, at most `secs`. */
async function until(path, token, secs, done) {
  const deadline = Date.now() + secs * 1000;
  for (;;) {
    const r = await api('GET', path, { token });
    if (r.status === 200 && done(r.body)) return r.body;
    if (Date.now() > deadline) assert.fail(`GET ${path}: not there within ${secs} s: ${JSON.stringify(r.body).slice(0, 600)}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function fire(schedule) {
  const r = await fetch(`${control}/schedules/${schedule}/fire`, { method: 'POST' });
  assert.equal(r.status, 200, `firing ${schedule}: ${await r.text()}`);
}

/** The control URL of the stack serving API_URL, as the smoke journey finds it. */
function findControl() {
  const file = join(process.cwd(), '..', '.local', 'dev', 'state.json');
  if (process.env.CONTROL_URL) return process.env.CONTROL_URL.replace(/\/+$/, '');
  if (!existsSync(file)) return null;
  const state = JSON.parse(readFileSync(file, 'utf8'));
  return state.api?.replace(/\/+$/, '') === process.env.API_URL?.replace(/\/+$/, '') ? state.control : null;
}

/** Photographer payouts made active through the stand-in's onboarding (as smoke.rs does). */
async function payoutsActive(token) {
  const started = await api('POST', '/photographers/me/payouts/onboarding', { token });
  if (started.status === 200) {
    const account = started.body.url.split('/standin/onboarding/')[1].split('?')[0];
    const done = await fetch(`${standin}/standin/accounts/${account}/onboarding`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'complete' }),
    });
    assert.equal(done.status, 200, `stand-in onboarding: ${await done.text()}`);
  } else {
    assert.equal(started.status, 409, `payout onboarding: ${JSON.stringify(started.body)}`);
  }
  await until('/photographers/me', token, 30, (v) => v.payouts?.status === 'active');
}

/** A booking of Asha's as `token` at `start`, with her quote (her dynamic pricing may be on). */
function book(token, start, event) {
  return bookWithQuote(asha, token, start, event, {
    label: 'more', address: '12 Road No. 3, Banjara Hills', notes: 'client-more journey',
  });
}

before(async () => {
  browser = await launch();
  control = findControl();
  assert.ok(control || process.env.STRIPE_STANDIN_URL,
    'the stack\'s control URL (.local/dev/state.json of the stack serving API_URL, or CONTROL_URL) is needed to fire settle-payments');
  if (process.env.STRIPE_STANDIN_URL) standin = process.env.STRIPE_STANDIN_URL.replace(/\/+$/, '');
  else standin = (await (await fetch(`${control}/status`)).json()).stripe;
  assert.ok(standin, 'the stack reports its Stripe stand-in');
  const token = await login(PHOTOGRAPHER);
  const own = await api('GET', '/photographers/me', { token });
  assert.equal(own.status, 200);
  asha = { token, profile: own.body };
  const ct = await login(CLIENT);
  const me = await api('GET', '/me', { token: ct });
  priya = { token: ct, id: me.body.id };
  await payoutsActive(token);
  // settle-payments' first run on a fresh stack is slow (a cold start, and the settle
  // requests seeding left): start it now, alongside the browser's first steps.
  warmSettle = control ? fire('settle-payments').catch(() => undefined) : Promise.resolve();
});

after(async () => {
  await browser?.close();
});

/** A page whose /config.json names the stand-in, as the local stack's will. */
async function clientPage(name) {
  const p = await newPage(browser, name);
  await p.context.route(`${WEB}/config.json`, async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    body.payments ??= { provider: 'standin', standinUrl: standin };
    await route.fulfill({ response: res, json: body });
  });
  await p.page.goto(`${WEB}/sign-in`);
  await p.page.getByLabel('Email').fill(CLIENT);
  await p.page.getByLabel('Password').fill(PASSWORD);
  await p.page.getByRole('button', { name: 'Sign in' }).click();
  await p.page.getByRole('button', { name: /Sign out/ }).waitFor();
  return p;
}

/** The refund settle-payments will make, worked out here as docs/payments.md says. */
function expectedRefund(b, now) {
  const minutes = Math.trunc((Date.parse(b.start) - now) / 60_000);
  const tier = [...b.payment.cancellation_policy].sort((x, y) => y.min_hours_before - x.min_hours_before)
    .find((t) => minutes >= t.min_hours_before * 60);
  const pct = tier?.refund_percent ?? 0;
  const paid = b.payment.paid_minor;
  return { pct, amount: pct >= 100 ? paid : Math.floor((paid * pct) / 100) };
}

test('a client pays, moves, cancels with the refund shown first, reviews, and reads notifications', async (t) => {
  const started = Date.now();
  const phases = [];
  let last = started;
  const phase = (name) => { const t = Date.now(); phases.push(`${name} ${((t - last) / 1000).toFixed(1)} s`); last = t; };
  const event = asha.profile.specializations[0];
  // A session 4 to 6 days ahead: inside a partial tier of the default policy, outside the window.
  const starts = (await freeStarts(asha.profile.id, 4, event)).filter((s) => Date.parse(s) < Date.now() + 6.5 * 86_400_000);
  assert.ok(starts.length > 0, 'a free time 4 to 6 days ahead');
  const created = await book(priya.token, starts[0], event);
  assert.equal(created.status, 201, `booking: ${JSON.stringify(created.body)}`);
  const id = created.body.id;

  const { context, page } = await clientPage('client-more journey');
  // My bookings links to the booking's page.
  await page.goto(`${WEB}/my/bookings`);
  await page.locator(`[data-booking="${id}"] a`, { hasText: 'Details' }).click();
  await page.getByRole('heading', { name: 'Price and payment' }).waitFor();
  assert.equal(await page.getByTestId('booking-status').innerText(), 'Waiting for the photographer');
  assert.match(await page.getByTestId('payment-state').innerText(), /Not paid yet/);
  await page.getByRole('heading', { name: 'History' }).waitFor();
  assert.match(await page.locator('.history').innerText(), /Requested by you/);
  await visited(page, 'c01-booking-pending');

  phase('booked and opened');
  // The deposit: the stand-in's checkout in a new tab; a declined card first.
  await page.getByRole('button', { name: /Pay the deposit/ }).click();
  const checkoutLink = page.getByRole('link', { name: /Enter card details/ });
  await checkoutLink.waitFor();
  await visited(page, 'c02-payment-checkout');
  let [tab] = await Promise.all([context.waitForEvent('page'), checkoutLink.click()]);
  await tab.getByRole('button', { name: /declined \(generic_decline\)/ }).click();
  await tab.getByText(/Stripe answered 402/).waitFor();
  await tab.close();
  await page.getByTestId('payment-failure').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('payment-failure').innerText(), /declined/);
  await visited(page, 'c03-payment-declined');
  phase('declined card');
  // Then a card that works: the same intent, handed out again.
  await page.getByRole('button', { name: /Pay the deposit/ }).click();
  [tab] = await Promise.all([context.waitForEvent('page'), page.getByRole('link', { name: /Enter card details/ }).click()]);
  await tab.getByRole('button', { name: /Visa 4242/ }).click();
  await tab.getByText(/Payment is now/).waitFor();
  await tab.close();
  await page.getByTestId('payment-held').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('payment-state').innerText(), /Held on your card/);

  phase('good card');
  // Moving it: the time picked goes to someone else meanwhile (409), then another.
  await page.getByRole('button', { name: 'Choose a new time…' }).click();
  await page.locator('input[name="new-start"]').first().waitFor();
  const offered = await page.locator('input[name="new-start"]').evaluateAll((els) => els.map((e) => e.value));
  // Two times on different days, so the rival's booking of one (with its buffers and
  // the day's limit) leaves the other free.
  const others = offered.filter((s) => s !== starts[0]);
  const taken = others[others.length - 1];
  const target = others.find((s) => s.slice(0, 10) !== taken?.slice(0, 10) && s.slice(0, 10) !== starts[0].slice(0, 10));
  assert.ok(taken && target, `two other free times: ${offered.join(', ')}`);
  await page.locator(`input[name="new-start"][value="${taken}"]`).check();
  await visited(page, 'c04-reschedule');
  const other = await api('POST', '/auth/register', {
    body: { email: `${unique('rival')}@clients.test`, password: PASSWORD, name: 'Rival Client', role: 'client' },
  });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  const rival = await book(other.body.access_token, taken, event);
  assert.equal(rival.status, 201, `the rival's booking: ${JSON.stringify(rival.body)}`);
  await page.getByRole('button', { name: /^Move to/ }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'Choose another time below' });
  await refusal.waitFor();
  await page.locator(`input[name="new-start"][value="${target}"]`).waitFor();
  assert.equal(await page.locator(`input[name="new-start"][value="${taken}"]`).count(), 0, 'the taken time is gone');
  await visited(page, 'c05-reschedule-refused');
  await page.locator(`input[name="new-start"][value="${target}"]`).check();
  await page.getByRole('button', { name: /^Move to/ }).click();
  await page.getByText(/^Moved to/).waitFor();
  assert.match(await page.locator('.history').innerText(), /Moved from .* by you/);

  phase('moved');
  // The photographer confirms; settle-payments (fired now) takes the deposit.
  const confirmed = await api('PUT', `/bookings/${id}/status`, { token: asha.token, body: { status: 'confirmed' } });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  await warmSettle;
  await fire('settle-payments');
  await until(`/bookings/${id}`, priya.token, 30, (b) => b.payment.state === 'deposit_paid');
  await page.reload();
  await page.getByTestId('payment-state').getByText('Deposit paid').waitFor();

  phase('deposit captured');
  // Cancelling: the refund shown before confirming, a blank reason refused (422).
  await page.getByRole('button', { name: 'Cancel this booking…' }).click();
  const preview = page.getByTestId('refund-preview');
  await preview.waitFor();
  const now = await api('GET', `/bookings/${id}`, { token: priya.token });
  const want = expectedRefund(now.body, Date.now());
  assert.match(await preview.innerText(), new RegExp(`gives back ${want.pct} %`));
  assert.equal(Number(await page.getByTestId('refund-amount').getAttribute('data-minor')), want.amount);
  await visited(page, 'c06-cancel-preview');
  await page.getByRole('button', { name: 'Cancel booking' }).click();
  await page.locator('#cancel-reason-error').waitFor();
  assert.equal(await page.getByLabel('Why are you cancelling?').getAttribute('aria-invalid'), 'true');
  await visited(page, 'c07-cancel-refused');
  await page.getByLabel('Why are you cancelling?').fill('Our plans changed, sorry.');
  await page.getByRole('button', { name: 'Cancel booking' }).click();
  await page.getByTestId('booking-status').getByText('Cancelled').waitFor();
  assert.match(await page.getByTestId('refund-settled').innerText(), new RegExp(`gives back ${want.pct} %`));
  await fire('settle-payments');
  const refunded = await until(`/bookings/${id}`, priya.token, 30, (b) => (b.payment.refunded_minor ?? 0) > 0 || want.amount === 0);
  assert.equal(refunded.payment.refunded_minor, want.amount, 'the refund shown is the refund made');
  // The page reads it again by itself while the refund is on its way.
  if (want.amount > 0) await page.getByTestId('payment-refunded').waitFor();
  await visited(page, 'c08-booking-cancelled');

  phase('cancelled and refunded');
  // The payment history: this booking's entry, its state and amounts as the API keeps them.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click();
  await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
  const entry = page.locator(`.payment-row[data-booking="${id}"]`);
  await entry.waitFor();
  const history = await api('GET', '/payments?limit=100', { token: priya.token });
  const record = history.body.items.find((r) => r.booking_id === id);
  assert.ok(record, `the API lists the booking's payments: ${JSON.stringify(history.body).slice(0, 400)}`);
  assert.equal(await entry.getAttribute('data-state'), record.state);
  assert.equal(Number(await entry.getByTestId('paid').getAttribute('data-minor')), record.paid_minor);
  if (record.refunded_minor > 0) {
    assert.equal(Number(await entry.getByTestId('refunded').getAttribute('data-minor')), record.refunded_minor);
  }
  await page.locator('.payments table.data tbody tr', { hasText: record.currency }).waitFor();
  await visited(page, 'c08b-payments');

  phase('payment history');
  // A session that is over, completed by the photographer: the client reviews it.
  const mine = await api('GET', '/bookings?as=photographer&status=confirmed&limit=100', { token: asha.token });
  const over = mine.body.items.find((b) => b.client_id === priya.id && Date.parse(b.end) < Date.now());
  assert.ok(over, 'a seeded confirmed session of the demo client that is over (scripts/dev reset brings them back)');
  const done = await api('PUT', `/bookings/${over.id}/status`, { token: asha.token, body: { status: 'completed' } });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  await page.goto(`${WEB}/bookings/${over.id}`);
  await page.getByRole('heading', { name: 'Your review' }).waitFor();
  const text = `Lovely relaxed session, great photos (${unique('r')}).`;
  await page.getByLabel('Tell others about it').fill(text);
  await page.getByRole('button', { name: 'Post review' }).click();
  await page.locator('#review-rating-error').waitFor();
  await visited(page, 'c09-review-refused');
  await page.getByLabel('5 stars').check();
  await page.getByRole('button', { name: 'Post review' }).click();
  await page.getByText(/your 5-star review is posted/).waitFor();
  await page.getByRole('link', { name: /See it on/ }).click();
  await page.getByText(text).waitFor();

  phase('reviewed');
  // The photographer's portfolio in the lightbox, by keyboard. Seeding uploads the demo
  // photos through the real pipeline after start-up: on a fresh, busy stack they may
  // not all be there yet, and the step waits a while for two.
  const portfolio = await until(`/photographers/${asha.profile.id}/portfolio`, null, 90, (b) => b.items.length >= 2)
    .catch(() => null);
  if (!portfolio) {
    t.diagnostic('lightbox skipped: the demo photographer has fewer than two published photos yet');
  } else {
    await page.reload();
    const thumbs = page.locator('.portfolio-grid .thumb');
    await thumbs.nth(1).waitFor();
    const count = await thumbs.count();
    await thumbs.nth(1).focus();
    await page.keyboard.press('Enter');
    const viewer = page.getByRole('dialog', { name: `Portfolio of ${asha.profile.display_name}` });
    await viewer.waitFor();
    await viewer.getByText(`Photo 2 of ${count}`).waitFor();
    const second = portfolio.items[1];
    if (second.caption) await viewer.getByText(second.caption).waitFor();
    assert.ok(await page.evaluate(() => document.activeElement?.closest('dialog') !== null), 'focus moves into the viewer');
    const srcset = await viewer.locator('img').getAttribute('srcset');
    for (const url of Object.values(second.urls)) assert.ok(srcset?.includes(url), `the viewer offers ${url}: ${srcset}`);
    await visited(page, 'c09b-lightbox');
    await page.keyboard.press(count > 2 ? 'ArrowRight' : 'ArrowLeft');
    await viewer.getByText(`Photo ${count > 2 ? 3 : 1} of ${count}`).waitFor();
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.activeElement?.closest('dialog') !== null), 'Tab stays in the viewer');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('.portfolio-grid .thumb')].indexOf(document.activeElement)), 1,
      'closing returns focus to the photo that opened it');
  }

  phase('lightbox');
  // Notifications: the badge counts the unread; "mark all read" clears it.
  await until('/notifications?limit=1', priya.token, 30, (n) => n.unread > 0);
  await page.goto(`${WEB}/notifications`);
  await page.locator('.notifications li').first().waitFor();
  await page.getByTestId('unread-badge').waitFor();
  await visited(page, 'c10-notifications');
  // "Mark all as read" marks up to the newest shown. The stream may still be delivering
  // notifications of this journey's own steps (a fresh stack is busy): those arrive
  // unread, as they should, so what is checked is that everything shown was marked.
  const shown = await page.locator('.notifications li[data-notification]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-notification')));
  const newest = [...shown].sort().at(-1);
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  const after = await until('/notifications?limit=100', priya.token, 20,
    (n) => n.items.filter((i) => i.id <= newest).every((i) => i.read));
  const arrived = after.items.filter((i) => i.id > newest).length;
  assert.equal(after.unread, arrived, `only notifications newer than the newest shown stay unread: ${JSON.stringify(after)}`);
  if (arrived === 0) {
    await page.getByTestId('unread-badge').waitFor({ state: 'detached' });
  }
  for (const id of shown) {
    await page.locator(`.notifications li.read[data-notification="${id}"]`).waitFor();
  }

  phase('notifications');
  // Recommendations on the home page, with their reasons.
  await page.getByRole('link', { name: 'Find a photographer' }).first().click();
  await page.locator('.recs .card').first().waitFor();
  await visited(page, 'c11-home-recommendations');

  assertNoProblems(page);
  await context.close();
  phase('recommendations');
  console.log(`client-more journey: ${((Date.now() - started) / 1000).toFixed(1)} s (${phases.join(', ')})`);
});
