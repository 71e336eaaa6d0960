/**
 * @tus/file-store's FileStore (same files: `<id>` holds the bytes, its size is the offset; `<id>.json` is the
 * sidecar, JSON of the Upload, which names shipment and file for the reconciler) with the per-file waste taken
 * out, since the portal may receive a CD as hundreds of uploads (one per file when a sender does not bundle):
 * - no mkdir per upload, and the two new files of an upload are created without thread-pool round trips; the
 *   directory is made once, synchronously, before the store exists (the stock constructor makes it asynchronously
 *   and THROWS from the callback on failure: an uncaught exception);
 * - a body is written straight from the request stream on one descriptor, the chunks already buffered gathered
 *   into one writev, instead of a Transform and a WriteStream per request;
 * - syncUpload() makes an upload durable: data, sidecar and directory fsynced concurrently, so one journal commit
 *   serves all three (sequential syncs would cost a commit each: ~3-9 ms on this disk, per file).
 */
import { closeSync, fsync, mkdirSync, openSync, rmSync, writeFileSync, writev } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { FileStore } from '@tus/file-store';
import { ERRORS, type Upload } from '@tus/server';
import { PortalError } from '../errors.ts';

/** Chunks already buffered (64 KiB each from the socket) are gathered into writes of up to this size or count. */
const WRITE_BATCH_BYTES = 1024 * 1024;
const WRITE_BATCH_BUFFERS = 64;

const END_OF_TURN = Symbol('end of turn');
let turnEnd: Promise<typeof END_OF_TURN> | undefined;

/**
 * Resolves in the check phase of this event-loop turn, after the poll phase delivered its I/O: one shared promise
 * (and one setImmediate) for every write waiting in the same turn.
 */
function endOfTurn(): Promise<typeof END_OF_TURN> {
  turnEnd ??= new Promise((resolve) => setImmediate(() => {
    turnEnd = undefined;
    resolve(END_OF_TURN);
  }));
  return turnEnd;
}

/** At most this much of a body is read and dropped after a full disk; a longer rest ends the request at once. */
const DROP_LIMIT_BYTES = 64 * 1024 * 1024;

/** Reads and drops the rest of a body (the read `pending` first), at most `limit` octets; true when it ended. */
async function dropRestOfBody(chunks: AsyncIterator<Buffer>, pending: Promise<IteratorResult<Buffer>>, limit: number): Promise<boolean> {
  try {
    let dropped = 0;
    for (let step = await pending; ; step = await chunks.next()) {
      if (step.done) return true;
      dropped += step.value.length;
      if (dropped > limit) return false;
    }
  } catch {
    return false; // the client went away meanwhile
  }
}

/** Upload ids are flat names (the guard reserves 32 hex digits); anything else never reaches the disk. */
const UPLOAD_ID = /^[A-Za-z0-9_-]+$/;

const fsyncFd = promisify(fsync);
const writevFd = promisify(writev);

/**
 * fsync(2) through the thread pool: the event loop keeps serving the other uploads while the disk flushes. Only the
 * fsync goes there: open and close of a local file take microseconds, while each thread-pool round trip costs
 * tens of microseconds of CPU in thread wake-ups and context switches (a third of the portal's CPU per small file
 * was kernel time, mostly those switches; measured with perf here), so they are done in place.
 */
async function fsyncPath(file: string): Promise<void> {
  const fd = openSync(file, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** The buffers still to write after the first `written` bytes of `buffers` went out. */
export function remainderAfter(buffers: readonly Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = written;
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
    skip = 0;
  }
  return rest;
}

export class UploadFileStore extends FileStore {
  constructor(directory: string) {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    super({ directory });
  }

  #file(id: string): string {
    if (!UPLOAD_ID.test(id)) throw ERRORS.FILE_NOT_FOUND;
    return path.join(this.directory, id);
  }

  /**
   * The empty data file and the sidecar (the stock store's content: JSON of the Upload before its storage is set);
   * the directory exists and upload ids are flat: no mkdir. Written synchronously: creating two tiny NEW files
   * takes microseconds of the event loop, where fs/promises' open, write and close cost ~150 us of CPU per file
   * in thread-pool round trips (measured here); 'wx' never truncates an existing upload.
   */
  override async create(upload: Upload): Promise<Upload> {
    const file = this.#file(upload.id);
    writeFileSync(file, '', { flag: 'wx' });
    try {
      writeFileSync(`${file}.json`, JSON.stringify(upload), { flag: 'wx' });
    } catch (error) {
      rmSync(file, { force: true }); // ours, just created: no data file without its sidecar
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw new PortalError('E_STORAGE_FULL', 'the portal has no room for a new upload now; retry later');
      throw error;
    }
    upload.storage = { type: 'file', path: file };
    return upload;
  }

  /** Appends the body at `offset` and returns the new offset; bytes that arrived before a client went away are kept. */
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    // Opened and closed in place, written through the thread pool (see fsyncPath).
    const fd = openSync(this.#file(id), 'r+');
    const chunks = (readable as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let position = offset;
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = async () => {
      if (batched === 0) return;
      let buffers = batch;
      let left = batched;
      batch = [];
      batched = 0;
      // writev(2) may write less than asked (a signal, a nearly full disk): the rest is written at the new position,
      // never skipped, or the stored ciphertext would have a hole where the offset says bytes are.
      for (;;) {
        const { bytesWritten } = await writevFd(fd, buffers, position);
        position += bytesWritten;
        left -= bytesWritten;
        if (left <= 0) return;
        if (bytesWritten === 0) throw new Error('writev wrote nothing');
        buffers = remainderAfter(buffers, bytesWritten);
      }
    };
    let next = chunks.next();
    let done = false;
    try {
      for (;;) {
        // Chunks already batched go out once this turn of the event loop has delivered every socket read it had
        // (one poll phase reads up to 32 x 64 KiB from a busy socket, each its own chunk): one thread-pool write per
        // turn instead of one per 64 KiB chunk, whose wake-ups and context switches cost more CPU than the copy
        // (700 MB CD: ~11,000 writes of 64 KiB). When no chunk follows in the same turn the batch is written at
        // once, so bytes received are on disk while the client pauses (a HEAD taking over a stalled PATCH sees them).
        const step = batched === 0 ? await next : await Promise.race([next, endOfTurn()]);
        if (step === END_OF_TURN) {
          await flush();
          continue;
        }
        if (step.done) break;
        batch.push(step.value);
        batched += step.value.length;
        next = chunks.next();
        if (batched >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_BUFFERS) await flush();
      }
      done = true;
      await flush();
      return position;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw ERRORS.FILE_WRITE_ERROR;
      // A full disk mid-body: the octets written so far stay (the offset is the file's size, tus 1.0 resumes there),
      // and 507 tells the sender to come back later. The rest of the body is read and dropped first, so that answer
      // arrives as an answer: a body abandoned half-read ends as a reset, which @tus/server reports as an abort.
      if (!done) done = await dropRestOfBody(chunks, next, DROP_LIMIT_BYTES);
      throw new PortalError('E_STORAGE_FULL', 'the portal ran out of room while receiving this upload; resume later');
    } finally {
      if (!done) {
        // As for-await does when its body throws: the request stream is released (destroyed), and the read still
        // pending is not left to reject unobserved.
        next.catch(() => undefined);
        await chunks.return?.().catch(() => undefined);
      }
      closeSync(fd);
    }
  }

  /** Data, sidecar and their directory entries on disk, concurrently (one journal commit can serve all three). */
  async syncUpload(id: string): Promise<void> {
    const file = this.#file(id);
    await Promise.all([fsyncPath(file), fsyncPath(`${file}.json`), fsyncPath(this.directory)]);
  }
}

// The stock constructor's asynchronous mkdir gives way to the synchronous one in ours (a private method in its
// typings, hence defineProperty rather than an override).
Object.defineProperty(UploadFileStore.prototype, 'checkOrCreateDirectory', { value: () => {} });
