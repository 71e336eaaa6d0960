/**
 * Bundles end to end (docs/format.md "Uploads and bundles"): `beeldpoort send` of a CD laid out in several bundle
 * uploads reaches the PACS byte-identical, every instance once; a send cut off in the middle of a bundle resumes
 * inside that bundle at the offset the portal holds, re-sends nothing it already has, and imports without
 * duplicates. Small --bundle-size / bundleBytes values keep the CDs small while still giving several bundles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { createLink } from '../server/portal/links/links.ts';
import { nodeAesGcm } from '../server/crypto/node-aes-gcm.ts';
import { nodeSha256 } from '../server/send/node-hash.ts';
import { createTusTransport } from '../server/send/tus-transport.ts';
import { createSenderApi, planShipment, sendShipment, waitForOutcome, type UploadTransport } from '../shared/send/index.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import {
  assertShipmentDecryptsToCd,
  cdDatasetHashes,
  instancesOf,
  receivedDatasetHashes,
  runCli,
  startCli,
  startRestartablePortal,
  startTestWorker,
  summaryOf,
} from './send-support.ts';

test('send of a CD in several bundles: every instance reaches storescp byte-identical and once; the portal holds bundles', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  // 16 images of 128 KiB (and a small OT and DOC); bundles of at most 600,000 octets: four images each.
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 2, images: 8, rows: 256, seed: 'bundles-cut' });
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const portal = await startRestartablePortal(path.join(tmp.dir, 'data'));
  t.after(() => portal.stop());
  const link = await createLink(portal.current().portal.ctx, { purpose: 'transfer', senderName: 'Test' }, { kind: 'cli', id: 'test' });
  const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') };
  const args = ['send', link.url, cd.root, '--yes', '--json', '--bundle-size', '600000', '--concurrency', '1'];

  // One upload at a time; the portal is cut off as the 3rd upload request arrives: two bundles complete, the rest not.
  let uploads = 0;
  const cutting = new Promise<void>((resolve) => {
    portal.current().server.on('request', (req) => {
      if (req.url?.startsWith('/uploads') && req.method !== 'HEAD' && ++uploads === 3) void portal.cut().then(resolve);
    });
  });
  const first = startCli(args, env);
  // Never wait forever: a send that ends before that request fails the test instead of hanging it.
  await Promise.race([cutting, first.done.then((run) => assert.fail(`the send ended before the 3rd upload request: ${run.stdout}${run.stderr}`))]);
  first.child.kill('SIGKILL');
  await first.done;
  await portal.restart();
  const shipmentId = portal.current().portal.ctx.stores.shipments.list()[0]!.id;
  const before = portal.current().portal.ctx.stores.shipments.files(shipmentId);
  assert.ok(before.length > 1 && before.length < cd.instances.length, `the CD travels in ${before.length} uploads for ${cd.instances.length} instances`);
  const completeBefore = before.filter((file) => file.completedAt !== null).map((file) => file.fileId);
  assert.ok(completeBefore.length >= 1 && completeBefore.length < before.length, `the cut left ${completeBefore.length} of ${before.length} uploads complete`);

  const worker = await startTestWorker(portal, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const again = await runCli([...args, '--wait'], env);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(again.json?.shipmentId, shipmentId, 'the same shipment resumed');
  const n = cd.instances.length;
  assert.match(again.stdout, new RegExp(`already holds \\d+ of ${n} files`));
  assert.match(again.stdout, new RegExp(`received all ${n} files`));
  assert.deepEqual(again.json, { shipmentId, files: n, instances: n, bytes: again.json?.bytes, stored: n, failed: 0, state: 'imported' });
  assert.deepEqual(
    portal.current().portal.ctx.stores.shipments.files(shipmentId).map((file) => file.fileId),
    before.map((file) => file.fileId),
    'the resumed send declared the very same uploads',
  );
  assert.deepEqual(await receivedDatasetHashes(storescp), cdDatasetHashes(cd), 'every instance once, byte-identical');

  const status = await runCli(['status', shipmentId, '--json'], { BEELDPOORT_DATA: portal.dataDir });
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.deepEqual(status.json, again.json, '`beeldpoort status` counts instances, not uploads');
});

/** Counts the ciphertext octets a transport reads (what it sends), bundles included. */
function counting(inner: UploadTransport): UploadTransport & { bytes: number } {
  const counter = {
    bytes: 0,
    upload: (job: Parameters<UploadTransport['upload']>[0]) =>
      inner.upload({ ...job, source: { size: job.source.size, read: (start, end) => ((counter.bytes += Math.min(end, job.source.size) - start), job.source.read(start, end)) } }),
  };
  return counter;
}

test('a send aborted inside a bundle resumes at the offset the portal holds in that bundle and imports without duplicates', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 8, rows: 256, seed: 'bundles-mid' });
  const portal = await startRestartablePortal(path.join(tmp.dir, 'data'));
  t.after(() => portal.stop());
  const link = await createLink(portal.current().portal.ctx, { purpose: 'transfer', senderName: 'Test' }, { kind: 'cli', id: 'test' });
  const api = createSenderApi(link.url);
  const input = { link: await api.link(), instances: instancesOf(cd), summary: summaryOf(cd), statements: {}, createHash: nodeSha256 };
  // Bundles of four 128 KiB files (the small OT and DOC share the last), sent in 32 KiB PATCHes: the abort lands
  // inside a bundle.
  const first = await planShipment({ ...input, bundleBytes: 600_000 });
  assert.deepEqual(first.uploads.map((upload) => upload.parts.length), [4, 4, cd.instances.length - 8]);
  const total = first.uploads.reduce((sum, upload) => sum + upload.size, 0);
  const controller = new AbortController();
  await assert.rejects(
    sendShipment(first, {
      api,
      transport: createTusTransport({ chunkSize: 32 * 1024 }),
      engine: nodeAesGcm,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone > total * 0.3) controller.abort();
      },
    }),
    { code: 'E_SEND_ABORTED' },
  );
  const between = await api.shipment(first.shipmentId);
  const held = between.files.reduce((sum, file) => sum + file.received, 0);
  assert.ok(between.files.some((file) => file.received > 0 && !file.complete), 'a bundle is partly held');
  assert.equal(between.instances, cd.instances.length, 'the portal counts the instances of the bundles');

  const second = await planShipment({ ...input, resume: first.state });
  assert.equal(second.resumed, true);
  const transport = counting(createTusTransport({ chunkSize: 32 * 1024 }));
  const result = await sendShipment(second, { api, transport, engine: nodeAesGcm });
  assert.equal(result.files, cd.instances.length);
  assert.ok(result.alreadyComplete < cd.instances.length);
  assert.ok(transport.bytes <= total - held, `the re-run sent ${transport.bytes} octets, no more than the ${total - held} missing`);
  await assertShipmentDecryptsToCd(portal, first.shipmentId, cd);

  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const worker = await startTestWorker(portal, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const final = await waitForOutcome(api, first.shipmentId, { intervalMs: 200 });
  assert.equal(final.state, 'imported');
  assert.deepEqual(await receivedDatasetHashes(storescp), cdDatasetHashes(cd), 'every instance once, byte-identical');
});
