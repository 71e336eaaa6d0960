/**
 * Stores local files (a CD, a folder) through one store session: walks the paths, reads every file's header to
 * propose the right presentation contexts up front, then reads and sends the files with a bounded read-ahead so a
 * 700 MB CD never sits in memory. Non-DICOM files and DICOMDIRs are skipped with a reason, not sent.
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Destination, Timeouts } from './association.ts';
import type { RetryPolicy } from './backoff.ts';
import { BufferPool } from './buffer-pool.ts';
import { DicomError } from './dicom-error.ts';
import { readPart10, type Part10Info } from './part10.ts';
import type { ContextKey } from './presentation-contexts.ts';
import { createStoreSession, type StoreSessionOptions } from './store-session.ts';
import type { StoreResult } from './types.ts';

export interface FileResult extends Omit<StoreResult, 'outcome' | 'sopInstanceUid'> {
  readonly path: string;
  readonly outcome: StoreResult['outcome'] | 'skipped';
  readonly sopInstanceUid?: string;
  readonly bytes: number;
}

export interface StoreFilesOptions {
  readonly associations?: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryPolicy>;
  /** Most file bytes held in memory at once (default 32 MiB; one file larger than this is still sent alone). */
  readonly readAheadBytes?: number;
  readonly onRetry?: StoreSessionOptions['onRetry'];
  /** Called as each file is done, in completion order. */
  readonly onResult?: (result: FileResult) => void;
}

/** Enough for a file meta group and the identity elements of a bare dataset; more is read when it is not. */
const HEADER_BYTES = 16 * 1024;
const MAX_HEADER_BYTES = 1024 * 1024;

/** Every regular file under the given paths (folders recursed), each once, in a stable order. */
export async function listFiles(paths: readonly string[]): Promise<string[]> {
  const seen = new Set<string>();
  const files = new Set<string>();
  const walk = async (p: string): Promise<void> => {
    const real = await realpath(p);
    if (seen.has(real)) return; // a symlink loop or a path given twice
    seen.add(real);
    const info = await stat(real);
    if (info.isDirectory()) {
      for (const entry of (await readdir(real)).sort()) await walk(path.join(real, entry));
    } else if (info.isFile()) files.add(real);
  };
  for (const p of paths) await walk(p);
  return [...files].sort();
}

/** Reads the first `length` bytes of a file (fewer if it is shorter) into `buffer`. */
async function readInto(file: string, buffer: Uint8Array, length: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  } finally {
    await handle.close();
  }
}

/** The Part 10 header of a file, reading more than the first 16 KiB only when a long header needs it. */
async function scanHeader(file: string, size: number): Promise<Part10Info> {
  try {
    return readPart10(await readInto(file, new Uint8Array(Math.min(size, HEADER_BYTES)), Math.min(size, HEADER_BYTES)));
  } catch (error) {
    if (size <= HEADER_BYTES) throw error;
    const length = Math.min(size, MAX_HEADER_BYTES);
    return readPart10(await readInto(file, new Uint8Array(length), length));
  }
}

function skipped(file: string, bytes: number, error: unknown): FileResult {
  const code = error instanceof DicomError ? error.code : 'E_READ';
  const outcome = code === 'E_NOT_DICOM' || code === 'E_DICOMDIR' ? 'skipped' : 'failed';
  return { path: file, outcome, retriable: false, code, reason: (error as Error).message, bytes };
}

export async function storeFiles(destination: Destination, paths: readonly string[], options: StoreFilesOptions = {}): Promise<FileResult[]> {
  const files = await listFiles(paths);
  const results: FileResult[] = [];
  const report = (result: FileResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  const sendable: Array<{ file: string; size: number; info: Part10Info }> = [];
  for (const file of files) {
    const size = (await stat(file)).size;
    try {
      sendable.push({ file, size, info: await scanHeader(file, size) });
    } catch (error) {
      report(skipped(file, size, error));
    }
  }
  const contexts: ContextKey[] = sendable.map(({ info }) => ({ sopClassUid: info.sopClassUid, transferSyntaxUid: info.transferSyntaxUid }));
  const session = createStoreSession(destination, { contexts, associations: options.associations, timeouts: options.timeouts, retry: options.retry, onRetry: options.onRetry });
  const budget = options.readAheadBytes ?? 32 * 1024 * 1024;
  const pool = new BufferPool(budget);
  let held = 0;
  let released: (() => void) | undefined;
  const inFlight = new Set<Promise<void>>();
  try {
    for (const { file, size } of sendable) {
      while (held > 0 && held + size > budget) await new Promise<void>((resolve) => { released = resolve; });
      held += size;
      const task = (async () => {
        const buffer = pool.acquire(size);
        try {
          const bytes = await readInto(file, buffer, size);
          if ((await stat(file)).size !== size) throw new Error(`${file} changed while it was being sent`);
          const info = readPart10(bytes); // again on the whole file: it may have changed since the scan
          const result = await session.store({ ...info, dataset: bytes.subarray(info.datasetOffset) });
          report({ ...result, path: file, bytes: size });
        } catch (error) {
          report(skipped(file, size, error));
        } finally {
          pool.release(buffer);
          held -= size;
          released?.();
        }
      })();
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
    await Promise.all(inFlight);
  } finally {
    await session.close();
  }
  return results;
}
