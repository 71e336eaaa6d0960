/**
 * The ciphertext of a bundle upload: the unchanged aes128gcm bodies of several files back to back (docs/format.md
 * "Uploads and bundles"), as one CiphertextSource for the transport. Any range [start, end) is served by the files
 * it covers, so it is as deterministic as each file's encryptor and tus can resume it at any byte (tus 1.0 core,
 * HEAD then PATCH at Upload-Offset). Not a cipher of its own: it only cuts and joins.
 */
import { concatBytes } from '../format/bytes.ts';
import type { CiphertextSource } from './transport.ts';
import { readCiphertextParts } from './transport.ts';

/** One file of a bundle: its ciphertext size, and how to get its encryptor (called only when a read reaches it). */
export interface BundlePart {
  readonly size: number;
  open(): Promise<CiphertextSource>;
}

/**
 * Joins the parts into one source. Each file's encryptor is created when a read first reaches the file and dropped
 * once a read starts past it (a resume at an earlier offset simply creates it again: same bytes), so a 16 MiB
 * bundle of hundreds of files keeps only the encryptors of the chunk being read. The files a read spans are read
 * at the same time, so their plaintext reads overlap.
 */
export function createBundleSource(parts: readonly BundlePart[]): CiphertextSource {
  const starts: number[] = [];
  let size = 0;
  for (const part of parts) {
    starts.push(size);
    size += part.size;
  }
  const open = new Map<number, Promise<CiphertextSource>>();

  const encryptor = (index: number): Promise<CiphertextSource> => {
    let source = open.get(index);
    if (!source) {
      source = parts[index]!.open();
      open.set(index, source);
      // A failed open (the file changed, a read error) is not remembered: a retry opens it afresh.
      source.catch(() => {
        if (open.get(index) === source) open.delete(index);
      });
    }
    return source;
  };

  /** The index of the part holding octet `at` (0 <= at < size): the last start <= at, skipping empty parts. */
  const partAt = (at: number): number => {
    let low = 0;
    let high = parts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= at) low = middle;
      else high = middle - 1;
    }
    return low;
  };

  async function readParts(start: number, end: number): Promise<Uint8Array[]> {
    start = Math.max(0, start);
    end = Math.min(size, end);
    if (end <= start) return [];
    const first = partAt(start);
    for (const index of open.keys()) if (index < first) open.delete(index);
    const reads: Array<Promise<Uint8Array[]>> = [];
    for (let index = first; index < parts.length && starts[index]! < end; index++) {
      const at = starts[index]!;
      const from = Math.max(start, at) - at;
      const to = Math.min(end, at + parts[index]!.size) - at;
      if (to > from) reads.push(encryptor(index).then((source) => readCiphertextParts(source, from, to)));
    }
    return (await Promise.all(reads)).flat();
  }

  return {
    size,
    readParts,
    read: async (start, end) => concatBytes(await readParts(start, end)),
  };
}
