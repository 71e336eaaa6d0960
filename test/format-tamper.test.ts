// The tamper suite: every case is a named test (names after the age test vectors where one fits: header_*,
// stream_*, truncation, trailing data). Each must fail with E_DECRYPT and the one same message, and must release
// no plaintext of the failing record: whatever came out before the failure is a whole-record prefix of the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFileEncryptor, decryptFile, FormatError, newShipmentSecret, type AesGcmEngine } from '../shared/format/index.ts';
import { webCryptoAesGcm } from '../shared/format/aes-gcm.ts';
import { concatBytes } from '../shared/format/bytes.ts';
import { deriveFileKeys } from '../shared/format/file-keys.ts';
import { HEADER_LENGTH } from '../shared/format/layout.ts';
import { deriveRecordKeys, encodeHeader, recordNonce, sealRecord } from '../shared/format/rfc8188.ts';
import { nodeAesGcm } from '../server/crypto/node-aes-gcm.ts';

const RS = 64; // small records: many of them in a small body
const DATA = RS - 17;
const RECORDS = 5;
const shipmentId = 'shp-tamper';
const fileId = 'file-a';
const secret = newShipmentSecret();
const plain = new Uint8Array(DATA * (RECORDS - 1) + 20).map((_, i) => (i * 7 + 3) & 0xff);

const encryptor = await createFileEncryptor({ secret, shipmentId, fileId, plainSize: plain.length, recordSize: RS, readPlain: async (a, b) => plain.slice(a, b) });
const body = await encryptor.read(0, encryptor.size);
const recordStart = (i: number): number => HEADER_LENGTH + i * RS;
const recordEnd = (i: number): number => Math.min(recordStart(i + 1), body.length);
const record = (i: number): Uint8Array => body.slice(recordStart(i), recordEnd(i));
const header = body.slice(0, HEADER_LENGTH);

function flip(bytes: Uint8Array, at: number, bit = 0): Uint8Array {
  const out = bytes.slice();
  out[at]! ^= 1 << bit;
  return out;
}

/** Bodies forged by someone holding the key: they test the structure checks behind the tag check. */
async function forge(records: { data: Uint8Array; last: boolean; seq?: number }[]): Promise<Uint8Array> {
  const { ikm, salt } = await deriveFileKeys(secret, shipmentId, fileId);
  const keys = await deriveRecordKeys(ikm, salt, webCryptoAesGcm);
  const sealed = await Promise.all(records.map((r, i) => sealRecord(keys, r.seq ?? i, r.data, r.last)));
  return concatBytes([encodeHeader({ salt, rs: RS, keyId: new Uint8Array(0) }), ...sealed]);
}
const dataOf = (i: number): Uint8Array => plain.slice(i * DATA, Math.min((i + 1) * DATA, plain.length));

async function decryptAll(bytes: Uint8Array, engine: AesGcmEngine, ids = { shipmentId, fileId }, key = secret) {
  const released: Uint8Array[] = [];
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += 29) yield bytes.subarray(at, at + 29);
  }
  let error: unknown;
  try {
    for await (const part of decryptFile({ secret: key, ...ids, engine, window: 3 }, pieces())) released.push(part);
  } catch (e) {
    error = e;
  }
  return { released: concatBytes(released), error };
}

interface Case {
  readonly name: string;
  /** Index of the first record that must not be released (whole-record prefix before it may be). */
  readonly firstBad: number;
  readonly body: () => Promise<Uint8Array> | Uint8Array;
  readonly ids?: { shipmentId: string; fileId: string };
  readonly key?: Uint8Array;
}

const cases: Case[] = [
  { name: 'header_salt_bit_flip', firstBad: 0, body: () => flip(body, 3) },
  { name: 'header_rs_changed', firstBad: 0, body: () => flip(body, 19, 1) },
  { name: 'header_rs_below_minimum', firstBad: 0, body: () => concatBytes([body.slice(0, 16), new Uint8Array([0, 0, 0, 17]), body.slice(20)]) },
  { name: 'header_rs_huge', firstBad: 0, body: () => concatBytes([body.slice(0, 16), new Uint8Array([0x7f, 0, 0, 0]), body.slice(20)]) },
  { name: 'header_idlen_changed', firstBad: 0, body: () => flip(body, 20) },
  { name: 'header_truncated', firstBad: 0, body: () => body.slice(0, HEADER_LENGTH - 1) },
  { name: 'header_only_no_records', firstBad: 0, body: () => header },
  { name: 'empty_body', firstBad: 0, body: () => new Uint8Array(0) },
  { name: 'stream_bit_flip_first_record', firstBad: 0, body: () => flip(body, recordStart(0) + 5) },
  { name: 'stream_bit_flip_middle_record', firstBad: 2, body: () => flip(body, recordStart(2) + 30, 7) },
  { name: 'stream_bit_flip_last_record', firstBad: RECORDS - 1, body: () => flip(body, recordStart(RECORDS - 1) + 2) },
  { name: 'stream_bit_flip_delimiter_position', firstBad: 1, body: () => flip(body, recordStart(1) + DATA) },
  ...Array.from({ length: RECORDS }, (_, i): Case => ({ name: `stream_tag_bit_flip_record_${i}`, firstBad: i, body: () => flip(body, recordEnd(i) - 1 - (i % 16)) })),
  { name: 'truncation_at_record_boundary', firstBad: 2, body: () => body.slice(0, recordStart(3)) },
  { name: 'truncation_inside_record', firstBad: 2, body: () => body.slice(0, recordStart(2) + 10) },
  { name: 'truncation_inside_tag', firstBad: 2, body: () => body.slice(0, recordEnd(2) - 5) },
  { name: 'truncation_inside_final_tag', firstBad: RECORDS - 1, body: () => body.slice(0, body.length - 1) },
  { name: 'stream_missing_final_record', firstBad: RECORDS - 1, body: () => body.slice(0, recordStart(RECORDS - 1)) },
  { name: 'stream_trailing_garbage_byte', firstBad: RECORDS - 1, body: () => concatBytes([body, new Uint8Array([0])]) },
  { name: 'stream_trailing_garbage_record', firstBad: RECORDS - 1, body: () => concatBytes([body, new Uint8Array(RS).fill(0x41)]) },
  { name: 'stream_trailing_copy_of_final_record', firstBad: RECORDS - 1, body: () => concatBytes([body, record(RECORDS - 1)]) },
  { name: 'stream_swapped_records', firstBad: 1, body: () => concatBytes([header, record(0), record(2), record(1), record(3), record(4)]) },
  { name: 'stream_duplicated_record', firstBad: 2, body: () => concatBytes([header, record(0), record(1), record(1), record(2), record(3), record(4)]) },
  { name: 'stream_final_record_moved_to_middle', firstBad: 1, body: () => concatBytes([header, record(0), record(4), record(1)]) },
  {
    name: 'stream_two_final_records',
    firstBad: 1,
    body: () => forge([{ data: dataOf(0), last: false }, { data: dataOf(1), last: true }, { data: dataOf(2), last: true }]),
  },
  {
    name: 'stream_last_record_not_marked_final',
    firstBad: 2,
    body: () => forge([{ data: dataOf(0), last: false }, { data: dataOf(1), last: false }, { data: dataOf(2), last: false }]),
  },
  {
    name: 'stream_full_sized_final_record_followed_by_data',
    firstBad: 0,
    body: () => forge([{ data: dataOf(0), last: true }, { data: dataOf(1), last: true }]),
  },
  {
    name: 'stream_record_without_delimiter',
    firstBad: 1,
    body: async () => {
      const { ikm, salt } = await deriveFileKeys(secret, shipmentId, fileId);
      const keys = await deriveRecordKeys(ikm, salt, webCryptoAesGcm);
      const zeros = await webCryptoAesGcm.seal(keys.key, recordNonce(keys.nonceBase, 1), [new Uint8Array(RS - 16)]);
      return concatBytes([header, record(0), zeros, record(2), record(3), record(4)]);
    },
  },
  { name: 'body_moved_to_another_file_id', firstBad: 0, body: () => body, ids: { shipmentId, fileId: 'file-b' } },
  { name: 'body_moved_to_another_shipment', firstBad: 0, body: () => body, ids: { shipmentId: 'shp-other', fileId } },
  { name: 'wrong_shipment_secret', firstBad: 0, body: () => body, key: newShipmentSecret() },
];

for (const engine of [webCryptoAesGcm, nodeAesGcm]) {
  for (const c of cases) {
    test(`${c.name} is rejected (${engine.name})`, async () => {
      const { released, error } = await decryptAll(await c.body(), engine, c.ids, c.key);
      assert.ok(error instanceof FormatError, `expected FormatError, got ${String(error)}`);
      assert.equal(error.code, 'E_DECRYPT');
      assert.equal(error.message, 'cannot authenticate the file body'); // one message: no oracle
      assert.equal(released.length % DATA, 0, 'only whole authenticated records are released');
      assert.ok(released.length <= c.firstBad * DATA, `released ${released.length} octets, past the first bad record ${c.firstBad}`);
      assert.deepEqual(released, plain.subarray(0, released.length));
    });
  }
}

test('the untampered body decrypts (the suite above is not failing for another reason)', async () => {
  for (const engine of [webCryptoAesGcm, nodeAesGcm]) {
    const { released, error } = await decryptAll(body, engine);
    assert.equal(error, undefined);
    assert.deepEqual(released, plain);
  }
});

test('a key holder forging a well-formed body passes the structure checks (the forge helper is sound)', async () => {
  const forged = await forge(Array.from({ length: RECORDS }, (_, i) => ({ data: dataOf(i), last: i === RECORDS - 1 })));
  assert.deepEqual(forged, body);
});
