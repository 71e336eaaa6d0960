/**
 * Waiting, not failing: a PACS that is down makes the worker retry with backoff and then give the lease back
 * (the shipment is retried later, never finished as failed); once the PACS is up the shipment is imported. An
 * association aborted before the response (unknown outcome) is never taken for success. A
 * consultation stays held, nothing stored, until a receiver verifies the consent through the receiver API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { createPacsDestination } from '../server/worker/pacs-destination.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { DEFAULT_RETRY_AFTER, type ImportResult } from '../server/worker/import-shipment.ts';
import { openLedger } from '../server/worker/ledger.ts';
import { spawnPeer } from './helpers/child.ts';
import { canConnect, freePort, waitUntil } from './helpers/ports.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';
import { assertByteIdentical, FINAL, waitForShipment, workerConfig } from './helpers/import-worker.ts';

async function setUp(t: { after(fn: () => unknown): void }, purpose: 'internal' | 'consult') {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 1, images: 4, rows: 16, seed: purpose });
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose });
  return { specs: specsOf(cd), portal, link, tmp: tmp.dir };
}

test('PACS down: retries, releases the lease with a reason instead of failing, imports once the PACS is up', async (t) => {
  const { specs, portal, link, tmp } = await setUp(t, 'internal');
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();
  const port = await freePort();
  const results: ImportResult[] = [];
  const destination = createPacsDestination({
    pacs: { calledAet: 'STORESCP', host: '127.0.0.1', port }, callingAet: 'BEELDPOORT', associations: 2,
    retry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 200 },
  });
  const worker = await startWorker(workerConfig(portal), {
    idlePollMs: 200, destination, policy: { storeRetry: { initialMs: 100, maxMs: 300, windowMs: 1500 }, retryAfter: { ...DEFAULT_RETRY_AFTER, pacs: 1 } },
    onShipment: (_, result) => results.push(result),
  });
  t.after(() => worker.stop());

  await waitUntil(async () => results.length > 0, { what: 'the first import attempt', timeoutMs: 60_000 });
  assert.equal(results[0]!.outcome, 'released');
  assert.match((results[0] as { reason: string }).reason, /^E_PACS_UNAVAILABLE/);
  const during = portal.portal.ctx.stores.shipments.get(shipment.shipmentId)!;
  assert.ok(!FINAL.includes(during.state), `not finished while the PACS is down (${during.state})`);
  const ledger = openLedger(path.join(portal.dataDir, 'worker', 'ledger.sqlite'));
  t.after(() => ledger.close());
  assert.ok(ledger.files(shipment.shipmentId).every((r) => r.state !== 'stored'), 'nothing recorded stored');

  const dir = path.join(tmp, 'pacs-up');
  mkdirSync(dir);
  // The PACS comes up on the very port the worker has been trying (test/helpers/storescp.ts picks its own port).
  const peer = spawnPeer('storescp', ['--aetitle', 'STORESCP', '+B', '+xa', '-dhl', '--output-directory', dir, String(port)], { env: { ...process.env, TCP_NODELAY: '1' } });
  t.after(() => peer.stop());
  await waitUntil(() => canConnect(port), { what: 'storescp', timeoutMs: 15_000, describe: peer.log });

  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId);
  assert.equal(row.state, 'imported');
  await waitUntil(async () => results.some((r) => r.outcome === 'finished'), { what: 'the worker done with its later lease', timeoutMs: 10_000 });
  assert.deepEqual(results.map((r) => r.outcome).slice(-1), ['finished'], 'imported on a later lease');
  assert.deepEqual(files.map((f) => f.outcome), specs.map(() => 'stored'));
  assertByteIdentical(readdirSync(dir).map((f) => path.join(dir, f)), specs);
});

test('an unknown outcome (association aborted before the response) is never recorded stored; it is sent again', async (t) => {
  const { specs, portal, link, tmp } = await setUp(t, 'internal');
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();
  const port = await freePort();
  const startPeer = (name: string, extra: string[]) => {
    const dir = path.join(tmp, name);
    mkdirSync(dir);
    const peer = spawnPeer('storescp', ['--aetitle', 'STORESCP', '+B', '+xa', '-dhl', ...extra, '--output-directory', dir, String(port)], { env: { ...process.env, TCP_NODELAY: '1' } });
    t.after(() => peer.stop());
    return { peer, dir };
  };
  // PS3.8 §7.1: a request whose association is aborted has no outcome; the PACS may or may not have the instance.
  const aborting = startPeer('aborting', ['--abort-after']);
  await waitUntil(() => canConnect(port), { what: 'storescp --abort-after', timeoutMs: 15_000, describe: aborting.peer.log });
  const results: ImportResult[] = [];
  const destination = createPacsDestination({
    pacs: { calledAet: 'STORESCP', host: '127.0.0.1', port }, callingAet: 'BEELDPOORT', associations: 1,
    retry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 200 },
  });
  const worker = await startWorker(workerConfig(portal), {
    idlePollMs: 200, destination, policy: { storeRetry: { initialMs: 100, maxMs: 300, windowMs: 1500 }, retryAfter: { ...DEFAULT_RETRY_AFTER, pacs: 1 } },
    onShipment: (_, result) => results.push(result),
  });
  t.after(() => worker.stop());
  await waitUntil(async () => results.length > 0, { what: 'the first import attempt', timeoutMs: 60_000 });
  assert.match((results[0] as { reason?: string }).reason ?? '', /^E_PACS_UNAVAILABLE/);
  const ledger = openLedger(path.join(portal.dataDir, 'worker', 'ledger.sqlite'));
  t.after(() => ledger.close());
  assert.ok(ledger.files(shipment.shipmentId).every((r) => r.state !== 'stored'), 'no response, so nothing recorded stored');
  assert.ok(portal.portal.ctx.stores.shipments.files(shipment.shipmentId).every((f) => f.outcome === null), 'and nothing reported');

  await aborting.peer.stop();
  const healthy = startPeer('healthy', []);
  await waitUntil(() => canConnect(port), { what: 'storescp', timeoutMs: 15_000, describe: healthy.peer.log });
  const { shipment: row } = await waitForShipment(portal, shipment.shipmentId);
  assert.equal(row.state, 'imported');
  assertByteIdentical(readdirSync(healthy.dir).map((f) => path.join(healthy.dir, f)), specs);
});

async function verifyConsent(portalUrl: string, email: string, password: string, shipmentId: string): Promise<number> {
  const login = await fetch(`${portalUrl}/api/receiver/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  assert.equal(login.status, 200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const response = await fetch(`${portalUrl}/api/receiver/shipments/${shipmentId}/consent`, {
    method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' }, body: '{}',
  });
  return response.status;
}

test('a consultation stays held, nothing stored, until a receiver verifies the consent; then it is imported', async (t) => {
  const { specs, portal, link } = await setUp(t, 'consult');
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  const consent = { recordedBy: 'Dr. A. Sender, radiologist', date: '2026-11-28', reference: 'EPD form 12-3' };
  const shipment = await createTestShipment(portal.url, link.token, specs, { statements: { consent, comment: 'second opinion' } });
  await shipment.uploadAll();
  const results: ImportResult[] = [];
  const worker = await startWorker(workerConfig(portal, pacs), { idlePollMs: 100, onShipment: (_, r) => results.push(r) });
  t.after(() => worker.stop());

  const held = await waitForShipment(portal, shipment.shipmentId, ['held']);
  assert.deepEqual(held.shipment.statements, { consent, comment: 'second opinion', urgent: false });
  await waitUntil(async () => results.length > 0, { what: 'the worker let go of the held shipment', timeoutMs: 30_000 });
  assert.deepEqual(results, [{ outcome: 'held' }]);
  assert.deepEqual(await pacs.files(), []);

  await portal.addUser('radioloog@example.org', 'a long test password 123');
  assert.equal(await verifyConsent(portal.url, 'radioloog@example.org', 'a long test password 123', shipment.shipmentId), 200);
  const { shipment: row } = await waitForShipment(portal, shipment.shipmentId);
  assert.equal(row.state, 'imported');
  assertByteIdentical(await pacs.files(), specs);
});
