/**
 * Step two of a send: create (or resume) the shipment at the portal and upload every upload (a file, or a bundle
 * of files back to back: bundles.ts) the portal does not yet hold complete, encrypting lazily per chunk, through
 * the injected UploadTransport (transport.ts explains how one plugs in). Bounded concurrency across uploads; a
 * failed upload is retried with backoff after asking the portal for its upload URL again; a link problem (expired,
 * revoked, quota) stops everything at once. Completion is what the PORTAL confirms (GET /api/sender/shipments/:id),
 * not what tus callbacks said (tus-js-client #557).
 */
import { createFileEncryptor, type AesGcmEngine, type ScratchPool } from '../format/index.ts';
import { createBundleSource } from './bundle-source.ts';
import type { PlannedUpload } from './bundles.ts';
import type { PlannedFile, ShipmentPlan } from './plan-shipment.ts';
import { ProgressTracker, type SendProgress } from './progress.ts';
import { retryDelay, runBounded, sleep } from './retry.ts';
import { SendError } from './send-error.ts';
import type { SenderApi, ShipmentStatus } from './sender-api.ts';
import type { CiphertextSource, TransportFailure, UploadTransport } from './transport.ts';

export interface SendOptions {
  readonly api: SenderApi;
  readonly transport: UploadTransport;
  /** Uploads (files or bundles) in flight at once (default 4). */
  readonly concurrency?: number;
  /** Attempts per upload before giving up with E_SEND_UPLOAD (default 8, about a minute and a half of backoff). */
  readonly attemptsPerFile?: number;
  /** Bulk AES-GCM for the encryptor (Node may inject node:crypto); default WebCrypto. */
  readonly engine?: AesGcmEngine;
  /** Buffers for the plaintext of each chunk while it is sealed (Node; see shared/format/scratch-pool.ts). */
  readonly scratch?: ScratchPool;
  /**
   * Makes an upload's ciphertext elsewhere (the page: in a Web Worker, so reading, sealing and joining chunks never
   * hold its main thread) instead of ciphertextOf(recipe) here. It must give the same octets, i.e. run ciphertextOf
   * on the same recipe; the source is closed once the upload is done or has failed for good.
   */
  readonly openSource?: (recipe: CiphertextRecipe) => Promise<CiphertextSource>;
  onProgress?(progress: SendProgress): void;
  /** Human-readable happenings: a retry, a resumed shipment. */
  onNotice?(message: string): void;
  readonly signal?: AbortSignal;
}

export interface SendResult {
  readonly shipmentId: string;
  /** The portal's state after the last file (received, importing, held…). */
  readonly state: string;
  /** Manifest files (DICOM instances), whatever uploads carried them. */
  readonly files: number;
  /** Ciphertext bytes of the whole shipment. */
  readonly bytes: number;
  /** Manifest files the portal already held complete before this run (resume). */
  readonly alreadyComplete: number;
  readonly status: ShipmentStatus;
}

/** Rounds of "upload what is missing, then ask the portal" before E_SEND_INCOMPLETE. */
const CONFIRM_ROUNDS = 3;

export async function sendShipment(plan: ShipmentPlan, options: SendOptions): Promise<SendResult> {
  const { api } = options;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    await api.createShipment({
      shipmentId: plan.shipmentId,
      envelope: plan.envelope,
      files: plan.uploads.map(({ fileId, size, partIds }) => ({ fileId, size, ...(partIds ? { parts: [...partIds] } : {}) })),
    });
    let status = await api.shipment(plan.shipmentId);
    // By upload id: a CD has thousands of files, and a find() per upload over the portal's list is quadratic.
    const portalFiles = (answer: ShipmentStatus) => new Map(answer.files.map((file) => [file.fileId, file]));
    const firstHeld = portalFiles(status);
    const tracker = new ProgressTracker(
      plan.uploads.map((upload) => {
        const held = firstHeld.get(upload.fileId);
        const partEnds = upload.parts.map((part) => part.offset + part.file.size);
        return { fileId: upload.fileId, size: upload.size, received: held?.received ?? 0, complete: held?.complete ?? false, partEnds };
      }),
    );
    const alreadyComplete = tracker.snapshot().filesDone;
    if (alreadyComplete > 0) options.onNotice?.(`resuming: the portal already holds ${alreadyComplete} of ${plan.files.length} files`);
    options.onProgress?.(tracker.snapshot());

    for (let round = 1; ; round++) {
      const held = portalFiles(status);
      const missing = plan.uploads.filter((upload) => !held.get(upload.fileId)?.complete);
      if (missing.length === 0) break;
      if (round > CONFIRM_ROUNDS) {
        throw new SendError('E_SEND_INCOMPLETE', `the portal does not confirm ${missing.length} upload(s) complete after the upload`);
      }
      const urls = new Map(status.files.map((file) => [file.fileId, file.uploadUrl ?? undefined]));
      try {
        await runBounded(missing, options.concurrency ?? 4, (upload) => uploadWithRetry(plan, upload, urls.get(upload.fileId), tracker, options, controller.signal));
      } catch (error) {
        controller.abort();
        throw error;
      }
      status = await api.shipment(plan.shipmentId);
    }
    for (const upload of plan.uploads) tracker.uploadDone(upload.fileId);
    options.onProgress?.(tracker.snapshot());
    return {
      shipmentId: plan.shipmentId,
      state: status.state,
      files: plan.files.length,
      bytes: plan.uploads.reduce((sum, upload) => sum + upload.size, 0),
      alreadyComplete,
      status,
    };
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** What an upload's ciphertext is made from: the shipment's key material and its files in offset order. */
export interface CiphertextRecipe {
  readonly secret: Uint8Array;
  readonly shipmentId: string;
  readonly files: ReadonlyArray<Pick<PlannedFile, 'fileId' | 'plainSize' | 'size' | 'plain'>>;
}

/**
 * The upload's ciphertext: a lone file's encryptor, or the bundle of its files' encryptors back to back (each its
 * own aes128gcm body, keyed by its own fileId: docs/format.md).
 */
export async function ciphertextOf(recipe: CiphertextRecipe, options: Pick<SendOptions, 'engine' | 'scratch'> = {}): Promise<CiphertextSource> {
  const encryptorOf = (file: CiphertextRecipe['files'][number]): Promise<CiphertextSource> =>
    createFileEncryptor({
      secret: recipe.secret,
      shipmentId: recipe.shipmentId,
      fileId: file.fileId,
      plainSize: file.plainSize,
      readPlain: (start, end, into) => file.plain.read(start, end, into),
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.scratch ? { scratch: options.scratch } : {}),
    });
  if (recipe.files.length === 1) return encryptorOf(recipe.files[0]!);
  return createBundleSource(recipe.files.map((file) => ({ size: file.size, open: () => encryptorOf(file) })));
}

/** How an upload is named in messages: its file's path, or the first path of a bundle and how many follow. */
function describeUpload(upload: PlannedUpload): string {
  const first = upload.parts[0]!.file.path;
  return upload.parts.length === 1 ? `file ${first}` : `the ${upload.parts.length} files from ${first}`;
}

async function uploadWithRetry(
  plan: ShipmentPlan,
  upload: PlannedUpload,
  firstUrl: string | undefined,
  tracker: ProgressTracker,
  options: SendOptions,
  signal: AbortSignal,
): Promise<void> {
  const recipe = { secret: plan.secret, shipmentId: plan.shipmentId, files: upload.parts.map((part) => part.file) };
  const source = await (options.openSource ? options.openSource(recipe) : ciphertextOf(recipe, options));
  try {
    await uploadSource(plan, upload, source, firstUrl, tracker, options, signal);
  } finally {
    source.close?.();
  }
}

async function uploadSource(
  plan: ShipmentPlan,
  upload: PlannedUpload,
  source: CiphertextSource,
  firstUrl: string | undefined,
  tracker: ProgressTracker,
  options: SendOptions,
  signal: AbortSignal,
): Promise<void> {
  const attempts = options.attemptsPerFile ?? 8;
  const what = describeUpload(upload);
  let uploadUrl = firstUrl;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new SendError('E_SEND_ABORTED', 'aborted');
    try {
      await options.transport.upload({
        endpoint: options.api.uploadEndpoint,
        uploadUrl,
        token: options.api.token,
        metadata: { shipmentId: plan.shipmentId, fileId: upload.fileId },
        source,
        onProgress: (bytes) => {
          tracker.uploadBytes(upload.fileId, bytes);
          options.onProgress?.(tracker.snapshot());
        },
        signal,
      });
      tracker.uploadDone(upload.fileId);
      options.onProgress?.(tracker.snapshot());
      return;
    } catch (error) {
      if (signal.aborted) throw new SendError('E_SEND_ABORTED', 'aborted', { cause: error });
      const failure = asSendError(error);
      // The portal says this upload is already complete (a lost answer to the last PATCH): done, confirmed later.
      if (failure.code === 'E_FILE_COMPLETE') return;
      // tus answers 404/410 for an upload that is gone and 409 for an offset mismatch: start again from what
      // the portal reports. Other 4xx (link expired or revoked, quota) cannot get better by retrying.
      const transient = failure.status === 404 || failure.status === 409 || failure.status === 410;
      if ((failure.permanent && !transient) || failure.code === 'E_SEND_FILE_CHANGED') throw failure;
      if (attempt >= attempts) {
        throw new SendError('E_SEND_UPLOAD', `${what} failed after ${attempts} attempts: ${failure.message}`, { cause: error });
      }
      // The last request may have landed although its answer was lost (a portal crash, a cut connection): if the
      // portal holds the upload complete, it is done. Otherwise a retry would meet 409 (E_FILE_COMPLETE, or
      // E_STATE_CONFLICT once the whole shipment is received) until the attempts run out.
      const fresh = await freshUploadState(options.api, plan.shipmentId, upload.fileId, uploadUrl);
      if (fresh.complete) {
        tracker.uploadDone(upload.fileId);
        options.onProgress?.(tracker.snapshot());
        return;
      }
      options.onNotice?.(`retrying ${what} (attempt ${attempt + 1} of ${attempts}): ${failure.message}`);
      await sleep(retryDelay(attempt), signal);
      uploadUrl = fresh.uploadUrl;
    }
  }
}

/** Asks the portal where this upload stands now; keeps the old URL when the portal cannot say. */
async function freshUploadState(api: SenderApi, shipmentId: string, fileId: string, previous: string | undefined): Promise<{ uploadUrl: string | undefined; complete: boolean }> {
  try {
    const status = await api.shipment(shipmentId);
    const file = status.files.find((candidate) => candidate.fileId === fileId);
    return file ? { uploadUrl: file.uploadUrl ?? undefined, complete: file.complete } : { uploadUrl: previous, complete: false };
  } catch (error) {
    const failure = asSendError(error);
    if (failure.permanent) throw failure;
    return { uploadUrl: previous, complete: false };
  }
}

function asSendError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const failure = error as TransportFailure;
  const code = typeof failure?.code === 'string' && failure.code.startsWith('E_') ? failure.code : 'E_SEND_UPLOAD';
  // A 413 without the portal's own error body (which names E_QUOTA_BYTES...) comes from a proxy in front of the
  // portal that limits request bodies (nginx: 1 MiB unless client_max_body_size says otherwise).
  if (failure?.status === 413 && code === 'E_SEND_UPLOAD') {
    return new SendError('E_SEND_PROXY_LIMIT', 'a proxy in front of the portal refused an upload request as too large (HTTP 413): '
      + 'its administrator must let request bodies of several MiB through (nginx: client_max_body_size 0, see docs/nginx.conf)', { cause: error, status: 413 });
  }
  // A transport failure without an HTTP status is a network problem: retryable.
  return new SendError(code, failure?.message ?? String(error), { cause: error, ...(failure?.status ? { status: failure.status } : {}) });
}
