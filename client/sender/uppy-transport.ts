/**
 * The browser's UploadTransport (shared/send/transport.ts): @uppy/core, headless (no Dashboard: thousands of
 * rows help nobody and are reported slow), with @uppy/tus underneath. Each job becomes one Uppy file whose
 * bytes come from the pipeline's deterministic encryptor through tus-js-client's `fileReader` option, chunk by
 * chunk, so a 700 MB CD is never encrypted into memory first (pitfalls.md: never an Uppy preprocessor).
 *
 * tus 1.0 and the portal's rules enforced here:
 * - Upload-Length is the CIPHERTEXT size (the fileReader's source size; tus-js-client takes it from there).
 * - Upload-Metadata carries only shipmentId and fileId (`allowedMetaFields`); the Uppy file name is the opaque
 *   file id, so neither the CD's file names nor relative paths reach the portal.
 * - Creation-with-upload (`uploadDataDuringCreation`): one request for a small file.
 * - parallelUploads 1: the portal has no Concatenation extension. Concurrency is across files (`limit`).
 * - No fingerprint store: resume comes from the portal's uploadUrl (job.uploadUrl), not from localStorage.
 * - Removing a file from Uppy would make @uppy/tus send a tus DELETE (termination) for a started upload; an
 *   aborted job must stay resumable, so its upload URL is forgotten on the tus.Upload before removal.
 */
import Uppy from '@uppy/core';
import Tus from '@uppy/tus';
import type { UploadJob, UploadTransport, TransportFailure } from '../../shared/send/transport.ts';
import { ciphertextFileReader } from './ciphertext-reader.ts';

export interface UppyTransportOptions {
  /** Files uploaded at the same time (pitfalls.md: 4-6; @uppy/tus defaults to 20). */
  limit?: number;
  /** Bytes per PATCH; bounds the ciphertext held in memory per file. */
  chunkSize?: number;
  /** tus-js-client's own quick retries before the pipeline's backoff takes over. */
  retryDelays?: number[];
  /** Called when a request failed and tus will retry (the page shows "connection lost, retrying"). */
  onRetry?: (error: Error) => void;
}

interface Pending {
  job: UploadJob;
  resolve(): void;
  reject(error: Error): void;
}

type Meta = { shipmentId: string; fileId: string };

/**
 * The Uppy file's own data, never read (the bytes come from the fileReader). One Blob for every file: Chromium
 * registers each new Blob with its browser process through a synchronous IPC, ~1.4 ms of main thread per file.
 */
const NO_DATA = new Blob([]);

export class UppyTransport implements UploadTransport {
  readonly uppy: Uppy<Meta, Record<string, never>>;
  private readonly pending = new Map<string, Pending>();
  private paused = false;
  private waitingForResume: Array<() => void> = [];
  private sequence = 0;
  private readonly onRetry: ((error: Error) => void) | undefined;
  private readonly chunkSize: number;

  constructor(options: UppyTransportOptions = {}) {
    this.onRetry = options.onRetry;
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    this.uppy = new Uppy<Meta, Record<string, never>>({ autoProceed: false, allowMultipleUploadBatches: true, debug: false });
    this.uppy.use(Tus, {
      endpoint: '',
      limit: options.limit ?? 5,
      chunkSize: this.chunkSize,
      retryDelays: options.retryDelays ?? [0, 1000, 3000, 5000],
      allowedMetaFields: ['shipmentId', 'fileId'],
      uploadDataDuringCreation: true,
      storeFingerprintForResuming: false,
      removeFingerprintOnSuccess: true,
      parallelUploads: 1,
      onBeforeRequest: (request, file) => {
        const token = this.pending.get(file.id)?.job.token;
        if (token) request.setHeader('Authorization', `Bearer ${token}`);
      },
      onShouldRetry: (error, _attempt, _options, next) => {
        const retry = next(error);
        if (retry) this.onRetry?.(error);
        return retry;
      },
    });
    this.uppy.on('upload-progress', (file, progress) => {
      if (file && typeof progress.bytesUploaded === 'number') this.pending.get(file.id)?.job.onProgress(progress.bytesUploaded);
    });
    this.uppy.on('upload-success', (file) => {
      if (file) this.finish(file.id);
    });
    this.uppy.on('upload-error', (file, error, response) => {
      if (!file) return;
      const failure = error as TransportFailure;
      const status = response?.status ?? (error as { originalResponse?: { getStatus(): number } }).originalResponse?.getStatus?.();
      if (typeof status === 'number' && status > 0) failure.status = status;
      const body = (error as { originalResponse?: { getBody(): string } }).originalResponse?.getBody?.();
      const code = parseErrorCode(body);
      if (code) failure.code = code;
      this.finish(file.id, failure, false); // refs already released; removing now keeps uppy.upload() from retrying it
    });
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** Stops every running request (no termination: offsets stay on the portal) and holds new jobs back. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.uppy.pauseAll();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.uppy.resumeAll();
    const waiting = this.waitingForResume;
    this.waitingForResume = [];
    for (const go of waiting) go();
  }

  async upload(job: UploadJob): Promise<void> {
    if (this.paused) await new Promise<void>((resolve) => this.waitingForResume.push(resolve));
    if (job.signal.aborted) throw abortError();
    const reader = ciphertextFileReader(job.source);
    if (!job.uploadUrl) reader.prefetch(this.chunkSize); // see ciphertext-reader.ts: keeps the upload lanes busy
    const fileReader = reader.fileReader;
    // A unique Uppy name per job: the pipeline may retry the same file while an aborted attempt lingers.
    const name = `${job.metadata.fileId}.${++this.sequence}`;
    return new Promise<void>((resolve, reject) => {
      const id = this.uppy.addFile({
        name,
        type: 'application/octet-stream',
        data: NO_DATA,
        meta: { shipmentId: job.metadata.shipmentId, fileId: job.metadata.fileId },
        source: 'beeldpoort',
        isRemote: false,
      });
      this.uppy.setFileState(id, {
        tus: { endpoint: job.endpoint, uploadUrl: job.uploadUrl ?? null, fileReader },
      });
      this.pending.set(id, { job, resolve, reject });
      const onAbort = () => {
        const tusPlugin = this.uppy.getPlugin<Tus<Meta, Record<string, never>>>('Tus');
        const upload = tusPlugin?.uploaders[id];
        if (upload) upload.url = null; // see the header: removal must not terminate a resumable upload
        this.finish(id, abortError(), false);
      };
      job.signal.addEventListener('abort', onAbort, { once: true });
      this.uppy.upload().catch((error: unknown) => this.finish(id, error instanceof Error ? error : new Error(String(error)), false));
    });
  }

  /**
   * Settles a job and drops its Uppy file. Inside an Uppy event the removal waits a tick: @uppy/tus emits
   * upload-success BEFORE it releases the tus.Upload, and removing it then would terminate (DELETE) the upload.
   */
  private finish(id: string, error?: Error, insideEvent = true): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    const remove = () => {
      if (this.uppy.getFile(id)) this.uppy.removeFile(id);
    };
    if (insideEvent) setTimeout(remove, 0);
    else remove();
    if (error) entry.reject(error);
    else entry.resolve();
  }

  destroy(): void {
    for (const id of [...this.pending.keys()]) {
      const upload = this.uppy.getPlugin<Tus<Meta, Record<string, never>>>('Tus')?.uploaders[id];
      if (upload) upload.url = null;
      this.finish(id, abortError(), false);
    }
    this.uppy.destroy();
  }
}

function abortError(): Error {
  const error = new Error('upload aborted');
  error.name = 'AbortError';
  return error;
}

/** The portal's `{ error: { code } }` body, if that is what the failed request returned. */
function parseErrorCode(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
