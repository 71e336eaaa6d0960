/**
 * The body of the validation thread: reads one staged file and validates it. It runs in a worker_thread so a
 * parser that hangs or balloons on hostile input is cut off (validator.ts terminates it) without taking the
 * worker process down with it.
 */
import { readFile, stat } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { validatePart10 } from './validate-part10.ts';
import { WorkerError } from '../worker-error.ts';

/** A staged file by path, or one held in memory whose buffer was moved here (and goes back with the answer). */
export type ValidateRequest = { readonly id: number; readonly maxBytes: number } & ({ readonly path: string } | { readonly bytes: Uint8Array });

async function read(request: ValidateRequest): Promise<Uint8Array> {
  if ('bytes' in request) return request.bytes;
  const { size } = await stat(request.path);
  if (size > request.maxBytes) throw new WorkerError('E_DICOM_TOO_LARGE', `${size} bytes, limit ${request.maxBytes}`);
  const bytes = await readFile(request.path);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

parentPort!.on('message', async (request: ValidateRequest) => {
  try {
    const bytes = await read(request);
    const result = validatePart10(bytes);
    if ('bytes' in request) parentPort!.postMessage({ id: request.id, ok: true, result, bytes }, [bytes.buffer as ArrayBuffer]);
    else parentPort!.postMessage({ id: request.id, ok: true, result });
  } catch (error) {
    const code = error instanceof WorkerError ? error.code : 'E_DICOM_INVALID';
    parentPort!.postMessage({ id: request.id, ok: false, code, message: error instanceof Error ? error.message : String(error) });
  }
});

// Tells validator.ts the thread has loaded, so its time limit covers parsing, not module loading.
parentPort!.postMessage({ ready: true });
