/**
 * The first half of an import: every file to import is staged as soon as the portal has its upload complete (a transfer
 * may still be uploading: the lease keeper's heartbeats show newly complete files), authenticated, hashed and
 * validated. Files that fail are rejected with their code right here (in the ledger); `onStaged` gets the
 * ones that passed. Transient trouble (portal unreachable, upload stalled, stop requested) stops the whole run with
 * an error after the files in progress have settled, so the caller can release the lease cleanly.
 */
import { FormatError, sliceOf, type ManifestFile } from '../../shared/format/index.ts';
import type { ImportDeps } from './import-shipment.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import { discardPlaintext, type Plaintext } from './plaintext.ts';
import type { Lease, PortalFile } from './portal-client.ts';
import { backoffMs, isPortalOutage, pause } from './portal-retry.ts';
import { stageFile } from './stage-file.ts';
import { identityDifferences, type ValidatedInstance } from './validate/validate-part10.ts';
import { WorkerError } from './worker-error.ts';

export interface StagedFile {
  readonly file: ManifestFile;
  readonly plaintext: Plaintext;
  readonly instance: ValidatedInstance;
}

export interface StageAllRequest {
  readonly lease: Lease;
  readonly secret: Uint8Array;
  readonly dir: string;
  readonly keeper: LeaseKeeper;
  readonly signal: AbortSignal;
  readonly files: readonly ManifestFile[];
  /** Whether a file's plaintext waits in memory rather than in a staging file (the caller's memory bound). */
  readonly inMemory: (file: ManifestFile) => boolean;
  readonly deps: ImportDeps;
  readonly onStaged: (staged: StagedFile) => Promise<void>;
  /** Told after each rejection (to report it soon). */
  readonly onRejected?: () => void;
}

/** The shortest interval between two heartbeats asked for newly complete files. */
const REFRESH_MS = 250;

/** Rejections that belong to the file (the sender's bytes), not to the moment. */
const FILE_FAULTS = new Set(['E_DECRYPT', 'E_HASH_MISMATCH', 'E_SIZE_MISMATCH', 'E_FILE_NOT_DECLARED']);

async function stageOne(request: StageAllRequest, uploadSizes: ReadonlyMap<string, number>, file: ManifestFile): Promise<void> {
  const { deps, lease, signal } = request;
  const id = lease.shipmentId;
  const reject = (code: string, reason: string) => {
    deps.ledger.record(id, file.fileId, 'rejected', { code, reason, sopInstanceUid: file.dicom.sopInstanceUid });
    request.onRejected?.();
  };
  const inMemory = request.inMemory(file);
  const uploadSize = uploadSizes.get(sliceOf(file).uploadId);
  // planFiles rejected every file whose upload the lease does not list: this is a caller's bug, not the sender's.
  if (uploadSize === undefined) throw new Error(`file ${file.fileId} has no declared upload`);
  let plaintext: Plaintext | undefined;
  let firstFailure: number | undefined;
  for (let attempt = 1; plaintext === undefined; attempt++) {
    try {
      plaintext = await stageFile({ client: deps.client, shipmentId: id, secret: request.secret, file, uploadSize, dir: request.dir, inMemory, signal });
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if ((error instanceof FormatError || error instanceof WorkerError) && FILE_FAULTS.has(code)) {
        deps.log.warn({ shipmentId: id, fileId: file.fileId, code }, 'file rejected');
        return void reject(code, (error as Error).message);
      }
      // The portal away (a restart, the network): the file is fetched again from byte 0 with backoff while the
      // outage window lasts; the lease waits in the portal's database. Anything else stops the run.
      firstFailure ??= Date.now();
      if (!isPortalOutage(error) || signal.aborted || Date.now() - firstFailure >= deps.policy.portalRetry.windowMs) throw error;
      deps.log.warn({ shipmentId: id, fileId: file.fileId, attempt, err: error }, 'portal unreachable; retrying the download');
      await pause(backoffMs(attempt - 1, deps.policy.portalRetry), signal);
    }
  }
  // No ledger commit for "downloaded" or "decrypted" (nor here for "validated": the caller records it for a file that
  // waits): a state short of terminal is redone from the ciphertext after a restart whatever it says, so those
  // commits bought nothing and cost one SQLite transaction each per file.
  let instance: ValidatedInstance;
  try {
    if (plaintext.kind === 'memory') {
      const validated = await deps.validator.validateBytes(plaintext.bytes);
      plaintext = { kind: 'memory', bytes: validated.bytes };
      instance = validated.instance;
    } else {
      instance = await deps.validator.validate(plaintext.path);
    }
    const differences = identityDifferences(instance, file.dicom);
    if (differences.length > 0) throw new WorkerError('E_IDENTITY_MISMATCH', differences.join('; '));
  } catch (error) {
    await discardPlaintext(plaintext);
    if (!(error instanceof WorkerError)) throw error;
    deps.log.warn({ shipmentId: id, fileId: file.fileId, code: error.code }, 'file rejected');
    return void reject(error.code, error.message);
  }
  await request.onStaged({ file, plaintext, instance });
}

export async function stageAll(request: StageAllRequest): Promise<void> {
  const { deps, keeper, signal } = request;
  // Declared size of each upload, by upload id: the lease lists every upload of the shipment.
  const uploadSizes = new Map(request.lease.files.map((f) => [f.fileId, f.size]));
  const waiting = new Map(request.files.map((f) => [f.fileId, f]));
  // A file can start once its UPLOAD is complete: heartbeats list uploads (a bundle carries several files).
  const uploadOf = new Map(request.files.map((f) => [f.fileId, sliceOf(f).uploadId]));
  const running = new Set<Promise<void>>();
  let failure: unknown;
  let lastProgress = Date.now();
  let lastRefresh = 0;
  // The set of complete files is rebuilt only when a heartbeat brought a new list, not on every loop turn: rebuilding
  // it per finished file made the loop quadratic in the shipment's file count.
  let seen: readonly PortalFile[] | undefined;
  let complete = new Set<string>();
  const startable = () => {
    const files = keeper.files();
    if (files !== seen) {
      seen = files;
      complete = new Set(files.filter((f) => f.complete).map((f) => f.fileId));
    }
    for (const fileId of waiting.keys()) if (complete.has(uploadOf.get(fileId)!)) return true;
    return false;
  };
  while ((waiting.size > 0 && failure === undefined) || running.size > 0) {
    if (signal.aborted && failure === undefined) failure = new WorkerError('E_STOPPING', String(signal.reason ?? ''));
    if (failure === undefined && startable()) {
      for (const file of waiting.values()) {
        if (running.size >= deps.policy.downloads) break;
        if (!complete.has(uploadOf.get(file.fileId)!)) continue;
        waiting.delete(file.fileId);
        lastProgress = Date.now();
        const task: Promise<void> = stageOne(request, uploadSizes, file)
          .catch((error) => void (failure ??= error))
          .finally(() => {
            running.delete(task);
            lastProgress = Date.now();
          });
        running.add(task);
      }
    }
    if (running.size > 0) {
      await Promise.race(running);
      continue;
    }
    if (failure !== undefined || waiting.size === 0) break;
    // Everything startable has run; the rest is still uploading.
    if (Date.now() - lastProgress > deps.policy.uploadIdleMs) {
      throw new WorkerError('E_UPLOAD_INCOMPLETE', `${waiting.size} file(s) whose upload is not complete on the portal`);
    }
    // Ask the portal now: while the worker was busy the sender has usually completed more files. Only when that
    // brings nothing new is there a pause of pollMs, so a worker behind the upload does not sleep. A heartbeat is a
    // write on the portal and lists every file, so a worker that keeps pace with the upload asks at most every
    // REFRESH_MS, not once per file.
    const soonest = lastRefresh + Math.min(REFRESH_MS, deps.policy.pollMs) - Date.now();
    if (soonest > 0) await pause(soonest, signal);
    lastRefresh = Date.now();
    await keeper.refresh();
    if (startable()) continue;
    deps.log.debug({ shipmentId: request.lease.shipmentId, waiting: waiting.size }, 'caught up with the upload; waiting for files to complete');
    await pause(deps.policy.pollMs, signal);
  }
  if (failure !== undefined) throw failure;
}
