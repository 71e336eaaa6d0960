// Cross-check against http_ece, an independent RFC 8188 implementation (test-only dependency): it decrypts our
// bodies, we decrypt its bodies, for sizes 0, 1, record-1, record, record+1 and a few MB of random data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import { createFileEncryptor, decryptFile, RECORD_DATA_SIZE, RECORD_SIZE, newShipmentSecret } from '../shared/format/index.ts';
import { deriveFileKeys } from '../shared/format/file-keys.ts';
import { GOLDEN } from '../shared/format/testdata/golden-vectors.ts';
import { goldenPlaintext, goldenSecret } from '../shared/format/testdata/golden.ts';
import { nodeAesGcm } from '../server/crypto/node-aes-gcm.ts';

interface EceParams {
  version: 'aes128gcm';
  key: string;
  salt?: string;
  rs?: number;
  keyid?: string;
  pad?: number;
}
// http_ece ships no type declarations; this is the part of its API we use.
const ece = createRequire(import.meta.url)('http_ece') as {
  encrypt(plain: Buffer, params: EceParams): Buffer;
  decrypt(body: Buffer, params: EceParams): Buffer;
};

const sizes = [0, 1, RECORD_DATA_SIZE - 1, RECORD_DATA_SIZE, RECORD_DATA_SIZE + 1, 3 * 1024 * 1024 + 12345];
const shipmentId = 'shp-ece';
const fileId = 'f-0001';

async function ours(secret: Uint8Array, plain: Uint8Array): Promise<Buffer> {
  const encryptor = await createFileEncryptor({ secret, shipmentId, fileId, plainSize: plain.length, readPlain: async (a, b) => plain.subarray(a, b) });
  return Buffer.from(await encryptor.read(0, encryptor.size));
}

async function decryptOurs(secret: Uint8Array, body: Uint8Array): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  // Feed in uneven pieces, as a network would.
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0, step = 1; at < body.length; at += step, step = step * 3 + 7) yield body.subarray(at, at + step);
  }
  for await (const part of decryptFile({ secret, shipmentId, fileId, engine: nodeAesGcm }, pieces())) parts.push(part);
  return Buffer.concat(parts);
}

// @types/node 20.9 and TypeScript 6 disagree on whether a Buffer is a Uint8Array: view it as one.
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);
const sha = (bytes: Uint8Array | Buffer): string =>
  createHash('sha256').update(bytes instanceof Buffer ? u8(bytes) : bytes).digest('hex');

for (const size of sizes) {
  test(`http_ece decrypts our body of ${size} octets`, async () => {
    const secret = newShipmentSecret();
    const plain = u8(randomBytes(size));
    const body = await ours(secret, plain);
    const { ikm } = await deriveFileKeys(secret, shipmentId, fileId);
    const back = ece.decrypt(body, { version: 'aes128gcm', key: Buffer.from(ikm).toString('base64url') });
    assert.equal(sha(back), sha(plain));
    assert.equal(back.length, size);
  });

  test(`we decrypt http_ece's body of ${size} octets (its own split and padding)`, async () => {
    const secret = newShipmentSecret();
    const plain = u8(randomBytes(size));
    const { ikm, salt } = await deriveFileKeys(secret, shipmentId, fileId);
    const key = Buffer.from(ikm).toString('base64url');
    for (const params of [
      { version: 'aes128gcm', key, salt: Buffer.from(salt).toString('base64url'), rs: RECORD_SIZE },
      { version: 'aes128gcm', key, rs: 4096, pad: 300 }, // random salt, another rs, padding in the last record
    ] satisfies EceParams[]) {
      const body = u8(ece.encrypt(Buffer.from(plain), params));
      assert.equal(sha(await decryptOurs(secret, body)), sha(plain));
    }
  });
}

test('http_ece decrypts every frozen golden body to the golden plaintext', async () => {
  const { ikm } = await deriveFileKeys(goldenSecret(), GOLDEN.shipmentId, GOLDEN.fileId);
  const withHex = GOLDEN.files.filter((v) => v.hex !== undefined);
  assert.ok(withHex.length >= 3);
  for (const v of withHex) {
    const body = Buffer.from(v.hex!, 'hex');
    assert.equal(sha(body), v.sha256);
    const plain = ece.decrypt(body, { version: 'aes128gcm', key: Buffer.from(ikm).toString('base64url') });
    assert.deepEqual(new Uint8Array(u8(plain)), goldenPlaintext(v.plainSize));
  }
});
