/**
 * The Node UploadTransport: tus-js-client 4 with the ciphertext plugged in as its `fileReader`, so each chunk is
 * read and encrypted only when tus asks for it (memory stays at about one chunk per file in flight). Resume comes
 * from the portal's upload URL (tus 1.0 HEAD, then PATCH at Upload-Offset), not from tus-js-client's fingerprint
 * store. See shared/send/transport.ts for the contract.
 */
import http from 'node:http';
import https from 'node:https';
import { DetailedError, Upload } from 'tus-js-client';
import { readCiphertextParts, type UploadJob, type UploadTransport } from '../../shared/send/index.ts';
import { createNodeHttpStack, partsBody } from './node-http-stack.ts';

export interface TusTransportOptions {
  /**
   * Bytes per PATCH (default 4 MiB): a 16 MiB bundle is four requests. Measured on the 700 MB CD (npm run bench,
   * 2 runs each): send 9.1-10.1 s against 9.4-9.7 s with 8 MiB, sender peak RSS 181-183 MB against 201-216 MB.
   */
  chunkSize?: number;
  /** tus-js-client's own quick retries for a blip inside one attempt (default 0.5 s, 1 s, 3 s). */
  retryDelays?: number[];
}

export function createTusTransport(options: TusTransportOptions = {}): UploadTransport {
  const chunkSize = options.chunkSize ?? 4 * 1024 * 1024;
  // Keep-alive agents: one TCP connection per file lane instead of one per request.
  // noDelay: a request's last segment goes out at once instead of waiting on Nagle for the previous ACK (pitfalls.md,
  // DICOM section: the same effect cost DCMTK 20x). On loopback the difference is within the noise here.
  const agents = { http: new http.Agent({ keepAlive: true, noDelay: true }), https: new https.Agent({ keepAlive: true, noDelay: true }) };
  const httpStack = createNodeHttpStack({ agents });
  return {
    upload(job) {
      return new Promise<void>((resolve, reject) => {
        const upload = new Upload(Buffer.alloc(0), {
          endpoint: job.endpoint,
          uploadUrl: job.uploadUrl ?? null,
          uploadSize: job.source.size,
          // tus 1.0 Upload-Metadata: only the two ids; no file name or path ever leaves in clear.
          metadata: { shipmentId: job.metadata.shipmentId, fileId: job.metadata.fileId },
          chunkSize,
          parallelUploads: 1,
          uploadDataDuringCreation: true,
          storeFingerprintForResuming: false,
          removeFingerprintOnSuccess: false,
          retryDelays: options.retryDelays ?? [500, 1000, 3000],
          httpStack,
          fileReader: { openFile: async () => ciphertextFileSource(job) },
          onBeforeRequest: (request) => {
            request.setHeader('Authorization', `Bearer ${job.token}`);
          },
          onShouldRetry: (error) => {
            if (ownFailureCode(error)) return false; // our source failed (file changed): retrying cannot help
            const status = error.originalResponse?.getStatus() ?? 0;
            // Network errors, 5xx, 409 (offset mismatch: re-HEAD), 423 (locked), 429: worth another try.
            return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
          },
          onProgress: (bytesSent) => job.onProgress(bytesSent),
          onSuccess: () => {
            job.signal.removeEventListener('abort', onAbort);
            resolve();
          },
          onError: (error) => {
            job.signal.removeEventListener('abort', onAbort);
            reject(transportFailure(error));
          },
        });
        const onAbort = () => {
          void upload.abort(false);
          reject(Object.assign(new Error('upload aborted'), { code: 'E_SEND_ABORTED' }));
        };
        if (job.signal.aborted) return onAbort();
        job.signal.addEventListener('abort', onAbort, { once: true });
        upload.start();
      });
    },
  };
}

/**
 * tus-js-client's FileSource over the deterministic ciphertext. A chunk is the encryptor's pieces as they are
 * (readParts, when the source has it), which only our HTTP stack (node-http-stack.ts) sends: tus-js-client reads
 * nothing of a chunk but its `.size` (pitfalls.md) and hands it to the stack's send().
 */
function ciphertextFileSource(job: UploadJob) {
  const { source } = job;
  const size = source.size;
  return {
    size,
    async slice(start: number, end: number) {
      end = Math.min(end, size);
      return { value: partsBody(await readCiphertextParts(source, start, end)), done: end >= size };
    },
    close() {},
  };
}

/** The error with the HTTP status and the portal's code, for the pipeline's retry decision. */
function transportFailure(error: Error): Error & { status?: number; code?: string } {
  const response = error instanceof DetailedError ? error.originalResponse : null;
  const status = response?.getStatus();
  // A failure of our own source (the file changed under us: E_SEND_FILE_CHANGED, E_SOURCE) keeps its code, so the
  // pipeline stops instead of retrying what cannot get better.
  let code = ownFailureCode(error);
  let message = error.message;
  if (response) {
    try {
      const body = JSON.parse(response.getBody()) as { error?: { code?: string; message?: string } };
      if (typeof body.error?.code === 'string') {
        code = body.error.code;
        message = body.error.message ?? message;
      }
    } catch {
      // not the portal's JSON error: keep tus-js-client's message
    }
  }
  return Object.assign(new Error(message, { cause: error }), { ...(status ? { status } : {}), ...(code ? { code } : {}) });
}

/** The code of a failure of our own source under tus-js-client's DetailedError (E_SEND_FILE_CHANGED, E_SOURCE). */
function ownFailureCode(error: Error): string | undefined {
  const cause = (error as Error & { causingError?: { code?: unknown } | null }).causingError;
  return typeof cause?.code === 'string' && cause.code.startsWith('E_') ? cause.code : undefined;
}
