import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTestCd, type TestCd } from './make-test-cd.ts';
import { TRANSFER_SYNTAX, SOP_CLASS } from './instances.ts';
import { decodeRleFrame, encodeRleFrame } from './rle.ts';
import { elementHeader, encodeDataset, filePreambleAndMeta, ITEM, SEQUENCE_DELIMITATION } from './encode.ts';
import { concat } from './bytes.ts';
import { Noise } from './random.ts';

const run = promisify(execFile);

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'beeldpoort-testcd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const small = { studies: 2, series: 3, images: 2, rows: 32, patients: 2, seed: 'unit' };

function hashTree(cd: TestCd): string {
  const hash = createHash('sha256');
  const files = [...cd.instances.map((i) => i.path), cd.dicomdir, ...cd.junk.map((j) => j.path)].sort();
  for (const file of files) hash.update(path.relative(cd.root, file)).update(new Uint8Array(readFileSync(file)));
  return hash.digest('hex');
}

test('DCMTK dcmdump reads every instance and the DICOMDIR without error or warning', async (t) => {
  const cd = await makeTestCd(tempDir(t), small);
  const { stderr } = await run('dcmdump', ['-q', cd.dicomdir, ...cd.instances.map((i) => i.path)], { maxBuffer: 64 << 20 });
  assert.equal(stderr, '');
  // Non-ASCII names decode under their Specific Character Set (ISO_IR 100 and ISO_IR 192).
  for (const patient of cd.patients) {
    const file = cd.instances.find((i) => i.patientId === patient.id)!.path;
    const { stdout } = await run('dcmdump', ['+U8', '+P', '0010,0010', file]);
    assert.match(stdout, new RegExp(`\\[${patient.name.replace(/\^/g, '\\^')}\\]`));
  }
});

test('the DICOMDIR links every record correctly as DCMTK parses it and references every instance once', async (t) => {
  const cd = await makeTestCd(tempDir(t), small);
  const { stdout } = await run('dcmdump', ['-M', cd.dicomdir], { maxBuffer: 64 << 20 });
  const records: Array<{ offset: number; type: string; next: number; lower: number; file?: string }> = [];
  for (const line of stdout.split('\n')) {
    const item = /"Directory Record" (\S+(?: DOC)?)/.exec(line);
    if (item) records.push({ offset: -1, type: item[1]!, next: -1, lower: -1 });
    const current = records[records.length - 1];
    const offset = /#\s+offset=\$(\d+)(?:\s+refFileID="([^"]+)")?/.exec(line);
    if (offset && current) {
      current.offset = Number(offset[1]);
      if (offset[2]) current.file = offset[2];
    }
    const next = /\(0004,1400\) up (\d+)/.exec(line);
    if (next && current) current.next = Number(next[1]);
    const lower = /\(0004,1420\) up (\d+)/.exec(line);
    if (lower && current) current.lower = Number(lower[1]);
  }
  const byOffset = new Map(records.map((r) => [r.offset, r]));
  const root = Number(/\(0004,1200\) up (\d+)/.exec(stdout)![1]);
  const parentType: Record<string, string> = { STUDY: 'PATIENT', SERIES: 'STUDY', IMAGE: 'SERIES', 'ENCAP DOC': 'SERIES' };
  const seen: string[] = [];
  const walk = (offset: number, parent: string | undefined) => {
    for (let at = offset; at !== 0; ) {
      const record = byOffset.get(at);
      assert.ok(record, `an offset points at ${at}, where DCMTK found no record`);
      assert.equal(parentType[record.type], parent, `${record.type} under ${parent}`);
      if (record.file) seen.push(record.file.replace(/\\/g, '/'));
      if (record.lower) walk(record.lower, record.type);
      at = record.next;
    }
  };
  walk(root, undefined);
  assert.equal(records.length, seen.length + cd.patients.length + cd.studies.length + cd.studies.reduce((n, s) => n + s.series, 0));
  assert.deepEqual(seen.sort(), cd.instances.map((i) => i.relativePath).sort());
});

test('DCMTK dcmmkdir, updating the DICOMDIR, finds every record already present and nothing inconsistent', async (t) => {
  const cd = await makeTestCd(tempDir(t), small);
  const count = async () => (await run('dcmdump', ['-M', cd.dicomdir], { maxBuffer: 64 << 20 })).stdout.split('"Directory Record"').length - 1;
  const before = await count();
  assert.ok(before > cd.instances.length);
  // +U loads our DICOMDIR through DCMTK's DcmDicomDir and adds only files it does not already reference. -Nxc/-Nec/
  // -Nrc: the General Purpose CD profile allows only explicit VR LE, while a real CD (and ours) carries more.
  const { stderr } = await run('dcmmkdir', ['-Nxc', '-Nec', '-Nrc', '+U', '+r', '+id', cd.root, 'DICOM'], { cwd: cd.root, maxBuffer: 64 << 20 });
  const bare = cd.instances.find((i) => !i.hasPreamble)!.relativePath;
  const unexpected = stderr.split('\n').filter((line) => line && !/expected but .* found/.test(line) && !line.includes(bare) && !/cannot be added to DICOMDIR/.test(line));
  assert.deepEqual(unexpected, []);
  assert.equal(await count(), before);
});

test('the CD looks like a real one: PDI layout, 8-character names, syntaxes, classes, junk, one bare data set', async (t) => {
  const cd = await makeTestCd(tempDir(t), small);
  for (const instance of cd.instances) {
    for (const part of instance.relativePath.split('/')) assert.match(part, /^[A-Z0-9_]{1,8}$/);
    const head = readFileSync(instance.path).subarray(0, 132);
    assert.equal(head.subarray(128, 132).toString('latin1') === 'DICM', instance.hasPreamble, instance.relativePath);
  }
  assert.equal(cd.instances.filter((i) => !i.hasPreamble).length, 1);
  const syntaxes = new Set(cd.instances.map((i) => i.transferSyntaxUid));
  for (const syntax of Object.values(TRANSFER_SYNTAX)) assert.ok(syntaxes.has(syntax), syntax);
  const classes = new Set(cd.instances.map((i) => i.sopClassUid));
  for (const sopClass of Object.values(SOP_CLASS)) assert.ok(classes.has(sopClass), sopClass);
  assert.equal(new Set(cd.instances.map((i) => i.sopInstanceUid)).size, cd.instances.length);
  assert.deepEqual(cd.junk.map((j) => j.relativePath).sort(), ['AUTORUN.INF', 'IHE_PDI/INDEX.HTM', 'README.TXT', 'VIEWER/DCMVIEW.DLL', 'VIEWER/VIEWER.EXE', 'VIEWER/VIEWER.INI']);
  assert.equal(new Set(cd.instances.map((i) => i.patientId)).size, 2);
  // Private tags survive: DCMTK sees the private creator.
  const { stdout } = await run('dcmdump', ['+P', '0009,0010', cd.instances[0]!.path]);
  assert.match(stdout, /BEELDPOORT TESTCD/);
});

test('the same seed writes the same bytes; another seed other UIDs', async (t) => {
  const a = await makeTestCd(tempDir(t), small);
  const b = await makeTestCd(tempDir(t), small);
  const c = await makeTestCd(tempDir(t), { ...small, seed: 'other' });
  assert.equal(hashTree(a), hashTree(b));
  assert.notEqual(a.instances[0]!.sopInstanceUid, c.instances[0]!.sopInstanceUid);
});

test('RLE frames decode losslessly, by our decoder and by DCMTK dcmdrle', async (t) => {
  const dir = tempDir(t);
  const rows = 48;
  const pixels = new Uint8Array(rows * rows * 2);
  new Noise('rle', 'x').fill(pixels.subarray(0, pixels.length / 2), 0x0fff0fff);
  pixels.fill(7, pixels.length / 2, pixels.length / 2 + 300); // replicate runs too
  const fragment = encodeRleFrame(pixels, rows, rows, 2);
  assert.deepEqual(decodeRleFrame(fragment, rows, rows, 2), pixels);

  const uid = '2.25.1';
  const dataset = encodeDataset(
    [
      { tag: 0x00080016, vr: 'UI', value: SOP_CLASS.ct },
      { tag: 0x00080018, vr: 'UI', value: uid },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: rows },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 12 },
      { tag: 0x00280102, vr: 'US', value: 11 },
      { tag: 0x00280103, vr: 'US', value: 0 },
    ],
    { explicit: true, charset: 'latin1' },
  );
  const file = path.join(dir, 'rle.dcm');
  writeFileSync(
    file,
    concat([
      filePreambleAndMeta(SOP_CLASS.ct, uid, TRANSFER_SYNTAX.rle),
      dataset,
      elementHeader(0x7fe00010, 'OB', 0xffffffff, true),
      elementHeader(ITEM, '', 0, true),
      elementHeader(ITEM, '', fragment.length, true),
      fragment,
      elementHeader(SEQUENCE_DELIMITATION, '', 0, true),
    ]),
  );
  await run('dcmdrle', [file, path.join(dir, 'plain.dcm')]);
  const plain = readFileSync(path.join(dir, 'plain.dcm'));
  assert.deepEqual(new Uint8Array(plain.subarray(plain.length - pixels.length)), pixels);
});
