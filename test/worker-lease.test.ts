/**
 * Heartbeats hold the lease: with a 5 s lease and an import that takes longer (storescp sleeps a second after each
 * store), a second worker polling the same portal never gets the shipment. One lease in the audit trail, every
 * file stored once in the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';
import { assertByteIdentical, waitForShipment, workerConfig } from './helpers/import-worker.ts';

test('heartbeats keep the lease through an import longer than the lease; a competing worker never takes it', async (t) => {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 2, images: 3, rows: 16, seed: 'lease' });
  const specs = specsOf(cd);
  const portal = await startTestPortal({ env: { BEELDPOORT_LEASE_SECONDS: '5' } });
  t.after(() => portal.stop());
  const pacs = await startStorescp({ extraArgs: ['--sleep-after', '1'] });
  t.after(() => pacs.stop());
  const config = workerConfig(portal, pacs, { BEELDPOORT_ASSOCIATIONS: '1' });
  // Both start before the shipment exists (a starting worker empties the shared staging directory).
  const one = await startWorker(config, { idlePollMs: 200 });
  t.after(() => one.stop());
  const two = await startWorker(config, { idlePollMs: 200 });
  t.after(() => two.stop());

  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();
  const started = Date.now();
  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId, undefined, 120_000);

  assert.equal(row.state, 'imported');
  // storescp sleeps 1 s after each of the 8 stores: at least 7 s, so the 5 s lease had to be extended.
  assert.ok(Date.now() - started > 6000, `the import outlasted the lease (${Date.now() - started} ms)`);
  const leases = portal.portal.ctx.stores.audit.list({ objectId: shipment.shipmentId }).filter((r) => r.action === 'shipment.leased');
  assert.equal(leases.length, 1, 'leased once: heartbeats extended it');
  assert.deepEqual(files.map((f) => f.outcome), specs.map(() => 'stored'));
  assertByteIdentical(await pacs.files(), specs);
});
