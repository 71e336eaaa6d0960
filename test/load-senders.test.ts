/**
 * Several senders at once (reliability.md L1, at test scale; `npm run bench:load` measures 1, 5 and 20): four
 * `beeldpoort send --yes --wait` processes, each with its own CD and link, started together against one portal and
 * one import worker. Every shipment ends imported, and storescp holds exactly the union of the four CDs, each
 * instance once and byte-identical: no upload, lease or report of one shipment leaks into another.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { cdDatasetHashes, receivedDatasetHashes, runCli, startTestWorker } from './send-support.ts';

const SENDERS = 4;

test(`${SENDERS} senders at once, one portal and one worker: every shipment imported, every instance of every CD once and byte-identical`, async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cds = await Promise.all(Array.from({ length: SENDERS }, (_, i) =>
    makeTestCd(path.join(tmp.dir, `cd-${i}`), { studies: 1, series: 2, images: 4, rows: 128, seed: `concurrent-${i}` })));
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const worker = await startTestWorker(tp, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const links = await Promise.all(cds.map((_, i) => tp.createLink({ sender: `Ziekenhuis ${i + 1}` })));

  const runs = await Promise.all(cds.map((cd, i) =>
    runCli(['send', links[i]!.url, cd.root, '--yes', '--wait', '--json'], { XDG_CACHE_HOME: path.join(tmp.dir, `cache-${i}`) })));

  const shipmentIds = new Set<unknown>();
  runs.forEach((run, i) => {
    assert.equal(run.code, 0, `sender ${i + 1}: ${run.stdout}${run.stderr}`);
    const n = cds[i]!.instances.length;
    assert.deepEqual(run.json, { shipmentId: run.json?.shipmentId, files: n, instances: n, bytes: run.json?.bytes, stored: n, failed: 0, state: 'imported' });
    shipmentIds.add(run.json?.shipmentId);
  });
  assert.equal(shipmentIds.size, SENDERS, 'one shipment per sender');
  assert.deepEqual(await receivedDatasetHashes(storescp), cds.flatMap((cd) => cdDatasetHashes(cd)).sort(), 'the union of the CDs, each instance once');
  const shipments = tp.portal.ctx.stores.shipments.list();
  assert.deepEqual(shipments.map((s) => s.state).sort(), Array<string>(SENDERS).fill('imported'));
  assert.deepEqual(new Set(shipments.map((s) => s.linkId)), new Set(links.map((link) => link.id)), 'each shipment on its own link');
});
