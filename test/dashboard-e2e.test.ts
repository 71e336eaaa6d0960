/**
 * The receiver dashboard over the whole path (issue 8 tests): a link made in the dashboard, a generated patient
 * CD sent through it with the command-line sender (`beeldpoort send`, a child process), the import worker
 * storing into a real storescp, and the dashboard — watched in Chromium, never reloaded — following the
 * shipment to its final state with the right counts; a consultation held until consent is verified; an
 * instance the PACS refuses listed with its reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';
import { launchChromium } from './helpers/chromium.ts';
import { spawnPeer } from './helpers/child.ts';
import { startTestPortal, type TestPortal } from './helpers/portal.ts';
import { canConnect, freePort, waitUntil } from './helpers/ports.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { runCli, startTestWorker } from './send-support.ts';
import { ensureDashboardBuilt, logIn, PASSWORD } from './dashboard-api.test-helper.ts';

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const FINAL_TIMEOUT = 90_000;

interface Setup { tmp: string; cd: TestCd; portal: TestPortal; page: Page }

async function setUp(t: { after(fn: () => unknown): void }, pacs: { aet: string; port: number }, seed: string, env: Record<string, string> = {}): Promise<Setup> {
  await ensureDashboardBuilt();
  const tmp = makeTempDir('beeldpoort-dashboard-e2e-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 2, images: 2, rows: 32, seed });
  const portal = await startTestPortal({ env });
  t.after(() => portal.stop());
  await portal.addUser('radiologist@example.org', PASSWORD, 'radiologist');
  const worker = await startTestWorker(portal, `${pacs.aet}@127.0.0.1:${pacs.port}`);
  t.after(() => worker.stop());
  const chromium = await launchChromium();
  t.after(() => chromium.close());
  const page = await chromium.newPage();
  await logIn(page, portal, 'radiologist@example.org');
  return { tmp: tmp.dir, cd, portal, page };
}

async function createLink(page: Page, portal: TestPortal, purpose: string, sender: string): Promise<string> {
  await page.goto(`${portal.url}/app/#/links/new`);
  await page.check(`#purpose-${purpose}`);
  await page.fill('#link-sender', sender);
  await page.click('form.link-form button[type=submit]');
  const url = await page.locator('section.link-result [data-testid=link-url]').inputValue();
  await page.goto(`${portal.url}/app/#/shipments`); // watch from here: the shipment must appear by itself
  await page.locator('main h1').waitFor();
  return url;
}

function send(setup: Setup, url: string, extra: string[] = []) {
  return runCli(['send', url, setup.cd.root, '--yes', ...extra], { XDG_CACHE_HOME: path.join(setup.tmp, 'cache') });
}

/** The row of the only shipment, once it reached `state` (waits on live updates; the page is never reloaded). */
async function shipmentRow(page: Page, state: string) {
  const row = page.locator(`tr[data-shipment-id][data-state="${state}"]`);
  await row.waitFor({ timeout: FINAL_TIMEOUT });
  return row;
}

/** A webhook receiver on 127.0.0.1 that keeps every notification posted to it. */
async function startWebhook(t: { after(fn: () => unknown): void }) {
  const received: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/beeldpoort`, received };
}

test('a CD sent with the command-line sender through a dashboard link is followed live to "imported" with the right counts', async (t) => {
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const webhook = await startWebhook(t);
  const setup = await setUp(t, storescp, 'dashboard-e2e-imported', { BEELDPOORT_WEBHOOK_URL: webhook.url });
  const { page, cd } = setup;
  const url = await createLink(page, setup.portal, 'transfer', 'Ziekenhuis Oost');

  const run = await send(setup, url);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const row = await shipmentRow(page, 'imported');
  assert.match(await row.textContent() ?? '', new RegExp(`${cd.instances.length} stored, 0 failed`));

  await row.locator('a').click();
  await page.locator('.summary[data-state=imported]').waitFor();
  assert.match(await page.locator('[data-testid=files-summary]').textContent() ?? '',
    new RegExp(`${cd.instances.length} of ${cd.instances.length} files uploaded; ${cd.instances.length} stored, 0 stored with a warning, 0 not stored`));
  const studies = await page.locator('[data-testid=studies] tbody tr').evaluateAll((rows) => rows.map((r) => ({
    uid: r.getAttribute('data-study-uid'), instances: Number(r.querySelector('[data-testid=study-instances]')?.textContent),
  })));
  assert.deepEqual(studies.map((s) => s.uid).sort(), cd.studies.map((s) => s.studyInstanceUid).sort());
  for (const study of cd.studies) {
    assert.equal(studies.find((s) => s.uid === study.studyInstanceUid)?.instances, study.instances, `instances of study ${study.studyInstanceUid}`);
  }
  assert.equal((await storescp.files()).length, cd.instances.length);

  // Notifications: one when everything was received, one when it was imported; urgent (a transfer); none earlier.
  const deadline = Date.now() + 10_000;
  while (webhook.received.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(webhook.received.map((n) => n.event), ['shipment.received', 'shipment.imported']);
  assert.ok(webhook.received.every((n) => n.urgent === true && n.purpose === 'transfer'));
  assert.deepEqual(webhook.received[1]!.outcomes, { stored: cd.instances.length, warning: 0, failed: 0 });
  assert.match(String(webhook.received[1]!.url), new RegExp(`^${setup.portal.url}/app/#/shipments/`));
});

test('a consultation sent with the command-line sender stays held until consent is verified in the dashboard, then imports', async (t) => {
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const webhook = await startWebhook(t);
  const setup = await setUp(t, storescp, 'dashboard-e2e-consult', { BEELDPOORT_WEBHOOK_URL: webhook.url });
  const { page, cd, portal } = setup;
  const url = await createLink(page, portal, 'consult', 'UMC Noord');

  const run = await send(setup, url, ['--consent-by', 'Dr. K. Bakker', '--consent-date', '2026-11-28', '--consent-ref', 'EPD 4711', '--comment', 'Second opinion, please']);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const row = await shipmentRow(page, 'held');
  assert.equal((await storescp.files()).length, 0, 'nothing reaches the PACS while held');

  await row.locator('a').click();
  const consent = page.locator('[data-testid=consent]');
  await consent.locator('dl').waitFor();
  assert.match(await consent.textContent() ?? '', /Dr\. K\. Bakker.*2026-11-28.*EPD 4711/);
  assert.equal(await page.locator('[data-testid=comment]').textContent(), 'Second opinion, please');
  await consent.locator('button[data-action=verify-consent]').click();
  await page.locator('[data-testid=consent-verified]', { hasText: 'radiologist@example.org' }).waitFor();

  await page.locator('.summary[data-state=imported]').waitFor({ timeout: FINAL_TIMEOUT });
  assert.equal((await storescp.files()).length, cd.instances.length);
  const audit = portal.portal.ctx.stores.audit.list({ limit: 1000 }).map((r) => r.action);
  assert.ok(audit.includes('consent.verified'), 'the verification is audit-logged');
  const deadline = Date.now() + 10_000;
  while (webhook.received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(webhook.received.map((n) => n.event), ['shipment.received', 'shipment.held', 'shipment.imported'], 'told when it arrived, that it waits for consent, and when imported');
});

/** storescp accepting CT Image Storage only (DCMTK association profile): it refuses every other instance. */
async function startCtOnlyStorescp(t: { after(fn: () => unknown): void }, dir: string) {
  const config = path.join(dir, 'ct-only.cfg');
  writeFileSync(config, [
    '[[TransferSyntaxes]]', '[Any]', 'TransferSyntax1 = 1.2.840.10008.1.2.1', 'TransferSyntax2 = 1.2.840.10008.1.2',
    'TransferSyntax3 = 1.2.840.10008.1.2.5', 'TransferSyntax4 = 1.2.840.10008.1.2.1.99', 'TransferSyntax5 = 1.2.840.10008.1.2.2',
    '[[PresentationContexts]]', '[CTOnly]', `PresentationContext1 = ${CT_IMAGE_STORAGE}\\Any`,
    '[[Profiles]]', '[CTOnly]', 'PresentationContexts = CTOnly', '',
  ].join('\n'));
  const port = await freePort();
  const peer = spawnPeer('storescp', ['--aetitle', 'CTONLY', '+B', '-dhl', '--output-directory', dir, '-xf', config, 'CTOnly', String(port)],
    { env: { ...process.env, TCP_NODELAY: '1' } });
  t.after(() => peer.stop());
  await waitUntil(() => canConnect(port), { timeoutMs: 15_000, what: 'storescp (CT only) listening' });
  return { aet: 'CTONLY', port };
}

test('instances the PACS refuses are shown as failures with the reason', async (t) => {
  const scpDir = makeTempDir('beeldpoort-ctonly-');
  t.after(() => scpDir.remove());
  const pacs = await startCtOnlyStorescp(t, scpDir.dir);
  const setup = await setUp(t, pacs, 'dashboard-e2e-refused');
  const { page, cd } = setup;
  const url = await createLink(page, setup.portal, 'internal', 'Cardiologie');
  const refused = cd.instances.filter((instance) => instance.sopClassUid !== CT_IMAGE_STORAGE);
  assert.ok(refused.length > 0 && refused.length < cd.instances.length);

  const run = await send(setup, url);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const row = await shipmentRow(page, 'imported-with-failures');
  assert.match(await row.textContent() ?? '', new RegExp(`${cd.instances.length - refused.length} stored, ${refused.length} failed`));

  await row.locator('a').click();
  await page.locator('.summary[data-state=imported-with-failures]').waitFor();
  const failures = await page.locator('tr[data-file-id]').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
  assert.equal(failures.length, refused.length);
  for (const instance of refused) {
    const line = failures.find((text) => text.includes(instance.sopInstanceUid));
    assert.ok(line, `${instance.sopInstanceUid} (${instance.sopClassUid}) is listed`);
    assert.match(line!, /E_NO_CONTEXT|not supported|refus|reject/i, `with its reason: ${line}`);
  }
});
