/**
 * Runs validatePart10 on staged files inside a worker thread with a heap limit and a per-file time limit, one file
 * at a time. A file that exceeds either is rejected (E_DICOM_PARSE_LIMIT) and the thread is replaced, so a poison
 * file costs one rejection, never a hung or crashed worker.
 */
import { Worker } from 'node:worker_threads';
import type { ValidatedInstance } from './validate-part10.ts';
import { WorkerError, type WorkerCode } from '../worker-error.ts';

export interface ValidatorOptions {
  /** Time one file may take to parse (default 30 s). */
  readonly timeoutMs?: number;
  /** Largest instance accepted (default 2 GiB: Node's Buffer limit on 64-bit is larger, our memory is not). */
  readonly maxBytes?: number;
  /** V8 heap limit of the thread in MiB (default 256; file bytes live outside the heap). */
  readonly maxHeapMb?: number;
}

export interface Validator {
  /** Validates a staged file (the thread reads it). */
  validate(path: string): Promise<ValidatedInstance>;
  /**
   * Validates a file held in memory. Its buffer is moved to the thread and back, not copied: `bytes` must be a whole
   * ArrayBuffer of its own, is unusable afterwards, and the same octets come back as `bytes` in the answer.
   */
  validateBytes(bytes: Uint8Array): Promise<{ instance: ValidatedInstance; bytes: Uint8Array }>;
  close(): Promise<void>;
}

type Reply = { id: number; ok: true; result: ValidatedInstance; bytes?: Uint8Array } | { id: number; ok: false; code: WorkerCode; message: string };
type Input = { path: string } | { bytes: Uint8Array };

interface Thread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  pending?: { id: number; resolve: (r: Reply) => void; reject: (e: Error) => void };
}

export function createValidator(options: ValidatorOptions = {}): Validator {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
  let thread: Thread | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let nextId = 1;

  const spawn = (): Thread => {
    // From the sources, validate-thread.mjs beside this file registers tsx and loads validate-thread.ts; the CLI
    // bundle (scripts/build-cli.mjs) ships the thread compiled as validate-thread.mjs beside this code's chunk, and
    // the marker keeps this import.meta.url the chunk's own, so a bundled worker's thread starts without tsx.
    const worker = new Worker(new URL('./validate-thread.mjs', import.meta.url /* bundle: own url */), {
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 256, maxYoungGenerationSizeMb: 32 },
    });
    let markReady!: () => void;
    let failStart!: (e: Error) => void;
    const created: Thread = { worker, ready: new Promise<void>((resolve, reject) => ((markReady = resolve), (failStart = reject))) };
    created.ready.catch(() => undefined);
    const fail = (error: Error) => {
      if (thread === created) thread = undefined;
      failStart(error);
      created.pending?.reject(new WorkerError('E_DICOM_PARSE_LIMIT', error.message));
      created.pending = undefined;
    };
    worker.on('message', (message: Reply | { ready: true }) => {
      if ('ready' in message) return markReady();
      if (created.pending?.id === message.id) created.pending.resolve(message);
      created.pending = undefined;
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`validation thread exited (${code})`)));
    return created;
  };

  const run = async (input: Input): Promise<Reply & { ok: true }> => {
    if ('bytes' in input) {
      if (input.bytes.byteLength > maxBytes) throw new WorkerError('E_DICOM_TOO_LARGE', `${input.bytes.byteLength} bytes, limit ${maxBytes}`);
      if (input.bytes.byteOffset !== 0 || input.bytes.byteLength !== input.bytes.buffer.byteLength) throw new RangeError('validateBytes needs a whole ArrayBuffer');
    }
    thread ??= spawn();
    const current = thread;
    await current.ready;
    const id = nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new WorkerError('E_DICOM_PARSE_LIMIT', `no result after ${timeoutMs} ms`));
        current.pending = undefined;
        if (thread === current) thread = undefined;
        void current.worker.terminate();
      }, timeoutMs);
      const done = <T>(fn: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        fn(v);
      };
      current.pending = { id, resolve: done(resolve), reject: done(reject) };
      if ('bytes' in input) current.worker.postMessage({ id, bytes: input.bytes, maxBytes }, [input.bytes.buffer as ArrayBuffer]);
      else current.worker.postMessage({ id, path: input.path, maxBytes });
    });
    if (!reply.ok) {
      const error = new WorkerError(reply.code);
      error.message = reply.message; // already "<meaning of code>: <detail>", made in the thread
      throw error;
    }
    return reply;
  };
  const queued = (input: Input) => {
    const result = queue.then(() => run(input));
    queue = result.catch(() => undefined);
    return result;
  };

  return {
    validate: async (path) => (await queued({ path })).result,
    async validateBytes(bytes) {
      const reply = await queued({ bytes });
      return { instance: reply.result, bytes: reply.bytes! };
    },
    async close() {
      const current = thread;
      thread = undefined;
      if (current) {
        current.worker.removeAllListeners('exit');
        await current.worker.terminate();
      }
    },
  };
}
