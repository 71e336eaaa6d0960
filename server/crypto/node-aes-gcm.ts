/**
 * node:crypto (OpenSSL) behind the shared AesGcmEngine port (shared/format/aes-gcm.ts). Measured faster than
 * Node's WebCrypto for the worker's bulk decryption (scripts/bench/crypto.ts, docs/format.md); it must pass the
 * same golden vectors as the WebCrypto engine (test/format-node-engine.test.ts).
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { AesGcmEngine } from '../../shared/format/index.ts';

const TAG_LENGTH = 16;

export const nodeAesGcm: AesGcmEngine = {
  name: 'node:crypto',
  // Takes [data, delimiter] as separate parts without copying them together: no in-place framing needed.
  copiesInputAtCall: false,
  async importKey(raw) {
    if (raw.length !== 16) throw new RangeError('aes128gcm keys are 16 octets');
    return { engine: 'node:crypto', handle: createSecretKey(raw) };
  },
  async seal(key, nonce, parts) {
    const cipher = createCipheriv('aes-128-gcm', key.handle as KeyObject, nonce, { authTagLength: TAG_LENGTH });
    let length = TAG_LENGTH;
    for (const part of parts) length += part.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      out.set(cipher.update(part), at);
      at += part.length;
    }
    cipher.final(); // GCM is a stream mode: final() yields no further octets
    out.set(cipher.getAuthTag(), at);
    return out;
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
  // OpenSSL's HKDF in a few microseconds, synchronously: cheaper than a trip through the thread pool.
  async hkdf(ikm, salt, info, length) {
    return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
  },
};
