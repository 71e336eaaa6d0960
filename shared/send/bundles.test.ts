import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciphertextSize, generateInstitutionKeyPair, openEnvelope, uploadsOf, type JWK } from '../format/index.ts';
import { groupBundles } from './bundles.ts';
import { planShipment, type PlanInput, type SendInstance } from './plan-shipment.ts';
import { parseResumeState } from './resume-state.ts';

const ids = (sizes: number[]) => sizes.map((size, i) => ({ fileId: `f${i}`, size }));

test('consecutive files are bundled while the bundle stays within the limit; a big file or a group of one travels alone', () => {
  assert.deepEqual(groupBundles(ids([30, 30, 30, 30]), 100), [{ id: 'f0', offset: 0 }, { id: 'f0', offset: 30 }, { id: 'f0', offset: 60 }, undefined]);
  assert.deepEqual(groupBundles(ids([50, 50, 1]), 100), [{ id: 'f0', offset: 0 }, { id: 'f0', offset: 50 }, undefined], 'exactly the limit still fits');
  assert.deepEqual(groupBundles(ids([150, 20, 20, 101, 5]), 100), [undefined, { id: 'f1', offset: 0 }, { id: 'f1', offset: 20 }, undefined, undefined]);
  assert.deepEqual(groupBundles(ids([60, 60]), 100), [undefined, undefined], 'two that do not fit together: no bundle at all');
  assert.deepEqual(groupBundles(ids([10, 10, 10]), 0), [undefined, undefined, undefined], '0: bundles off');
  assert.deepEqual(groupBundles(ids([10, 95, 10, 10]), 100), [undefined, undefined, { id: 'f2', offset: 0 }, { id: 'f2', offset: 10 }], 'in the given order, never reordered');
  assert.deepEqual(groupBundles([], 100), []);
});

test('the first uploads are smaller, the limit doubling per upload up to bundleBytes (the first images arrive sooner)', () => {
  const placements = groupBundles(ids(new Array(12).fill(10)), 40, 10);
  // Limits 10, 20, 40, 40: a lone file, then bundles of 2, 4 and 4 files, then the last one alone.
  const groups = placements.map((p, i) => p?.id ?? `alone f${i}`);
  assert.deepEqual(groups, ['alone f0', 'f1', 'f1', 'f3', 'f3', 'f3', 'f3', 'f7', 'f7', 'f7', 'f7', 'alone f11']);
  assert.deepEqual(groupBundles(ids([30, 30, 30, 30]), 100, 1000), groupBundles(ids([30, 30, 30, 30]), 100), 'never above bundleBytes');
});

function memoryInstance(path: string, size: number, seed: number): SendInstance {
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);
  return {
    file: { path, size, read: async (start, end) => bytes.slice(start, end) },
    dicom: { sopClassUid: '1.2.3', sopInstanceUid: `1.2.3.${seed}`, studyInstanceUid: '1.2.4', seriesInstanceUid: '1.2.5', transferSyntaxUid: '1.2.840.10008.1.2.1' },
  };
}

async function planInput(sizes: number[]): Promise<{ input: PlanInput; privateJwk: JWK }> {
  const keys = await generateInstitutionKeyPair();
  const instances = sizes.map((size, i) => memoryInstance(`DICOM/IM${i}`, size, i));
  const summary = { patients: [], studies: [], series: 1, instances: instances.length, skipped: [] };
  return { input: { link: { linkId: 'link1', purpose: 'transfer', publicKey: keys.publicJwk }, instances, summary, statements: {} }, privateJwk: keys.privateJwk };
}

const shape = (uploads: readonly { fileId: string; size: number; partIds?: readonly string[]; parts: readonly { file: { fileId: string }; offset: number }[] }[]) =>
  uploads.map((upload) => ({ fileId: upload.fileId, size: upload.size, partIds: upload.partIds, parts: upload.parts.map((part) => [part.file.fileId, part.offset]) }));

test('a plan with bundles seals a v2 manifest whose uploads are exactly the plan\'s', async () => {
  const sizes = [1000, 2000, 500, 40_000, 700, 700, 700];
  const { input, privateJwk } = await planInput(sizes);
  const bundleBytes = ciphertextSize(1000) + ciphertextSize(2000) + ciphertextSize(500);
  const plan = await planShipment({ ...input, bundleBytes });
  const { manifest } = await openEnvelope(plan.envelope, privateJwk);
  assert.equal(manifest.version, 2);
  assert.deepEqual(
    shape(plan.uploads).map(({ fileId, size, parts }) => ({ fileId, size, files: parts.map(([id]) => id) })),
    uploadsOf(manifest.files).map((upload) => ({ fileId: upload.uploadId, size: upload.size, files: upload.files.map((file) => file.fileId) })),
  );
  assert.deepEqual(plan.uploads.map((upload) => upload.parts.length), [3, 1, 3]);
  assert.deepEqual(plan.uploads[0]!.partIds, plan.files.slice(0, 3).map((file) => file.fileId));
  assert.equal(plan.uploads[1]!.partIds, undefined, 'a lone file declares no parts');
  assert.equal(plan.uploads.reduce((sum, upload) => sum + upload.size, 0), plan.files.reduce((sum, file) => sum + file.size, 0));
  assert.deepEqual(plan.state.files.map((file) => file.upload), manifest.files.map((file) => file.upload));

  const v1 = await planShipment({ ...input, bundleBytes: 0 });
  assert.equal((await openEnvelope(v1.envelope, privateJwk)).manifest.version, 1);
  assert.equal(v1.uploads.length, sizes.length);
});

test('a resumed plan rebuilds the saved bundles, whatever the scan order and limit now; damaged placements start anew', async () => {
  const { input } = await planInput([800, 900, 1000, 1100, 1200]);
  const first = await planShipment({ ...input, bundleBytes: ciphertextSize(800) + ciphertextSize(900) + ciphertextSize(1000) });
  const saved = parseResumeState(JSON.parse(JSON.stringify(first.state)));
  const again = await planShipment({ ...input, instances: [...input.instances].reverse(), bundleBytes: 0, resume: saved });
  assert.equal(again.resumed, true);
  assert.equal(again.shipmentId, first.shipmentId);
  assert.deepEqual(shape(again.uploads), shape(first.uploads));
  assert.deepEqual(again.files.map((file) => file.path), first.files.map((file) => file.path), 'files in the saved manifest order');

  const gap = { ...saved, files: saved.files.map((file, i) => (i === 1 ? { ...file, upload: { id: file.upload!.id, offset: file.upload!.offset + 1 } } : file)) };
  const fresh = await planShipment({ ...input, bundleBytes: 0, resume: parseResumeState(gap) });
  assert.equal(fresh.resumed, false, 'a gap in a bundle is not a state this sender wrote');
  assert.notEqual(fresh.shipmentId, first.shipmentId);
  assert.throws(() => parseResumeState({ ...saved, files: [{ ...saved.files[0]!, upload: { id: 5, offset: 0 } }] }), { code: 'E_SEND_STATE' });
});
