// Chat and live notifications in two browsers against a local stack: a new client
// (registered through the API) with a booking of the demo photographer's, each in a
// context of their own. The client opens the chat from the booking's page, the
// photographer from the booking requests; the photographer sees the client typing,
// then the message arrive without a reload (markup in it shown as text); "Seen" appears
// for the client once the photographer's chat has it on screen, and the reply arrives
// the other way; a photo is shared (where the page's policy lets the browser reach the
// bucket); the chat list shows the conversation; the photographer confirms and the
// client's notifications badge goes up by itself; the client's next message puts a count
// beside the photographer's "Messages" until the chat is opened; a message the server
// refuses is said beside the composer. Pages checked with axe-core, photographed at phone and desktop
// width.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  PASSWORD, WEB, api, assertNoProblems, bookSomeFreeTime, launch, login, newPage, unique, visited,
} from './support.mjs';

const PHOTOGRAPHER = 'asha.reddy@photographers.test';
const PHOTO = join(import.meta.dirname, '..', '..', 'tools', 'local-stack', 'assets', 'smoke-photo.jpg');
let browser;
let asha; // { token, profile }
let client; // { token, email, name }
let booking; // its id

before(async () => {
  browser = await launch();
  const token = await login(PHOTOGRAPHER);
  const own = await api('GET', '/photographers/me', { token });
  assert.equal(own.status, 200, JSON.stringify(own.body));
  asha = { token, profile: own.body };
  const email = `${unique('chat')}@clients.test`;
  const reg = await api('POST', '/auth/register', { body: { email, password: PASSWORD, name: 'Chat Client', role: 'client' } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  client = { token: reg.body.access_token, email, name: 'Chat Client' };
  // Three to five weeks ahead: the client journeys book Asha from day 3, the gallery's
  // from week 5.
  booking = await bookSomeFreeTime(asha, client.token, 21 + Math.floor(Math.random() * 14), {
    label: 'chat', address: '12 Road No. 3, Banjara Hills', notes: 'chat journey',
  });
});

after(async () => {
  await browser?.close();
});

async function signedIn(name, email) {
  const p = await newPage(browser, name);
  await p.page.goto(`${WEB}/sign-in`);
  await p.page.getByLabel('Email').fill(email);
  await p.page.getByLabel('Password').fill(PASSWORD);
  await p.page.getByRole('button', { name: 'Sign in' }).click();
  await p.page.getByRole('button', { name: /Sign out/ }).waitFor();
  return p;
}

/** The chat on screen with its socket open (the page says nothing about the connection
 * once it is open). */
async function chatReady(page) {
  await page.locator('.chat-log').waitFor();
  await page.locator('.connection').waitFor({ state: 'detached', timeout: 20_000 });
  await page.getByLabel(/^Message to/).waitFor();
}

/** Whether the app's Content-Security-Policy lets the browser post to the bucket an
 * attachment ticket names and show images from it (the local stack's names moto). */
async function bucketAllowed() {
  const csp = (await fetch(`${WEB}/`)).headers.get('content-security-policy') ?? '';
  const ticket = await api('POST', `/bookings/${booking}/attachments`, {
    token: client.token, body: { filename: 'probe.jpg', content_type: 'image/jpeg', size_bytes: 1000 },
  });
  assert.equal(ticket.status, 201, `an attachment ticket: ${JSON.stringify(ticket.body)}`);
  const origin = new URL(ticket.body.upload.url).origin;
  const names = (d) => new RegExp(`${d}([^;]*)`).exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
  return { allowed: names('connect-src').includes(origin) && names('img-src').includes(origin), origin, csp };
}

/** The nav link to the chats, with or without its unread count. */
const MESSAGES = /^Messages(, \d+\+? unread)?$/;

/** The number beside "Messages" (0 when there is none). */
async function messagesBadge(page) {
  const b = page.getByTestId('messages-badge');
  return (await b.count()) ? Number.parseInt(/\d+/.exec(await b.textContent())?.[0] ?? '', 10) : 0;
}

async function badge(page) {
  const b = page.getByTestId('unread-badge');
  return (await b.count()) ? Number.parseInt(await b.innerText(), 10) : 0;
}

test('a client and a photographer chat live, with typing, read receipts and a live notification badge', async (t) => {
  const started = Date.now();
  const phases = [];
  let last = started;
  const phase = (what) => { const now = Date.now(); phases.push(`${what} ${((now - last) / 1000).toFixed(1)} s`); last = now; };
  const them = asha.profile.display_name;
  // The photographer reads the client's name where the API gives it (GET /bookings/{id}),
  // "the client" from one that does not.
  const seen = await api('GET', `/bookings/${booking}`, { token: asha.token });
  assert.equal(seen.status, 200, JSON.stringify(seen.body));
  if ('client_name' in seen.body) assert.equal(seen.body.client_name, client.name);
  const theClient = seen.body.client_name ?? 'the client';
  const TheClient = theClient.charAt(0).toUpperCase() + theClient.slice(1);

  // The client: from the booking's page to its chat.
  const c = await signedIn('chat journey (client)', client.email);
  await c.page.goto(`${WEB}/bookings/${booking}`);
  await c.page.getByRole('link', { name: `Messages with ${them}` }).click();
  await c.page.getByRole('heading', { name: `Messages with ${them}` }).waitFor();
  await chatReady(c.page);
  await c.page.getByText('No messages yet.').waitFor();
  await visited(c.page, 'm01-chat-empty');

  // The photographer: from the booking requests to the same chat.
  const p = await signedIn('chat journey (photographer)', PHOTOGRAPHER);
  await p.page.goto(`${WEB}/photographer/bookings`);
  await p.page.locator(`[data-booking="${booking}"]`).first().getByRole('link', { name: /Message the client/ }).click();
  await p.page.getByRole('heading', { name: `Messages with ${theClient}` }).waitFor();
  await chatReady(p.page);
  phase('both chats open');

  // Typing, seen by the other side while it lasts.
  const text = 'Hello <b>Asha</b>, could we shoot at sunset?\nWe are flexible.';
  await c.page.getByLabel(`Message to ${them}`).fill(text.slice(0, 12));
  await p.page.getByTestId('typing').getByText(`${TheClient} is typing…`).waitFor({ timeout: 15_000 });
  await visited(p.page, 'm02-chat-typing');
  phase('typing shown');

  // The message: sent with Enter, shown to the photographer without a reload, as text.
  await p.page.evaluate(() => { window.chatJourneyMarker = 'no reload'; });
  await c.page.getByLabel(`Message to ${them}`).fill(text);
  await c.page.getByLabel(`Message to ${them}`).press('Enter');
  const arrived = p.page.locator('.msg.theirs .msg-text').first();
  await arrived.waitFor({ timeout: 20_000 });
  assert.equal(await arrived.innerText(), text, 'the text as written, line break included');
  assert.equal(await p.page.locator('.messages b').count(), 0, 'markup in a message is never markup');
  assert.equal(await p.page.evaluate(() => window.chatJourneyMarker), 'no reload');
  // The client's copy is stored (no longer "Sending…") and typing has stopped showing.
  await c.page.locator('.msg.mine[data-message]').waitFor();
  assert.equal(await c.page.locator('[data-pending]').count(), 0, 'nothing left pending');
  await p.page.getByTestId('typing').getByText('is typing').waitFor({ state: 'detached' });
  phase('message delivered');

  // The photographer's chat is on screen, so it marks the message read: "Seen" for the client.
  await c.page.getByTestId('seen').waitFor({ timeout: 20_000 });
  assert.equal(await c.page.locator('.msg.mine').last().getByTestId('seen').count(), 1, 'under the last message read');
  phase('read receipt');

  // The reply, live the other way; the client's chat marks it read in turn.
  await p.page.getByLabel(`Message to ${theClient}`).fill('Sunset works. See you then!');
  await p.page.getByRole('button', { name: 'Send' }).click();
  await c.page.locator('.msg.theirs .msg-text').getByText('Sunset works. See you then!').waitFor({ timeout: 20_000 });
  await p.page.getByTestId('seen').waitFor({ timeout: 20_000 });
  await visited(c.page, 'm03-chat-conversation');
  phase('reply and its receipt');

  // A photo shared: posted to the bucket with its ticket, checked by processing, sent
  // with a caption, shown to the photographer from its short-lived link.
  const probe = await bucketAllowed();
  if (probe.allowed) {
    await c.page.getByLabel(/Attach a photo or PDF/).setInputFiles({ name: 'venue.jpg', mimeType: 'image/jpeg', buffer: readFileSync(PHOTO) });
    await c.page.getByTestId('chat-file').getByText('ready to send').waitFor({ timeout: 45_000 });
    await c.page.getByLabel(`Message to ${them}`).fill('Our venue');
    await c.page.getByRole('button', { name: 'Send' }).click();
    const photo = p.page.locator('.msg.theirs .msg-file img[alt="venue.jpg"]');
    await photo.waitFor({ timeout: 20_000 });
    await p.page.waitForFunction(() => {
      const img = document.querySelector('.msg.theirs .msg-file img[alt="venue.jpg"]');
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
    });
    // The sender's own copy gets its links from the pushed message (its `sent` answer has none).
    await c.page.locator('.msg.mine').getByRole('link', { name: 'Photo: venue.jpg' }).waitFor({ timeout: 20_000 });
    await visited(p.page, 'm04-chat-photo');
    phase('photo shared');
  } else {
    t.diagnostic(`attachment skipped: the app's CSP does not name ${probe.origin} in connect-src and img-src`);
  }

  // The chat list: the conversation with the last message; read, so nothing unread.
  // "Messages, 2 unread" where earlier runs left some of Asha's chats unread.
  await p.page.getByRole('link', { name: MESSAGES }).click();
  await p.page.getByRole('heading', { name: 'Messages' }).waitFor();
  const row = p.page.locator(`[data-chat="${booking}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Chat Client/);
  assert.match(await row.innerText(), probe.allowed ? /Our venue/ : /You: Sunset works/);
  await visited(p.page, 'm05-chats');

  // A live notification: the photographer confirms, the client's badge goes up by itself.
  // First the badge agrees with the API (the request's own notice, if any, has come).
  const unread = async () => (await api('GET', '/notifications?limit=5', { token: client.token })).body;
  const settled = Date.now() + 20_000;
  while ((await unread()).unread !== await badge(c.page)) {
    assert.ok(Date.now() < settled, 'the client\'s badge agrees with GET /notifications before the confirmation');
    await new Promise((r) => setTimeout(r, 250));
  }
  const before = await badge(c.page);
  await c.page.evaluate(() => { window.chatJourneyMarker = 'no reload'; });
  await p.page.goto(`${WEB}/photographer/bookings`);
  await p.page.locator(`[data-booking="${booking}"]`).getByRole('button', { name: 'Confirm' }).click();
  await p.page.locator(`[data-booking="${booking}"] .status-confirmed`).waitFor();
  await c.page.waitForFunction((n) => {
    const b = document.querySelector('[data-testid="unread-badge"]');
    return b !== null && Number.parseInt(b.textContent ?? '', 10) > n;
  }, before, { timeout: 60_000 });
  const now = await unread();
  assert.ok(now.items.some((n) => n.kind === 'booking_confirmed' && n.booking_id === booking), 'the confirmation\'s notice');
  assert.equal(await badge(c.page), now.unread, 'the badge counts what the API counts');
  assert.equal(await c.page.evaluate(() => window.chatJourneyMarker), 'no reload');
  phase('notification badge live');

  // The photographer's Messages badge: the client writes while the photographer is on
  // another screen, and the count beside "Messages" goes up by itself, to what GET
  // /chats counts; opening the chat reads the message, and the count goes back down.
  const chatsUnread = async () => {
    const r = await api('GET', '/chats?limit=100', { token: asha.token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items.reduce((n, x) => n + x.unread, 0);
  };
  const agreed = Date.now() + 20_000;
  while (await chatsUnread() !== await messagesBadge(p.page)) {
    assert.ok(Date.now() < agreed, 'the photographer\'s Messages badge agrees with GET /chats before the message');
    await new Promise((r) => setTimeout(r, 250));
  }
  const unreadBefore = await messagesBadge(p.page);
  assert.ok(unreadBefore < 99, `Asha has ${unreadBefore} unread messages already: the count could not be seen to go up`);
  await p.page.evaluate(() => { window.chatJourneyMarker = 'no reload'; });
  await c.page.getByLabel(`Message to ${them}`).fill('Is there parking at the venue?');
  await c.page.getByLabel(`Message to ${them}`).press('Enter');
  const withCount = p.page.getByRole('link', { name: `Messages, ${unreadBefore + 1} unread`, exact: true });
  await withCount.waitFor({ timeout: 20_000 });
  assert.equal(await messagesBadge(p.page), await chatsUnread(), 'the Messages badge counts what the API counts');
  assert.equal(await p.page.evaluate(() => window.chatJourneyMarker), 'no reload');
  await visited(p.page, 'm06-messages-badge');
  await withCount.click();
  const listed = p.page.locator(`[data-chat="${booking}"]`);
  await listed.getByTestId('chat-unread').waitFor();
  assert.equal(await listed.getByTestId('chat-unread').innerText(), '1', 'the chat list counts the one message');
  await listed.getByRole('link').click();
  await p.page.locator('.msg.theirs .msg-text').getByText('Is there parking at the venue?').waitFor({ timeout: 20_000 });
  await p.page.waitForFunction((n) => {
    const b = document.querySelector('[data-testid="messages-badge"]');
    return (b ? Number.parseInt(/\d+/.exec(b.textContent ?? '')?.[0] ?? '', 10) : 0) === n;
  }, unreadBefore, { timeout: 20_000 });
  phase('messages badge live');

  // A refusal: text the server does not take (a control character) is refused with a
  // validation frame, said beside the composer, the message kept with Retry.
  await c.page.getByLabel(`Message to ${them}`).fill('A bell \u0007 here');
  await c.page.getByRole('button', { name: 'Send' }).click();
  const refusal = c.page.getByTestId('chat-problem');
  await refusal.waitFor({ timeout: 20_000 });
  assert.match(await refusal.innerText(), /Message must not contain control characters/);
  await c.page.locator('.msg.failed').getByRole('button', { name: /Retry/ }).waitFor();
  assert.equal(await c.page.getByLabel(`Message to ${them}`).getAttribute('aria-describedby'), 'chat-hint chat-problem');
  await visited(c.page, 'm07-chat-refused');
  phase('refusal');

  assertNoProblems(c.page);
  assertNoProblems(p.page);
  await c.context.close();
  await p.context.close();
  console.log(`chat journey: ${((Date.now() - started) / 1000).toFixed(1)} s (${phases.join(', ')})`);
});
