/**
 * The CLI sender's AES-GCM engine: node:crypto as the worker uses it (server/crypto/node-aes-gcm.ts), with two
 * sender-side savings measured with `npm run bench:profile` (docs in the commit that added this file):
 * - sealParts: a record is handed on as update()'s ciphertext and getAuthTag()'s tag, not copied into one new
 *   buffer next to its tag (half the sealed octets the engine allocates outside the JS heap, and that memory is what
 *   starts V8's full collections); and with copiesInputAtCall the encryptor frames records in place, since update()
 *   has read its input when it returns (shared/format/file-encryptor.ts).
 * - hkdf: HKDF-SHA-256 (RFC 5869) over createHmac, about half the CPU of hkdfSync per call (four calls per file).
 * Same octets as every engine: the golden vectors and RFC 5869's test cases run against it (sender-aes-gcm.test.ts).
 */
import { createCipheriv, createHmac, type KeyObject } from 'node:crypto';
import type { AesGcmEngine } from '../../shared/format/index.ts';
import { nodeAesGcm } from '../crypto/node-aes-gcm.ts';

const TAG_LENGTH = 16;
/** SHA-256 output length: RFC 5869's HashLen. */
const HASH_LENGTH = 32;
/** RFC 5869 §2.2: a salt not provided is HashLen zero octets. */
const ZERO_SALT = new Uint8Array(HASH_LENGTH);

/** RFC 5869 §2.2 extract, then §2.3 expand: T(i) = HMAC(PRK, T(i-1) || info || i), OKM the first `length` octets. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_LENGTH) throw new RangeError(`HKDF-SHA-256 cannot give ${length} octets`);
  const prk = createHmac('sha256', salt.length > 0 ? salt : ZERO_SALT).update(ikm).digest();
  const okm = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let counter = 1, at = 0; at < length; counter++, at += HASH_LENGTH) {
    block = createHmac('sha256', prk).update(block).update(info).update(Uint8Array.of(counter)).digest();
    okm.set(block.subarray(0, Math.min(HASH_LENGTH, length - at)), at);
  }
  return okm;
}

export const senderAesGcm: AesGcmEngine = {
  ...nodeAesGcm,
  name: 'node:crypto (sender)',
  copiesInputAtCall: true,
  async sealParts(key, nonce, parts) {
    const cipher = createCipheriv('aes-128-gcm', key.handle as KeyObject, nonce, { authTagLength: TAG_LENGTH });
    const pieces: Uint8Array[] = parts.map((part) => cipher.update(part));
    cipher.final(); // GCM is a stream mode: final() yields no further octets
    pieces.push(cipher.getAuthTag());
    return pieces;
  },
  async hkdf(ikm, salt, info, length) {
    return hkdfSha256(ikm, salt, info, length);
  },
};
