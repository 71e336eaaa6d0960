/**
 * HKDF-SHA-256 (RFC 5869) over a synchronous HMAC-SHA-256, for engines that can do better than WebCrypto's
 * import-then-derive (a round trip per call): node:crypto's createHmac in Node, a TypeScript HMAC in the page.
 * One loop for both, so the two key schedules cannot differ; each engine's tests check it against RFC 5869.
 */

/** HMAC-SHA-256 of the concatenation of `message` under `key` (RFC 2104). */
export type HmacSha256 = (key: Uint8Array, ...message: Uint8Array[]) => Uint8Array;

/** SHA-256 output length: RFC 5869's HashLen. */
const HASH_LENGTH = 32;

/** RFC 5869 §2.2 extract (a salt not provided is HashLen zero octets), then §2.3 expand: T(i) = HMAC(PRK, T(i-1) || info || i). */
export function hkdfSha256With(hmac: HmacSha256, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH_LENGTH) throw new RangeError(`HKDF-SHA-256 cannot give ${length} octets`);
  const prk = hmac(salt.length > 0 ? salt : new Uint8Array(HASH_LENGTH), ikm);
  const okm = new Uint8Array(length);
  let block: Uint8Array = new Uint8Array(0);
  for (let counter = 1, at = 0; at < length; counter++, at += HASH_LENGTH) {
    block = hmac(prk, block, info, Uint8Array.of(counter));
    okm.set(block.subarray(0, Math.min(HASH_LENGTH, length - at)), at);
  }
  return okm;
}
