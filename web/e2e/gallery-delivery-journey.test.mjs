// A client gallery delivered in a real browser against a local stack: the photographer
// opens a confirmed booking's gallery from the booking's page, choosing how long photos
// are kept; drops three photos on the page (two JPEGs drawn in the browser, and one
// whose over-long name the API refuses, its problem shown beside the file); waits for
// process-upload to make the two ready; removes one after a confirmation; delivers
// after a confirmation that says the client gets an email. The client then sees the
// delivered gallery (the photo loaded from the private bucket's presigned link) and
// marks it a favourite, which the photographer's page shows. Last, an admin reaches the
// payment history from the navigation. Every page is checked with axe-core and
// photographed at phone and desktop width.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  PASSWORD, WEB, api, assertNoProblems, bookSomeFreeTime, launch, login, newPage, unique, visited,
} from './support.mjs';

const PHOTOGRAPHER = 'asha.reddy@photographers.test';
const ADMIN = 'admin@capturemoments.test';
let browser;
let asha; // { token, profile }
let client; // { token, email }
let booking; // the confirmed booking's id

before(async () => {
  browser = await launch();
  const token = await login(PHOTOGRAPHER);
  const own = await api('GET', '/photographers/me', { token });
  assert.equal(own.status, 200, JSON.stringify(own.body));
  asha = { token, profile: own.body };
  const email = `${unique('gallery')}@clients.test`;
  const reg = await api('POST', '/auth/register', { body: { email, password: PASSWORD, name: 'Gallery Client', role: 'client' } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  client = { token: reg.body.access_token, email };
  // Five to eight weeks ahead: the other journeys book Asha from day 3 (client journeys)
  // and weeks 3 to 5 (chat).
  booking = await bookSomeFreeTime(asha, client.token, 36 + Math.floor(Math.random() * 21), {
    label: 'gallery', address: '4 Jubilee Hills Road', notes: 'gallery journey',
  });
  const confirmed = await api('PUT', `/bookings/${booking}/status`, { token, body: { status: 'confirmed' } });
  assert.equal(confirmed.status, 200, `confirming: ${JSON.stringify(confirmed.body)}`);
});

after(async () => {
  await browser?.close();
});

async function signedIn(name, email, next) {
  const p = await newPage(browser, name);
  await p.page.goto(`${WEB}/sign-in?next=${encodeURIComponent(next)}`);
  await p.page.getByLabel('Email').fill(email);
  await p.page.getByLabel('Password').fill(PASSWORD);
  await p.page.getByRole('main').getByRole('button', { name: 'Sign in' }).click();
  await p.page.getByRole('button', { name: /Sign out/ }).waitFor();
  return p;
}

/** JPEGs drawn on a canvas in the page (a real encoder's output, as a camera's would
 * be re-encoded anyway), as base64. */
async function drawJpegs(page, specs) {
  return page.evaluate((list) => list.map(([w, h, bg, fg]) => {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    g.fillStyle = bg;
    g.fillRect(0, 0, w, h);
    g.fillStyle = fg;
    g.beginPath();
    g.arc(w / 2, h / 2, Math.min(w, h) / 3, 0, Math.PI * 2);
    g.fill();
    return canvas.toDataURL('image/jpeg', 0.9).split(',')[1];
  }), specs);
}

/** Drops `files` ({name, b64}) on the drop zone as a person dragging them from a folder would. */
async function dropFiles(page, files) {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: 'image/jpeg' }));
    }
    return dt;
  }, files);
  const zone = page.locator('.dropzone');
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
}

test('a photographer opens, fills and delivers a client gallery; the client sees it; an admin reaches payments', async (t) => {
  const started = Date.now();
  const path = `/photographer/bookings/${booking}/gallery`;

  // From the booking's page to its gallery, not opened yet.
  const { context, page } = await signedIn('gallery delivery journey', PHOTOGRAPHER, `/bookings/${booking}`);
  await page.getByTestId('booking-status').getByText('Confirmed').waitFor();
  await page.getByRole('link', { name: 'Upload and deliver photos' }).click();
  await page.waitForURL(new RegExp(`${path}$`));
  await page.getByRole('heading', { name: 'Photos for the client', level: 1 }).waitFor();
  await page.getByTestId('gallery-state').getByText('Not opened yet').waitFor();
  assert.equal(await page.getByLabel('90 days (about 3 months)').isChecked(), true, 'the API\'s default is chosen');
  assert.equal(await page.locator('.dropzone').count(), 0, 'no uploads before the gallery is opened');
  await visited(page, 'g1-gallery-not-opened');

  // Opened with 30 days.
  await page.getByLabel('30 days (about a month)').check();
  await page.getByRole('button', { name: 'Open the gallery' }).click();
  await page.getByTestId('gallery-state').getByText('Open: the client does not see it yet').waitFor();
  const opened = await api('GET', `/bookings/${booking}/gallery`, { token: asha.token });
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
  assert.equal(opened.body.gallery.retention_days, 30);
  assert.equal(opened.body.gallery.status, 'open');
  const hidden = await api('GET', `/bookings/${booking}/gallery`, { token: client.token });
  assert.equal(hidden.status, 404, 'the client sees nothing before delivery');

  // Three files dropped at once: two JPEGs, and one whose name (over 255 characters)
  // the API refuses, its problem beside that file.
  const [landscape, portrait] = await drawJpegs(page, [[640, 480, '#1f5f8b', '#f2c14e'], [480, 640, '#7a2e3a', '#e8f5ec']]);
  const longName = `${'very-long-name-'.repeat(18)}.jpg`;
  await dropFiles(page, [
    { name: 'ceremony.jpg', b64: landscape }, { name: 'portrait.jpg', b64: portrait }, { name: longName, b64: landscape },
  ]);
  const uploads = page.locator('.upload-list li');
  await uploads.nth(2).waitFor();
  await page.locator('.upload-list li[data-phase="failed"]').getByText(/filename/).waitFor();
  await page.locator('.upload-list li[data-phase="ready"]').nth(1).waitFor({ timeout: 90_000 });
  t.diagnostic(`two photos uploaded and processed ${((Date.now() - started) / 1000).toFixed(1)} s in`);
  const photos = page.locator('.delivery-photos li');
  await page.locator('.delivery-photos li[data-status="ready"]').nth(1).waitFor();
  assert.equal(await photos.count(), 2, 'the refused file left no photo behind');
  assert.match(await page.getByTestId('retention-locked').innerText(), /kept 30 days/);
  assert.match(await page.getByTestId('photo-counts').innerText(), /^2 ready\./);
  // The thumbnails come from the private bucket through presigned links the page's policy allows.
  await page.waitForFunction(() => [...document.querySelectorAll('.delivery-photos img')].every((i) => i.complete && i.naturalWidth > 0));
  await visited(page, 'g2-gallery-uploaded');

  // One removed, after its confirmation.
  const portraitCard = photos.filter({ hasText: 'portrait.jpg' });
  await portraitCard.getByRole('button', { name: 'Remove portrait.jpg' }).click();
  await portraitCard.getByRole('button', { name: 'Remove portrait.jpg for good' }).click();
  await portraitCard.waitFor({ state: 'detached' });
  assert.equal(await photos.count(), 1);
  const left = await api('GET', `/bookings/${booking}/gallery`, { token: asha.token });
  assert.deepEqual(left.body.items.map((p) => p.filename), ['ceremony.jpg']);

  // Delivered after a confirmation that says the client is emailed.
  await page.getByRole('button', { name: 'Deliver to client' }).click();
  const question = page.getByRole('group', { name: /^Deliver 1 photo to the client\?/ });
  await question.waitFor();
  assert.match(await question.innerText(), /email/);
  assert.match(await question.innerText(), /kept 30 days/);
  await visited(page, 'g3-deliver-confirm');
  await question.getByRole('button', { name: 'Deliver and email the client' }).click();
  const delivered = page.getByTestId('delivered');
  await delivered.getByText(/^Delivered on .+ The client was emailed/).waitFor();
  await page.getByTestId('gallery-state').getByText('Delivered').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'delivered', 'focus on the outcome');
  const final = await api('GET', `/bookings/${booking}/gallery`, { token: asha.token });
  assert.equal(final.body.gallery.status, 'delivered');
  assert.ok(final.body.gallery.delivered_at);
  await visited(page, 'g4-gallery-delivered');

  // The client: the delivered gallery from the booking's page, the photo shown, a favourite.
  const c = await signedIn('gallery client', client.email, `/bookings/${booking}`);
  await c.page.getByRole('link', { name: 'Your photos from this session' }).click();
  await c.page.getByRole('heading', { name: 'Your photos', level: 1 }).waitFor();
  await c.page.locator('.client-photos li').filter({ hasText: 'ceremony.jpg' }).waitFor();
  assert.equal(await c.page.locator('.client-photos li').count(), 1, 'only the photo kept');
  await c.page.waitForFunction(() => [...document.querySelectorAll('.client-photos img')].every((i) => i.complete && i.naturalWidth > 0));
  assert.match(await c.page.locator('.client-gallery').innerText(), /Photos are kept 30 days after they are ready/);
  await c.page.getByRole('button', { name: 'Favourite: ceremony.jpg' }).click();
  await c.page.locator('button[aria-pressed="true"]', { hasText: 'Favourite' }).waitFor();
  await visited(c.page, 'g5-client-gallery');
  assertNoProblems(c.page);
  await c.context.close();

  // The photographer sees the client's choice.
  await page.reload();
  await page.locator('.delivery-photos li.is-favourite').getByText('The client’s favourite').waitFor();
  assert.match(await page.getByTestId('photo-counts').innerText(), /The client marked 1 favourite of 1 ready photo\./);
  assertNoProblems(page);
  await context.close();

  // An admin reaches every booking's payments from the navigation.
  const a = await signedIn('gallery admin payments', ADMIN, '/admin');
  await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click();
  await a.page.waitForURL(/\/payments$/);
  await a.page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
  await a.page.getByText('Every booking’s payments, newest first.').waitFor();
  assert.equal(await a.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).getAttribute('aria-current'), 'page');
  await a.page.locator('.loading').waitFor({ state: 'detached' });
  const listed = await api('GET', '/payments?limit=20', { token: await login(ADMIN) });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  if (listed.body.items.length > 0) await a.page.locator('.payment-row').first().waitFor();
  else await a.page.getByText('No payments on the platform yet.').waitFor();
  await visited(a.page, 'g6-admin-payments');
  assertNoProblems(a.page);
  await a.context.close();
  t.diagnostic(`journey took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
