import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync, randomBytes } from 'node:crypto';
import { fromHex, toHex } from '../../shared/format/bytes.ts';
import { runGoldenVectors } from '../../shared/format/testdata/golden.ts';
import { hkdfSha256, nodeAesGcm } from './node-aes-gcm.ts';

test('the golden vectors pass with the node:crypto engine (sealParts, in-place framing, HMAC HKDF)', async () => {
  const results = await runGoldenVectors(nodeAesGcm);
  assert.ok(results.length >= 16, `expected all vectors to run, got ${results.length}`);
  assert.deepEqual(results.filter((r) => !r.ok), []);
});

test('HKDF-SHA-256 gives RFC 5869 A.1 and A.3 (empty salt and info), and what hkdfSync gives', () => {
  // RFC 5869 Appendix A, Test Case 1
  const a1 = hkdfSha256(fromHex('0b'.repeat(22)), fromHex('000102030405060708090a0b0c'), fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
  assert.equal(toHex(a1), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  // Test Case 3: zero-length salt and info, as the per-file key schedule's salt
  const a3 = hkdfSha256(fromHex('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42);
  assert.equal(toHex(a3), '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  for (const length of [1, 12, 16, 32, 33, 100]) {
    const [ikm, salt, info] = [randomBytes(32), randomBytes(length % 2 ? 16 : 0), randomBytes(40)];
    assert.deepEqual(hkdfSha256(ikm, salt, info, length), new Uint8Array(hkdfSync('sha256', ikm, salt, info, length)), `length ${length}`);
  }
  // L = 0 is within RFC 5869 (L <= 255*HashLen) and gives no octets; Node 22's hkdfSync (OpenSSL 3.x) refuses it, so
  // it is checked on its own rather than against hkdfSync.
  assert.equal(hkdfSha256(randomBytes(32), new Uint8Array(0), new Uint8Array(0), 0).length, 0);
  assert.throws(() => hkdfSha256(randomBytes(32), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1), RangeError);
});

test('sealParts pieces join to what WebCrypto seals, and open() reads them', async () => {
  const { webCryptoAesGcm } = await import('../../shared/format/index.ts');
  const raw = randomBytes(16);
  const key = await nodeAesGcm.importKey(raw);
  const nonce = randomBytes(12);
  const parts = [randomBytes(70_000), Uint8Array.of(2)];
  const pieces = await nodeAesGcm.sealParts!(key, nonce, parts);
  const joined = Buffer.concat(pieces);
  assert.deepEqual(new Uint8Array(joined), await webCryptoAesGcm.seal(await webCryptoAesGcm.importKey(raw), nonce, parts));
  assert.deepEqual(new Uint8Array(await nodeAesGcm.seal(key, nonce, parts)), new Uint8Array(joined));
  assert.deepEqual(new Uint8Array(await nodeAesGcm.open(key, nonce, joined)), new Uint8Array(Buffer.concat(parts)));
});

test('any range of a file body is the same octets with the node:crypto engine as with WebCrypto', async () => {
  const { createFileEncryptor, newShipmentSecret, webCryptoAesGcm } = await import('../../shared/format/index.ts');
  const plain = randomBytes(5_000);
  const options = { secret: newShipmentSecret(), shipmentId: 'shp_engine', fileId: 'f_engine', plainSize: plain.length, recordSize: 1_000 };
  const readPlain = async (start: number, end: number) => plain.subarray(start, end); // in-place framing must restore it
  const reference = await createFileEncryptor({ ...options, engine: webCryptoAesGcm, readPlain: async (start, end) => plain.slice(start, end) });
  const node = await createFileEncryptor({ ...options, engine: nodeAesGcm, readPlain });
  const before = Buffer.from(plain);
  const whole = await reference.read(0, reference.size);
  for (const [start, end] of [[0, node.size], [0, 21], [21, 1_021], [1_000, 1_030], [1_005, 1_021], [1_019, 3_500], [node.size - 16, node.size + 5]] as const) {
    const parts = await node.readParts(start, end);
    assert.ok(parts.every((part) => part.length > 0), 'no empty pieces');
    assert.deepEqual(new Uint8Array(Buffer.concat(parts)), whole.subarray(start, Math.min(end, node.size)), `[${start}, ${end})`);
  }
  assert.deepEqual(plain, before, 'the plaintext buffer is left as it was');
});
