import { bufferSource, concatBytes } from './bytes.ts';

/**
 * The bulk cipher behind the file records, as a port: WebCrypto everywhere (the default, browser and Node), and
 * node:crypto on the Node side (server/crypto/node-aes-gcm.ts) when it is measurably faster. Both must pass the
 * same golden vectors. Keys are AES-128 (RFC 8188 §2.2: the aes128gcm coding uses a 16-octet CEK); nonces 12
 * octets; the tag (16 octets) is appended to the ciphertext as RFC 8188 §2 lays a record out.
 */
export interface AesGcmEngine {
  readonly name: string;
  /**
   * True when the engine wants one contiguous input and has copied it by the time seal() returns its promise.
   * WebCrypto guarantees that copy (W3C Web Cryptography API, SubtleCrypto.encrypt: "Let data be the result of
   * getting a copy of the bytes held by the data parameter", before the promise is returned). The encryptor then
   * frames a record in place (see file-encryptor.ts) instead of copying it next to its delimiter.
   */
  readonly copiesInputAtCall: boolean;
  importKey(raw: Uint8Array): Promise<AesGcmKey>;
  /** Encrypts the concatenation of `parts` (a record's data and its delimiter, without copying them together
   *  where the engine can avoid it); returns ciphertext || tag. */
  seal(key: AesGcmKey, nonce: Uint8Array, parts: readonly Uint8Array[]): Promise<Uint8Array>;
  /**
   * seal() without joining the result: pieces whose concatenation is exactly what seal() returns (ciphertext, then
   * the tag), each in memory of its own. An engine whose cipher hands out those pieces anyway (node:crypto: update()
   * and getAuthTag()) saves copying every record next to its tag. Absent: seal().
   */
  sealParts?(key: AesGcmKey, nonce: Uint8Array, parts: readonly Uint8Array[]): Promise<Uint8Array[]>;
  /** Takes ciphertext || tag; rejects (with any error) when the tag does not verify. */
  open(key: AesGcmKey, nonce: Uint8Array, sealed: Uint8Array): Promise<Uint8Array>;
  /**
   * HKDF-SHA-256 (RFC 5869) for the key schedule, when the engine has one cheaper than WebCrypto's import-then-
   * derive (in Node about 0.25 ms a call, 6 calls a file: more than sealing a small file). Absent: WebCrypto.
   * Must give the same octets: the golden key schedule is checked with every engine.
   */
  hkdf?(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
}

/** Opaque to callers: each engine keeps its own key object in it. */
export interface AesGcmKey {
  readonly engine: string;
  readonly handle: unknown;
}

export const webCryptoAesGcm: AesGcmEngine = {
  name: 'webcrypto',
  copiesInputAtCall: true,
  async importKey(raw) {
    const handle = await crypto.subtle.importKey('raw', bufferSource(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    return { engine: 'webcrypto', handle };
  },
  async seal(key, nonce, parts) {
    const plaintext = concatBytes(parts); // WebCrypto takes one contiguous buffer
    const out = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: bufferSource(nonce) }, key.handle as CryptoKey, bufferSource(plaintext));
    return new Uint8Array(out);
  },
  async open(key, nonce, sealed) {
    const out = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bufferSource(nonce) }, key.handle as CryptoKey, bufferSource(sealed));
    return new Uint8Array(out);
  },
};
