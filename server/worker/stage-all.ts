/**
 * The first half of an import: every file to import is staged as soon as the portal has its upload complete (a transfer
 * may still be uploading: the lease keeper's heartbeats show newly complete files), authenticated, hashed and
 * validated, up to `downloads` runs at once (stage-run.ts: consecutive files of one upload, one GET). Files that fail are rejected with their code right here (in the ledger); `onStaged` gets the
 * ones that passed. Transient trouble (portal unreachable, upload stalled, stop requested) stops the whole run with
 * an error after the files in progress have settled, so the caller can release the lease cleanly.
 */
import { sliceOf, type ManifestFile } from '../../shared/format/index.ts';
import type { ImportDeps } from './import-shipment.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import type { Plaintext } from './plaintext.ts';
import type { Lease, PortalFile } from './portal-client.ts';
import { pause } from './portal-retry.ts';
import { stageRun } from './stage-run.ts';
import type { ValidatedInstance } from './validate/validate-part10.ts';
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

export async function stageAll(request: StageAllRequest): Promise<void> {
  const { deps, keeper, signal } = request;
  // Declared size of each upload, by upload id: the lease lists every upload of the shipment.
  const uploadSizes = new Map(request.lease.files.map((f) => [f.fileId, f.size]));
  const waiting = new Map(request.files.map((f) => [f.fileId, f]));
  // A file can start once its UPLOAD is complete: heartbeats list uploads (a bundle carries several files).
  const uploadOf = new Map<string, string>();
  const waitingIn = new Map<string, number>();
  // Each file's successor in its upload when that one starts where it ends: a run (one GET) continues through it.
  const following = new Map<string, ManifestFile>();
  const lastIn = new Map<string, ManifestFile>();
  for (const file of request.files) {
    const slice = sliceOf(file);
    uploadOf.set(file.fileId, slice.uploadId);
    waitingIn.set(slice.uploadId, (waitingIn.get(slice.uploadId) ?? 0) + 1);
    const before = lastIn.get(slice.uploadId);
    if (before) {
      const previous = sliceOf(before);
      if (previous.offset + previous.length === slice.offset) following.set(before.fileId, file);
    }
    lastIn.set(slice.uploadId, file);
  }
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
  const startableFiles = () => [...complete].reduce((n, uploadId) => n + (waitingIn.get(uploadId) ?? 0), 0);
  /**
   * The run starting at `file`: its followers while they wait, at most `cap`. The cap shares what can start among
   * the free download lanes, so one bundle that just completed still goes through several lanes at once, while a CD
   * whose uploads are all complete is fetched one whole bundle per GET.
   */
  const takeRun = (file: ManifestFile, cap: number): ManifestFile[] => {
    const run = [file];
    for (let next = following.get(file.fileId); next && run.length < cap && waiting.has(next.fileId); next = following.get(next.fileId)) run.push(next);
    for (const taken of run) waiting.delete(taken.fileId);
    const uploadId = uploadOf.get(file.fileId)!;
    waitingIn.set(uploadId, waitingIn.get(uploadId)! - run.length);
    return run;
  };
  while ((waiting.size > 0 && failure === undefined) || running.size > 0) {
    if (signal.aborted && failure === undefined) failure = new WorkerError('E_STOPPING', String(signal.reason ?? ''));
    if (failure === undefined && startable()) {
      for (const file of waiting.values()) {
        if (running.size >= deps.policy.downloads) break;
        const uploadId = uploadOf.get(file.fileId)!;
        if (!complete.has(uploadId) || !waiting.has(file.fileId)) continue;
        const run = takeRun(file, Math.ceil(startableFiles() / (deps.policy.downloads - running.size)));
        lastProgress = Date.now();
        const task: Promise<void> = stageRun(request, run, uploadSizes.get(uploadId)!)
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
