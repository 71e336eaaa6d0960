import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTestCd, type TestCd } from '../../server/test-cd/make-test-cd.ts';
import { writeDicomdir } from '../../server/test-cd/dicomdir.ts';
import { deeplyNestedFile } from '../../server/test-cd/nested-sequences.ts';
import { scanFiles, sendInstances, type SourceFile } from './scan.ts';
import { buildInventory, formatInventory, inventorySummary } from './inventory.ts';

/** Every file under root as a SourceFile, counting bytes read (to prove header-only scanning). */
function folder(root: string, counter = { bytes: 0 }): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, name.name);
      if (name.isDirectory()) walk(full);
      else files.push(nodeFile(full, path.relative(root, full).split(path.sep).join('/'), counter));
    }
  };
  walk(root);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

function nodeFile(full: string, relative: string, counter: { bytes: number }): SourceFile {
  return {
    path: relative,
    size: statSync(full).size,
    async read(start, end) {
      counter.bytes += end - start;
      const out = new Uint8Array(end - start);
      const fd = openSync(full, 'r');
      try {
        readSync(fd, out, 0, out.length, start);
      } finally {
        closeSync(fd);
      }
      return out;
    },
  };
}

function tempDir(t: { after(fn: () => void): void }, prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let twoPatients: TestCd;
test.before(async () => {
  twoPatients = await makeTestCd(mkdtempSync(path.join(tmpdir(), 'beeldpoort-scan-')), { studies: 2, series: 3, images: 2, rows: 512, patients: 2, seed: 'scan' });
});
test.after(() => rmSync(twoPatients.root, { recursive: true, force: true }));

test('finds every instance of a generated CD with its identity, skips the junk with reasons, and reads headers only', async () => {
  const counter = { bytes: 0 };
  const files = folder(twoPatients.root, counter);
  const progress: number[] = [];
  const scan = await scanFiles(files, { onProgress: (done, total) => progress.push(done / total) });
  const expected = twoPatients.instances.map((i) => ({ path: i.relativePath, dicom: { sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, studyInstanceUid: i.studyInstanceUid, seriesInstanceUid: i.seriesInstanceUid, transferSyntaxUid: i.transferSyntaxUid }, hasPreamble: i.hasPreamble }));
  const found = scan.instances.map((i) => ({ path: i.path, dicom: i.dicom, hasPreamble: i.hasPreamble }));
  assert.deepEqual(found.sort((a, b) => a.path.localeCompare(b.path)), expected.sort((a, b) => a.path.localeCompare(b.path)));
  const reasons = Object.fromEntries(scan.skipped.map((s) => [s.path, s.reason]));
  assert.match(reasons['DICOMDIR']!, /DICOMDIR/);
  assert.match(reasons['AUTORUN.INF']!, /autorun/);
  assert.match(reasons['VIEWER/VIEWER.EXE']!, /viewer/);
  assert.match(reasons['VIEWER/DCMVIEW.DLL']!, /viewer/);
  assert.match(reasons['IHE_PDI/INDEX.HTM']!, /IHE PDI/);
  assert.match(reasons['README.TXT']!, /document/);
  assert.equal(scan.skipped.length, twoPatients.junk.length + 1);
  assert.deepEqual({ listed: scan.dicomdir?.listed, missing: scan.dicomdir?.missing, unlisted: scan.dicomdir?.unlisted }, { listed: twoPatients.instances.length, missing: [], unlisted: [] });
  assert.equal(progress.length, files.length);
  assert.equal(progress.at(-1), 1);
  const total = twoPatients.instances.reduce((n, i) => n + i.size, 0);
  assert.equal(scan.bytes, total);
  assert.ok(counter.bytes < total / 4, `read ${counter.bytes} of ${total} bytes`);
  assert.equal(sendInstances(scan, files)[0]!.file, files[scan.instances[0]!.index]);
});

test('warns when the CD holds more than one patient, and the inventory groups patients, studies and series', async () => {
  const scan = await scanFiles(folder(twoPatients.root));
  assert.equal(scan.warnings.filter((w) => /2 different patients/.test(w)).length, 1);
  const inventory = buildInventory(scan);
  assert.deepEqual(inventory.patients.map((p) => p.name).sort(), twoPatients.patients.map((p) => p.name).sort());
  assert.equal(inventory.studies.length, twoPatients.studies.length);
  for (const study of twoPatients.studies) {
    const found = inventory.studies.find((s) => s.studyInstanceUid === study.studyInstanceUid)!;
    assert.deepEqual({ date: found.date, description: found.description, accession: found.accession, series: found.series.length, instances: found.instances, modalities: found.modalities }, { date: study.date, description: study.description, accession: study.accession, series: study.series, instances: study.instances, modalities: [...study.modalities].sort() });
  }
  const summary = inventorySummary(inventory);
  assert.equal(summary.instances, twoPatients.instances.length);
  assert.equal(summary.skipped.length, twoPatients.junk.length + 1);
  assert.ok(formatInventory(inventory).some((line) => line.includes('de Vries, Zoë Anneliës')));
});

test('a single-patient CD scans without warnings', async (t) => {
  const cd = await makeTestCd(tempDir(t, 'beeldpoort-scan1-'), { studies: 1, series: 2, images: 2, rows: 16, seed: 'one' });
  const scan = await scanFiles(folder(cd.root));
  assert.deepEqual(scan.warnings, []);
  assert.equal(scan.instances.length, cd.instances.length);
});

test('malformed input: non-DICOM named like DICOM, an empty file, a truncated header and a 10,000-deep sequence are skipped with reasons', async (t) => {
  const cd = await makeTestCd(tempDir(t, 'beeldpoort-scanbad-'), { studies: 1, series: 1, images: 2, rows: 16, seed: 'bad' });
  const dir = path.join(cd.root, 'DICOM', 'EXTRA');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'NOTDICOM'), new Uint8Array(4096).fill(0x41));
  writeFileSync(path.join(dir, 'EMPTY'), new Uint8Array(0));
  const pdf = cd.instances.find((i) => i.modality === 'DOC')!;
  writeFileSync(path.join(dir, 'CUTOFF'), readFileSync(pdf.path).subarray(0, 400));
  writeFileSync(path.join(dir, 'NESTED'), deeplyNestedFile(10_000));
  const scan = await scanFiles(folder(cd.root));
  const reasons = Object.fromEntries(scan.skipped.map((s) => [s.path, s.reason]));
  assert.equal(reasons['DICOM/EXTRA/NOTDICOM'], 'not a DICOM file');
  assert.equal(reasons['DICOM/EXTRA/EMPTY'], 'empty file');
  assert.match(reasons['DICOM/EXTRA/CUTOFF']!, /damaged DICOM file.*E_DICOM_(TRUNCATED|MALFORMED|IDENTITY)/);
  assert.match(reasons['DICOM/EXTRA/NESTED']!, /damaged DICOM file.*E_DICOM_MALFORMED/, 'a sequence nested 10,000 deep');
  assert.equal(scan.instances.length, cd.instances.length);
});

test('de-duplicates by SOP Instance UID: an identical copy is skipped, a different object under the same UID is warned about', async (t) => {
  const cd = await makeTestCd(tempDir(t, 'beeldpoort-scandup-'), { studies: 1, series: 1, images: 2, rows: 16, seed: 'dup' });
  const [first, second] = cd.instances;
  mkdirSync(path.join(cd.root, 'COPY'));
  copyFileSync(first!.path, path.join(cd.root, 'COPY', 'SAME'));
  const changed = readFileSync(second!.path);
  changed[changed.length - 1] ^= 0xff; // last pixel byte
  writeFileSync(path.join(cd.root, 'COPY', 'OTHER'), changed);
  const scan = await scanFiles(folder(cd.root));
  assert.equal(scan.instances.length, cd.instances.length);
  assert.deepEqual(
    scan.duplicates.map((d) => [d.path, d.identical]).sort(),
    [['COPY/OTHER', false], ['COPY/SAME', true]],
  );
  assert.ok(scan.warnings.some((w) => /share a SOP Instance UID with a different file: COPY\/OTHER/.test(w)));
  assert.ok(scan.skipped.some((s) => s.path === 'COPY/SAME' && /identical copy/.test(s.reason)));
});

test('DICOMDIR cross-check: ".." references never escape, missing files and unlisted instances are reported, ISO 9660 case differences match', async (t) => {
  const root = tempDir(t, 'beeldpoort-scandir-');
  const outside = tempDir(t, 'beeldpoort-outside-');
  const cd = await makeTestCd(path.join(root, 'CD'), { studies: 1, series: 1, images: 2, rows: 16, seed: 'dir' });
  writeFileSync(path.join(root, 'SECRET'), 'outside the CD');
  void outside;
  const [a, b] = cd.instances;
  const image = (id: string[]) => ({ type: 'IMAGE' as const, children: [], keys: [{ tag: 0x00041500, vr: 'CS', value: id }] });
  // Lower-case file names on disk, upper-case references (a CD copied by a tool that lower-cased it).
  const lowered = path.join(cd.root, 'dicom-lower');
  mkdirSync(lowered);
  copyFileSync(a!.path, path.join(lowered, 'img00001'));
  rmSync(a!.path);
  writeDicomdir(cd.dicomdir, [{
    type: 'PATIENT', keys: [], children: [{
      type: 'STUDY', keys: [], children: [{
        type: 'SERIES', keys: [], children: [
          image(['..', 'SECRET']),
          image(['DICOM-LOWER', 'IMG00001']),
          image(['DICOM', 'GONE', 'IMG00099']),
        ],
      }],
    }],
  }], 'dir');
  const scan = await scanFiles(folder(cd.root));
  assert.ok(scan.instances.every((i) => !i.path.includes('..')));
  assert.ok(scan.dicomdir!.problems.some((p) => /unsafe file reference "\.\.\\SECRET"/.test(p)));
  assert.deepEqual(scan.dicomdir!.missing, ['DICOM/GONE/IMG00099']);
  assert.ok(scan.dicomdir!.unlisted.includes(path.relative(cd.root, b!.path).split(path.sep).join('/')));
  assert.ok(!scan.dicomdir!.unlisted.includes('dicom-lower/img00001'));
  assert.ok(scan.warnings.some((w) => /lists 1 file\(s\) that are not on the CD/.test(w)));
  assert.ok(scan.warnings.some((w) => /not listed in the DICOMDIR/.test(w)));
});

test('scans 3,000 files', async (t) => {
  const cd = await makeTestCd(tempDir(t, 'beeldpoort-scan3k-'), { studies: 1, series: 3, images: 1000, rows: 8, seed: 'many' });
  const scan = await scanFiles(folder(cd.root));
  assert.equal(scan.instances.length, 3002);
  assert.equal(new Set(scan.instances.map((i) => i.dicom.sopInstanceUid)).size, 3002);
  assert.deepEqual(scan.dicomdir!.missing, []);
  assert.deepEqual(scan.dicomdir!.unlisted, []);
});
