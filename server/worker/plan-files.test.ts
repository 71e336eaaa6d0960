import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestFile } from '../../shared/format/index.ts';
import { planFiles } from './plan-files.ts';
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
  const portal = ['a', 'b', 'c', 'd'].map((fileId) => ({ fileId, size: 10, complete: true }));
  const plans = planFiles(files, portal, [row('d', 'stored')]);
  assert.deepEqual(plans.map((p) => (p.action === 'reject' ? p.code : p.action)), ['import', 'E_DUPLICATE_SOP_INSTANCE', 'import', 'done', 'E_FILE_NOT_DECLARED']);
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
