/**
 * The page side of hashing and encryption in a Web Worker (cipher-host.ts): the plan's hashFile hook gets each
 * file's SHA-256 from the worker, and the pipeline's openSource hook (shared/send send-shipment.ts) a source whose
 * chunks are Blobs the worker read, sealed and joined, so the page's main thread only moves finished chunks to tus.
 * Same octets as on the page: the worker runs the same shared code (sha256Hex, ciphertextOf).
 */
import type { CiphertextRecipe, CiphertextSource, PlainFile } from '../../shared/send/index.ts';
import type { CipherReply, CipherRequest } from './cipher-protocol.ts';
import { WORKER_URL } from './scan-client.ts';

/** A ciphertext source that can hand a chunk over as a Blob (ciphertext-reader.ts sends that as the request body). */
export interface BlobCiphertextSource extends CiphertextSource {
  readBlob(start: number, end: number): Promise<Blob>;
}

interface Waiting {
  resolve(reply: Blob | string): void;
  reject(error: Error): void;
}

export class CipherWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private nextRequest = 1;
  private broken: Error | undefined;

  /** `fileOf`: the picked File behind a plan's PlainFile (the worker reads it itself). */
  constructor(
    private readonly fileOf: (plain: PlainFile) => File,
    workerUrl = WORKER_URL,
  ) {
    this.worker = new Worker(workerUrl, { type: 'module', name: 'beeldpoort-cipher' });
    this.worker.addEventListener('message', (event: MessageEvent<CipherReply>) => {
      const reply = event.data;
      const waiting = this.waiting.get(reply.request);
      if (!waiting) return;
      this.waiting.delete(reply.request);
      if (reply.type === 'cipher-chunk') waiting.resolve(reply.chunk);
      else if (reply.type === 'cipher-digest') waiting.resolve(reply.hex);
      else waiting.reject(Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {}));
    });
    this.worker.addEventListener('error', (event) => this.fail(new Error(event.message || 'the cipher worker failed to start')));
  }

  /** The plan's hashFile: the file's SHA-256 (lowercase hex), taken in the worker. */
  hash(plain: PlainFile): Promise<string> {
    const file = this.fileOf(plain);
    return this.ask((request) => ({ type: 'cipher-hash', request, file })) as Promise<string>;
  }

  /** The pipeline's openSource: the upload's ciphertext, made in the worker. */
  open(recipe: CiphertextRecipe): BlobCiphertextSource {
    const id = this.nextId++;
    const files = recipe.files.map(({ fileId, plainSize, size, plain }) => ({ fileId, plainSize, size, file: this.fileOf(plain) }));
    this.post({ type: 'cipher-open', id, secret: recipe.secret, shipmentId: recipe.shipmentId, files });
    const size = recipe.files.reduce((sum, file) => sum + file.size, 0);
    const readBlob = (start: number, end: number) => this.ask((request) => ({ type: 'cipher-read', id, request, start, end })) as Promise<Blob>;
    return {
      size,
      readBlob,
      read: async (start, end) => new Uint8Array(await (await readBlob(start, end)).arrayBuffer()),
      close: () => this.post({ type: 'cipher-close', id }),
    };
  }

  terminate(): void {
    this.fail(new Error('the send has ended'));
    this.worker.terminate();
  }

  private ask(message: (request: number) => CipherRequest): Promise<Blob | string> {
    if (this.broken) return Promise.reject(this.broken);
    const request = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.waiting.set(request, { resolve, reject });
      this.post(message(request));
    });
  }

  private post(message: CipherRequest): void {
    this.worker.postMessage(message);
  }

  private fail(error: Error): void {
    this.broken ??= error;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const { reject } of waiting) reject(error);
  }
}
