/**
 * The sending pipeline (shared/send/) with the Node transport against a real portal on loopback: what arrives
 * decrypts to the CD byte for byte; an interrupted send resumes the same shipment at the offsets the portal
 * holds; consultations without consent and dead links are refused before any byte is uploaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncateSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { nodeAesGcm } from '../server/crypto/node-aes-gcm.ts';
import { nodeSha256 } from '../server/send/node-hash.ts';
import { createTusTransport } from '../server/send/tus-transport.ts';
import { createSenderApi, planShipment, sendShipment, type UploadTransport } from '../shared/send/index.ts';
import { startTestPortal } from './helpers/portal.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createLink } from '../server/portal/links/links.ts';
import { assertShipmentDecryptsToCd, instancesOf, startRestartablePortal, summaryOf } from './send-support.ts';

/** Wraps a transport to count the ciphertext bytes it reads (what it actually sends). */
function counting(inner: UploadTransport): UploadTransport & { bytes: number } {
  const counter = {
    bytes: 0,
    upload: (job: Parameters<UploadTransport['upload']>[0]) =>
      inner.upload({ ...job, source: { size: job.source.size, read: (start, end) => ((counter.bytes += Math.min(end, job.source.size) - start), job.source.read(start, end)) } }),
  };
  return counter;
}

test('a planned shipment uploads through tus and decrypts at the receiver to the original files', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 2, images: 3, rows: 64, seed: 'pipeline' });
  const link = await portal.createLink({ purpose: 'transfer' });
  const api = createSenderApi(link.url);
  const info = await api.link();
  const plan = await planShipment({ link: info, instances: instancesOf(cd), summary: summaryOf(cd), statements: { comment: 'graag spoed' }, createHash: nodeSha256 });
  assert.equal(plan.resumed, false);
  assert.equal(plan.files.length, cd.instances.length);
  const seen: number[] = [];
  const result = await sendShipment(plan, { api, transport: createTusTransport(), engine: nodeAesGcm, onProgress: (p) => seen.push(p.bytesDone) });
  assert.equal(result.files, cd.instances.length);
  assert.equal(result.state, 'received');
  assert.ok(result.status.files.every((file) => file.complete));
  assert.equal(seen.at(-1), result.bytes, 'progress ends at every byte');
  const manifest = await assertShipmentDecryptsToCd(portal, plan.shipmentId, cd);
  assert.equal(manifest.statements.comment, 'graag spoed');
  assert.equal(manifest.linkId, link.id);
});

test('an interrupted send resumes the same shipment: complete files skipped, a partial file continues at its offset', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  // 256 x 256 x 2 = 128 KiB images, 32 KiB tus chunks: an abort lands inside a file.
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 6, rows: 256, seed: 'resume' });
  const link = await portal.createLink({ purpose: 'transfer' });
  const api = createSenderApi(link.url);
  const info = await api.link();
  // Bundles of two images: several uploads, so some are complete and one is partial when the abort comes.
  const input = { link: info, instances: instancesOf(cd), summary: summaryOf(cd), statements: {}, createHash: nodeSha256, bundleBytes: 300_000 };
  const first = await planShipment(input);
  const total = first.files.reduce((sum, file) => sum + file.size, 0);

  const controller = new AbortController();
  const firstRun = sendShipment(first, {
    api,
    transport: createTusTransport({ chunkSize: 32 * 1024 }),
    concurrency: 2,
    signal: controller.signal,
    onProgress: (p) => {
      if (p.bytesDone > total / 2) controller.abort();
    },
  });
  await assert.rejects(firstRun, { code: 'E_SEND_ABORTED' });
  const between = await api.shipment(first.shipmentId);
  const held = between.files.reduce((sum, file) => sum + file.received, 0);
  assert.ok(held > 0 && held < total, `the portal holds part of the shipment (${held} of ${total})`);
  assert.ok(between.files.some((file) => file.received > 0 && !file.complete) || between.files.some((file) => file.complete), 'some progress is kept');

  const second = await planShipment({ ...input, resume: first.state });
  assert.equal(second.resumed, true);
  assert.equal(second.shipmentId, first.shipmentId);
  const transport = counting(createTusTransport({ chunkSize: 32 * 1024 }));
  const notices: string[] = [];
  const result = await sendShipment(second, { api, transport, onNotice: (m) => notices.push(m) });
  assert.ok(result.status.files.every((file) => file.complete));
  assert.ok(transport.bytes <= total - held, `the re-run sent ${transport.bytes} bytes, no more than the ${total - held} missing`);
  assert.equal(portal.portal.ctx.stores.shipments.list({ linkId: link.id }).length, 1, 'one shipment, not two');
  await assertShipmentDecryptsToCd(portal, first.shipmentId, cd);
});

test('a resume state for other files is not reused: the plan starts a new shipment', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 2, rows: 32, seed: 'other' });
  const link = await portal.createLink();
  const info = await createSenderApi(link.url).link();
  const input = { link: info, instances: instancesOf(cd), summary: summaryOf(cd), statements: {} };
  const first = await planShipment(input);
  const fewer = await planShipment({ ...input, instances: input.instances.slice(1), summary: { ...input.summary, instances: input.instances.length - 1 }, resume: first.state });
  assert.equal(fewer.resumed, false);
  assert.notEqual(fewer.shipmentId, first.shipmentId);
});

test('a consultation without a consent statement is refused before the portal sees a shipment', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 1, rows: 32, seed: 'consult' });
  const link = await portal.createLink({ purpose: 'consult' });
  const api = createSenderApi(link.url);
  const info = await api.link();
  await assert.rejects(planShipment({ link: info, instances: instancesOf(cd), summary: summaryOf(cd), statements: {} }), { code: 'E_SEND_CONSENT_REQUIRED' });
  assert.equal((await api.link()).limits.usedShipments, 0);
  const plan = await planShipment({
    link: info,
    instances: instancesOf(cd),
    summary: summaryOf(cd),
    statements: { consent: { recordedBy: 'dr. J. de Vries, internist', date: '2026-11-28', reference: 'EPD 4711' } },
  });
  const result = await sendShipment(plan, { api, transport: createTusTransport() });
  assert.ok(['received', 'held'].includes(result.state), result.state);
});

test('revoked and expired links fail with their stable codes before any upload', async (t) => {
  let now = Date.now();
  const portal = await startTestPortal({ now: () => now });
  t.after(() => portal.stop());
  const revoked = await portal.createLink();
  portal.revokeLink(revoked.id);
  await assert.rejects(createSenderApi(revoked.url).link(), { code: 'E_LINK_REVOKED' });
  const expiring = await portal.createLink({ expires: '1h' });
  await createSenderApi(expiring.url).link();
  now += 2 * 3600 * 1000;
  await assert.rejects(createSenderApi(expiring.url).link(), { code: 'E_LINK_EXPIRED' });
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 0);
});

test('the portal going away mid-upload and coming back: the same send retries with backoff and completes', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const portal = await startRestartablePortal(path.join(tmp.dir, 'data'));
  t.after(() => portal.stop());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 6, rows: 256, seed: 'blip' });
  const link = await createLink(portal.current().portal.ctx, { purpose: 'transfer', senderName: 'Test' }, { kind: 'cli', id: 'test' });
  const api = createSenderApi(link.url);
  const plan = await planShipment({ link: await api.link(), instances: instancesOf(cd), summary: summaryOf(cd), statements: {} });
  // Cut on the 4th upload request, back after a second: the sender must ride it out on its own.
  let uploads = 0;
  portal.current().server.on('request', (req) => {
    if (req.url?.startsWith('/uploads') && req.method !== 'HEAD' && ++uploads === 4) {
      void portal.cut().then(() => setTimeout(() => void portal.restart(), 1000));
    }
  });
  const notices: string[] = [];
  const result = await sendShipment(plan, { api, transport: createTusTransport({ chunkSize: 32 * 1024, retryDelays: [200] }), concurrency: 2, onNotice: (m) => notices.push(m) });
  assert.ok(result.status.files.every((file) => file.complete));
  assert.ok(notices.some((notice) => notice.startsWith('retrying')), `a retry was reported: ${notices.join(' | ')}`);
  const manifest = await assertShipmentDecryptsToCd({ url: portal.url, dataDir: portal.dataDir, workerCredential: portal.workerCredential }, plan.shipmentId, cd);
  assert.equal(manifest.files.length, cd.instances.length);
});

test('a file that shrinks between planning and upload stops the send with E_SEND_FILE_CHANGED, without retrying it', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 2, rows: 64, seed: 'shrink' });
  const link = await portal.createLink();
  const api = createSenderApi(link.url);
  const plan = await planShipment({ link: await api.link(), instances: instancesOf(cd), summary: summaryOf(cd), statements: {} });
  truncateSync(cd.instances[0]!.path, 100);
  const notices: string[] = [];
  await assert.rejects(sendShipment(plan, { api, transport: createTusTransport(), concurrency: 1, onNotice: (m) => notices.push(m) }), { code: 'E_SEND_FILE_CHANGED' });
  assert.deepEqual(notices.filter((notice) => notice.startsWith('retrying')), []);
});
