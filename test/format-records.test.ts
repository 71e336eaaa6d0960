// Random access and resume: the encryptor's ranges equal slices of the whole body, a simulated tus upload cut at
// unaligned offsets and resumed by a fresh encryptor (a browser reload keeps only the secret) decrypts to the
// original SHA-256, empty files work, and a plaintext source that changes length is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ciphertextSize, createFileEncryptor, decryptFile, FormatError, newShipmentSecret, RECORD_DATA_SIZE, RECORD_SIZE } from '../shared/format/index.ts';
import { concatBytes } from '../shared/format/bytes.ts';
import { nodeAesGcm } from '../server/crypto/node-aes-gcm.ts';

const shipmentId = 'shp-records';
const fileId = 'file-1';
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random integers for reproducible "random" ranges. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

async function decryptToBytes(secret: Uint8Array, body: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  async function* once(): AsyncGenerator<Uint8Array> {
    yield body;
  }
  for await (const part of decryptFile({ secret, shipmentId, fileId, engine: nodeAesGcm }, once())) parts.push(part);
  return concatBytes(parts);
}

for (const recordSize of [64, RECORD_SIZE]) {
  test(`random [start, end) ranges equal slices of the whole body (rs=${recordSize})`, async () => {
    const secret = newShipmentSecret();
    const plain = u8(randomBytes(recordSize === 64 ? 1000 : 3 * RECORD_DATA_SIZE + 777));
    const plainSha = sha(plain);
    const reads: [number, number][] = [];
    const encryptor = await createFileEncryptor({
      secret, shipmentId, fileId, plainSize: plain.length, recordSize,
      readPlain: async (a, b) => {
        reads.push([a, b]);
        return plain.subarray(a, b); // a view of the caller's buffer: the encryptor must leave it as it was
      },
    });
    assert.equal(encryptor.size, ciphertextSize(plain.length, recordSize));
    const whole = await encryptor.read(0, encryptor.size);
    assert.equal(whole.length, encryptor.size);
    assert.deepEqual(await decryptToBytes(secret, whole), plain);
    const next = prng(recordSize);
    for (let i = 0; i < 300; i++) {
      const start = next(encryptor.size + 1);
      const end = start + next(encryptor.size - start + 1);
      reads.length = 0;
      const got = await encryptor.read(start, end);
      assert.deepEqual(got, whole.subarray(start, end), `range [${start}, ${end})`);
      // Only the covering records were read: at most one record of plaintext beyond each end of the range.
      const readTotal = reads.reduce((sum, [a, b]) => sum + (b - a), 0);
      assert.ok(readTotal <= end - start + 2 * (recordSize - 17), `read ${readTotal} plaintext octets for ${end - start}`);
      assert.deepEqual(concatBytes(await encryptor.readParts(start, end)), got, `parts of [${start}, ${end})`);
    }
    assert.deepEqual(await encryptor.read(-5, 3), whole.subarray(0, 3));
    assert.deepEqual(await encryptor.read(encryptor.size - 2, encryptor.size + 100), whole.subarray(encryptor.size - 2));
    assert.equal((await encryptor.read(10, 10)).length, 0);
    assert.equal(sha(plain), plainSha, 'the plaintext buffer is unchanged (in-place framing restores every octet)');
  });
}

test('a simulated tus upload cut at unaligned offsets and resumed after a "reload" decrypts to the same SHA-256', async () => {
  const secret = newShipmentSecret();
  const plain = u8(randomBytes(5 * RECORD_DATA_SIZE + 4321));
  const source = { plainSize: plain.length, readPlain: async (a: number, b: number) => plain.slice(a, b) };
  const stored: Uint8Array[] = []; // what the server kept
  let offset = 0; // the server's Upload-Offset
  // Network cuts land inside the header, mid-record, 5 octets into record 1, and mid-chunk further on.
  const cuts = [1, 70_001, 21 + RECORD_SIZE + 5, 400_000];
  const chunkSize = 100_000;
  let total: number | undefined;
  let attempts = 0;
  for (let attempt = 0; ; attempt++) {
    attempts++;
    // A fresh encryptor per attempt: after a reload the sender has only the secret and the ids.
    const encryptor = await createFileEncryptor({ secret, shipmentId, fileId, ...source });
    total = encryptor.size;
    while (offset < encryptor.size) {
      const chunk = await encryptor.read(offset, offset + chunkSize);
      const cut = cuts[attempt];
      if (cut !== undefined && cut > offset && cut < offset + chunk.length) {
        stored.push(chunk.subarray(0, cut - offset)); // the server received part of the PATCH body
        offset = cut;
        break;
      }
      stored.push(chunk);
      offset += chunk.length;
    }
    if (offset >= encryptor.size) break;
  }
  const body = concatBytes(stored);
  assert.equal(attempts, cuts.length + 1, 'every cut happened');
  assert.equal(body.length, total);
  assert.equal(sha(await decryptToBytes(secret, body)), sha(plain));
});

test('an empty file is one final record of 17 octets after the header, and decrypts to nothing', async () => {
  const secret = newShipmentSecret();
  const encryptor = await createFileEncryptor({ secret, shipmentId, fileId, plainSize: 0, readPlain: async () => new Uint8Array(0) });
  assert.equal(encryptor.size, 21 + 17);
  assert.equal(ciphertextSize(0), 38);
  const body = await encryptor.read(0, encryptor.size);
  assert.equal((await decryptToBytes(secret, body)).length, 0);
});

test('ciphertextSize counts one 17-octet overhead per record and a 21-octet header', () => {
  assert.equal(ciphertextSize(1), 21 + 1 + 17);
  assert.equal(ciphertextSize(RECORD_DATA_SIZE), 21 + RECORD_DATA_SIZE + 17);
  assert.equal(ciphertextSize(RECORD_DATA_SIZE + 1), 21 + RECORD_DATA_SIZE + 1 + 2 * 17);
  assert.throws(() => ciphertextSize(-1), { code: 'E_ARGUMENT' });
  assert.throws(() => ciphertextSize(1.5), { code: 'E_ARGUMENT' });
});

test('the body is deterministic: two encryptors give the same bytes, another file id gives other bytes', async () => {
  const secret = newShipmentSecret();
  const plain = u8(randomBytes(1000));
  const make = (id: string) => createFileEncryptor({ secret, shipmentId, fileId: id, plainSize: plain.length, readPlain: async (a, b) => plain.slice(a, b) });
  const [a, b, c] = await Promise.all([make(fileId), make(fileId), make('file-2')]);
  assert.deepEqual(await a.read(0, a.size), await b.read(0, b.size));
  assert.notDeepEqual((await a.read(0, a.size)).subarray(0, 16), (await c.read(0, c.size)).subarray(0, 16));
});

test('a plaintext source returning the wrong length is refused with E_SOURCE (no nonce reuse on changed data)', async () => {
  const secret = newShipmentSecret();
  const encryptor = await createFileEncryptor({ secret, shipmentId, fileId, plainSize: 500, readPlain: async (a, b) => new Uint8Array(b - a - 1) });
  await assert.rejects(encryptor.read(0, 100), (e: unknown) => e instanceof FormatError && e.code === 'E_SOURCE');
});

test('bad arguments are E_ARGUMENT', async () => {
  const readPlain = async () => new Uint8Array(0);
  await assert.rejects(createFileEncryptor({ secret: new Uint8Array(31), shipmentId, fileId, plainSize: 0, readPlain }), { code: 'E_ARGUMENT' });
  await assert.rejects(createFileEncryptor({ secret: newShipmentSecret(), shipmentId: 'a/b', fileId, plainSize: 0, readPlain }), { code: 'E_ARGUMENT' });
  await assert.rejects(createFileEncryptor({ secret: newShipmentSecret(), shipmentId, fileId: 'x'.repeat(65), plainSize: 0, readPlain }), { code: 'E_ARGUMENT' });
  await assert.rejects(createFileEncryptor({ secret: newShipmentSecret(), shipmentId, fileId, plainSize: -1, readPlain }), { code: 'E_ARGUMENT' });
});
