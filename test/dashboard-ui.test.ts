/**
 * The receiver dashboard in real Chromium against a real portal (issue 8). The sender's and the worker's sides
 * are driven through their real HTTP APIs (dashboard-api.test-helper.ts), so every state the dashboard shows
 * is one the portal really reached. The full path with the command-line sender, the worker and storescp is
 * test/dashboard-e2e.test.ts.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './helpers/chromium.ts';
import { startTestPortal, type TestPortal } from './helpers/portal.ts';
import { ensureDashboardBuilt, logIn, PASSWORD, sendShipment, workerApi } from './dashboard-api.test-helper.ts';

let portal: TestPortal;
let chromium: ChromiumSession;
let clockOffset = 0;

before(async () => {
  await ensureDashboardBuilt();
  portal = await startTestPortal({ now: () => Date.now() + clockOffset });
  await portal.addUser('radiologist@example.org', PASSWORD, 'radiologist');
  await portal.addUser('admin@example.org', PASSWORD, 'admin');
  chromium = await launchChromium();
});
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
});
after(async () => {
  await chromium?.close();
  await portal?.stop();
});

const pages: Page[] = [];

/** A fresh tab without a session; closed after the test even when it fails (each holds an event stream). */
async function newPage(): Promise<Page> {
  await chromium.context.clearCookies();
  const page = await chromium.newPage();
  pages.push(page);
  // Any alert() would mean sender-supplied markup ran: fail loudly instead of hanging on the dialog.
  page.on('dialog', (dialog) => {
    chromium.errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

async function createLinkInForm(page: Page, purpose: string, sender: string, contact = ''): Promise<{ url: string; code: string; id: string }> {
  await page.goto(`${portal.url}/app/#/links/new`);
  await page.check(`#purpose-${purpose}`);
  await page.fill('#link-sender', sender);
  if (contact) await page.fill('#link-contact', contact);
  await page.click('form.link-form button[type=submit]');
  const result = page.locator('section.link-result');
  await result.waitFor();
  return {
    url: await result.locator('[data-testid=link-url]').inputValue(),
    code: (await result.locator('[data-testid=link-code]').textContent()) ?? '',
    id: (await result.getAttribute('data-link-id')) ?? '',
  };
}

test('the dashboard page carries a strict CSP and loads without errors', async () => {
  const response = await fetch(`${portal.url}/app/`);
  const csp = response.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const page = await newPage();
  await page.goto(`${portal.url}/app/`);
  await page.waitForSelector('form.login');
  const preferred = await page.evaluate(() => navigator.language);
  assert.equal(await page.locator('html').getAttribute('lang'), preferred.startsWith('en') ? 'en' : 'nl', 'the browser\'s language, else Dutch');
  await page.close();
  assert.deepEqual(chromium.errors.filter((e) => !e.includes('401')), []);
});

test('login: a wrong password is refused, the right one opens the dashboard, logout returns to the form', async () => {
  const page = await newPage();
  await page.addInitScript(() => localStorage.setItem('beeldpoort.language', 'en'));
  await page.goto(`${portal.url}/app/`);
  await page.fill('#login-email', 'radiologist@example.org');
  await page.fill('#login-password', 'wrong password here');
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#login-message[role=alert]');
  assert.match(await page.locator('#login-message').textContent() ?? '', /wrong/);

  await page.fill('#login-password', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header.top');
  assert.match(await page.locator('header.top .user').textContent() ?? '', /radiologist/);
  assert.equal(await page.locator('main h1').textContent(), 'Shipments');

  await page.click('button[data-action=logout]');
  await page.waitForSelector('form.login');
  const me = await page.evaluate(async () => (await fetch('/api/receiver/me')).status);
  assert.equal(me, 401, 'the session is gone on the server too');
  await page.close();
});

test('the language switch changes every text between Dutch and English', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  assert.equal(await page.locator('main h1').textContent(), 'Shipments');
  await page.click('header.top button[lang=nl]');
  assert.equal(await page.locator('main h1').textContent(), 'Zendingen');
  assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
  await page.click('header.top button[lang=en]');
  assert.equal(await page.locator('main h1').textContent(), 'Shipments');
  await page.close();
});

test('a new link shows its URL, QR code, mailto draft and verification code, and works for the sender', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  await page.goto(`${portal.url}/app/#/links/new`);
  for (const purpose of ['transfer', 'consult', 'internal']) {
    const help = await page.locator(`#purpose-${purpose}-help`).textContent();
    assert.match(help ?? '', /Situation [ABC]/, `the ${purpose} choice explains its situation`);
  }
  // No purpose is preselected: it decides whether consent is checked, so it must be chosen.
  await page.fill('#link-sender', 'Nobody chose');
  await page.click('form.link-form button[type=submit]');
  assert.equal(await page.locator('#purpose-transfer').evaluate((input: HTMLInputElement) => input.validity.valueMissing), true);
  assert.equal(await page.locator('section.link-result').count(), 0);
  const link = await createLinkInForm(page, 'consult', 'UMC Noord', 'pacs@umcnoord.example');
  assert.match(link.url, new RegExp(`^${portal.url}/s/#ey`));
  assert.match(link.code, /^[A-Z0-9]{6}$/);
  const dark = await page.locator('[data-testid=link-qr]').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) n++;
    return { n, total: data.length / 4 };
  });
  assert.ok(dark.n > dark.total * 0.2 && dark.n < dark.total * 0.8, 'the QR canvas is drawn');
  const mailto = await page.locator('a[href^="mailto:"]').getAttribute('href') ?? '';
  assert.ok(mailto.startsWith('mailto:pacs%40umcnoord.example?subject='));
  assert.ok(decodeURIComponent(mailto).includes(link.url) && decodeURIComponent(mailto).includes(link.code));

  const sender = await fetch(`${portal.url}/api/sender/link`, { headers: { authorization: `Bearer ${link.url.split('#')[1]}` } });
  assert.equal(sender.status, 200);
  const body = await sender.json() as { purpose: string; verificationCode: string; sender: { name: string; contact: string } };
  assert.equal(body.purpose, 'consult');
  assert.equal(body.verificationCode, link.code);
  assert.equal(body.sender.contact, 'pacs@umcnoord.example');

  await page.goto(`${portal.url}/app/#/links`);
  const row = page.locator(`tr[data-link-id="${link.id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'active');
  await row.locator('details.show-link summary').click(); // hand the same link out again
  const again = await row.locator('[data-testid=link-url]').inputValue(); // re-signed, so a new token for the same link
  assert.equal((await fetch(`${portal.url}/api/sender/link`, { headers: { authorization: `Bearer ${again.split('#')[1]}` } })).status, 200);
  assert.equal(await row.locator('[data-testid=link-code]').textContent(), link.code);
  assert.equal(await row.locator('[data-testid=link-qr]').count(), 1);
  await page.close();
});

test('revoking a link with one click makes it fail for the sender at once', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  const link = await createLinkInForm(page, 'transfer', 'Ziekenhuis West');
  const token = link.url.split('#')[1];
  assert.equal((await fetch(`${portal.url}/api/sender/link`, { headers: { authorization: `Bearer ${token}` } })).status, 200);

  await page.goto(`${portal.url}/app/#/links`);
  const row = page.locator(`tr[data-link-id="${link.id}"]`);
  await row.locator('button[data-action=revoke]').click();
  await page.locator(`tr[data-link-id="${link.id}"][data-status=revoked]`).waitFor();

  const refused = await fetch(`${portal.url}/api/sender/link`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'E_LINK_REVOKED');
  await page.close();
});

test('a shipment is followed live from uploading to imported with failures, listing which instance failed, its status and why', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  const link = await createLinkInForm(page, 'transfer', 'Ziekenhuis Oost');
  const files = [{ fileId: 'f1', size: 1000 }, { fileId: 'f2', size: 2000 }, { fileId: 'f3', size: 1500 }];
  await page.goto(`${portal.url}/app/#/shipments`);
  await page.waitForSelector('main h1');

  await sendShipment(portal, link.url, 'live-1', files, { to: 1 });
  // Live: the row appears and then shows the first file complete, without a reload (each a later SSE-driven render).
  await page.locator('tr[data-shipment-id="live-1"][data-state=uploading]', { hasText: '1.0 KB of 4.5 KB received' }).waitFor();

  const worker = workerApi(portal);
  const lease = await worker.leaseOf('live-1'); // a transfer is leased as soon as files are complete
  assert.equal(lease?.shipmentId, 'live-1');
  await sendShipment(portal, link.url, 'live-1', files, { from: 1 }); // the remaining files
  await worker.statements('live-1', lease!.leaseToken, { comment: 'CT for the transfer' }, { studies: [], instances: 3, files: 3 });
  await worker.report('live-1', lease!.leaseToken, [{ fileId: 'f1', outcome: 'stored', sopInstanceUid: '1.2.826.0.1.1' }]);

  await page.click('tr[data-shipment-id="live-1"] a');
  await page.locator('.summary[data-state=importing] [data-progress=import]', { hasText: '1 of 3 files imported' }).waitFor();

  await worker.report('live-1', lease!.leaseToken, [
    { fileId: 'f2', outcome: 'stored', sopInstanceUid: '1.2.826.0.1.2' },
    { fileId: 'f3', outcome: 'rejected', code: 'E_PACS_REJECTED', reason: 'Refused: out of resources', dimseStatus: 0xa700, sopInstanceUid: '1.2.826.0.1.3' },
  ], [{ studyInstanceUid: '1.2.826.0.1', date: '20261101', modalities: ['CT'], description: 'CT thorax', series: 1, instances: 3 }]);
  await worker.finish('live-1', lease!.leaseToken, 'imported-with-failures', '1 of 3 instances not stored');

  await page.locator('.summary[data-state=imported-with-failures]').waitFor();
  const failure = page.locator('tr[data-file-id=f3]');
  assert.equal(await failure.getAttribute('data-outcome'), 'rejected');
  assert.equal(await failure.locator('[data-testid=dimse-status]').textContent(), '0xA700');
  assert.match(await failure.textContent() ?? '', /1\.2\.826\.0\.1\.3.*Refused: out of resources/);
  assert.equal(await page.locator('tr[data-file-id=f1]').count(), 0, 'stored instances are not listed as failures');
  assert.match(await page.locator('[data-testid=files-summary]').textContent() ?? '', /3 of 3 files uploaded; 2 stored, 0 stored with a warning, 1 not stored/);
  assert.equal(await page.locator('[data-testid=study-instances]').textContent(), '3');
  await page.close();
});

test('a failed import shows as failed with the reason the worker gave', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  const link = await createLinkInForm(page, 'internal', 'Afdeling Neurologie');
  await sendShipment(portal, link.url, 'failed-1', [{ fileId: 'only', size: 64 }]);
  const worker = workerApi(portal);
  const lease = await worker.leaseOf('failed-1');
  await worker.statements('failed-1', lease!.leaseToken, {}, { studies: [], instances: 1, files: 1 });
  await worker.report('failed-1', lease!.leaseToken, [{ fileId: 'only', outcome: 'failed', code: 'E_DECRYPT', reason: 'record 3 failed authentication' }]);
  await worker.finish('failed-1', lease!.leaseToken, 'failed', 'no file could be decrypted');
  await page.goto(`${portal.url}/app/#/shipments`);
  await page.locator('tr[data-shipment-id="failed-1"][data-state=failed]', { hasText: '0 stored, 1 failed' }).waitFor();
  await page.click('tr[data-shipment-id="failed-1"] a');
  await page.locator('.summary[data-state=failed]').waitFor();
  assert.equal(await page.locator('[data-testid=finish-reason]').textContent(), 'no file could be decrypted');
  assert.match(await page.locator('tr[data-file-id=only]').textContent() ?? '', /failed.*record 3 failed authentication \(E_DECRYPT\)/);
});

test('a consultation stays held until a radiologist verifies the consent, then is offered to the worker again', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  const link = await createLinkInForm(page, 'consult', 'UMC Zuid');
  await sendShipment(portal, link.url, 'consult-1', [{ fileId: 'a', size: 100 }]);
  const worker = workerApi(portal);
  const lease = await worker.leaseOf('consult-1');
  assert.equal(lease?.shipmentId, 'consult-1');
  const answer = await worker.statements('consult-1', lease!.leaseToken,
    { consent: { recordedBy: 'Dr. K. Bakker', date: '2026-11-28', reference: 'EPD 4711' } }, { studies: [], instances: 1, files: 1 });
  assert.equal(answer?.state, 'held');
  await worker.release('consult-1', lease!.leaseToken);
  assert.equal(await worker.leaseOf('consult-1'), undefined, 'held: not offered to the worker');

  await page.goto(`${portal.url}/app/#/shipments/consult-1`);
  await page.locator('.summary[data-state=held]').waitFor();
  const consent = page.locator('[data-testid=consent]');
  assert.match(await consent.textContent() ?? '', /Dr\. K\. Bakker.*2026-11-28.*EPD 4711/);
  await consent.locator('button[data-action=verify-consent]').click();
  await page.locator('[data-testid=consent-verified]').waitFor();
  assert.match(await page.locator('[data-testid=consent-verified]').textContent() ?? '', /Consent verified by/);
  assert.notEqual(await page.locator('.summary').getAttribute('data-state'), 'held');

  const again = await worker.leaseOf('consult-1');
  assert.equal(again?.shipmentId, 'consult-1', 'after verification the import proceeds');
  await worker.release('consult-1', again!.leaseToken);
  await page.close();
});

test('script and HTML in sender-supplied fields are shown as text, never run', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  const evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  const link = await createLinkInForm(page, 'consult', `Evil ${evil}`);
  await sendShipment(portal, link.url, 'evil-1', [{ fileId: 'x', size: 10 }]);
  const worker = workerApi(portal);
  const lease = await worker.leaseOf('evil-1');
  await worker.statements('evil-1', lease!.leaseToken,
    { consent: { recordedBy: evil, date: evil, reference: evil }, comment: evil },
    { studies: [{ studyInstanceUid: '1.2.3', date: '20260101', modalities: ['CT'], description: evil, series: 1, instances: 1 }], instances: 1, files: 1 });
  await worker.report('evil-1', lease!.leaseToken, [], [{ studyInstanceUid: '1.2.3', date: '20260101', modalities: [evil], description: evil, series: 1, instances: 1 }]);
  await worker.release('evil-1', lease!.leaseToken);

  await page.goto(`${portal.url}/app/#/shipments/evil-1`);
  await page.locator('[data-testid=consent] dl').waitFor();
  await page.locator('[data-testid=studies]').waitFor();
  assert.equal(await page.locator('main img, main script').count(), 0, 'no element was created from the text');
  assert.ok((await page.locator('main h1').textContent())!.includes(evil));
  assert.ok((await page.locator('[data-testid=comment]').textContent())!.includes(evil));
  assert.ok((await page.locator('[data-testid=consent]').textContent())!.includes(evil));
  assert.ok((await page.locator('[data-testid=studies]').textContent())!.includes(evil));
  await page.goto(`${portal.url}/app/#/shipments`);
  await page.locator('tr[data-shipment-id="evil-1"]').waitFor();
  await page.goto(`${portal.url}/app/#/links`);
  await page.locator(`tr[data-link-id="${link.id}"]`).waitFor();
  assert.equal(await page.locator('main img, main script').count(), 0);
  assert.deepEqual(chromium.errors.filter((e) => e.startsWith('dialog')), []);
  await page.close();
});

test('an expired session returns to the login form, and logging in again returns to the same view', async () => {
  const page = await newPage();
  await logIn(page, portal, 'radiologist@example.org');
  await page.goto(`${portal.url}/app/#/links`);
  await page.locator('main h1').waitFor();
  clockOffset += 3 * 3_600_000; // past the idle limit
  try {
    await page.goto(`${portal.url}/app/#/shipments`);
    await page.waitForSelector('form.login');
    assert.match(await page.locator('#login-message').textContent() ?? '', /expired|log in/i);
    await page.fill('#login-email', 'radiologist@example.org');
    await page.fill('#login-password', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('header.top');
    assert.equal(new URL(page.url()).hash, '#/shipments');
  } finally {
    await page.close();
  }
});

test('after two hours without a key press or click the dashboard logs out by itself, even while live updates run', async () => {
  const page = await newPage();
  await page.clock.install();
  await logIn(page, portal, 'radiologist@example.org');
  await page.goto(`${portal.url}/app/#/shipments`);
  await page.locator('main h1').waitFor();
  await page.clock.runFor(119 * 60_000);
  assert.equal(await page.locator('form.login').count(), 0, 'still logged in before the limit');
  await page.clock.runFor(2 * 60_000);
  await page.waitForSelector('form.login');
  assert.match(await page.locator('#login-message').textContent() ?? '', /expired/);
  assert.equal(await page.evaluate(async () => (await fetch('/api/receiver/me')).status), 401, 'the server session is ended too');
});

test('every form control and button in every view has an accessible name, and each view has one h1', async () => {
  const page = await newPage();
  await logIn(page, portal, 'admin@example.org');
  for (const hash of ['#/shipments', '#/links', '#/links/new', '#/audit', '#/shipments/live-1']) {
    await page.goto(`${portal.url}/app/${hash}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const problems = await page.evaluate(() => {
      const found: string[] = [];
      for (const control of document.querySelectorAll<HTMLInputElement>('input, select, textarea')) {
        if (control.type === 'hidden') continue;
        const named = (control.labels?.length ?? 0) > 0 || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
        if (!named) found.push(`unlabelled ${control.outerHTML.slice(0, 80)}`);
      }
      for (const button of document.querySelectorAll('button, a')) {
        if (!(button.textContent ?? '').trim() && !button.getAttribute('aria-label')) found.push(`nameless ${button.outerHTML.slice(0, 80)}`);
      }
      if (document.querySelectorAll('h1').length !== 1) found.push(`${document.querySelectorAll('h1').length} h1 elements`);
      if (!document.title.includes('Beeldpoort')) found.push(`title "${document.title}"`);
      return found;
    });
    assert.deepEqual(problems, [], hash);
  }
});
