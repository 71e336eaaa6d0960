/**
 * The dashboard's audit view (NEN 7513 review) and the link e-mail, in Chromium against a real portal: filters by
 * link, shipment, user and date, CSV export of what is filtered, the hash chain's status (also when a row was
 * altered behind the portal's back), the view closed to non-admins; and a link sent by e-mail through SMTP.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './helpers/chromium.ts';
import { startTestPortal, type TestPortal } from './helpers/portal.ts';
import { startSmtpSink, type SmtpSink } from '../server/portal/notify/smtp-sink.test-helper.ts';
import { ensureDashboardBuilt, logIn, PASSWORD, sendShipment, workerApi } from './dashboard-api.test-helper.ts';

let portal: TestPortal;
let chromium: ChromiumSession;
let sink: SmtpSink;
let linkId: string;
const pages: Page[] = [];

async function newPage(email: string): Promise<Page> {
  await chromium.context.clearCookies();
  const page = await chromium.newPage();
  pages.push(page);
  await logIn(page, portal, email);
  return page;
}

async function rows(page: Page, loads = 1): Promise<string[]> {
  await page.locator(`main[data-loads="${loads}"]`).waitFor();
  return page.locator('main tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action') ?? ''));
}

async function filter(page: Page, values: Record<string, string>): Promise<string[]> {
  const loads = Number(await page.locator('main').getAttribute('data-loads'));
  for (const name of ['linkId', 'shipmentId', 'user', 'from', 'to']) await page.fill(`#audit-${name}`, values[name] ?? '');
  await page.click('form.filters button[type=submit]');
  return rows(page, loads + 1);
}

before(async () => {
  await ensureDashboardBuilt();
  sink = await startSmtpSink();
  portal = await startTestPortal({ env: { BEELDPOORT_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
  await portal.addUser('admin@example.org', PASSWORD, 'admin');
  await portal.addUser('radiologist@example.org', PASSWORD, 'radiologist');
  chromium = await launchChromium();

  // A consultation whose consent the radiologist verifies in the dashboard: the records to look for later.
  const page = await newPage('radiologist@example.org');
  await page.goto(`${portal.url}/app/#/links/new`);
  await page.check('#purpose-consult');
  await page.fill('#link-sender', 'UMC Noord');
  await page.fill('#link-contact', 'pacs@umcnoord.example');
  await page.click('form.link-form button[type=submit]');
  const result = page.locator('section.link-result');
  const url = await result.locator('[data-testid=link-url]').inputValue();
  linkId = (await result.getAttribute('data-link-id'))!;
  await sendShipment(portal, url, 'audited-1', [{ fileId: 'a', size: 10 }]);
  const worker = workerApi(portal);
  const lease = await worker.leaseOf('audited-1');
  await worker.statements('audited-1', lease!.leaseToken, { consent: { recordedBy: 'Dr. B', date: '2026-11-28', reference: 'R1' } }, { studies: [], instances: 1, files: 1 });
  await worker.release('audited-1', lease!.leaseToken);
  await page.goto(`${portal.url}/app/#/shipments/audited-1`);
  await page.click('button[data-action=verify-consent]');
  await page.locator('[data-testid=consent-verified]').waitFor();
  await page.close();
});
afterEach(async () => {
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
});
after(async () => {
  await chromium?.close();
  await portal?.stop();
  await sink?.close();
});

test('the audit view filters by link, shipment, user and date, exports what is filtered and shows the chain intact', async () => {
  const page = await newPage('admin@example.org');
  await page.goto(`${portal.url}/app/#/audit`);
  const all = await rows(page);
  assert.ok(all.includes('link.created') && all.includes('consent.verified') && all.includes('login'), all.join(', '));
  assert.match(await page.locator('[data-chain=ok]').textContent() ?? '', /intact/);

  const ofShipment = await filter(page, { shipmentId: 'audited-1' });
  assert.ok(ofShipment.includes('consent.verified') && !ofShipment.includes('link.created'), ofShipment.join(', '));
  const ofLink = await filter(page, { linkId });
  assert.ok(ofLink.includes('link.created') && ofLink.includes('consent.verified') && !ofLink.includes('login'), ofLink.join(', '));
  const ofUser = await filter(page, { user: 'radiologist@example.org' });
  assert.ok(ofUser.length > 0 && ofUser.includes('consent.verified') && ofUser.includes('link.created'), ofUser.join(', '));
  const actors = await page.locator('main tbody tr td:nth-child(3)').allTextContents();
  assert.ok(actors.every((actor) => actor.includes('radiologist@example.org')), actors.join(' | '));
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  assert.ok((await filter(page, { from: today, to: today })).length > 0);
  assert.deepEqual(await filter(page, { from: tomorrow }), []);

  await filter(page, { shipmentId: 'audited-1' });
  const href = await page.locator('[data-testid=audit-export]').getAttribute('href');
  const csv = await page.evaluate(async (target) => {
    const response = await fetch(target!);
    return { type: response.headers.get('content-type'), text: await response.text() };
  }, href);
  assert.match(csv.type ?? '', /text\/csv/);
  const lines = csv.text.trim().split('\n');
  assert.match(lines[0]!, /seq/);
  assert.ok(lines.length > 1 && lines.slice(1).every((line) => line.includes('audited-1')), csv.text);
});

test('a radiologist is told that the audit log is for administrators', async () => {
  const page = await newPage('radiologist@example.org');
  await page.goto(`${portal.url}/app/#/audit`);
  await page.locator('[data-testid=audit-forbidden]').waitFor();
});

test('a link is sent by e-mail from the dashboard when SMTP is configured', async () => {
  const page = await newPage('radiologist@example.org');
  await page.goto(`${portal.url}/app/#/links/new`);
  await page.check('#purpose-transfer');
  await page.fill('#link-sender', 'Ziekenhuis Oost');
  await page.fill('#link-contact', 'radiologie@zho.example');
  await page.click('form.link-form button[type=submit]');
  const form = page.locator('[data-testid=link-mail]');
  assert.equal(await form.locator('input[type=email]').inputValue(), 'radiologie@zho.example', 'prefilled from the contact');
  const before = sink.messages.length;
  await form.locator('button[type=submit]').click();
  await form.locator('[role=status]', { hasText: 'radiologie@zho.example' }).waitFor();
  assert.equal(sink.messages.length, before + 1);
  const url = await page.locator('[data-testid=link-url]').inputValue();
  assert.ok(sink.messages.at(-1)!.data.replace(/=\r\n/g, '').includes(url.split('#')[1]!.slice(0, 40)));
});

test('an audit row altered behind the portal\'s back shows the chain as broken at that row', async () => {
  const db = new Database(path.join(portal.dataDir, 'portal.sqlite'));
  try {
    db.exec("DROP TRIGGER audit_no_update; UPDATE audit SET action = 'nothing.happened' WHERE seq = 2");
  } finally {
    db.close();
  }
  const page = await newPage('admin@example.org');
  await page.goto(`${portal.url}/app/#/audit`);
  const broken = page.locator('[data-chain=broken]');
  await broken.waitFor();
  assert.match(await broken.textContent() ?? '', /BROKEN at entry 2/);
});
