// The Account page in a real browser against a local stack, as a seeded client: the time
// zone changed and kept; a new phone number verified end to end (a number that replied
// STOP refused first, with the reason beside the field; the code texted through SNS and
// read back from moto, the local AWS; a wrong code first, showing the tries left; then
// the right one, showing "verified"); texts turned on for reminders, saved, and still so
// after a reload; a calendar subscription address made, copied and read as iCalendar;
// the number removed.
// Every state is checked with axe-core and photographed at phone and desktop width.
//
// moto's address: MOTO_URL, else the `aws` endpoint of .local/dev/state.json when that
// stack serves API_URL (as the smoke journey finds it), else the control's /status.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PASSWORD, WEB, api, assertNoProblems, checkA11y, launch, login, newPage, visited as check } from './support.mjs';

// A seeded client no other journey changes (README "Local stack"; tools/local-stack/src/seed).
const CLIENT = 'emma.clarke@clients.test';
let browser;
let moto;
let checking = 0; // ms spent in axe and screenshots, for the timing line

async function visited(page, name, { photos = true } = {}) {
  const t0 = Date.now();
  await (photos ? check(page, name) : checkA11y(page, name));
  checking += Date.now() - t0;
}

async function findMoto() {
  if (process.env.MOTO_URL) return process.env.MOTO_URL.replace(/\/+$/, '');
  const strip = (u) => u?.replace(/\/+$/, '');
  const file = join(process.cwd(), '..', '.local', 'dev', 'state.json');
  if (existsSync(file)) {
    const state = JSON.parse(readFileSync(file, 'utf8'));
    if (strip(state.api) === strip(process.env.API_URL) && state.aws) return strip(state.aws);
  }
  if (process.env.CONTROL_URL) {
    const status = await (await fetch(`${strip(process.env.CONTROL_URL)}/status`)).json();
    if (status.aws) return strip(status.aws);
  }
  return null;
}

/** A UK mobile number of this run: `+4477` and 7 digits. moto treats numbers ending in
 * 99 as having replied STOP, so the others never end so. */
function phoneNumber(optedOut) {
  const n = Math.floor(Math.random() * 10_000_000);
  const digits = optedOut ? Math.floor(n / 100) * 100 + 99 : (n % 100 === 99 ? n - 1 : n);
  return `+4477${String(digits).padStart(7, '0')}`;
}

/** The 6-digit code moto recorded in the latest text to `phone` (its message starts with it). */
async function textedCode(phone) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = await (await fetch(`${moto}/moto-api/data.json`)).json();
    const texts = (state.sns?.SMS ?? []).filter((m) => m.phone_number === phone);
    const code = /^(\d{6})\b/.exec(texts.at(-1)?.message ?? '')?.[1];
    if (code) return code;
    if (Date.now() > deadline) assert.fail(`no code texted to ${phone} within 15 s: ${JSON.stringify(texts)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  moto = await findMoto();
  assert.ok(moto, 'moto\'s URL (MOTO_URL, or .local/dev/state.json of the stack serving API_URL, or CONTROL_URL) reads the texted code');
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a client changes the time zone, verifies a phone by text, turns texts on and subscribes a calendar', async () => {
  const started = Date.now();
  const token = await login(CLIENT);
  const before = (await api('GET', '/me', { token })).body;
  const zone = before.timezone === 'Asia/Tokyo' ? 'America/New_York' : 'Asia/Tokyo';
  // Texts off, the default reminders: what the journey then changes (a run before this
  // one left them on).
  const reset = await api('PATCH', '/me', {
    token,
    body: { notification_preferences: { email: true, sms: false, push: true, reminder_hours: [24, 2], sms_events: ['booking_confirmed', 'booking_cancelled', 'reminder'] } },
  });
  assert.equal(reset.status, 200, JSON.stringify(reset.body));

  const signedIn = Date.now() - started;
  const { context, page } = await newPage(browser, 'account journey');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: WEB });
  await page.goto(`${WEB}/sign-in`);
  await page.getByLabel('Email').fill(CLIENT);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.waitForURL(/\/account$/);
  await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
  // Photographed later, in the states that show more (the code asked for, all set).
  await visited(page, 'account', { photos: false });
  const t = { api: signedIn, open: Date.now() - started, waited: false };

  // The time zone, saved and read back through the API.
  await page.getByLabel('Time zone').selectOption(zone);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText(`Saved. Your time zone is ${zone}.`).waitFor();
  assert.equal((await api('GET', '/me', { token })).body.timezone, zone);
  t.zone = Date.now() - started;

  // A number that replied STOP is refused beside the field, and no code goes to it.
  await page.getByRole('button', { name: /^(Verify by text|Change number)$/ }).click();
  const number = page.getByLabel('Mobile number');
  await number.fill(phoneNumber(true));
  await page.getByRole('button', { name: 'Text me a code' }).click();
  await page.locator('#acct-number-error').getByText(/STOP/).waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), 'true');

  // A new number: the code goes out; resending waits a minute.
  const phone = phoneNumber(false);
  await number.fill(phone);
  await page.getByRole('button', { name: 'Text me a code', exact: true }).click();
  const sent = page.getByTestId('code-sent');
  const refused = page.getByRole('alert').filter({ hasText: 'You can ask for a new code in' });
  await sent.or(refused).first().waitFor();
  if (await refused.count()) {
    // An earlier run of this journey texted this account less than a minute ago (one
    // code a minute): the wait is said, the button counts down, then sends.
    t.waited = true;
    await page.getByRole('button', { name: /^Text me a code \(in \d:\d\d\)$/ }).waitFor();
    const again = page.getByRole('button', { name: 'Text me a code', exact: true });
    await again.waitFor({ timeout: 65_000 });
    await again.click();
  }
  await sent.getByText(phone).waitFor();
  const codeInput = page.getByLabel('Code from the text');
  assert.equal(await codeInput.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await codeInput.getAttribute('inputmode'), 'numeric');
  assert.ok(await page.getByRole('button', { name: 'Send a new code' }).isDisabled(), 'resending waits for resend_after');
  assert.match(await page.getByTestId('resend-hint').innerText(), /new code in (1:00|0:[0-5]\d)\./);
  const code = await textedCode(phone);
  t.texted = Date.now() - started;

  // A wrong code first: the tries left, beside the field.
  await codeInput.fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.locator('#acct-code-error').getByText('That is not the code we sent: 4 tries left.').waitFor();
  await visited(page, 'account-code');

  // The right one: verified.
  await codeInput.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await page.getByRole('button', { name: 'Confirm code' }).click();
  await page.getByText(`${phone} is verified: texts you choose under Notifications can go to it.`).waitFor();
  assert.equal(await page.getByTestId('phone-number').innerText(), phone);
  assert.equal(await page.getByTestId('phone-state').innerText(), 'Verified');
  const verified = (await api('GET', '/me', { token })).body;
  assert.equal(verified.phone, phone);
  assert.equal(verified.phone_verified, true);
  t.verified = Date.now() - started;

  // Texts on, for reminders only; a third reminder, which closes the rest.
  await page.getByLabel('By text message').check();
  await page.getByLabel('A booking is confirmed').uncheck();
  await page.getByLabel('A booking is cancelled (by the other side)').uncheck();
  assert.ok(await page.getByLabel('A reminder the day before a session').isChecked());
  assert.equal(await page.getByTestId('sms-unverified').count(), 0, 'no warning with a verified number');
  await page.getByLabel('1 week before').check();
  await page.getByTestId('reminder-count').getByText('3 of 3 chosen').waitFor();
  assert.ok(await page.getByLabel('1 hour before').isDisabled(), 'a fourth reminder cannot be chosen');
  await page.getByRole('button', { name: 'Save notifications' }).click();
  await page.getByText('Saved. Reminders 1 week, 1 day and 2 hours before each confirmed session.').waitFor();

  // Kept after a reload, on the page and in the API.
  await page.reload();
  await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
  assert.ok(await page.getByLabel('By text message').isChecked());
  assert.ok(await page.getByLabel('A reminder the day before a session').isChecked());
  assert.ok(!(await page.getByLabel('A booking is confirmed').isChecked()));
  assert.ok(await page.getByLabel('1 week before').isChecked());
  assert.equal(await page.getByLabel('Time zone').inputValue(), zone);
  await page.getByTestId('phone-state').getByText('Verified', { exact: true }).waitFor();
  const prefs = (await api('GET', '/me', { token })).body.notification_preferences;
  assert.deepEqual(prefs, { email: true, sms: true, push: true, reminder_hours: [168, 24, 2], sms_events: ['reminder'] });
  t.kept = Date.now() - started;

  // A calendar subscription address: shown once, copied, and an iCalendar feed.
  await page.getByRole('button', { name: 'Make my calendar address' }).click();
  const address = page.getByLabel('Your calendar address');
  await address.waitFor();
  const url = await address.inputValue();
  assert.match(url, /\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
  await page.getByRole('button', { name: 'Copy the address' }).click();
  await page.getByText(/^(Copied|Selected)/).waitFor();
  const feed = await fetch(url);
  assert.equal(feed.status, 200);
  assert.match(await feed.text(), /^BEGIN:VCALENDAR/);
  await visited(page, 'account-verified');
  t.feed = Date.now() - started;

  // The number removed again (after a confirmation): no texts can go anywhere.
  await page.getByRole('button', { name: 'Remove number' }).click();
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  await page.getByText('Your number is removed').waitFor();
  assert.equal(await page.getByTestId('phone-number').innerText(), 'None yet');
  const removed = (await api('GET', '/me', { token })).body;
  assert.deepEqual([removed.phone, removed.phone_verified], [null, false]);

  assertNoProblems(page);
  await context.close();
  console.log(`account journey: ${JSON.stringify(t)} ms from the start, ${Date.now() - started} ms in all, ${checking} ms of it axe and screenshots`);
});
