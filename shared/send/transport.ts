/**
 * How file bytes reach the portal: the pipeline (send-shipment.ts) decides WHAT to upload and hands each file to
 * an injected UploadTransport, which only moves bytes with tus 1.0. In Node that is tus-js-client
 * (server/send/tus-transport.ts); in the browser @uppy/tus (client/sender/). A transport plugs in like this:
 *
 * - `job.source` is the file's CIPHERTEXT: `size` is the ciphertext size (use it as the tus Upload-Length) and
 *   `read(start, end)` returns exactly those ciphertext bytes, encrypting lazily. It is deterministic, so a retry
 *   or a resume at any offset re-sends identical bytes. Give it to tus-js-client as its `fileReader` option:
 *     fileReader: { openFile: async () => ({ size: job.source.size,
 *       slice: async (s, e) => { const b = await job.source.read(s, Math.min(e, job.source.size));
 *                                return { value: <Blob of b, or a Node Buffer with .size set>, done: e >= size } },
 *       close() {} }) }
 *   (pitfalls.md: the chunk must have `.size`). Never encrypt in an Uppy preprocessor.
 * - `job.uploadUrl`, when set, is the tus upload the portal already has for this file: resume there (tus-js-client
 *   `uploadUrl` option; it HEADs the offset and continues, or creates a new upload when that one is gone). Do not
 *   rely on tus-js-client's fingerprint store: storeFingerprintForResuming false.
 * - `job.metadata` is the whole Upload-Metadata: shipmentId and fileId only (no file name, no relative path).
 * - Authenticate every request with `Authorization: Bearer ${job.token}` (tus-js-client `onBeforeRequest`).
 * - Options that matter: parallelUploads 1 (the portal has no Concatenation extension), uploadDataDuringCreation
 *   true (one request for a small file), a chunkSize of a few MB, retryDelays for short network blips.
 * - Report `job.onProgress(absoluteBytesSent)`; resolve when tus reports success; reject on failure with an Error
 *   carrying `status` (the last HTTP status, if any) and, if the portal sent one, `code` from its error body.
 *   Abort promptly (and reject) when `job.signal` aborts.
 * The pipeline does the rest: bounded concurrency across files, retry with backoff (asking the portal for the
 * upload URL again), and the final confirmation with the portal, because tus success alone is not proof
 * (tus-js-client #557).
 */

/** The deterministic ciphertext of one file (shared/format createFileEncryptor). */
export interface CiphertextSource {
  readonly size: number;
  read(start: number, end: number): Promise<Uint8Array>;
  /**
   * The same octets as read(start, end), as consecutive pieces not yet copied together (shared/format's
   * FileEncryptor has it); a transport that can send pieces saves that copy. Absent on a plain source.
   */
  readParts?(start: number, end: number): Promise<Uint8Array[]>;
  /** Releases what the source holds elsewhere (the page's cipher worker); called once its upload has ended. */
  close?(): void;
}

/** A source's octets [start, end) as pieces: readParts when the source has it, else one read. */
export function readCiphertextParts(source: CiphertextSource, start: number, end: number): Promise<Uint8Array[]> {
  return source.readParts ? source.readParts(start, end) : source.read(start, end).then((bytes) => [bytes]);
}

export interface UploadJob {
  /** tus creation endpoint, e.g. https://portal.example/uploads. */
  readonly endpoint: string;
  /** An existing tus upload of this file to resume, from GET /api/sender/shipments/:id. */
  readonly uploadUrl: string | undefined;
  /** The link token, sent as `Authorization: Bearer`. */
  readonly token: string;
  /** The complete Upload-Metadata. */
  readonly metadata: { readonly shipmentId: string; readonly fileId: string };
  readonly source: CiphertextSource;
  /** Absolute bytes of this file the server has acknowledged or is receiving. */
  onProgress(bytesSent: number): void;
  readonly signal: AbortSignal;
}

export interface UploadTransport {
  /** Uploads one file; resolves when tus reports the upload complete. */
  upload(job: UploadJob): Promise<void>;
}

/** What a transport rejects with (any Error with these optional fields). */
export interface TransportFailure extends Error {
  status?: number;
  code?: string;
}
