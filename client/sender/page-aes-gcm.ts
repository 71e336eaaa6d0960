/**
 * The sender page's AES-GCM engine: WebCrypto for the records (shared/format's webCryptoAesGcm), and the key
 * schedule's HKDF-SHA-256 (RFC 5869) over HMAC-SHA-256 (RFC 2104) in plain TypeScript. WebCrypto's HKDF is an
 * importKey plus a deriveBits per expansion: five asynchronous round trips to Chromium's crypto thread per file
 * (thousands per CD) for a few dozen SHA-256 blocks, which cost microseconds here. Same octets, checked against
 * the golden key schedule (client/sender/page-aes-gcm.test.ts in Node, test/format-browser.test.ts in Chromium).
 * The secret is a plain byte array in the page either way (plan.secret), so nothing is exposed that was not before.
 */
import { webCryptoAesGcm, type AesGcmEngine } from '../../shared/format/index.ts';
import { Sha256 } from '../../shared/send/sha256.ts';

/** SHA-256 block size in octets (FIPS 180-4) and output length: the B and L of RFC 2104. */
const BLOCK = 64;
const HASH_LENGTH = 32;

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = new Sha256();
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** RFC 2104: H(K XOR opad, H(K XOR ipad, text)); a key longer than the block is hashed first. */
export function hmacSha256(key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  const padded = new Uint8Array(BLOCK);
  padded.set(key.length > BLOCK ? sha256(key) : key);
  const inner = padded.map((octet) => octet ^ 0x36);
  const outer = padded.map((octet) => octet ^ 0x5c);
  return sha256(outer, sha256(inner, ...message));
}

/** RFC 5869 §2.2 extract (an empty salt is HashLen zero octets, the same HMAC key) and §2.3 expand. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_LENGTH) throw new RangeError(`HKDF-SHA-256 cannot give ${length} octets`);
  const prk = hmacSha256(salt, ikm);
  const okm = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let counter = 1, at = 0; at < length; counter++, at += HASH_LENGTH) {
    block = hmacSha256(prk, block, info, new Uint8Array([counter]));
    okm.set(block.subarray(0, Math.min(HASH_LENGTH, length - at)), at);
  }
  return okm;
}

export const pageAesGcm: AesGcmEngine = {
  ...webCryptoAesGcm,
  name: 'webcrypto+js-hkdf',
  hkdf: async (ikm, salt, info, length) => hkdfSha256(ikm, salt, info, length),
};
