/**
 * tus-js-client's `fileReader` over one file's ciphertext (the pipeline's deterministic encryptor): chunk by chunk,
 * so a CD is never encrypted into memory first (pitfalls.md: never an Uppy preprocessor).
 *
 * Two things here exist for speed, measured with scripts/bench/browser-profile.ts on the 700 MB CD:
 * - A chunk is a Blob built from the encryptor's pieces (readParts), not the bytes: Chromium sends an
 *   ArrayBufferView request body at several times the CPU of a Blob one (renderer 24 -> 56 s, browser process
 *   9 -> 36 s), and the pieces need not be assembled first.
 * - `prefetch()` starts reading and encrypting the first chunk as soon as the job arrives, while the upload still
 *   waits for a free connection: without it each upload lane sat idle between requests while the next file was
 *   read and encrypted. Only the first chunk of a fresh upload is prefetched (a resumed upload starts wherever the
 *   portal says), and it is used once, for exactly that range; anything else is read again, which is safe because
 *   the encryptor returns identical bytes on every read.
 */
import { readCiphertextParts, type CiphertextSource } from '../../shared/send/transport.ts';

export interface ChunkResult {
  value: Blob;
  done: boolean;
}

export interface CiphertextFileReader {
  /** The `fileReader` option of tus-js-client (@uppy/tus passes it through from the file's tus state). */
  readonly fileReader: {
    openFile(): Promise<{ size: number; slice(start: number, end: number): Promise<ChunkResult>; close(): void }>;
  };
  /** Starts producing [0, min(chunkSize, size)) now; a read error surfaces when tus asks for that chunk. */
  prefetch(chunkSize: number): void;
}

export function ciphertextFileReader(source: CiphertextSource & { readBlob?(start: number, end: number): Promise<Blob> }): CiphertextFileReader {
  let ahead: { start: number; end: number; chunk: Promise<Blob> } | undefined;
  // A source made in the cipher worker hands over finished Blobs (cipher-client.ts); any other is joined here.
  const readChunk = (start: number, end: number): Promise<Blob> =>
    source.readBlob ? source.readBlob(start, end) : readCiphertextParts(source, start, end).then((parts) => new Blob(parts as Array<Uint8Array<ArrayBuffer>>));

  return {
    fileReader: {
      openFile: async () => ({
        size: source.size,
        // tus-js-client asks for [start, start + chunkSize) and may overshoot the end; a chunk needs `.size`.
        slice: async (start: number, end: number) => {
          const stop = Math.min(end, source.size);
          const ready = ahead && ahead.start === start && ahead.end === stop ? ahead.chunk : undefined;
          ahead = undefined;
          return { value: await (ready ?? readChunk(start, stop)), done: stop >= source.size };
        },
        close: () => {
          ahead = undefined;
        },
      }),
    },
    prefetch(chunkSize) {
      const end = Math.min(chunkSize, source.size);
      const chunk = readChunk(0, end);
      chunk.catch(() => {}); // not unhandled if the job ends before tus asks; slice() rethrows it otherwise
      ahead = { start: 0, end, chunk };
    },
  };
}

