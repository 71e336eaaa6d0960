import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { runGoldenVectors } from '../../shared/format/testdata/golden.ts';
import { hkdfSha256, hmacSha256, pageAesGcm } from './page-aes-gcm.ts';

const hex = (text: string) => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

test('HKDF-SHA-256 gives the RFC 5869 test vectors (A.1 basic, A.3 empty salt and info)', () => {
  const ikm = hex('0b'.repeat(22));
  assert.deepEqual(
    hkdfSha256(ikm, hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42),
    hex('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'),
  );
  assert.deepEqual(
    hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), 42),
    hex('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8'),
  );
});

test('HMAC and HKDF agree with node:crypto on random inputs, keys longer than a block included', () => {
  for (const keyLength of [0, 16, 32, 64, 65, 200]) {
    const key = new Uint8Array(randomBytes(keyLength));
    const message = new Uint8Array(randomBytes(keyLength * 3 + 1));
    assert.deepEqual(hmacSha256(key, message), new Uint8Array(createHmac('sha256', key).update(message).digest()));
    for (const length of [12, 16, 32, 33, 100]) {
      const salt = new Uint8Array(randomBytes(keyLength % 40));
      const info = new Uint8Array(randomBytes(keyLength % 70));
      assert.deepEqual(hkdfSha256(key, salt, info, length), new Uint8Array(hkdfSync('sha256', key, salt, info, length)));
    }
  }
  assert.throws(() => hkdfSha256(new Uint8Array(16), new Uint8Array(0), new Uint8Array(0), 255 * 32 + 1), RangeError);
});

test('the page engine passes every golden vector (key schedule, records, bodies)', async () => {
  const results = await runGoldenVectors(pageAesGcm);
  assert.deepEqual(results.filter((result) => !result.ok), []);
  assert.ok(results.length >= 16);
});
