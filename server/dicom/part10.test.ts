import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPart10 } from './part10.ts';
import { makeTestCd } from '../test-cd/make-test-cd.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const UID = '1.2.826.0.1.3680043.2.1143.1';
const LONG = new Set(['OB', 'SQ', 'UN', 'UT']);

const latin = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
};
const u16 = (n: number) => { const b = new Uint8Array(2); new DataView(b.buffer).setUint16(0, n, true); return b; };
const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const empty = new Uint8Array(0);

/** One element, written by hand (PS3.5 §7.1): explicit or implicit VR, little endian. */
function el(group: number, element: number, vr: string, value: Uint8Array | string, explicit: boolean, length?: number): Uint8Array {
  let bytes = typeof value === 'string' ? latin(value) : value;
  if (bytes.length % 2) bytes = cat(bytes, Uint8Array.of(vr === 'UI' ? 0 : 0x20));
  const len = length ?? bytes.length;
  const tag = cat(u16(group), u16(element));
  if (!explicit || group === 0xfffe) return cat(tag, u32(len), bytes);
  if (LONG.has(vr)) return cat(tag, latin(vr), new Uint8Array(2), u32(len), bytes);
  return cat(tag, latin(vr), u16(len), bytes);
}

function meta(fields: { sopClass?: string; sopInstance?: string; ts?: string }): Uint8Array {
  const elements = [el(2, 1, 'OB', Uint8Array.of(0, 1), true)];
  if (fields.sopClass) elements.push(el(2, 2, 'UI', fields.sopClass, true));
  if (fields.sopInstance) elements.push(el(2, 3, 'UI', fields.sopInstance, true));
  if (fields.ts) elements.push(el(2, 0x10, 'UI', fields.ts, true));
  const body = cat(...elements);
  return cat(el(2, 0, 'UL', u32(body.length), true), body);
}

const preamble = () => cat(new Uint8Array(128), latin('DICM'));

/** A dataset with an undefined-length sequence (nested, undefined-length item) before the identity. */
function dataset(explicit: boolean, sopClass = CT, sopInstance = UID): Uint8Array {
  const inner = cat(...[el(0xfffe, 0xe000, '', cat(...[el(0x0008, 0x0100, 'SH', 'X', explicit)]), explicit)]);
  const item = cat(...[
    el(0xfffe, 0xe000, '', empty, explicit, 0xffffffff),
    el(0x0008, 0x0100, 'SH', 'CODE', explicit),
    el(0x0008, 0x0110, 'SQ', cat(...[inner, el(0xfffe, 0xe0dd, '', empty, explicit)]), explicit, 0xffffffff),
    el(0xfffe, 0xe00d, '', empty, explicit),
  ]);
  return cat(...[
    el(0x0008, 0x0005, 'CS', 'ISO_IR 100', explicit),
    el(0x0008, 0x0006, 'SQ', cat(...[item, el(0xfffe, 0xe0dd, '', empty, explicit)]), explicit, 0xffffffff),
    el(0x0008, 0x0016, 'UI', sopClass, explicit),
    el(0x0008, 0x0018, 'UI', sopInstance, explicit),
    el(0x0010, 0x0010, 'PN', 'Jansen^Piet', explicit),
  ]);
}

test('a Part 10 file: dataset starts after the meta group, identity and syntax from the meta', () => {
  const head = cat(...[preamble(), meta({ sopClass: CT, sopInstance: UID, ts: '1.2.840.10008.1.2' })]);
  const info = readPart10(cat(...[head, dataset(false)]));
  assert.deepEqual(info, {
    datasetOffset: head.length, transferSyntaxUid: '1.2.840.10008.1.2', sopClassUid: CT, sopInstanceUid: UID,
    hasMeta: true, hasPreamble: true, implementationClassUid: undefined,
  });
});

test('a meta group without preamble is still found', () => {
  const head = meta({ sopClass: CT, sopInstance: UID, ts: '1.2.840.10008.1.2.1' });
  const info = readPart10(cat(...[head, dataset(true)]));
  assert.equal(info.datasetOffset, head.length);
  assert.equal(info.hasPreamble, false);
  assert.equal(info.hasMeta, true);
});

test('a bare dataset (old CD) is implicit VR LE unless its VR bytes say explicit; identity read past sequences', () => {
  const implicit = readPart10(dataset(false));
  assert.deepEqual([implicit.datasetOffset, implicit.transferSyntaxUid, implicit.sopClassUid, implicit.sopInstanceUid, implicit.hasMeta],
    [0, '1.2.840.10008.1.2', CT, UID, false]);
  assert.equal(readPart10(dataset(true)).transferSyntaxUid, '1.2.840.10008.1.2.1');
  assert.equal(readPart10(dataset(true)).sopInstanceUid, UID);
});

test('identity missing from the meta group is taken from the dataset', () => {
  const info = readPart10(cat(...[preamble(), meta({ ts: '1.2.840.10008.1.2.1' }), dataset(true)]));
  assert.equal(info.sopInstanceUid, UID);
});

test('DICOMDIR, non-DICOM and broken files are refused with their codes', () => {
  const dicomdir = cat(...[preamble(), meta({ sopClass: '1.2.840.10008.1.3.10', sopInstance: UID, ts: '1.2.840.10008.1.2.1' })]);
  assert.throws(() => readPart10(dicomdir), { code: 'E_DICOMDIR' });
  assert.throws(() => readPart10(latin('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj')), { code: 'E_NOT_DICOM' });
  assert.throws(() => readPart10(new Uint8Array(0)), { code: 'E_NOT_DICOM' });
  assert.throws(() => readPart10(cat(...[preamble(), meta({ sopClass: CT, sopInstance: UID })])), { code: 'E_BAD_META' });
  const runaway = cat(...[preamble(), el(2, 0x10, 'UI', '1.2.840.10008.1.2', true, 400)]);
  assert.throws(() => readPart10(runaway), { code: 'E_BAD_META' });
  assert.throws(() => readPart10(cat(...[preamble(), meta({ ts: '1.2.840.10008.1.2.4.50' }), new Uint8Array(64).fill(0xff)])), { code: 'E_NO_IDENTITY' });
});

test('agrees with the test-CD generator on every instance and transfer syntax', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'beeldpoort-part10-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cd = await makeTestCd(dir, { studies: 1, series: 3, images: 3, rows: 16 });
  const syntaxes = new Set<string>();
  for (const instance of cd.instances) {
    const info = readPart10(new Uint8Array(readFileSync(instance.path)));
    assert.deepEqual([info.sopClassUid, info.sopInstanceUid, info.transferSyntaxUid, info.hasPreamble],
      [instance.sopClassUid, instance.sopInstanceUid, instance.transferSyntaxUid, instance.hasPreamble], instance.relativePath);
    syntaxes.add(info.transferSyntaxUid);
  }
  assert.ok(syntaxes.size >= 3, `only ${[...syntaxes].join(', ')}`);
  assert.throws(() => readPart10(new Uint8Array(readFileSync(cd.dicomdir))), { code: 'E_DICOMDIR' });
});
