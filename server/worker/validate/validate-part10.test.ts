import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import path from 'node:path';
import { inflateLimit, validatePart10, identityDifferences } from './validate-part10.ts';
import { createValidator } from './validator.ts';
import { part10Header } from '../part10-header.ts';
import { makeTempDir } from '../../../test/helpers/tmp.ts';
import { deeplyNestedFile } from '../../test-cd/nested-sequences.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';
const ids = { sopClassUid: CT, sopInstanceUid: '1.2.3.4.5', studyInstanceUid: '1.2.3.1', seriesInstanceUid: '1.2.3.2' };

type El = [group: number, element: number, vr: string, value: Uint8Array];
const text = (s: string, pad = 0) => {
  const raw = new TextEncoder().encode(s);
  return raw.length % 2 ? Uint8Array.from([...raw, pad]) : raw;
};
const us = (n: number) => Uint8Array.from([n & 0xff, n >> 8]);

/** Encodes elements (ascending tags) in Explicit or Implicit VR Little Endian (PS3.5 §7.1). */
function encode(elements: El[], explicit: boolean): Uint8Array {
  const parts: number[] = [];
  const u16 = (n: number) => parts.push(n & 0xff, (n >> 8) & 0xff);
  const u32 = (n: number) => {
    u16(n & 0xffff);
    u16(n >>> 16);
  };
  for (const [group, element, vr, value] of elements) {
    u16(group);
    u16(element);
    if (!explicit) u32(value.length);
    else if (['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr)) {
      parts.push(...new TextEncoder().encode(vr), 0, 0);
      u32(value.length);
    } else {
      parts.push(...new TextEncoder().encode(vr));
      u16(value.length);
    }
    parts.push(...value);
  }
  return Uint8Array.from(parts);
}

function dataset(overrides: Partial<typeof ids> = {}, rows = 4, cols = 4, explicit = true): Uint8Array {
  const v = { ...ids, ...overrides };
  return encode([
    [0x0008, 0x0016, 'UI', text(v.sopClassUid)],
    [0x0008, 0x0018, 'UI', text(v.sopInstanceUid)],
    [0x0020, 0x000d, 'UI', text(v.studyInstanceUid)],
    [0x0020, 0x000e, 'UI', text(v.seriesInstanceUid)],
    [0x0028, 0x0002, 'US', us(1)],
    [0x0028, 0x0010, 'US', us(rows)],
    [0x0028, 0x0011, 'US', us(cols)],
    [0x0028, 0x0100, 'US', us(16)],
    [0x7fe0, 0x0010, 'OW', new Uint8Array(rows * cols * 2).fill(7)],
  ], explicit);
}

function part10(overrides: Partial<typeof ids> = {}, meta: Partial<typeof ids> = {}): { bytes: Uint8Array; header: number } {
  const header = part10Header({ ...ids, ...overrides, ...meta, transferSyntaxUid: EXPLICIT });
  const body = dataset(overrides);
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return { bytes, header: header.length };
}

test('accepts a Part 10 file and returns its identity and where the dataset starts', () => {
  const { bytes, header } = part10();
  const found = validatePart10(bytes);
  assert.deepEqual(found, { ...ids, transferSyntaxUid: EXPLICIT, datasetOffset: header, hasMeta: true });
  assert.deepEqual(identityDifferences(found, { ...ids, transferSyntaxUid: EXPLICIT }), []);
  assert.equal(identityDifferences(found, { ...ids, sopInstanceUid: '9.9', transferSyntaxUid: EXPLICIT }).length, 1);
});

test('accepts a bare implicit VR dataset without preamble or meta, as old CDs have', () => {
  const found = validatePart10(dataset({}, 4, 4, false));
  assert.equal(found.transferSyntaxUid, IMPLICIT);
  assert.equal(found.datasetOffset, 0);
  assert.equal(found.hasMeta, false);
  assert.equal(found.sopInstanceUid, ids.sopInstanceUid);
});

test('rejects a file cut off inside its pixel data', () => {
  const { bytes } = part10();
  assert.throws(() => validatePart10(bytes.subarray(0, bytes.length - 5)), { code: 'E_DICOM_TRUNCATED' });
});

test('rejects native pixel data shorter than its rows and columns need', () => {
  const header = part10Header({ ...ids, transferSyntaxUid: EXPLICIT });
  const body = dataset({}, 4, 4);
  // Rewrite Rows from 4 to 8 (value of the 6th element): the pixel data is now half what the image needs.
  const rowsAt = body.findIndex((_, i) => body[i] === 0x28 && body[i + 1] === 0 && body[i + 2] === 0x10 && body[i + 3] === 0);
  body[rowsAt + 8] = 8;
  assert.throws(() => validatePart10(Uint8Array.from([...header, ...body])), { code: 'E_DICOM_TRUNCATED' });
});

test('rejects non-DICOM content', () => {
  assert.throws(() => validatePart10(new TextEncoder().encode('%PDF-1.4 not an image at all, but long enough to look like something '.repeat(4))), { code: 'E_NOT_DICOM' });
  assert.throws(() => validatePart10(new Uint8Array(0)), { code: 'E_NOT_DICOM' });
});

test('rejects a DICOMDIR', () => {
  const { bytes } = part10({ sopClassUid: '1.2.840.10008.1.3.10' });
  assert.throws(() => validatePart10(bytes), { code: 'E_DICOMDIR' });
});

test('rejects a UID that is not a UID (it becomes a path in the folder destination)', () => {
  const { bytes } = part10({ studyInstanceUid: '../../etc' });
  assert.throws(() => validatePart10(bytes), { code: 'E_DICOM_INVALID' });
});

test('rejects a file whose meta group names another instance than its dataset', () => {
  const { bytes } = part10({}, { sopInstanceUid: '1.2.3.4.6' });
  assert.throws(() => validatePart10(bytes), { code: 'E_DICOM_INVALID' });
});

test('the validation thread validates staged files and survives a file over its time limit', async (t) => {
  const tmp = makeTempDir('beeldpoort-validate-');
  t.after(() => tmp.remove());
  const good = path.join(tmp.dir, 'good.dcm');
  writeFileSync(good, part10().bytes);
  const cut = path.join(tmp.dir, 'cut.dcm');
  writeFileSync(cut, part10().bytes.subarray(0, 300));
  // 128 MiB of pixel data: reading and scanning it takes far longer than 1 ms on any machine.
  const big = path.join(tmp.dir, 'big.dcm');
  const header = part10Header({ ...ids, transferSyntaxUid: EXPLICIT });
  writeFileSync(big, Uint8Array.from([...header, ...dataset({}, 4, 4)]));
  writeFileSync(big, new Uint8Array(128 * 1024 * 1024), { flag: 'a' });

  const validator = createValidator();
  const strict = createValidator({ timeoutMs: 1 });
  const small = createValidator({ maxBytes: 100 });
  t.after(() => Promise.all([validator.close(), strict.close(), small.close()]));

  assert.equal((await validator.validate(good)).sopInstanceUid, ids.sopInstanceUid);
  await assert.rejects(validator.validate(cut), { code: 'E_DICOM_TRUNCATED' });
  await assert.rejects(small.validate(good), { code: 'E_DICOM_TOO_LARGE' });
  await assert.rejects(strict.validate(big), { code: 'E_DICOM_PARSE_LIMIT' });
  assert.equal((await validator.validate(good)).studyInstanceUid, ids.studyInstanceUid);
});

test('the validation thread validates files held in memory: the buffer goes there and comes back, not copied', async (t) => {
  const validator = createValidator();
  const small = createValidator({ maxBytes: 100 });
  t.after(() => Promise.all([validator.close(), small.close()]));
  const original = part10().bytes;
  const sent = original.slice();
  const { instance, bytes } = await validator.validateBytes(sent);
  assert.equal(instance.sopInstanceUid, ids.sopInstanceUid);
  assert.equal(sent.byteLength, 0, 'moved to the thread: the caller cannot touch it meanwhile');
  assert.deepEqual(bytes, original, 'the same octets come back');
  await assert.rejects(validator.validateBytes(original.slice(0, 300)), { code: 'E_DICOM_TRUNCATED' });
  await assert.rejects(small.validateBytes(original.slice()), { code: 'E_DICOM_TOO_LARGE' });
  await assert.rejects(validator.validateBytes(original.subarray(1)), RangeError, 'only a whole buffer can be moved');
  assert.equal((await validator.validateBytes(original.slice())).instance.studyInstanceUid, ids.studyInstanceUid);
});

test('a sequence nested 10,000 deep is rejected E_DICOM_INVALID, inline and in the validation thread, which goes on validating', async (t) => {
  const tmp = makeTempDir('beeldpoort-validate-');
  t.after(() => tmp.remove());
  const nested = path.join(tmp.dir, 'nested.dcm');
  writeFileSync(nested, deeplyNestedFile(10_000));
  const good = path.join(tmp.dir, 'good.dcm');
  writeFileSync(good, part10().bytes);
  assert.throws(() => validatePart10(deeplyNestedFile(10_000)), { code: 'E_DICOM_INVALID' });
  const validator = createValidator();
  t.after(() => validator.close());
  await assert.rejects(validator.validate(nested), { code: 'E_DICOM_INVALID' });
  assert.equal((await validator.validate(good)).sopInstanceUid, ids.sopInstanceUid);
  // Shallow nesting of the same shape is ordinary DICOM and passes.
  assert.equal(validatePart10(deeplyNestedFile(3)).sopInstanceUid, '2.25.4242424242');
});

test('a deflated dataset inflates within its limit: a real one validates, a deflate bomb is E_DICOM_TOO_LARGE without inflating it all', () => {
  const DEFLATED = '1.2.840.10008.1.2.1.99';
  const header = part10Header({ ...ids, transferSyntaxUid: DEFLATED });
  const real = Uint8Array.from([...header, ...deflateRawSync(dataset())]);
  const valid = validatePart10(real);
  assert.equal(valid.transferSyntaxUid, DEFLATED);
  assert.equal(valid.sopInstanceUid, ids.sopInstanceUid);

  // 80 MiB of zeros behind the dataset deflate to ~80 KB: past 64 times that and past the 64 MiB floor.
  const zeros = new Uint8Array(80 * 1024 * 1024);
  const deflated = deflateRawSync(Buffer.concat([dataset(), zeros]));
  assert.ok(deflated.length * 64 < zeros.length && inflateLimit(deflated.length) < zeros.length, `${deflated.length} bytes deflated`);
  const bomb = new Uint8Array(header.length + deflated.length);
  bomb.set(header);
  bomb.set(deflated, header.length);
  assert.throws(() => validatePart10(bomb), (error: Error & { code?: string }) => error.code === 'E_DICOM_TOO_LARGE' && /deflate bomb/.test(error.message));
});

test('the dataset starts where the meta group\'s elements end, whatever (0002,0000) says: zero, too short, too long, absent', () => {
  const { bytes, header } = part10();
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset);
  // part10Header writes (0002,0000) UL first, right after "DICM": its value at 140.
  assert.equal(view(bytes).getUint16(132, true), 0x0002);
  assert.equal(view(bytes).getUint32(140, true), header - 144);
  for (const claimed of [0, 10, header - 144 + 40, 0xfffffff0]) {
    const lying = Uint8Array.from(bytes);
    view(lying).setUint32(140, claimed, true);
    const result = validatePart10(lying);
    assert.equal(result.datasetOffset, header, `group length ${claimed}`);
    assert.equal(result.sopInstanceUid, ids.sopInstanceUid);
  }
  const without = Uint8Array.from([...bytes.subarray(0, 132), ...bytes.subarray(144)]);
  assert.equal(validatePart10(without).datasetOffset, header - 12);
});

test('a dataset that does not match its transfer syntax, or names an unknown VR, is E_DICOM_INVALID or E_DICOM_TRUNCATED, never accepted', () => {
  const withSyntax = (transferSyntaxUid: string, body: Uint8Array) => Uint8Array.from([...part10Header({ ...ids, transferSyntaxUid }), ...body]);
  const rejected = (bytes: Uint8Array) => {
    try {
      validatePart10(bytes);
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'accepted';
  };
  assert.match(rejected(withSyntax(EXPLICIT, dataset({}, 4, 4, false)))!, /^E_DICOM_(INVALID|TRUNCATED)$/, 'explicit meta, implicit dataset');
  assert.match(rejected(withSyntax(IMPLICIT, dataset()))!, /^E_DICOM_(INVALID|TRUNCATED)$/, 'implicit meta, explicit dataset');
  const unknownVr = dataset();
  const at = unknownVr.indexOf(0x55); // the "UI" of the first element: (0008,0016) UI ...
  assert.deepEqual([unknownVr[at], unknownVr[at + 1]], [0x55, 0x49]);
  unknownVr.set([0x5a, 0x5a], at); // "ZZ"
  assert.throws(() => validatePart10(withSyntax(EXPLICIT, unknownVr)), (error: Error & { code?: string }) => error.code === 'E_DICOM_INVALID' && /unknown VR "ZZ"/.test(error.message));
});
