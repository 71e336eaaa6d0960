/**
 * The browser sender survives what happens to clerks (issue 7 tests, reliability U1/U13): the portal process is
 * SIGKILLed and restarted in the middle of an upload and the page carries on by itself; the tab is reloaded mid-
 * upload and selecting the same CD again continues the same shipment without re-sending completed files; Pause
 * stops every upload (also the files waiting with a chunk already encrypted) until Resume. Chromium's
 * upload is throttled through CDP so "mid-upload" is a real state, not a race. Every instance must reach storescp
 * byte-identical in the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createLink } from '../server/portal/links/links.ts';
import type { RunningWorker } from '../server/worker/start-worker.ts';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';
import { launchChromium, type ChromiumSession } from './helpers/chromium.ts';
import { spawnPeer, type PeerProcess } from './helpers/child.ts';
import { assertByteIdentical } from './helpers/import-worker.ts';
import { canConnect, waitUntil } from './helpers/ports.ts';
import { startStorescp, type Storescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { specsOf } from './helpers/upload-shipment.ts';
import { buildClient, openLink, selectCd, senderStatus, waitForReceiptState } from './browser-sender.support.ts';
import { startRestartablePortal, startTestWorker } from './send-support.ts';

const temp = makeTempDir('beeldpoort-browser-resume-');
let cd: TestCd;
let pacs: Storescp;
let chromium: ChromiumSession;
let portalUrl: string;
let port: number;
let portal: PeerProcess | undefined;
let worker: RunningWorker | undefined;
const links: Array<{ url: string; token: string }> = [];
/** Upload octets per second: the 34 MB CD takes about 7 s. */
const THROTTLE = 5_000_000;

/** The portal as its own process (`beeldpoort portal`) on a fixed port, so it can be SIGKILLed like a crash. */
async function startPortalProcess(): Promise<void> {
  portal = spawnPeer(process.execPath, ['server/cli/bin.js', 'portal'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, BEELDPOORT_DATA: `${temp.dir}/data`, BEELDPOORT_PORT: String(port), BEELDPOORT_HOST: '127.0.0.1', BEELDPOORT_PUBLIC_URL: portalUrl, BEELDPOORT_LOG_LEVEL: 'silent',
      // Short leases: a worker that lost its lease in the crash gets the shipment back in seconds, not 5 minutes.
      BEELDPOORT_LEASE_SECONDS: '15' },
  });
  const started = portal;
  await waitUntil(() => canConnect(port), { timeoutMs: 20_000, what: 'portal process', failed: () => started.exited(), describe: () => started.log() });
}

before(async () => {
  buildClient();
  // Two images of 16.8 MB (each over the 16 MiB bundle limit: an upload of its own) and a small secondary capture
  // and PDF (bundled together): uploads of very different sizes, so "some complete, some not" is a real state
  // with bundles on as well as off.
  cd = await makeTestCd(`${temp.dir}/cd`, { studies: 1, series: 2, images: 1, rows: 2900, seed: 'resume' });
  // Keys, and two links signed for this data dir and URL; then the in-process portal steps aside for the real process.
  const setup = await startRestartablePortal(`${temp.dir}/data`);
  portalUrl = setup.url;
  port = Number(new URL(portalUrl).port);
  for (let i = 0; i < 3; i++) links.push(await createLink(setup.current().portal.ctx, { purpose: 'transfer', senderName: 'Ziekenhuis Oost' }, { kind: 'cli', id: 'test' }));
  await setup.stop();
  await startPortalProcess();
  await freshPacsAndWorker();
  chromium = await launchChromium();
});

/** A PACS of its own per test (so its byte-identity check sees only that test's instances) and a worker sending to it. */
async function freshPacsAndWorker(): Promise<void> {
  // Before the first test there is neither (module-level lets start undefined).
  await (pacs as Storescp | undefined)?.stop();
  await worker?.stop();
  pacs = await startStorescp();
  worker = await startTestWorker({ url: portalUrl, dataDir: `${temp.dir}/data` }, `${pacs.aet}@127.0.0.1:${pacs.port}`);
}

after(async () => {
  await chromium?.close();
  await worker?.stop();
  await portal?.stop();
  await pacs?.stop();
  temp.remove();
});

/** Limits the page's upload rate (CDP), so an upload of a few tens of MB takes seconds. */
async function throttle(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

async function uploadedFraction(page: Page): Promise<number> {
  return page.evaluate(() => {
    const bar = document.getElementById('upload-progress') as HTMLProgressElement;
    return bar.hasAttribute('value') && bar.max > 1 ? bar.value / bar.max : 0;
  });
}

async function storedShipmentId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('beeldpoort.resume.'));
    return key ? (JSON.parse(localStorage.getItem(key)!) as { shipmentId: string }).shipmentId : undefined;
  });
}

test('the portal is killed and restarted mid-upload: the page resumes by itself and everything arrives', async () => {
  const link = links[0]!;
  const page = await openLink(chromium, link.url);
  await throttle(page, THROTTLE);
  await selectCd(page, cd.root);
  await page.click('#send');
  await waitUntil(async () => (await uploadedFraction(page)) > 0.25, { timeoutMs: 60_000, what: 'a quarter uploaded' });
  assert.ok((await uploadedFraction(page)) < 0.9, 'still mid-upload when the portal dies');
  portal!.child.kill('SIGKILL');
  await waitUntil(async () => portal!.exited() !== undefined, { timeoutMs: 10_000, what: 'portal killed' });
  // The page notices and says it keeps trying; nobody touches it.
  await page.waitForFunction(() => document.getElementById('upload-status')?.classList.contains('trouble'), null, { timeout: 30_000 });
  await startPortalProcess();
  await waitForReceiptState(page, ['imported'], 120_000);
  assertByteIdentical(await pacs.files(), specsOf(cd));
});

test('a reload mid-upload, then the same CD again: the same shipment continues and completed uploads are not re-sent', async () => {
  const link = links[1]!;
  await freshPacsAndWorker();

  const page = await openLink(chromium, link.url);
  await throttle(page, THROTTLE);
  await selectCd(page, cd.root);
  await page.click('#send');
  let shipmentId: string | undefined;
  let completed: string[] = [];
  let total = 0;
  await waitUntil(async () => {
    shipmentId ??= await storedShipmentId(page);
    if (!shipmentId) return false;
    const status = await senderStatus(portalUrl, link.token, shipmentId).catch(() => undefined);
    if (!status) return false;
    completed = status.files.filter((file) => file.complete).map((file) => file.fileId);
    total = status.files.length;
    return completed.length >= 1;
  }, { timeoutMs: 60_000, what: 'an upload complete' });
  assert.ok(completed.length < total, `still mid-upload (${completed.length} of ${total} complete)`);

  // Leaving mid-upload asks for confirmation (beforeunload); the clerk reloads anyway.
  const dialog = new Promise<string>((resolve) => page.once('dialog', (d) => { resolve(d.type()); void d.accept(); }));
  await page.reload();
  assert.equal(await dialog, 'beforeunload');
  await page.waitForSelector('#select:not([hidden])', { timeout: 20_000 });

  const created: string[] = [];
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().includes('/uploads')) return;
    const metadata = request.headers()['upload-metadata'] ?? '';
    const fileId = metadata.split(',').map((pair) => pair.trim().split(' ')).find(([key]) => key === 'fileId')?.[1];
    created.push(fileId ? Buffer.from(fileId, 'base64').toString('utf8') : '?');
  });
  await selectCd(page, cd.root);
  await page.click('#send');
  // Pressing Send again re-hashes the CD, finds it identical to the stored state and says it continues.
  await page.waitForSelector('#upload-notice:not([hidden])', { state: 'attached', timeout: 30_000 });
  assert.match((await page.textContent('#upload-notice')) ?? '', /earlier|eerdere/);
  await waitForReceiptState(page, ['imported'], 120_000);
  assert.equal(await page.textContent('[data-testid="reference"]'), shipmentId, 'the same shipment continued');
  assert.deepEqual(created.filter((fileId) => completed.includes(fileId)), [], 'no completed upload was sent again');
  assert.ok(created.length <= total - completed.length, `${created.length} new uploads for ${total - completed.length} unfinished ones`);
  assertByteIdentical(await pacs.files(), specsOf(cd));
});

test('Pause stops every upload, queued files included, until Resume; then everything arrives', async () => {
  const link = links[2]!;
  await freshPacsAndWorker();

  const page = await openLink(chromium, link.url);
  await throttle(page, THROTTLE);
  await selectCd(page, cd.root);
  const started: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/uploads')) started.push(`${request.method()} ${request.url()}`);
  });
  await page.click('#send');
  let shipmentId: string | undefined;
  await waitUntil(async () => {
    shipmentId ??= await storedShipmentId(page);
    if (!shipmentId) return false;
    const status = await senderStatus(portalUrl, link.token, shipmentId).catch(() => undefined);
    return (status?.files.filter((file) => file.complete).length ?? 0) >= 1;
  }, { timeoutMs: 60_000, what: 'an upload complete' });

  await page.click('#pause');
  await page.waitForFunction(() => /Paused|Gepauzeerd/.test(document.getElementById('upload-status')?.textContent ?? ''), null, { timeout: 10_000 });
  const before = await senderStatus(portalUrl, link.token, shipmentId!);
  assert.ok(before.files.some((file) => !file.complete), 'paused mid-upload');
  // While paused nothing may start: not the files that were on the wire, not those waiting with a prefetched chunk.
  const startedBeforePause = started.length;
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  assert.deepEqual(started.slice(startedBeforePause), [], 'no upload request while paused');
  const during = await senderStatus(portalUrl, link.token, shipmentId!);
  assert.equal(during.files.filter((file) => file.complete).length, before.files.filter((file) => file.complete).length);

  await page.click('#pause'); // now labelled Resume
  await waitForReceiptState(page, ['imported'], 120_000);
  assert.equal(await page.textContent('[data-testid="reference"]'), shipmentId);
  assertByteIdentical(await pacs.files(), specsOf(cd));
});
