import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciphertextSize, type ManifestFile } from '../../shared/format/index.ts';
import { declarationOf, planFiles } from './plan-files.ts';
import { finalState } from './outcome.ts';
import type { FileRow } from './ledger.ts';

const file = (fileId: string, sop: string, sha: string): ManifestFile => ({
  fileId, path: `DICOM/${fileId}`, size: 10, sha256: sha.repeat(64),
  dicom: { sopClassUid: '1.2', sopInstanceUid: sop, studyInstanceUid: '1.3', seriesInstanceUid: '1.4', transferSyntaxUid: '1.2.840.10008.1.2.1' },
});
const row = (fileId: string, state: FileRow['state'], code: string | null = null): FileRow => ({
  shipmentId: 's', fileId, state, sopInstanceUid: null, code, reason: null, dimseStatus: null, reported: false, updatedAt: '',
});

test('plans: done from the ledger, undeclared and different-content duplicates rejected, identical duplicates imported', () => {
  const files = [file('a', '1.1', 'a'), file('b', '1.1', 'b'), file('c', '1.1', 'a'), file('d', '1.5', 'd'), file('e', '1.6', 'e')];
  const portal = ['a', 'b', 'c', 'd'].map((fileId) => ({ fileId, size: ciphertextSize(10), complete: true }));
  const plans = planFiles(files, portal, [row('d', 'stored')]);
  assert.deepEqual(plans.map((p) => (p.action === 'reject' ? p.code : p.action)), ['import', 'E_DUPLICATE_SOP_INSTANCE', 'import', 'done', 'E_FILE_NOT_DECLARED']);
});

/** Files of `size` plaintext octets laid out back to back in upload `id` (manifest v2), first named like the upload. */
function bundle(id: string, ids: readonly string[], size = 10): ManifestFile[] {
  const length = ciphertextSize(size);
  return ids.map((fileId, i) => ({ ...file(fileId, `1.${id.length}.${i}`, String(i % 10)), size, upload: { id, offset: i * length } }));
}

test('bundles: a file is declared when its upload is listed, names it among its parts, and holds its whole slice', () => {
  const length = ciphertextSize(10);
  const b = bundle('b0', ['b0', 'b1', 'b2']);
  const lone = file('z', '1.9', 'f');
  const files = [...b, lone];
  const full = [{ fileId: 'b0', size: 3 * length, complete: false, parts: ['b0', 'b1', 'b2'] }, { fileId: 'z', size: length, complete: true }];
  assert.deepEqual(planFiles(files, full, []).map((p) => p.action), ['import', 'import', 'import', 'import'], 'incomplete uploads are still declared');

  const code = (portal: Parameters<typeof planFiles>[1]) => planFiles(files, portal, []).map((p) => (p.action === 'reject' ? p.code : p.action));
  // The bundle declared one file short: the third is not among its parts.
  assert.deepEqual(code([{ ...full[0]!, parts: ['b0', 'b1'] }, full[1]!]), ['import', 'import', 'E_FILE_NOT_DECLARED', 'import']);
  // The bundle declared smaller than the manifest's layout: the third file's slice ends past it.
  assert.deepEqual(code([{ ...full[0]!, size: 3 * length - 1 }, full[1]!]), ['import', 'import', 'E_FILE_NOT_DECLARED', 'import']);
  // The upload is missing altogether, or declared as a lone file (no parts) that carries only itself.
  assert.deepEqual(code([full[1]!]), ['E_FILE_NOT_DECLARED', 'E_FILE_NOT_DECLARED', 'E_FILE_NOT_DECLARED', 'import']);
  const noParts = { fileId: 'b0', size: 3 * length, complete: true };
  assert.deepEqual(code([noParts, full[1]!]), ['import', 'E_FILE_NOT_DECLARED', 'E_FILE_NOT_DECLARED', 'import']);
  // A lone file that the portal lists as a bundle's part but not as an upload of its own.
  assert.deepEqual(code([{ ...full[0]!, parts: ['b0', 'b1', 'b2', 'z'] }]), ['import', 'import', 'import', 'E_FILE_NOT_DECLARED']);

  const rejected = planFiles(files, [{ ...full[0]!, size: 3 * length - 1 }, full[1]!], [])[2]!;
  assert.ok(rejected.action === 'reject' && /b2: octets \d+-\d+ lie outside upload b0/.test(rejected.reason), 'the reason says where');
});

test('declaration: the portal knows the parts of bundles and lone uploads, nothing else', () => {
  const declaration = declarationOf([{ fileId: 'b0', size: 1, complete: true, parts: ['b0', 'b1'] }, { fileId: 'z', size: 1, complete: true }]);
  assert.deepEqual(['b0', 'b1', 'z', 'b2', 'q'].map((id) => declaration.knows(id)), [true, true, true, false, false]);
});

test('final state: imported only when every file is stored, failed when none is', () => {
  const files = [file('a', '1.1', 'a'), file('b', '1.2', 'b')];
  const manifest = { files } as unknown as Parameters<typeof finalState>[0];
  assert.deepEqual(finalState(manifest, [row('a', 'stored'), row('b', 'warning')]), { state: 'imported' });
  const mixed = finalState(manifest, [row('a', 'stored'), row('b', 'rejected', 'E_NOT_DICOM')]);
  assert.equal(mixed.state, 'imported-with-failures');
  assert.match(mixed.reason!, /1 of 2 file\(s\) not stored: 1 E_NOT_DICOM/);
  assert.equal(finalState(manifest, [row('a', 'failed', 'E_DIMSE_STATUS'), row('b', 'rejected', 'E_DECRYPT')]).state, 'failed');
});
