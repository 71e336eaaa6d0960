/**
 * Random-access encryption of one file body. The body is a pure function of (secret, shipment id, file id,
 * plaintext): the salt is derived (file-keys.ts) and every record sits at a fixed offset, so any byte range
 * [start, end) can be produced by reading and sealing only the records that cover it. That is what lets a tus
 * client resume at whatever offset the server reports (tus 1.0 core, HEAD then PATCH at Upload-Offset).
 */
import { webCryptoAesGcm, type AesGcmEngine } from './aes-gcm.ts';
import { concatBytes } from './bytes.ts';
import { FormatError } from './errors.ts';
import { deriveFileKeys } from './file-keys.ts';
import { HEADER_LENGTH, RECORD_SIZE, assertPlainSize, assertRecordSize, ciphertextSize, recordCount } from './layout.ts';
import { RECORD_OVERHEAD, deriveRecordKeys, encodeHeader, recordNonce, type RecordKeys } from './rfc8188.ts';
import type { ScratchPool } from './scratch-pool.ts';

export interface FileEncryptorOptions {
  readonly secret: Uint8Array;
  readonly shipmentId: string;
  readonly fileId: string;
  readonly plainSize: number;
  /**
   * Plaintext octets [start, end); must return exactly end - start octets. With `into` (a scratch buffer of at least
   * end - start octets) the source may fill and return `into.subarray(0, end - start)` instead of new memory.
   */
  readPlain(start: number, end: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Bulk cipher; WebCrypto unless the Node side injects a faster one. */
  readonly engine?: AesGcmEngine;
  /** RFC 8188 rs; tests use small records, production the default. */
  readonly recordSize?: number;
  /**
   * Where to take the plaintext buffer of each read from and give it back to once the records are sealed (Node: the
   * sender's pool; see scratch-pool.ts for why). Without it every read gets new memory from readPlain.
   */
  readonly scratch?: Pick<ScratchPool, 'take' | 'give'>;
}

export interface FileEncryptor {
  /** Ciphertext size in octets (= ciphertextSize(plainSize)). */
  readonly size: number;
  /** Ciphertext octets [start, end), clamped to [0, size]; identical on every call. */
  read(start: number, end: number): Promise<Uint8Array>;
  /**
   * The same octets as read(start, end), as consecutive pieces (header part, then one view per record) without
   * assembling them: `new Blob(parts)` in the browser saves the copy that read() must make.
   */
  readParts(start: number, end: number): Promise<Uint8Array[]>;
}

/**
 * Seals record `seq` whose data is `plain[from, to)`, as the engine's pieces (sealParts, else seal's one result).
 * When the engine copies its input at call time (WebCrypto) and the octet after the data is still inside `plain`
 * (every record of a read but the last), the delimiter is written over that octet, the engine is called, and the
 * octet is restored before anything else can run: the record is framed in place instead of being copied next to its
 * delimiter. In Chromium that copy cost a third of the throughput (docs/format.md). Only octets of `plain`, the
 * buffer readPlain handed us, are ever touched.
 */
function sealAt(keys: RecordKeys, seq: number, plain: Uint8Array, from: number, to: number, last: boolean): Promise<Uint8Array[]> {
  const { engine } = keys;
  const nonce = recordNonce(keys.nonceBase, seq);
  const seal = (parts: Uint8Array[]): Promise<Uint8Array[]> =>
    engine.sealParts ? engine.sealParts(keys.key, nonce, parts) : engine.seal(keys.key, nonce, parts).then((record) => [record]);
  const shared = typeof SharedArrayBuffer !== 'undefined' && plain.buffer instanceof SharedArrayBuffer; // other threads could see it
  // RFC 8188 §2: data, then the delimiter (0x02 on the last record, else 0x01), no padding.
  if (!engine.copiesInputAtCall || shared || to >= plain.length) return seal([plain.subarray(from, to), Uint8Array.of(last ? 2 : 1)]);
  const saved = plain[to]!;
  plain[to] = last ? 2 : 1;
  try {
    return seal([plain.subarray(from, to + 1)]);
  } finally {
    plain[to] = saved;
  }
}

export async function createFileEncryptor(options: FileEncryptorOptions): Promise<FileEncryptor> {
  const { plainSize, readPlain } = options;
  const rs = options.recordSize ?? RECORD_SIZE;
  assertPlainSize(plainSize);
  assertRecordSize(rs);
  const engine = options.engine ?? webCryptoAesGcm;
  const material = await deriveFileKeys(options.secret, options.shipmentId, options.fileId, engine);
  const keys = await deriveRecordKeys(material.ikm, material.salt, engine);
  const header = encodeHeader({ salt: material.salt, rs, keyId: new Uint8Array(0) });
  const size = ciphertextSize(plainSize, rs);
  const records = recordCount(plainSize, rs);
  const dataSize = rs - RECORD_OVERHEAD;

  async function readParts(start: number, end: number): Promise<Uint8Array[]> {
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw new FormatError('E_ARGUMENT', 'read(start, end) takes integers');
    start = Math.max(0, start);
    end = Math.min(size, end);
    const parts: Uint8Array[] = [];
    if (end <= start) return parts;
    if (start < HEADER_LENGTH) parts.push(header.slice(start, Math.min(end, HEADER_LENGTH)));
    if (end <= HEADER_LENGTH) return parts;
    const first = Math.floor((Math.max(start, HEADER_LENGTH) - HEADER_LENGTH) / rs);
    const last = Math.floor((end - 1 - HEADER_LENGTH) / rs);
    const plainStart = first * dataSize;
    const plainEnd = Math.min((last + 1) * dataSize, plainSize);
    const scratch = plainEnd > plainStart ? options.scratch?.take(plainEnd - plainStart) : undefined;
    const plain = plainEnd > plainStart ? await readPlain(plainStart, plainEnd, scratch) : new Uint8Array(0);
    if (!(plain instanceof Uint8Array) || plain.length !== plainEnd - plainStart) {
      // Sealing different data under the same nonce would leak both plaintexts' XOR: stop instead.
      throw new FormatError('E_SOURCE', `plaintext source returned ${plain?.length} octets for [${plainStart}, ${plainEnd})`);
    }
    const sealing: Promise<Uint8Array[]>[] = [];
    for (let seq = first; seq <= last; seq++) {
      const from = seq * dataSize - plainStart;
      const to = Math.min((seq + 1) * dataSize, plainSize) - plainStart;
      sealing.push(sealAt(keys, seq, plain, from, to, seq === records - 1));
    }
    const sealed = await Promise.all(sealing);
    // Every record is sealed into memory of its own (AesGcmEngine.seal and sealParts return new octets): the
    // plaintext is no longer read, so its buffer can serve the next read. After a failure it is not given back
    // (see scratch-pool.ts).
    if (scratch) options.scratch!.give(scratch);
    for (const [i, pieces] of sealed.entries()) {
      let at = HEADER_LENGTH + (first + i) * rs;
      for (const piece of pieces) {
        const from = Math.max(start, at) - at;
        const to = Math.min(end, at + piece.length) - at;
        if (to > from) parts.push(piece.subarray(from, to));
        at += piece.length;
      }
    }
    return parts;
  }

  async function read(start: number, end: number): Promise<Uint8Array> {
    return concatBytes(await readParts(start, end));
  }

  return { size, read, readParts };
}
