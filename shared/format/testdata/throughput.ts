/**
 * Throughput phases of the format next to the raw cipher at the same record size, runnable in Node and in the
 * browser (scripts/bench/crypto.ts bundles this file for Chromium and times each phase from outside, by wall clock
 * and by CPU time). "Raw" calls the same engine's seal/open on bare records with the same concurrency our code uses
 * (all records of a read in flight when encrypting, a window of 8 when decrypting) over distinct records of a
 * chunk-sized buffer (not one hot buffer, which would flatter the raw figure through the CPU cache), so the ratio
 * shows what the format itself costs: key schedule, framing, copies.
 */
import { webCryptoAesGcm, type AesGcmEngine } from '../aes-gcm.ts';
import { createFileEncryptor } from '../file-encryptor.ts';
import { decryptFile } from '../file-decryptor.ts';
import { RECORD_OVERHEAD } from '../rfc8188.ts';

export type Phase = 'rawEncrypt' | 'encrypt' | 'encryptParts' | 'rawDecrypt' | 'decrypt';
export const PHASES: readonly Phase[] = ['rawEncrypt', 'encrypt', 'encryptParts', 'rawDecrypt', 'decrypt'];

export interface ThroughputRun {
  readonly engine: string;
  /** Runs one phase over totalBytes of plaintext; resolves to the wall-clock milliseconds it took. */
  run(phase: Phase): Promise<number>;
}

const WINDOW = 8;

export async function createThroughputRun(options: {
  recordData: number;
  totalBytes: number;
  engine?: AesGcmEngine;
  chunkBytes?: number;
}): Promise<ThroughputRun> {
  const { recordData, totalBytes } = options;
  const engine = options.engine ?? webCryptoAesGcm;
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  const rs = recordData + RECORD_OVERHEAD;
  const pattern = new Uint8Array(chunkBytes + 2 * rs);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 131 + 17) & 0xff;
  const ids = { secret: new Uint8Array(32).fill(9), shipmentId: 'bench', fileId: 'bench-file', engine };
  const key = await engine.importKey(new Uint8Array(16).fill(1));
  const nonce = new Uint8Array(12);
  const perChunk = Math.ceil(chunkBytes / recordData);
  const recordPlain = (i: number) => pattern.subarray(i * recordData, i * recordData + recordData + 1);
  const records = Math.ceil(totalBytes / recordData);
  // As many distinct sealed records as the body has, so raw decryption streams from memory as ours does.
  const sealedRecords = await Promise.all(Array.from({ length: records }, (_, i) => engine.seal(key, nonce, [recordPlain(i % perChunk)])));
  const encryptor = await createFileEncryptor({ ...ids, plainSize: totalBytes, recordSize: rs, readPlain: async (a, b) => pattern.subarray(0, b - a) });
  let body: Uint8Array[] = [];

  const phases: Record<Phase, () => Promise<void>> = {
    async rawEncrypt() {
      for (let done = 0; done < totalBytes; done += chunkBytes) {
        const n = Math.ceil(Math.min(chunkBytes, totalBytes - done) / recordData);
        await Promise.all(Array.from({ length: n }, (_, i) => engine.seal(key, nonce, [recordPlain(i)])));
      }
    },
    async encrypt() {
      // The random-access encryptor read in chunks, as a tus upload reads it; the body is kept for decrypt.
      body = [];
      for (let offset = 0; offset < encryptor.size; offset += chunkBytes) body.push(await encryptor.read(offset, offset + chunkBytes));
    },
    async encryptParts() {
      // readParts: the same octets as pieces (what a browser sender hands to new Blob(parts)); nothing assembled.
      for (let offset = 0; offset < encryptor.size; offset += chunkBytes) await encryptor.readParts(offset, offset + chunkBytes);
    },
    async rawDecrypt() {
      const inflight: Promise<Uint8Array>[] = [];
      for (let i = 0; i < records; i++) {
        inflight.push(engine.open(key, nonce, sealedRecords[i]!));
        if (inflight.length >= WINDOW) await inflight.shift();
      }
      await Promise.all(inflight);
    },
    async decrypt() {
      if (body.length === 0) await phases.encrypt();
      async function* chunks(): AsyncGenerator<Uint8Array> {
        yield* body;
      }
      let out = 0;
      for await (const part of decryptFile({ ...ids, window: WINDOW }, chunks())) out += part.length;
      if (out !== totalBytes) throw new Error(`decrypted ${out} of ${totalBytes} octets`);
    },
  };

  return {
    engine: engine.name,
    async run(phase) {
      const t0 = performance.now();
      await phases[phase]();
      return performance.now() - t0;
    },
  };
}
