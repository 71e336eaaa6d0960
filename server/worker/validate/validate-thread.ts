/**
 * The body of the validation thread: reads one staged file and validates it. It runs in a worker_thread so a
 * parser that hangs or balloons on hostile input is cut off (validator.ts terminates it) without taking the
 * worker process down with it.
 */
import { readFile, stat } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { validatePart10 } from './validate-part10.ts';
import { WorkerError } from '../worker-error.ts';

export interface ValidateRequest {
  readonly id: number;
  readonly path: string;
  readonly maxBytes: number;
}

parentPort!.on('message', async (request: ValidateRequest) => {
  try {
    const { size } = await stat(request.path);
    if (size > request.maxBytes) throw new WorkerError('E_DICOM_TOO_LARGE', `${size} bytes, limit ${request.maxBytes}`);
    const bytes = await readFile(request.path);
    const result = validatePart10(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    parentPort!.postMessage({ id: request.id, ok: true, result });
  } catch (error) {
    const code = error instanceof WorkerError ? error.code : 'E_DICOM_INVALID';
    parentPort!.postMessage({ id: request.id, ok: false, code, message: error instanceof Error ? error.message : String(error) });
  }
});

// Tells validator.ts the thread has loaded, so its time limit covers parsing, not module loading.
parentPort!.postMessage({ ready: true });
