/**
 * node:crypto (OpenSSL) behind the shared AesGcmEngine port (shared/format/aes-gcm.ts), for the CLI sender's
 * encryption and the worker's bulk decryption: measured faster than Node's WebCrypto (scripts/bench/crypto.ts,
 * docs/format.md). It must pass the same golden vectors as the WebCrypto engine (test/format-golden.test.ts,
 * node-aes-gcm.test.ts).
 * - sealParts hands a record on as update()'s ciphertext and getAuthTag()'s tag instead of copying them into one
 *   new buffer (half the sealed octets allocated outside the JS heap, which is what starts V8's full collections).
 * - update() has read its input when it returns, so the encryptor may frame records in place (copiesInputAtCall).
 * - HKDF-SHA-256 over createHmac: about half the CPU of hkdfSync per call, four calls per file.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { AesGcmEngine } from '../../shared/format/index.ts';
import { hkdfSha256With } from '../../shared/format/hkdf.ts';

const TAG_LENGTH = 16;

function hmacSha256(key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  const hmac = createHmac('sha256', key);
  for (const part of message) hmac.update(part);
  return hmac.digest();
}

/** RFC 5869 HKDF-SHA-256 over node:crypto's HMAC. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdfSha256With(hmacSha256, ikm, salt, info, length);
}

function sealPieces(key: KeyObject, nonce: Uint8Array, parts: readonly Uint8Array[]): Uint8Array[] {
  const cipher = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  const pieces: Uint8Array[] = parts.map((part) => cipher.update(part));
  cipher.final(); // GCM is a stream mode: final() yields no further octets
  pieces.push(cipher.getAuthTag());
  return pieces;
}

export const nodeAesGcm: AesGcmEngine = {
  name: 'node:crypto',
  copiesInputAtCall: true,
  async importKey(raw) {
    if (raw.length !== 16) throw new RangeError('aes128gcm keys are 16 octets');
    return { engine: 'node:crypto', handle: createSecretKey(raw) };
  },
  async seal(key, nonce, parts) {
    return Buffer.concat(sealPieces(key.handle as KeyObject, nonce, parts));
  },
  async sealParts(key, nonce, parts) {
    return sealPieces(key.handle as KeyObject, nonce, parts);
  },
  async open(key, nonce, sealed) {
    if (sealed.length < TAG_LENGTH) throw new RangeError('record shorter than its tag');
    const decipher = createDecipheriv('aes-128-gcm', key.handle as KeyObject, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    const body = decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH));
    const rest = decipher.final(); // throws when the tag does not verify: nothing of the record is returned
    if (rest.length === 0) return new Uint8Array(body.buffer, body.byteOffset, body.length);
    const out = new Uint8Array(body.length + rest.length);
    out.set(body, 0);
    out.set(rest, body.length);
    return out;
  },
  async hkdf(ikm, salt, info, length) {
    return hkdfSha256(ikm, salt, info, length);
  },
};
