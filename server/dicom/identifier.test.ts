import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeIdentifier, readIdentifier } from './identifier.ts';

const keys = [
  { tag: 0x0020000e, vr: 'UI', value: '1.2.3.45' },
  { tag: 0x00080052, vr: 'CS', value: 'IMAGE' },
  { tag: 0x00080018, vr: 'UI', value: '' },
];

test('an identifier is written in ascending tag order, padded to even length (UI with NUL, CS with space)', () => {
  const explicit = encodeIdentifier(keys, true);
  // (0008,0018) UI empty, (0008,0052) CS "IMAGE ", (0020,000E) UI "1.2.3.45"
  assert.deepEqual([...explicit.subarray(0, 8)], [0x08, 0, 0x18, 0, 0x55, 0x49, 0, 0]);
  assert.equal(Buffer.from(explicit.subarray(8, 22)).toString('latin1'), '\b\0R\0CS\x06\0IMAGE ');
  const implicit = encodeIdentifier(keys, false);
  assert.deepEqual([...implicit.subarray(0, 8)], [0x08, 0, 0x18, 0, 0, 0, 0, 0]);
  assert.equal(implicit.length, 8 + 14 + 16);
  for (const [bytes, isExplicit] of [[explicit, true], [implicit, false]] as const) {
    const values = readIdentifier(bytes, isExplicit, [0x00080052, 0x0020000e, 0x00080018]);
    assert.deepEqual([...values], [[0x00080018, ''], [0x00080052, 'IMAGE'], [0x0020000e, '1.2.3.45']]);
  }
});

test('a response identifier: sequences of undefined length are skipped; an element past the end is E_PROTOCOL', () => {
  const sq = Buffer.concat([
    Buffer.from([0x08, 0x00, 0x05, 0x00]), Buffer.from('CS'), Buffer.from([0x0a, 0x00]), Buffer.from('ISO_IR 100'),
    // (0008,0006) SQ, undefined length, one item of undefined length holding a (0008,0100) SH, then the delimiters
    Buffer.from([0x08, 0x00, 0x06, 0x00]), Buffer.from('SQ'), Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0x08, 0x00, 0x00, 0x01]), Buffer.from('SH'), Buffer.from([0x02, 0x00]), Buffer.from('AB'),
    Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]), Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    Buffer.from([0x08, 0x00, 0x18, 0x00]), Buffer.from('UI'), Buffer.from([0x04, 0x00]), Buffer.from('1.2\0'),
  ]);
  assert.deepEqual([...readIdentifier(new Uint8Array(sq), true, [0x00080018, 0x00080100])], [[0x00080018, '1.2']]);
  const cut = new Uint8Array(sq.subarray(0, sq.length - 2));
  assert.throws(() => readIdentifier(cut, true, [0x00080018]), { code: 'E_PROTOCOL' });
  const open = new Uint8Array(sq.subarray(0, 40));
  assert.throws(() => readIdentifier(open, true, [0x00080018]), { code: 'E_PROTOCOL' });
});
