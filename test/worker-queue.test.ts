/**
 * One shipment must not hold up the rest (reliability W12). A transfer whose upload stalls is given back with a
 * retry-after, so the shipment behind it is imported meanwhile (before, the urgent transfer was re-offered first
 * every time and nothing behind it moved); once its upload completes it is imported too. A shipment that fails
 * with an unexpected error on every attempt (here: the worker's staging area is broken) is given up after
 * maxFailures attempts: `failed` with E_IMPORT_GAVE_UP on the shipment and every file, audited, ciphertext kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { DEFAULT_RETRY_AFTER, type ImportResult } from '../server/worker/import-shipment.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { assertByteIdentical, waitForShipment, workerConfig } from './helpers/import-worker.ts';
import { waitUntil } from './helpers/ports.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';

async function cdSpecs(t: { after(fn: () => unknown): void }, seed: string, images: number) {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  return specsOf(await makeTestCd(tmp.dir, { studies: 1, series: 1, images, rows: 16, seed }));
}

test('a transfer whose upload stalls is held back by its retry-after; the shipment behind it is imported meanwhile', async (t) => {
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  const stalledSpecs = await cdSpecs(t, 'stalled', 3);
  const behindSpecs = await cdSpecs(t, 'behind', 2);
  const stalled = await createTestShipment(portal.url, (await portal.createLink({ purpose: 'transfer' })).token, stalledSpecs);
  await stalled.uploadFile(0);
  const behind = await createTestShipment(portal.url, (await portal.createLink({ purpose: 'internal' })).token, behindSpecs);
  await behind.uploadAll();

  const results: Array<[string, ImportResult]> = [];
  const worker = await startWorker(workerConfig(portal, pacs), {
    idlePollMs: 100, policy: { pollMs: 100, uploadIdleMs: 1000, retryAfter: { ...DEFAULT_RETRY_AFTER, upload: 3 } },
    onShipment: (id, result) => results.push([id, result]),
  });
  t.after(() => worker.stop());

  const { shipment: done } = await waitForShipment(portal, behind.shipmentId, undefined, 30_000);
  assert.equal(done.state, 'imported', 'the shipment behind the stalled transfer was imported');
  const first = results.find(([id]) => id === stalled.shipmentId)?.[1];
  assert.equal(first?.outcome, 'released');
  assert.match((first as { reason: string }).reason, /^E_UPLOAD_INCOMPLETE/);
  const released = portal.portal.ctx.stores.audit.list({ objectId: stalled.shipmentId }).filter((r) => r.action === 'shipment.released');
  assert.ok(released.length > 0 && released.every((r) => (r.details as { retryAfterSeconds?: number }).retryAfterSeconds === 3), 'released with its retry-after');

  await stalled.uploadAll();
  const { shipment: row, files } = await waitForShipment(portal, stalled.shipmentId, undefined, 30_000);
  assert.equal(row.state, 'imported', 'the stalled transfer is imported once its upload completes');
  assert.deepEqual(files.map((f) => f.outcome), stalledSpecs.map(() => 'stored'));
  assertByteIdentical(await pacs.files(), [...stalledSpecs, ...behindSpecs]);
});

test('a shipment failing with an unexpected error on every attempt is given up after maxFailures: failed E_IMPORT_GAVE_UP, ciphertext kept', async (t) => {
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const specs = await cdSpecs(t, 'poison', 2);
  const results: ImportResult[] = [];
  const worker = await startWorker(workerConfig(portal), {
    idlePollMs: 100, policy: { maxFailures: 2, retryAfter: { ...DEFAULT_RETRY_AFTER, failure: 1 } }, onShipment: (_, r) => results.push(r),
  });
  t.after(() => worker.stop());
  // The staging directory replaced by a file: every attempt fails before anything is decrypted (ENOTDIR).
  const staging = path.join(portal.dataDir, 'worker', 'staging');
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(staging, 'not a directory');
  const shipment = await createTestShipment(portal.url, (await portal.createLink({ purpose: 'internal' })).token, specs);
  await shipment.uploadAll();

  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId, undefined, 30_000);
  assert.equal(row.state, 'failed');
  assert.match(row.finishReason ?? '', /^E_IMPORT_GAVE_UP: .*2 attempts in a row failed; the last: unexpected: .*ENOTDIR/);
  // The portal records the finish before the worker's attempt returns.
  await waitUntil(async () => results.length >= 2, { what: 'the worker done with the shipment', timeoutMs: 10_000 });
  assert.deepEqual(results.map((r) => r.outcome), ['released', 'finished'], 'one retry, then given up');
  assert.deepEqual(files.map((f) => [f.outcome, f.outcomeCode]), specs.map(() => ['failed', 'E_IMPORT_GAVE_UP']), 'each file says why');
  const actions = portal.portal.ctx.stores.audit.list({ objectId: shipment.shipmentId }).map((r) => r.action).reverse();
  assert.deepEqual(actions.filter((a) => a.startsWith('shipment.') && a !== 'shipment.created' && a !== 'shipment.received'),
    ['shipment.leased', 'shipment.released', 'shipment.leased', 'shipment.failed']);
  assert.equal(row.ciphertextDeletedAt, null, 'ciphertext kept');
  for (const f of files) assert.ok(existsSync(path.join(portal.dataDir, 'uploads', f.uploadId!)), `ciphertext of ${f.fileId} still on disk`);
});
