/**
 * Streaming decryption of one file body (RFC 8188 aes128gcm with the per-file key schedule of file-keys.ts).
 * Records are opened a few at a time in parallel (WebCrypto gains from calls in flight) but released strictly in
 * order, each only after its tag verified. It fails closed with E_DECRYPT, one code and one message for every
 * cause, on: a wrong key or file id, any modified octet, a missing final record (truncation), data after the
 * final record, a non-final record marked final, reordered or duplicated records (the nonce is per position).
 * Records released before a later failure are authentic but the file is incomplete: the caller must discard
 * what it wrote when the iterator throws.
 */
import { webCryptoAesGcm, type AesGcmEngine } from './aes-gcm.ts';
import { ByteQueue } from './byte-queue.ts';
import { FormatError } from './errors.ts';
import { deriveFileKeys } from './file-keys.ts';
import { RECORD_OVERHEAD, deriveRecordKeys, openRecord, parseHeader, type RecordKeys } from './rfc8188.ts';

export interface FileDecryptOptions {
  readonly secret: Uint8Array;
  readonly shipmentId: string;
  readonly fileId: string;
  readonly engine?: AesGcmEngine;
  /** Records opened concurrently, 1..64, default 8 (memory stays below window x rs). */
  readonly window?: number;
}

const fail = (): FormatError => new FormatError('E_DECRYPT', 'cannot authenticate the file body');

export async function* decryptFile(options: FileDecryptOptions, ciphertext: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { ikm } = await deriveFileKeys(options.secret, options.shipmentId, options.fileId, options.engine);
  yield* decryptAes128gcm(ikm, ciphertext, options);
}

/**
 * Any RFC 8188 aes128gcm body under input keying material `ikm` (the salt, rs and keyid come from its header).
 * decryptFile is this with the per-file IKM; the RFC's own examples run through it directly.
 */
export async function* decryptAes128gcm(
  ikm: Uint8Array,
  ciphertext: AsyncIterable<Uint8Array>,
  options: { readonly engine?: AesGcmEngine; readonly window?: number } = {},
): AsyncGenerator<Uint8Array> {
  const engine = options.engine ?? webCryptoAesGcm;
  const asked = options.window ?? 8;
  const window = Number.isFinite(asked) ? Math.min(64, Math.max(1, Math.floor(asked))) : 8;
  const queue = new ByteQueue();
  const inflight: Promise<{ data: Uint8Array; last: boolean }>[] = [];
  let keys: RecordKeys | undefined;
  let rs = 0;
  let seq = 0;

  const start = (sealed: Uint8Array): void => {
    const opened = openRecord(keys!, seq++, sealed);
    opened.catch(() => undefined); // handled when awaited in order; avoids an unhandled rejection if we stop early
    inflight.push(opened);
  };

  for await (const chunk of ciphertext) {
    if (!(chunk instanceof Uint8Array)) throw new FormatError('E_ARGUMENT', 'ciphertext chunks must be Uint8Array');
    queue.push(chunk);
    if (!keys) {
      const parsed = parseHeader(queue.peek(Math.min(queue.length, 21 + 255)));
      if (!parsed) continue;
      queue.take(parsed.length);
      rs = parsed.header.rs;
      keys = await deriveRecordKeys(ikm, parsed.header.salt, engine);
    }
    // Take a full record only while more octets follow it: such a record is not the last by position, so it
    // must carry delimiter 0x01 (RFC 8188 §2). Whatever remains at the end of the stream is the final record.
    while (queue.length > rs) {
      start(queue.take(rs));
      while (inflight.length >= window) {
        const record = await inflight.shift()!;
        if (record.last) throw fail();
        if (record.data.length > 0) yield record.data;
      }
    }
  }
  if (!keys || queue.length < RECORD_OVERHEAD) throw fail();
  start(queue.take(queue.length));
  while (inflight.length > 0) {
    const record = await inflight.shift()!;
    if (record.last !== (inflight.length === 0)) throw fail();
    if (record.data.length > 0) yield record.data;
  }
}
