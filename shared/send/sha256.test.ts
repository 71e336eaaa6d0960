import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { Sha256, sha256Hex, toHex, ONE_SHOT_LIMIT } from './sha256.ts';

const randomBytes = (size: number) => new Uint8Array(nodeRandomBytes(size));
const nodeHex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const memory = (bytes: Uint8Array) => ({ size: bytes.length, read: async (start: number, end: number) => bytes.subarray(start, end) });

test('the built-in SHA-256 matches FIPS 180-4 examples and node:crypto at every padding boundary', () => {
  const abc = new Sha256();
  abc.update(new TextEncoder().encode('abc'));
  assert.equal(toHex(abc.digest()), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  for (const size of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65537]) {
    const bytes = randomBytes(size);
    const hash = new Sha256();
    // Feed in uneven pieces so the block buffering is exercised.
    for (let at = 0; at < size; at += 7 + (at % 13)) hash.update(bytes.subarray(at, Math.min(size, at + 7 + (at % 13))));
    assert.equal(toHex(hash.digest()), nodeHex(bytes), `size ${size}`);
  }
});

test('sha256Hex takes the one-shot path for small files and the incremental path for large ones', async () => {
  const small = randomBytes(100_000);
  assert.equal(await sha256Hex(memory(small)), nodeHex(small));
  const large = randomBytes(ONE_SHOT_LIMIT + 12345);
  assert.equal(await sha256Hex(memory(large)), nodeHex(large));
  assert.equal(await sha256Hex(memory(small), () => {
    const hash = createHash('sha256');
    return { update: (b: Uint8Array) => void hash.update(b), digest: () => new Uint8Array(hash.digest()) };
  }), nodeHex(small));
});

test('a file that returns fewer bytes than its size is reported as changed', async () => {
  const source = { size: 10, read: async () => new Uint8Array(3) };
  await assert.rejects(sha256Hex(source), { code: 'E_SEND_FILE_CHANGED' });
});
