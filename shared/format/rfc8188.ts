/**
 * The RFC 8188 "aes128gcm" content coding, record by record. Higher layers (file-encryptor.ts, file-decryptor.ts)
 * decide the record split; this module only knows the header, the key schedule and one record.
 *
 *   header  = salt (16) || rs (uint32 big-endian) || idlen (1) || keyid (idlen)      RFC 8188 §2.1
 *   record  = AES-128-GCM(CEK, nonce_seq, data || delimiter || 0x00*)               RFC 8188 §2
 *   delimiter 0x01 on every record but the last, 0x02 on the last                    RFC 8188 §2
 */
import type { AesGcmEngine, AesGcmKey } from './aes-gcm.ts';
import { bufferSource, concatBytes, utf8 } from './bytes.ts';
import { FormatError } from './errors.ts';

export const SALT_LENGTH = 16;
export const TAG_LENGTH = 16;
/** Fixed part of the header: salt, rs, idlen. */
export const HEADER_FIXED_LENGTH = SALT_LENGTH + 4 + 1;
/** RFC 8188 §2: rs must exceed 17 (16-octet tag plus the delimiter). */
export const MIN_RECORD_SIZE = 18;
/** Our decoder's bound on a record, so a forged header cannot make it buffer gigabytes. */
export const MAX_RECORD_SIZE = 4 * 1024 * 1024;
/** Octets a record adds to its data: the delimiter and the GCM tag (no padding in what we write). */
export const RECORD_OVERHEAD = 1 + TAG_LENGTH;

export interface Rfc8188Header {
  readonly salt: Uint8Array;
  readonly rs: number;
  readonly keyId: Uint8Array;
}

export interface RecordKeys {
  readonly engine: AesGcmEngine;
  readonly key: AesGcmKey;
  readonly nonceBase: Uint8Array;
}

export function encodeHeader(header: Rfc8188Header): Uint8Array {
  if (header.salt.length !== SALT_LENGTH) throw new FormatError('E_ARGUMENT', 'salt must be 16 octets');
  if (!Number.isInteger(header.rs) || header.rs < MIN_RECORD_SIZE || header.rs > 0xffffffff) {
    throw new FormatError('E_ARGUMENT', `record size ${header.rs} outside RFC 8188 limits`);
  }
  if (header.keyId.length > 255) throw new FormatError('E_ARGUMENT', 'keyid longer than 255 octets');
  const out = new Uint8Array(HEADER_FIXED_LENGTH + header.keyId.length);
  out.set(header.salt, 0);
  new DataView(out.buffer).setUint32(SALT_LENGTH, header.rs);
  out[SALT_LENGTH + 4] = header.keyId.length;
  out.set(header.keyId, HEADER_FIXED_LENGTH);
  return out;
}

/**
 * Parses a header from the start of `bytes`. Returns undefined while too few bytes have arrived. An rs outside
 * [18, MAX_RECORD_SIZE] is E_DECRYPT: to the reader it is one more way a body fails to authenticate.
 */
export function parseHeader(bytes: Uint8Array): { header: Rfc8188Header; length: number } | undefined {
  if (bytes.length < HEADER_FIXED_LENGTH) return undefined;
  const idlen = bytes[SALT_LENGTH + 4]!;
  const length = HEADER_FIXED_LENGTH + idlen;
  if (bytes.length < length) return undefined;
  const rs = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(SALT_LENGTH);
  if (rs < MIN_RECORD_SIZE || rs > MAX_RECORD_SIZE) throw new FormatError('E_DECRYPT', 'cannot authenticate the file body');
  return {
    header: { salt: bytes.slice(0, SALT_LENGTH), rs, keyId: bytes.slice(HEADER_FIXED_LENGTH, length) },
    length,
  };
}

/** WebCrypto HKDF-SHA-256 (RFC 5869) from an IKM already imported as an HKDF key. */
export async function hkdfWithKey(key: CryptoKey, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: bufferSource(salt), info: bufferSource(info) },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}

export function importHkdfKey(ikm: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bufferSource(ikm), 'HKDF', false, ['deriveBits']);
}

async function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  return hkdfWithKey(await importHkdfKey(ikm), salt, info, length);
}

/** HKDF-SHA-256 (RFC 5869), shared with the per-file key schedule in file-keys.ts. */
export { hkdf as hkdfSha256 };

/**
 * RFC 8188 §2.2 and §2.3: PRK = HMAC-SHA-256(salt, IKM);
 * CEK = HKDF-Expand(PRK, "Content-Encoding: aes128gcm" || 0x00, 16); NONCE = HKDF-Expand(PRK, "Content-Encoding: nonce" || 0x00, 12).
 */
export async function deriveRecordKeys(ikm: Uint8Array, salt: Uint8Array, engine: AesGcmEngine): Promise<RecordKeys> {
  const cekInfo = concatBytes([utf8('Content-Encoding: aes128gcm'), new Uint8Array([0])]);
  const nonceInfo = concatBytes([utf8('Content-Encoding: nonce'), new Uint8Array([0])]);
  let cek: Uint8Array;
  let nonceBase: Uint8Array;
  if (engine.hkdf) {
    [cek, nonceBase] = await Promise.all([engine.hkdf(ikm, salt, cekInfo, 16), engine.hkdf(ikm, salt, nonceInfo, 12)]);
  } else {
    const key = await importHkdfKey(ikm); // imported once for both expansions
    [cek, nonceBase] = await Promise.all([hkdfWithKey(key, salt, cekInfo, 16), hkdfWithKey(key, salt, nonceInfo, 12)]);
  }
  return { engine, key: await engine.importKey(cek), nonceBase };
}

/** RFC 8188 §2.3: the nonce of record SEQ is NONCE XOR SEQ, SEQ a 96-bit big-endian integer. */
export function recordNonce(base: Uint8Array, seq: number): Uint8Array {
  const nonce = base.slice();
  const view = new DataView(nonce.buffer);
  view.setUint32(4, view.getUint32(4) ^ Math.floor(seq / 0x100000000));
  view.setUint32(8, view.getUint32(8) ^ (seq >>> 0));
  return nonce;
}

/** Seals one record: data, then the delimiter (0x02 if last), then `padding` zero octets (RFC 8188 §2). */
export async function sealRecord(keys: RecordKeys, seq: number, data: Uint8Array, last: boolean, padding = 0): Promise<Uint8Array> {
  const trailer = new Uint8Array(1 + padding);
  trailer[0] = last ? 2 : 1;
  return keys.engine.seal(keys.key, recordNonce(keys.nonceBase, seq), [data, trailer]);
}

/**
 * Opens one record and strips its padding. Any failure (tag, all-zero plaintext, a delimiter other than 1 or 2)
 * is E_DECRYPT with the same message. Returns the data and whether the record said it was the last.
 */
export async function openRecord(keys: RecordKeys, seq: number, sealed: Uint8Array): Promise<{ data: Uint8Array; last: boolean }> {
  let plain: Uint8Array;
  try {
    plain = await keys.engine.open(keys.key, recordNonce(keys.nonceBase, seq), sealed);
  } catch (cause) {
    throw new FormatError('E_DECRYPT', 'cannot authenticate the file body', { cause });
  }
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  const delimiter = end >= 0 ? plain[end] : undefined;
  if (delimiter !== 1 && delimiter !== 2) throw new FormatError('E_DECRYPT', 'cannot authenticate the file body');
  return { data: plain.subarray(0, end), last: delimiter === 2 };
}
