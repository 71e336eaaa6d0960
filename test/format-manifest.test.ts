// Manifest v1 and v2 schema: a valid manifest passes unchanged; each violation is E_MANIFEST naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ciphertextSize, FormatError, MANIFEST_LIMITS, sliceOf, uploadsOf, validateManifest, type ManifestFile } from '../shared/format/index.ts';
import { sampleManifest } from '../shared/format/testdata/sample-manifest.ts';

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function variant(change: (m: Mutable) => void): unknown {
  const m = structuredClone(sampleManifest()) as Mutable;
  change(m);
  return m;
}

test('a valid manifest passes and is returned as is', () => {
  const m = sampleManifest();
  assert.equal(validateManifest(m), m);
  const transfer = variant((m) => {
    m.purpose = 'transfer';
    m.statements = {};
    m.summary.skipped = [];
  });
  assert.equal(validateManifest(transfer), transfer);
  const empty = variant((m) => {
    m.files = [];
    m.summary.studies[0].modalities = [];
  });
  assert.equal(validateManifest(empty), empty);
});

const violations: [string, (m: Mutable) => void, string][] = [
  ['not an object', () => undefined, 'manifest'],
  ['version 3', (m) => (m.version = 3), 'manifest.version'],
  ['upload in a v1 manifest', (m) => (m.files[0].upload = { id: m.files[0].fileId, offset: 0 }), 'manifest.files[0].upload'],
  ['upload id invalid', (m) => bundled(m, (f) => (f[0].upload.id = 'a b')), 'manifest.files[0].upload.id'],
  ['upload offset negative', (m) => bundled(m, (f) => (f[1].upload.offset = -1)), 'manifest.files[1].upload.offset'],
  ['upload unknown member', (m) => bundled(m, (f) => (f[1].upload.length = 5)), 'manifest.files[1].upload.length'],
  ['bundle not starting at 0', (m) => bundled(m, (f) => (f[0].upload.offset = 10)), 'manifest.files[0].upload'],
  ['bundle named after another file', (m) => bundled(m, (f) => (f[0].upload.id = f[1].upload.id = 'other')), 'manifest.files[0].upload'],
  ['bundle with a gap', (m) => bundled(m, (f) => (f[1].upload.offset += 1)), 'manifest.files[1].upload.offset'],
  ['bundle with an overlap', (m) => bundled(m, (f) => (f[1].upload.offset -= 17)), 'manifest.files[1].upload.offset'],
  ['version as string', (m) => (m.version = '1'), 'manifest.version'],
  ['missing shipmentId', (m) => delete m.shipmentId, 'manifest.shipmentId'],
  ['shipmentId with a slash', (m) => (m.shipmentId = 'a/b'), 'manifest.shipmentId'],
  ['shipmentId too long', (m) => (m.shipmentId = 'x'.repeat(65)), 'manifest.shipmentId'],
  ['linkId empty', (m) => (m.linkId = ''), 'manifest.linkId'],
  ['purpose unknown', (m) => (m.purpose = 'research'), 'manifest.purpose'],
  ['createdAt not ISO', (m) => (m.createdAt = '29-11-2026'), 'manifest.createdAt'],
  ['createdAt impossible date', (m) => (m.createdAt = '2026-13-45T99:00:00Z'), 'manifest.createdAt'],
  ['unknown top-level member', (m) => (m.patientName = 'Jansen'), 'manifest.patientName'],
  ['consult without consent', (m) => delete m.statements.consent, 'manifest.statements.consent'],
  ['consent date not ISO', (m) => (m.statements.consent.date = 'yesterday'), 'manifest.statements.consent.date'],
  ['consent recordedBy empty', (m) => (m.statements.consent.recordedBy = ''), 'manifest.statements.consent.recordedBy'],
  ['comment too long', (m) => (m.statements.comment = 'x'.repeat(MANIFEST_LIMITS.commentLength + 1)), 'manifest.statements.comment'],
  ['comment with NUL', (m) => (m.statements.comment = 'a\u0000b'), 'manifest.statements.comment'],
  ['files not an array', (m) => (m.files = {}), 'manifest.files'],
  ['file missing sha256', (m) => delete m.files[1].sha256, 'manifest.files[1].sha256'],
  ['file sha256 upper case', (m) => (m.files[0].sha256 = 'AB'.repeat(32)), 'manifest.files[0].sha256'],
  ['file size negative', (m) => (m.files[1].size = -1), 'manifest.files[1].size'],
  ['file size fractional', (m) => (m.files[1].size = 1.5), 'manifest.files[1].size'],
  ['file size as string', (m) => (m.files[0].size = '10'), 'manifest.files[0].size'],
  ['file path absolute', (m) => (m.files[0].path = '/etc/passwd'), 'manifest.files[0].path'],
  ['file path with ..', (m) => (m.files[0].path = 'DICOM/../../x'), 'manifest.files[0].path'],
  ['file path with backslash', (m) => (m.files[0].path = 'DICOM\\I0001'), 'manifest.files[0].path'],
  ['file path with CR LF', (m) => (m.files[0].path = 'DICOM/I\r\nINJECTED'), 'manifest.files[0].path'],
  ['file id duplicated', (m) => (m.files[1].fileId = m.files[0].fileId), 'manifest.files[1].fileId'],
  ['file id invalid', (m) => (m.files[0].fileId = 'a b'), 'manifest.files[0].fileId'],
  ['file unknown member', (m) => (m.files[0].name = 'x'), 'manifest.files[0].name'],
  ['dicom uid with letters', (m) => (m.files[0].dicom.sopInstanceUid = '1.2.abc'), 'manifest.files[0].dicom.sopInstanceUid'],
  ['dicom uid too long', (m) => (m.files[0].dicom.studyInstanceUid = '1.' + '2'.repeat(64)), 'manifest.files[0].dicom.studyInstanceUid'],
  ['dicom missing transfer syntax', (m) => delete m.files[1].dicom.transferSyntaxUid, 'manifest.files[1].dicom.transferSyntaxUid'],
  ['summary missing', (m) => delete m.summary, 'manifest.summary'],
  ['patient name not a string', (m) => (m.summary.patients[0].name = 42), 'manifest.summary.patients[0].name'],
  ['study modalities not strings', (m) => (m.summary.studies[0].modalities = [1]), 'manifest.summary.studies[0].modalities[0]'],
  ['study instances negative', (m) => (m.summary.studies[0].instances = -3), 'manifest.summary.studies[0].instances'],
  ['summary instances missing', (m) => delete m.summary.instances, 'manifest.summary.instances'],
  ['skipped reason empty', (m) => (m.summary.skipped[0].reason = ''), 'manifest.summary.skipped[0].reason'],
  ['too many files', (m) => (m.files = new Array(MANIFEST_LIMITS.files + 1).fill(m.files[0])), 'manifest.files'],
  ['too many modalities', (m) => (m.summary.studies[0].modalities = new Array(MANIFEST_LIMITS.modalities + 1).fill('CT')), 'manifest.summary.studies[0].modalities'],
];

/** Version 2 with both sample files in one bundle, then `change` applied to the files. */
function bundled(m: Mutable, change: (files: Mutable[]) => void): void {
  m.version = 2;
  const files = m.files as Mutable[];
  files[0]!.upload = { id: files[0]!.fileId, offset: 0 };
  files[1]!.upload = { id: files[0]!.fileId, offset: ciphertextSize(files[0]!.size) };
  change(files);
}

test('a v2 manifest with a bundle passes; its uploads and slices follow from it', () => {
  const m = variant((m) => bundled(m, () => undefined));
  assert.equal(validateManifest(m), m);
  const files = (m as { files: ManifestFile[] }).files;
  const first = ciphertextSize(files[0]!.size);
  assert.deepEqual(sliceOf(files[1]!), { uploadId: files[0]!.fileId, offset: first, length: ciphertextSize(files[1]!.size) });
  assert.deepEqual(uploadsOf(files).map((u) => [u.uploadId, u.size, u.files.length]), [[files[0]!.fileId, first + ciphertextSize(files[1]!.size), 2]]);
  // A v2 manifest may mix bundles and files that are their own upload.
  const mixed = variant((m) => {
    m.version = 2;
    m.files[1].upload = { id: m.files[1].fileId, offset: 0 };
  });
  assert.equal(validateManifest(mixed), mixed);
  assert.deepEqual(uploadsOf((mixed as { files: ManifestFile[] }).files).map((u) => u.files.length), [1, 1]);
  assert.deepEqual(sliceOf(files[0]!), { uploadId: files[0]!.fileId, offset: 0, length: first });
});

for (const [name, change, field] of violations) {
  test(`manifest violation "${name}" is E_MANIFEST naming ${field}`, () => {
    const value = name === 'not an object' ? 'manifest' : variant(change);
    assert.throws(
      () => validateManifest(value),
      (e: unknown) => e instanceof FormatError && e.code === 'E_MANIFEST' && e.message.startsWith(`${field}:`),
    );
  });
}
