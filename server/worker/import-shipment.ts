/**
 * One leased shipment from top to bottom: unwrap the envelope, post statements and summary (a `held` consultation
 * is let go), then per file download -> decrypt -> SHA-256 -> validate -> C-STORE, every step in the ledger, and
 * finally report and finish. Authentication gate (docs/architecture.md, "Import worker"): unless the shipment is
 * urgent, EVERY file is authenticated and staged before ANY is stored, and one file failing authentication
 * (E_DECRYPT: tampered or not for us) rejects the whole shipment, nothing C-STOREd. Urgent shipments store each
 * file as soon as it validated and reject only the files that fail.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { FormatError, ID_PATTERN, openEnvelope, type JWK, type Manifest, type ManifestFile } from '../../shared/format/index.ts';
import { ByteBudget } from './byte-budget.ts';
import type { Destination, DestinationSession } from './destination.ts';
import type { Ledger } from './ledger.ts';
import { keepLease, type LeaseKeeper } from './lease-keeper.ts';
import { finalState, statementsBody } from './outcome.ts';
import { discardPlaintext } from './plaintext.ts';
import { declarationOf, planFiles } from './plan-files.ts';
import type { FinalState, Lease, PortalClient } from './portal-client.ts';
import { isPortalOutage, type PortalRetryPolicy } from './portal-retry.ts';
import { createReportQueue, reportOutcomes } from './reporter.ts';
import { stageAll, type StagedFile } from './stage-all.ts';
import { storeStaged, type StoreRetryPolicy } from './store-staged.ts';
import type { Validator } from './validate/validator.ts';
import { verifyStored, withVerification } from './verify-stored.ts';
import { WORKER_CODES, WorkerError } from './worker-error.ts';

/** Seconds the portal holds a released shipment back, per cause, so the shipments behind it go first (W12). */
export interface RetryAfterPolicy {
  /** The upload made no progress (the sender may come back). */
  readonly upload: number;
  /** The PACS stayed unavailable for the whole store retry window. */
  readonly pacs: number;
  /** The portal stayed away (or answered 5xx) past the outage window. */
  readonly portal: number;
  /** The worker's own disk was full (staging or ledger). */
  readonly staging: number;
  /** An unexpected error: doubled per consecutive failure, at most a day. */
  readonly failure: number;
}

export const DEFAULT_RETRY_AFTER: RetryAfterPolicy = { upload: 60, pacs: 60, portal: 30, staging: 60, failure: 60 };

export interface ImportPolicy {
  /** Files downloaded and decrypted at once (default 4: measured 25% faster than 2 on a 100 MB CD). */
  readonly downloads: number;
  /** Instances being stored at once (default associations + 1); each holds one instance in memory. */
  readonly storesInFlight: number;
  /** Bytes of instances held in memory for C-STORE at once (default 256 MiB; one larger instance goes alone). */
  readonly storeMemoryBytes: number;
  /**
   * Plaintext of an urgent shipment held in memory instead of staging files, at most (default 64 MiB): a file whose
   * size is within its share (this divided by `downloads`, as each waits in memory until stored). Larger files, and
   * every file of a gated (non-urgent) shipment, wait in staging files.
   */
  readonly memoryStageBytes: number;
  /** How often to ask the portal for newly complete files while an upload runs and the worker has caught up (default 1 s). */
  readonly pollMs: number;
  /** Give the lease back when no file completed for this long (default 2 min). */
  readonly uploadIdleMs: number;
  readonly storeRetry: StoreRetryPolicy;
  /** How long calls under a lease wait out a portal outage (restart) before the attempt is abandoned. */
  readonly portalRetry: PortalRetryPolicy;
  readonly retryAfter: RetryAfterPolicy;
  /** Post-verification: how long instances the PACS does not return yet are asked for again (default 20 s). */
  readonly verifyWaitMs: number;
  /**
   * Consecutive failed attempts (an unexpected error, or a worker that died mid-import) after which the shipment is
   * given up: finished `failed` (or imported-with-failures for what was stored) with reason E_IMPORT_GAVE_UP.
   * PACS outages, portal outages, uploads still running, stop requests and lost leases never count.
   */
  readonly maxFailures: number;
}

const LEASE_LOST = new Set([403, 404, 409, 410]);

/** A cause that says nothing about the shipment: waited out, not counted toward giving up. */
export function isNeutral(error: unknown): boolean {
  if (!(error instanceof WorkerError)) return false;
  if (['E_PACS_UNAVAILABLE', 'E_UPLOAD_INCOMPLETE', 'E_STOPPING', 'E_STAGING_FULL'].includes(error.code)) return true;
  return isPortalOutage(error) || (error.code === 'E_PORTAL' && error.status !== undefined && LEASE_LOST.has(error.status));
}

/** A full disk under staging or the ledger (ENOSPC, EDQUOT, SQLITE_FULL), anywhere in the cause chain, as E_STAGING_FULL. */
export function diskFull(error: unknown): WorkerError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') {
      return new WorkerError('E_STAGING_FULL', (e as Error).message, { cause: error });
    }
  }
  return undefined;
}

/** The retry-after to release with: per cause; after an unexpected error 60 s, 120 s, 240 s ... up to a day. */
export function retryAfterFor(error: unknown, failures: number, policy: RetryAfterPolicy): number | undefined {
  if (error instanceof WorkerError) {
    if (error.code === 'E_STOPPING') return undefined;
    if (error.code === 'E_UPLOAD_INCOMPLETE') return policy.upload;
    if (error.code === 'E_PACS_UNAVAILABLE') return policy.pacs;
    if (error.code === 'E_STAGING_FULL') return policy.staging;
    if (isPortalOutage(error)) return policy.portal;
  }
  if (isNeutral(error)) return undefined;
  return Math.min(86_400, policy.failure * 2 ** Math.max(0, Math.min(failures - 1, 20)));
}

export interface ImportDeps {
  readonly client: PortalClient;
  readonly ledger: Ledger;
  readonly destination: Destination;
  readonly validator: Validator;
  readonly privateJwk: JWK;
  readonly stagingRoot: string;
  readonly log: Logger;
  readonly policy: ImportPolicy;
  /** Aborts when the worker is asked to stop. */
  readonly stopSignal: AbortSignal;
}

export type ImportResult =
  | { readonly outcome: 'finished'; readonly state: FinalState; readonly reason?: string }
  | { readonly outcome: 'held' }
  | { readonly outcome: 'released'; readonly reason: string };

export async function importShipment(lease: Lease, deps: ImportDeps): Promise<ImportResult> {
  const { client, ledger, log } = deps;
  const id = lease.shipmentId;
  const { leaseToken } = lease;
  // The portal sits in the DMZ and is not trusted with our paths: the id names a staging directory.
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new WorkerError('E_PORTAL', `the portal offered an invalid shipment id "${String(id).slice(0, 80)}"`);
  const { failures } = ledger.beginShipment(id);
  let secret: Uint8Array;
  let manifest: Manifest;
  try {
    ({ secret, manifest } = await openEnvelope(lease.envelope, deps.privateJwk));
    // The manifest names its shipment inside the encryption: an envelope copied onto another shipment is refused.
    if (manifest.shipmentId !== id) throw new FormatError('E_ENVELOPE', 'the envelope belongs to another shipment');
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    const reason = `${error.code}: ${error.message}`;
    log.error({ shipmentId: id, code: error.code }, 'envelope cannot be opened; shipment failed');
    await client.finish(id, { leaseToken, state: 'failed', reason });
    ledger.setShipment(id, 'finished', 'failed', reason);
    return { outcome: 'finished', state: 'failed', reason };
  }
  // The attempt was counted failed when it began (a worker killed on it every time must give up too): the earlier
  // ones all failed, so this one is not made.
  if (failures > deps.policy.maxFailures) {
    return giveUp(lease, manifest, `${failures - 1} attempts in a row ended without a result (an error, or the worker died)`, deps);
  }
  let keeper: LeaseKeeper | undefined;
  const dir = path.join(deps.stagingRoot, id);
  try {
    const { state } = await client.statements(id, { leaseToken, ...statementsBody(manifest, lease.urgent) });
    if (state === 'held') {
      await client.release(id, { leaseToken, reason: 'held: the consent statement awaits verification by a receiver' });
      ledger.forgiveAttempt(id);
      ledger.setShipment(id, 'held');
      log.info({ shipmentId: id }, 'consultation held until a receiver verifies the consent');
      return { outcome: 'held' };
    }
    keeper = keepLease(client, lease, (error) => log.warn({ shipmentId: id, err: error }, 'heartbeat failed'));
    const signal = AbortSignal.any([keeper.signal, deps.stopSignal]);
    // Staging is never trusted across runs: whatever a killed run left is removed and redone from the ciphertext.
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const result = await runImport({ lease, manifest, secret, dir, keeper, signal }, deps);
    log.info({ shipmentId: id, state: result.state, reason: result.reason }, 'shipment finished');
    return result;
  } catch (caught) {
    const full = diskFull(caught);
    const error = full ?? caught;
    if (full) {
      // Reliability W11: the worker's own volume, not the shipment, is at fault. The staging files go first, so the
      // ledger writes below have room; the ciphertext stays on the portal, and the attempt does not count.
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      log.error({ shipmentId: id, err: caught }, 'the worker\'s disk is full: the shipment is released and retried later');
    }
    const reason = error instanceof WorkerError ? `${error.code}: ${error.message}` : `unexpected: ${(error as Error).message}`;
    const lost = keeper?.signal.aborted ?? false;
    if (lost || isNeutral(error)) ledger.forgiveAttempt(id);
    else if (failures >= deps.policy.maxFailures) {
      log.error({ shipmentId: id, err: error, failures }, 'import failed again; giving up');
      return await giveUp(lease, manifest, `${failures} attempts in a row failed; the last: ${reason}`, deps);
    }
    log.warn({ shipmentId: id, err: error }, 'import interrupted; releasing the lease');
    ledger.setShipment(id, 'released', undefined, reason);
    if (!lost) {
      // What is already stored or rejected is shown now, not only after the retry.
      await reportOutcomes(client, ledger, id, leaseToken).catch(() => undefined);
      const retryAfterSeconds = retryAfterFor(error, failures, deps.policy.retryAfter);
      await client.release(id, { leaseToken, reason, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) })
        .catch((e) => log.warn({ shipmentId: id, err: e }, 'release failed; the lease will expire'));
    }
    return { outcome: 'released', reason };
  } finally {
    keeper?.stop();
    // A broken staging area must not turn the outcome above into a crash of the loop; a restart empties it anyway.
    await rm(dir, { recursive: true, force: true }).catch((error) => log.error({ shipmentId: id, err: error }, 'cannot clear the staging directory'));
  }
}

/**
 * The dead letter (W12): every file not yet terminal is recorded failed E_IMPORT_GAVE_UP and reported, and the
 * shipment finishes (failed, or imported-with-failures for what was stored) with the reason; the portal audits it
 * and notifies, and keeps the ciphertext until retention, so nothing is lost and someone looks.
 */
async function giveUp(lease: Lease, manifest: Manifest, why: string, deps: ImportDeps): Promise<ImportResult> {
  const { client, ledger } = deps;
  const id = lease.shipmentId;
  // Only files the portal holds as declared: the others were rejected E_FILE_NOT_DECLARED when they were planned.
  const declaration = declarationOf(lease.files);
  for (const file of manifest.files) {
    if (declaration.undeclared(file) === undefined) ledger.record(id, file.fileId, 'failed', { code: 'E_IMPORT_GAVE_UP', reason: why, sopInstanceUid: file.dicom.sopInstanceUid });
  }
  await reportOutcomes(client, ledger, id, lease.leaseToken);
  const { state } = finalState(manifest, ledger.files(id));
  const reason = `E_IMPORT_GAVE_UP: ${WORKER_CODES.E_IMPORT_GAVE_UP}: ${why}`.slice(0, 1000);
  await client.finish(id, { leaseToken: lease.leaseToken, state, reason });
  ledger.setShipment(id, 'finished', state, reason);
  deps.log.error({ shipmentId: id, state }, reason);
  return { outcome: 'finished', state, reason };
}

interface Run {
  readonly lease: Lease;
  readonly manifest: Manifest;
  readonly secret: Uint8Array;
  readonly dir: string;
  readonly keeper: LeaseKeeper;
  readonly signal: AbortSignal;
}

async function runImport(run: Run, deps: ImportDeps): Promise<{ outcome: 'finished'; state: FinalState; reason?: string }> {
  const { client, ledger, policy } = deps;
  const { lease, manifest } = run;
  const id = lease.shipmentId;
  // The lease's list, not a heartbeat's: only the lease answer names the parts of each bundle.
  const plans = planFiles(manifest.files, lease.files, ledger.files(id));
  const declaration = declarationOf(lease.files);
  for (const plan of plans) {
    if (plan.action === 'reject') ledger.record(id, plan.file.fileId, 'rejected', { code: plan.code, reason: plan.reason, sopInstanceUid: plan.file.dicom.sopInstanceUid });
  }
  // A file the portal has no row for cannot carry a reported outcome (the portal refuses unknown ids, and the whole
  // batch with them): its rejection stays in the ledger and in the finish reason, and is not reported.
  const unknown = manifest.files.filter((f) => !declaration.knows(f.fileId)).map((f) => f.fileId);
  if (unknown.length > 0) ledger.markReported(id, unknown);
  const todo = plans.filter((p) => p.action === 'import').map((p) => p.file);
  const reports = createReportQueue(
    () => reportOutcomes(client, ledger, id, lease.leaseToken),
    (error) => deps.log.warn({ shipmentId: id, err: error }, 'report failed; retried later'),
  );
  const session = deps.destination.open(contextsOf(todo));
  try {
    const budget = new ByteBudget(policy.storeMemoryBytes);
    const store = async (staged: StagedFile) => {
      const release = await budget.acquire(staged.file.size);
      try {
        await storeOne(session, staged, id, run.signal, deps);
      } finally {
        release();
      }
      reports.soon();
    };
    const inMemory = memoryRule(lease.urgent, policy);
    if (lease.urgent) {
      await stageAll({ ...run, files: todo, inMemory, deps, onStaged: store, onRejected: () => reports.soon() });
    } else {
      const staged: StagedFile[] = [];
      const wait = async (s: StagedFile) => {
        // Recorded for a file that waits for the gate; an urgent file goes straight on to its terminal state.
        ledger.record(id, s.file.fileId, 'validated', { sopInstanceUid: s.instance.sopInstanceUid });
        staged.push(s);
      };
      await stageAll({ ...run, files: todo, inMemory, deps, onStaged: wait });
      const tampered = ledger.files(id).filter((r) => r.code === 'E_DECRYPT');
      if (tampered.length > 0) {
        deps.log.error({ shipmentId: id, files: tampered.map((r) => r.fileId) }, 'file(s) failed authentication: whole shipment rejected, nothing stored');
        for (const s of staged) ledger.record(id, s.file.fileId, 'rejected', { code: 'E_SHIPMENT_TAMPERED', reason: `${new WorkerError('E_SHIPMENT_TAMPERED').message} (${tampered.length} file(s) E_DECRYPT)`, sopInstanceUid: s.file.dicom.sopInstanceUid });
      } else {
        deps.log.info({ shipmentId: id, staged: staged.length }, 'every file authenticated and validated; storing');
        await runLimited(staged, policy.storesInFlight, store);
      }
    }
  } finally {
    reports.stop();
    await session.close();
  }
  // W9: after every store and before finish, what the PACS answered stored is looked up (when configured).
  const { openFinder } = deps.destination;
  const verification = openFinder ? await verifyStored(id, manifest, ledger, openFinder, deps.log, policy.verifyWaitMs) : undefined;
  await reports.flush();
  const final = withVerification(finalState(manifest, ledger.files(id)), verification);
  await client.finish(id, { leaseToken: lease.leaseToken, ...final });
  ledger.setShipment(id, 'finished', final.state, final.reason);
  return { outcome: 'finished', ...final };
}

/**
 * Which files of an urgent shipment wait for C-STORE in memory: a file is stored right after it validates and holds
 * its download slot until then, so at most `downloads` wait at once, each within its share of memoryStageBytes. A
 * gated shipment holds every file until all are authenticated: those always go to staging files.
 */
export function memoryRule(urgent: boolean, policy: Pick<ImportPolicy, 'memoryStageBytes' | 'downloads'>): (file: ManifestFile) => boolean {
  const share = urgent ? policy.memoryStageBytes / Math.max(1, policy.downloads) : -1;
  return (file) => file.size <= share;
}

function contextsOf(files: readonly ManifestFile[]) {
  const seen = new Map<string, { sopClassUid: string; transferSyntaxUid: string }>();
  for (const { dicom } of files) seen.set(`${dicom.sopClassUid}|${dicom.transferSyntaxUid}`, { sopClassUid: dicom.sopClassUid, transferSyntaxUid: dicom.transferSyntaxUid });
  return [...seen.values()];
}

async function storeOne(session: DestinationSession, staged: StagedFile, id: string, signal: AbortSignal, deps: ImportDeps): Promise<void> {
  const { fileId } = staged.file;
  const sopInstanceUid = staged.instance.sopInstanceUid;
  if (signal.aborted) throw new WorkerError('E_STOPPING');
  const result = await storeStaged(session, staged, deps.policy.storeRetry, signal);
  const details = { sopInstanceUid, dimseStatus: result.status, code: result.code, reason: result.reason };
  // Only a success or warning response makes a file `stored`/`warning` (PS3.4 B.2.3); the ledger commit comes first,
  // then the plaintext goes: a crash in between leaves a staged file the next run deletes.
  if (result.outcome === 'failed') deps.ledger.record(id, fileId, 'failed', { ...details, code: result.code ?? 'E_STORE_FAILED' });
  else deps.ledger.record(id, fileId, result.outcome, details);
  await discardPlaintext(staged.plaintext);
  deps.log.debug({ shipmentId: id, fileId, outcome: result.outcome }, 'instance stored');
}

/** Runs `task` over `items`, at most `limit` at once; the first failure stops new starts and is rethrown after all settle. */
export async function runLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure;
}
