import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { makeTestCd, type TestCd } from '../../server/test-cd/make-test-cd.ts';
import { readDicomHeader, dicomIdentity, dicomDescription, DicomError, type ByteSource } from './index.ts';

/** A byte source over a buffer that counts what was read, to prove header-only reading. */
function source(bytes: Uint8Array): ByteSource & { readBytes: number } {
  const s = {
    size: bytes.length,
    readBytes: 0,
    async read(start: number, end: number) {
      s.readBytes += end - start;
      return bytes.slice(start, end);
    },
  };
  return s;
}

let cd: TestCd;
test.before(async () => {
  cd = await makeTestCd(mkdtempSync(path.join(tmpdir(), 'beeldpoort-hdr-')), { studies: 2, series: 3, images: 2, rows: 512, patients: 2, seed: 'hdr' });
});
test.after(() => rmSync(cd.root, { recursive: true, force: true }));

test('reads the identity of every instance on a generated CD, whatever its syntax or layout', async () => {
  for (const instance of cd.instances) {
    const header = await readDicomHeader(source(new Uint8Array(readFileSync(instance.path))));
    assert.deepEqual(dicomIdentity(header), {
      sopClassUid: instance.sopClassUid,
      sopInstanceUid: instance.sopInstanceUid,
      studyInstanceUid: instance.studyInstanceUid,
      seriesInstanceUid: instance.seriesInstanceUid,
      transferSyntaxUid: instance.transferSyntaxUid,
    }, instance.relativePath);
    assert.equal(header.layout === 'part10', instance.hasPreamble);
    assert.equal(dicomDescription(header).patient.id, instance.patientId);
  }
});

test('decodes patient names under their Specific Character Set (ISO_IR 100 and ISO_IR 192)', async () => {
  for (const patient of cd.patients) {
    const instance = cd.instances.find((i) => i.patientId === patient.id)!;
    const header = await readDicomHeader(source(new Uint8Array(readFileSync(instance.path))));
    assert.equal(dicomDescription(header).patient.name, patient.name);
  }
});

test('reads only the header of a 512x512 image, not its pixel data', async () => {
  const instance = cd.instances.find((i) => i.modality === 'CT' && i.hasPreamble && i.transferSyntaxUid === '1.2.840.10008.1.2.1')!;
  const src = source(new Uint8Array(readFileSync(instance.path)));
  await readDicomHeader(src);
  assert.ok(instance.size > 500_000);
  assert.ok(src.readBytes <= 32 * 1024, `read ${src.readBytes} bytes`);
});

test('refuses non-DICOM, an empty file and a cut-off header with stable codes', async () => {
  await assert.rejects(readDicomHeader(source(new TextEncoder().encode('MZ this is a viewer executable, not DICOM at all......'.repeat(4)))), { code: 'E_DICOM_NOT_DICOM' });
  await assert.rejects(readDicomHeader(source(new Uint8Array(0))), { code: 'E_DICOM_NOT_DICOM' });
  const pdf = cd.instances.find((i) => i.modality === 'DOC')!;
  const whole = new Uint8Array(readFileSync(pdf.path));
  await assert.rejects(readDicomHeader(source(whole.subarray(0, 700))), (error: unknown) => error instanceof DicomError && ['E_DICOM_TRUNCATED', 'E_DICOM_MALFORMED', 'E_DICOM_IDENTITY'].includes(error.code));
  // Cut inside the native pixel data of an image: the declared length runs past the end of the file.
  const ct = cd.instances.find((i) => i.modality === 'CT' && i.transferSyntaxUid === '1.2.840.10008.1.2.1')!;
  const image = new Uint8Array(readFileSync(ct.path));
  await assert.rejects(readDicomHeader(source(image.subarray(0, image.length - 1000)), { initialBytes: image.length }), { code: 'E_DICOM_TRUNCATED' });
});

test('a deflate bomb inflates no further than the header limit', async (t) => {
  const sc = cd.instances.find((i) => i.transferSyntaxUid === '1.2.840.10008.1.2.1.99')!;
  const file = new Uint8Array(readFileSync(sc.path));
  const metaEnd = 132 + 12 + new DataView(file.buffer, file.byteOffset).getUint32(140, true);
  // Meta group, then 32 MB of zeros deflated to ~32 KB: must stop at maxBytes, not inflate it all.
  const zeros = new Uint8Array(32 * 1024 * 1024);
  const dir = mkdtempSync(path.join(tmpdir(), 'beeldpoort-bomb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bomb = new Uint8Array(deflateRawSync(zeros));
  const fileBytes = new Uint8Array(metaEnd + bomb.length);
  fileBytes.set(file.subarray(0, metaEnd));
  fileBytes.set(bomb, metaEnd);
  writeFileSync(path.join(dir, 'BOMB'), fileBytes);
  await assert.rejects(readDicomHeader(source(fileBytes), { maxBytes: 1024 * 1024 }), { code: 'E_DICOM_HEADER_TOO_LARGE' });
});

test('reads a file missing only its preamble, and a bare explicit VR data set (meta group stripped)', async () => {
  const instance = cd.instances.find((i) => i.hasPreamble && i.transferSyntaxUid === '1.2.840.10008.1.2.1' && i.modality === 'MR') ?? cd.instances.find((i) => i.hasPreamble && i.transferSyntaxUid === '1.2.840.10008.1.2.1')!;
  const file = new Uint8Array(readFileSync(instance.path));
  const noPreamble = await readDicomHeader(source(file.subarray(128)));
  assert.equal(noPreamble.layout, 'part10-no-preamble');
  assert.equal(dicomIdentity(noPreamble).sopInstanceUid, instance.sopInstanceUid);
  const metaLength = new DataView(file.buffer, file.byteOffset).getUint32(140, true);
  const bare = await readDicomHeader(source(file.subarray(144 + metaLength)));
  assert.equal(bare.layout, 'bare');
  assert.deepEqual(dicomIdentity(bare), { sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid, studyInstanceUid: instance.studyInstanceUid, seriesInstanceUid: instance.seriesInstanceUid, transferSyntaxUid: '1.2.840.10008.1.2.1' });
});

test('a header larger than the first read is read further, up to the pixel data', async () => {
  const instance = cd.instances.find((i) => i.hasPreamble && i.transferSyntaxUid === '1.2.840.10008.1.2.1' && i.modality === 'CT')!;
  const src = source(new Uint8Array(readFileSync(instance.path)));
  const header = await readDicomHeader(src, { initialBytes: 200 });
  assert.equal(dicomIdentity(header).sopInstanceUid, instance.sopInstanceUid);
  assert.ok(header.dataSet.elements.x7fe00010, 'reached the pixel data element');
  assert.ok(src.readBytes < instance.size / 4);
});

test('damaged headers (bytes flipped at random, deterministic) end in a header or a DicomError, never another failure', async () => {
  const picks = [
    cd.instances.find((i) => i.transferSyntaxUid === '1.2.840.10008.1.2.1' && i.modality !== 'DOC')!,
    cd.instances.find((i) => !i.hasPreamble)!,
    cd.instances.find((i) => i.transferSyntaxUid === '1.2.840.10008.1.2.5')!,
    cd.instances.find((i) => i.modality === 'DOC')!,
  ];
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  let parsed = 0;
  let refused = 0;
  for (const instance of picks) {
    const original = new Uint8Array(readFileSync(instance.path));
    for (let round = 0; round < 150; round++) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(random() * 8);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * Math.min(bytes.length, 2048))] = Math.floor(random() * 256);
      try {
        const header = await readDicomHeader(source(bytes), { maxBytes: 256 * 1024 });
        dicomDescription(header);
        parsed++;
      } catch (error) {
        assert.ok(error instanceof DicomError, `${instance.relativePath} round ${round}: ${String(error)}`);
        refused++;
      }
    }
  }
  assert.equal(parsed + refused, picks.length * 150);
  assert.ok(refused > 0 && parsed > 0);
});
