/**
 * What the worker refuses, against a real portal and storescp +B: tampered ciphertext, a SHA-256 that does not
 * match, a DICOM file cut off in its pixel data, a non-DICOM file listed as DICOM, an identity differing from the
 * manifest, a second file claiming an existing SOP Instance UID. Each is rejected with its code and a reason,
 * reported to the portal, and never sent: storescp receives exactly the good instances, byte for byte.
 * Authentication gate: a non-urgent shipment with one tampered file is rejected whole; an urgent one loses only
 * that file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf, type ShipmentFileSpec } from './helpers/upload-shipment.ts';
import { assertByteIdentical, waitForShipment, workerConfig } from './helpers/import-worker.ts';

/** Native (uncompressed) pixel data: Explicit and Implicit VR Little Endian. */
const NATIVE = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'];
const IMAGE_CLASSES = ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.4']; // CT, MR Image Storage

async function setUp(t: { after(fn: () => unknown): void }, purpose: 'internal' | 'transfer') {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 2, images: 4, rows: 16, seed: 'rejects' });
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  const link = await portal.createLink({ purpose });
  return { specs: specsOf(cd), portal, pacs, link };
}

async function runWorker(t: { after(fn: () => unknown): void }, setup: Awaited<ReturnType<typeof setUp>>, specs: ShipmentFileSpec[]) {
  const shipment = await createTestShipment(setup.portal.url, setup.link.token, specs);
  await shipment.uploadAll();
  const worker = await startWorker(workerConfig(setup.portal, setup.pacs), { idlePollMs: 100 });
  t.after(() => worker.stop());
  const result = await waitForShipment(setup.portal, shipment.shipmentId);
  await worker.stop();
  return result;
}

test('rejects a hash mismatch, a truncated file, a non-DICOM file, a wrong identity and a duplicate UID; stores the rest', async (t) => {
  const setup = await setUp(t, 'internal');
  const good = setup.specs;
  const native = good.filter((s) => NATIVE.includes(s.dicom.transferSyntaxUid) && IMAGE_CLASSES.includes(s.dicom.sopClassUid));
  assert.ok(native.length >= 4, 'the CD has images with native pixel data');
  const [a, b, c, d] = native as [ShipmentFileSpec, ShipmentFileSpec, ShipmentFileSpec, ShipmentFileSpec];
  const faulty: Array<[ShipmentFileSpec, string]> = [
    [{ ...a, sha256: 'ab'.repeat(32) }, 'E_HASH_MISMATCH'],
    [{ ...b, bytes: b.bytes.subarray(0, b.bytes.length - 101) }, 'E_DICOM_TRUNCATED'],
    [{ relativePath: 'DICOM/README.TXT', bytes: new TextEncoder().encode('This is not an image. '.repeat(20)), dicom: { ...c.dicom, sopInstanceUid: '1.2.826.0.1.3680043.99.1' } }, 'E_NOT_DICOM'],
    [{ ...c, dicom: { ...c.dicom, seriesInstanceUid: '1.2.826.0.1.3680043.99.2' } }, 'E_IDENTITY_MISMATCH'],
    [{ ...a, relativePath: 'DICOM/COPY', dicom: d.dicom }, 'E_DUPLICATE_SOP_INSTANCE'],
  ];
  const kept = good.filter((s) => s !== a && s !== b && s !== c);
  const specs = [...kept, ...faulty.map(([spec]) => spec)];
  const { shipment, files } = await runWorker(t, setup, specs);

  assert.equal(shipment.state, 'imported-with-failures');
  assertByteIdentical(await setup.pacs.files(), kept);
  const outcomes = files.map((f) => [f.outcome, f.outcomeCode]);
  assert.deepEqual(outcomes.slice(0, kept.length), kept.map(() => ['stored', null]));
  assert.deepEqual(outcomes.slice(kept.length), faulty.map(([, code]) => ['rejected', code]));
  for (const file of files.slice(kept.length)) assert.ok((file.outcomeReason ?? '').length > 10, `a reason for ${file.outcomeCode}`);
  assert.match(shipment.finishReason ?? '', /5 of \d+ file\(s\) not stored/);
});

test('a tampered file rejects the whole non-urgent shipment: nothing is C-STOREd', async (t) => {
  const setup = await setUp(t, 'internal');
  const specs = setup.specs.map((s, i) => (i === 2 ? { ...s, flipCiphertextAt: 100 } : s));
  const { shipment, files } = await runWorker(t, setup, specs);

  assert.equal(shipment.state, 'failed');
  assert.deepEqual(await setup.pacs.files(), []);
  assert.deepEqual(files.map((f) => [f.outcome, f.outcomeCode]), specs.map((_, i) => ['rejected', i === 2 ? 'E_DECRYPT' : 'E_SHIPMENT_TAMPERED']));
});

test('a tampered file in an urgent transfer is rejected alone; the authentic files are stored', async (t) => {
  const setup = await setUp(t, 'transfer');
  const specs = setup.specs.map((s, i) => (i === 1 ? { ...s, flipCiphertextAt: 100 } : s));
  const { shipment, files } = await runWorker(t, setup, specs);

  assert.equal(shipment.state, 'imported-with-failures');
  assertByteIdentical(await setup.pacs.files(), specs.filter((_, i) => i !== 1));
  assert.deepEqual(files.map((f) => f.outcome), specs.map((_, i) => (i === 1 ? 'rejected' : 'stored')));
  assert.equal(files[1]!.outcomeCode, 'E_DECRYPT');
});
