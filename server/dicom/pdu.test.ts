import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PDU, decodeAbort, decodeAssociateAccept, decodeAssociateReject, decodePData, encodeAbort, encodeAssociateRequest,
  encodePdvHeader, encodeReleaseRequest,
} from './pdu.ts';
import { PduReader } from './pdu-reader.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION } from './uids.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const u16 = (n: number) => n.toString(16).padStart(4, '0');
const u32 = (n: number) => n.toString(16).padStart(8, '0');
/** An item written out by hand (PS3.8 §9.3.2): type, reserved, 16-bit length, value. */
const item = (type: number, valueHex: string) => `${type.toString(16).padStart(2, '0')}00${u16(valueHex.length / 2)}${valueHex}`;

test('A-ASSOCIATE-RQ matches the layout of PS3.8 §9.3.2 byte for byte', () => {
  const bytes = encodeAssociateRequest({
    calledAet: 'STORESCP',
    callingAet: 'BEELDPOORT',
    maxPduLength: 65536,
    contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
  });
  const variable = item(0x10, ascii('1.2.840.10008.3.1.1.1'))
    + item(0x20, `01000000${item(0x30, ascii('1.2.840.10008.1.1'))}${item(0x40, ascii('1.2.840.10008.1.2'))}`)
    + item(0x50, item(0x51, u32(65536)) + item(0x52, ascii(IMPLEMENTATION_CLASS_UID)) + item(0x55, ascii(IMPLEMENTATION_VERSION)));
  const fixed = `0001 0000 ${ascii('STORESCP        ')} ${ascii('BEELDPOORT      ')} ${'00'.repeat(32)}`;
  const body = hex(fixed + variable);
  assert.deepEqual(bytes, hex(`0100${u32(body.length)}${Buffer.from(body).toString('hex')}`));
});

test('A-ASSOCIATE-AC gives each context result, its transfer syntax and the peer maximum PDU length', () => {
  const fixed = `0001 0000 ${ascii('STORESCP        ')} ${ascii('BEELDPOORT      ')} ${'00'.repeat(32)}`;
  const body = hex(fixed
    + item(0x10, ascii('1.2.840.10008.3.1.1.1'))
    + item(0x21, `01000000${item(0x40, ascii('1.2.840.10008.1.2.1\0'))}`)
    + item(0x21, '03000400') // rejected: transfer syntaxes not supported, no sub-item
    + item(0x50, item(0x51, u32(16384)) + item(0x52, ascii('1.2.276.0.7230010.3.0.3.6.7'))));
  const ac = decodeAssociateAccept(body);
  assert.equal(ac.maxPduLength, 16384);
  assert.deepEqual(ac.contexts, [
    { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' },
    { id: 3, result: 4, transferSyntax: undefined },
  ]);
});

test('an item that claims more bytes than its PDU holds is a protocol error', () => {
  const fixed = '00'.repeat(68);
  assert.throws(() => decodeAssociateAccept(hex(`${fixed}2100 0010 0100`)), { code: 'E_PROTOCOL' });
});

test('A-ASSOCIATE-RJ and A-ABORT bodies decode to result, source and reason', () => {
  assert.deepEqual(decodeAssociateReject(hex('00 01 01 07')), { result: 1, source: 1, reason: 7 });
  assert.deepEqual(decodeAbort(hex('00 00 02 06')), { source: 2, reason: 6 });
});

test('release request and abort are 10-byte PDUs', () => {
  assert.deepEqual(encodeReleaseRequest(), hex('05 00 00000004 00000000'));
  assert.deepEqual(encodeAbort(), hex('07 00 00000004 00000000'));
});

test('a PDV header makes a one-PDV P-DATA-TF PDU of data length + 6', () => {
  // PS3.8 E.2: control header bit 0 = command, bit 1 = last fragment.
  assert.deepEqual(encodePdvHeader(5, 100, true, true), hex('04 00 0000006a 00000066 05 03'));
  assert.deepEqual(encodePdvHeader(7, 16378, false, false), hex(`04 00 ${u32(16384)} ${u32(16380)} 07 00`));
});

test('P-DATA-TF splits into its PDVs with flags', () => {
  const body = hex('00000004 01 03 aabb' + '00000006 01 00 01020304');
  assert.deepEqual(decodePData(body).map((p) => [p.contextId, p.command, p.last, Buffer.from(p.data).toString('hex')]), [
    [1, true, true, 'aabb'],
    [1, false, false, '01020304'],
  ]);
  assert.throws(() => decodePData(hex('00000009 01 03 aabb')), { code: 'E_PROTOCOL' });
});

test('the PDU reader reassembles PDUs cut anywhere and returns several from one chunk', () => {
  const one = hex('06 00 00000004 00000000');
  const two = hex('04 00 00000006 00000002 01 03');
  const stream = new Uint8Array([...one, ...two, ...one]);
  for (let cut = 1; cut < stream.length; cut++) {
    const reader = new PduReader(1024);
    const pdus = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
    assert.deepEqual(pdus.map((p) => p.type), [PDU.RELEASE_RP, PDU.P_DATA_TF, PDU.RELEASE_RP], `cut at ${cut}`);
    assert.deepEqual(pdus[1]!.body, hex('00000002 01 03'));
  }
});

test('the PDU reader refuses a PDU longer than its bound before buffering it', () => {
  const reader = new PduReader(1000);
  assert.throws(() => reader.push(hex('04 00 000003e9')), { code: 'E_PDU_TOO_LARGE' });
});
