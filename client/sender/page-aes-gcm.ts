/**
 * The sender page's AES-GCM engine: WebCrypto for the records (shared/format's webCryptoAesGcm), and the key
 * schedule's HKDF-SHA-256 (RFC 5869) over HMAC-SHA-256 (RFC 2104) in plain TypeScript. WebCrypto's HKDF is an
 * importKey plus a deriveBits per expansion: five asynchronous round trips to Chromium's crypto thread per file
 * (thousands per CD) for a few dozen SHA-256 blocks, which cost microseconds here. Same octets, checked against
 * the golden key schedule (client/sender/page-aes-gcm.test.ts in Node, test/format-browser.test.ts in Chromium).
 * The secret is a plain byte array in the page either way (plan.secret), so nothing is exposed that was not before.
 */
import { webCryptoAesGcm, type AesGcmEngine } from '../../shared/format/index.ts';
import { hkdfSha256With } from '../../shared/format/hkdf.ts';
import { Sha256 } from '../../shared/send/sha256.ts';

/** SHA-256 block size in octets (FIPS 180-4): the B of RFC 2104. */
const BLOCK = 64;

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

/** RFC 5869 HKDF-SHA-256 over the HMAC above. */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdfSha256With(hmacSha256, ikm, salt, info, length);
}

export const pageAesGcm: AesGcmEngine = {
  ...webCryptoAesGcm,
  name: 'webcrypto+js-hkdf',
  hkdf: async (ikm, salt, info, length) => hkdfSha256(ikm, salt, info, length),
};
