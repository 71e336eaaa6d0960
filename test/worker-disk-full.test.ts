/**
 * The import worker's own disk full (reliability.md W11), on a real 16 MiB tmpfs holding the worker's data directory
 * (key, credential, ledger, staging): staging a non-urgent shipment runs out of room. The shipment is released with
 * E_STAGING_FULL and a retry-after, and that attempt does not count toward giving up (maxFailures is 1 here: one
 * counted failure would finish it `failed`). The ciphertext stays on the portal; once space is freed the same
 * shipment is imported, every instance byte-identical.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { loadConfig } from '../server/config.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { DEFAULT_RETRY_AFTER, type ImportResult } from '../server/worker/import-shipment.ts';
import { startWorker, workerPaths } from '../server/worker/start-worker.ts';
import { assertByteIdentical, waitForShipment } from './helpers/import-worker.ts';
import { waitUntil } from './helpers/ports.ts';
import { startTestPortal } from './helpers/portal.ts';
import { mountSmallVolume } from './helpers/small-volume.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';

test('the worker\'s disk full while staging: released E_STAGING_FULL, not counted toward giving up, ciphertext kept; imported byte-identical once space is freed', async (t) => {
  const volume = mountSmallVolume(16);
  if (typeof volume === 'string') return t.skip(volume);
  t.after(() => volume.unmount());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  // The worker's data directory on the small volume, with its key and credential as an installation has them.
  const own = workerPaths(volume.dir);
  const given = workerPaths(portal.dataDir);
  mkdirSync(own.dir, { mode: 0o700 });
  for (const key of ['privateKey', 'credential'] as const) {
    copyFileSync(given[key], own[key]);
    chmodSync(own[key], 0o600);
  }
  const results: ImportResult[] = [];
  const worker = await startWorker(loadConfig({
    BEELDPOORT_DATA: volume.dir, BEELDPOORT_PORTAL_URL: portal.url, BEELDPOORT_LOG_LEVEL: 'silent',
    BEELDPOORT_PACS: `${pacs.aet}@127.0.0.1:${pacs.port}`, BEELDPOORT_ASSOCIATIONS: '2',
  }), { idlePollMs: 100, policy: { maxFailures: 1, retryAfter: { ...DEFAULT_RETRY_AFTER, staging: 1 } }, onShipment: (_, r) => results.push(r) });
  t.after(() => worker.stop());

  const cdDir = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => cdDir.remove());
  // Four 512 KiB images of a non-urgent shipment: staged on disk before anything is stored.
  const specs = specsOf(await makeTestCd(cdDir.dir, { studies: 1, series: 1, images: 4, rows: 512, seed: 'staging-full' }));
  volume.fillLeaving(256 * 1024);
  const shipment = await createTestShipment(portal.url, (await portal.createLink({ purpose: 'internal' })).token, specs);
  await shipment.uploadAll();

  await waitUntil(async () => results.some((r) => r.outcome === 'released' && r.reason.startsWith('E_STAGING_FULL')), {
    what: 'a release for the full disk', timeoutMs: 30_000, describe: () => JSON.stringify(results),
  });
  const held = portal.portal.ctx.stores.shipments.get(shipment.shipmentId)!;
  assert.notEqual(held.state, 'failed');
  assert.equal(held.ciphertextDeletedAt, null);
  assert.deepEqual(await pacs.files(), [], 'nothing stored while the shipment could not be staged whole');

  volume.free();
  const { shipment: row } = await waitForShipment(portal, shipment.shipmentId, undefined, 30_000);
  assert.equal(row.state, 'imported', row.finishReason ?? '');
  assert.ok(results.every((r) => r.outcome !== 'released' || r.reason.startsWith('E_STAGING_FULL')), JSON.stringify(results));
  assertByteIdentical(await pacs.files(), specs);
});
