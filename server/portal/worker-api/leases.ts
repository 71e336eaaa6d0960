/**
 * The worker's side of a shipment: lease (with expiry, so a crashed worker's lease returns), statements
 * (which hold a consultation until a receiver verified the consent), heartbeat, per-file reports, finish and
 * release. Every call after the lease presents the lease token; reports and finish are idempotent.
 */
import { randomBytes } from 'node:crypto';
import type { PortalContext } from '../context.ts';
import { FINAL_STATES, type ShipmentHead, type ShipmentState, type FileReport } from '../db/shipments.ts';
import { PortalError } from '../errors.ts';
import { emitChange } from '../shipments/shipments.ts';

const actorOf = (workerId: string | null) => ({ kind: 'worker' as const, id: workerId });

export function workerFiles(ctx: PortalContext, shipmentId: string) {
  return ctx.stores.shipments.fileStates(shipmentId);
}

/**
 * The lease's file list: each upload, and for a bundle the manifest files it carries (`parts`, offset order), so
 * the worker can check that a manifest file's upload was declared to carry it. Heartbeats leave parts out: they
 * come often and the parts never change.
 */
function leaseFiles(ctx: PortalContext, shipmentId: string) {
  const parts = ctx.stores.manifestFiles.partsOf(shipmentId);
  return workerFiles(ctx, shipmentId).map((file) => {
    const carried = parts.get(file.fileId);
    return carried ? { ...file, parts: carried } : file;
  });
}

function allComplete(ctx: PortalContext, shipmentId: string): boolean {
  return ctx.stores.shipments.allFilesComplete(shipmentId);
}

/** The shipment's small columns (not the envelope): heartbeats and reports come often during an import. */
function requireLease(ctx: PortalContext, shipmentId: string, leaseToken: unknown): ShipmentHead {
  const shipment = ctx.stores.shipments.head(shipmentId);
  if (!shipment) throw new PortalError('E_SHIPMENT_NOT_FOUND', `no shipment ${shipmentId}`);
  if (typeof leaseToken !== 'string' || shipment.leaseToken === null || leaseToken !== shipment.leaseToken) {
    throw new PortalError('E_LEASE_LOST', 'this lease is no longer held (expired and taken, released or finished)');
  }
  return shipment;
}

export function leaseNext(ctx: PortalContext, workerId: string) {
  const now = ctx.now();
  const leaseExpiresAt = now + ctx.config.portal.leaseSeconds * 1000;
  const leased = ctx.stores.shipments.transaction(() => {
    const [shipment] = ctx.stores.shipments.leaseCandidates(now, 1);
    if (!shipment) return undefined;
    const leaseToken = randomBytes(24).toString('base64url');
    const state: ShipmentState = allComplete(ctx, shipment.id) ? 'importing' : shipment.state;
    ctx.stores.shipments.update(shipment.id, { leaseToken, leaseWorker: workerId, leaseExpiresAt, state, notBefore: null }, now);
    ctx.stores.audit.append({ actor: actorOf(workerId), action: 'shipment.leased', object: { type: 'shipment', id: shipment.id } }, now);
    return { shipment, leaseToken, state };
  });
  if (!leased) return undefined;
  const { shipment, leaseToken, state } = leased;
  if (state !== shipment.state) emitChange(ctx, shipment.id, state);
  return {
    shipmentId: shipment.id, leaseToken, leaseExpiresAt: new Date(leaseExpiresAt).toISOString(), purpose: shipment.purpose,
    urgent: shipment.urgent, envelope: JSON.parse(shipment.envelope) as unknown, state, files: leaseFiles(ctx, shipment.id),
  };
}

export function heartbeat(ctx: PortalContext, shipmentId: string, leaseToken: unknown) {
  const now = ctx.now();
  const leaseExpiresAt = now + ctx.config.portal.leaseSeconds * 1000;
  const state = ctx.stores.shipments.transaction(() => {
    const shipment = requireLease(ctx, shipmentId, leaseToken);
    // A transfer leased while uploading becomes `importing` once its last file is in.
    const next = shipment.state === 'received' || (shipment.state === 'uploading' && allComplete(ctx, shipmentId)) ? 'importing' : shipment.state;
    ctx.stores.shipments.update(shipmentId, { leaseExpiresAt, state: next }, now);
    return next;
  });
  return { leaseExpiresAt: new Date(leaseExpiresAt).toISOString(), state, files: workerFiles(ctx, shipmentId) };
}

export function postStatements(ctx: PortalContext, shipmentId: string, body: { leaseToken?: unknown; statements?: unknown; summary?: unknown }) {
  const now = ctx.now();
  if (typeof body.statements !== 'object' || body.statements === null) throw new PortalError('E_BAD_REQUEST', 'statements must be an object');
  if (typeof body.summary !== 'object' || body.summary === null) throw new PortalError('E_BAD_REQUEST', 'summary must be an object');
  const state = ctx.stores.shipments.transaction(() => {
    const shipment = requireLease(ctx, shipmentId, body.leaseToken);
    const held = shipment.purpose === 'consult' && shipment.consentVerifiedAt === null;
    const next: ShipmentState = held ? 'held' : shipment.state;
    ctx.stores.shipments.update(shipmentId, { statements: body.statements, summary: body.summary, state: next }, now);
    if (held) ctx.stores.audit.append({ actor: actorOf(shipment.leaseWorker), action: 'shipment.held', object: { type: 'shipment', id: shipmentId } }, now);
    return next;
  });
  emitChange(ctx, shipmentId, state);
  return { state };
}

const OUTCOMES = new Set(['stored', 'warning', 'rejected', 'failed']);

export function report(ctx: PortalContext, shipmentId: string, body: { leaseToken?: unknown; files?: unknown; studies?: unknown }) {
  if (!Array.isArray(body.files)) throw new PortalError('E_BAD_REQUEST', 'files must be an array');
  const reports = body.files as FileReport[];
  for (const entry of reports) {
    if (typeof entry !== 'object' || entry === null || typeof entry.fileId !== 'string' || !OUTCOMES.has(entry.outcome)) {
      throw new PortalError('E_BAD_REQUEST', 'each report needs fileId and outcome stored|warning|rejected|failed');
    }
  }
  const now = ctx.now();
  ctx.stores.shipments.transaction(() => {
    // head(), not get(): the envelope (hundreds of KB for a CD) is not needed for a report batch.
    const shipment = ctx.stores.shipments.head(shipmentId);
    // A repeated report after finish (same worker retrying) is accepted: upserts are idempotent.
    if (!shipment || shipment.finishedAt === null) requireLease(ctx, shipmentId, body.leaseToken);
    // fileId names a manifest file: a part of a bundle, else an upload without parts (a bundle's own id is its
    // first part's, so it lands on that part). Anything else is unknown and the whole batch is refused.
    for (const entry of reports) {
      const known = ctx.stores.manifestFiles.reportPart(shipmentId, entry, now) || ctx.stores.shipments.reportFile(shipmentId, entry, now);
      if (!known) throw new PortalError('E_BAD_REQUEST', `unknown file ${entry.fileId}`);
    }
    if (body.studies !== undefined) ctx.stores.shipments.update(shipmentId, { studies: body.studies }, now);
  });
  emitChange(ctx, shipmentId, ctx.stores.shipments.head(shipmentId)!.state);
  return { ok: true };
}

export function finish(ctx: PortalContext, shipmentId: string, body: { leaseToken?: unknown; state?: unknown; reason?: unknown }) {
  const state = body.state as ShipmentState;
  if (!FINAL_STATES.includes(state)) throw new PortalError('E_BAD_REQUEST', `state must be one of ${FINAL_STATES.join(', ')}`);
  const reason = typeof body.reason === 'string' ? body.reason.slice(0, 1000) : null;
  const now = ctx.now();
  const changed = ctx.stores.shipments.transaction(() => {
    const existing = ctx.stores.shipments.get(shipmentId);
    if (existing?.finishedAt != null) {
      if (existing.state === state) return false; // idempotent repeat
      throw new PortalError('E_STATE_CONFLICT', `shipment already finished as ${existing.state}`);
    }
    const shipment = requireLease(ctx, shipmentId, body.leaseToken);
    ctx.stores.shipments.update(shipmentId, { state, finishedAt: now, finishReason: reason, leaseToken: null, leaseExpiresAt: null }, now);
    const action = state === 'failed' ? 'shipment.failed' : 'shipment.imported';
    ctx.stores.audit.append({ actor: actorOf(shipment.leaseWorker), action, object: { type: 'shipment', id: shipmentId }, details: { state } }, now);
    return true;
  });
  if (changed) emitChange(ctx, shipmentId, state);
  return { state };
}

/** The longest a worker may ask the portal to hold a shipment back on release (a day: past that, a person should look). */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

function retryAfterOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_RETRY_AFTER_SECONDS) {
    throw new PortalError('E_BAD_REQUEST', `retryAfterSeconds must be a whole number from 0 to ${MAX_RETRY_AFTER_SECONDS}`);
  }
  return value;
}

export function release(ctx: PortalContext, shipmentId: string, body: { leaseToken?: unknown; reason?: unknown; retryAfterSeconds?: unknown }) {
  const retryAfterSeconds = retryAfterOf(body.retryAfterSeconds);
  const now = ctx.now();
  const state = ctx.stores.shipments.transaction(() => {
    const existing = ctx.stores.shipments.get(shipmentId);
    if (!existing) throw new PortalError('E_SHIPMENT_NOT_FOUND', `no shipment ${shipmentId}`);
    if (existing.leaseToken === null) return existing.state; // already released or finished: idempotent
    const shipment = requireLease(ctx, shipmentId, body.leaseToken);
    const next: ShipmentState = shipment.state === 'importing' ? (allComplete(ctx, shipmentId) ? 'received' : 'uploading') : shipment.state;
    // Held back, not re-offered first: a stalled upload or an outage on this shipment must not block the ones behind it.
    const notBefore = retryAfterSeconds ? now + retryAfterSeconds * 1000 : null;
    ctx.stores.shipments.update(shipmentId, { leaseToken: null, leaseExpiresAt: null, leaseWorker: null, state: next, notBefore }, now);
    ctx.stores.audit.append({ actor: actorOf(shipment.leaseWorker), action: 'shipment.released', object: { type: 'shipment', id: shipmentId },
      details: { reason: typeof body.reason === 'string' ? body.reason.slice(0, 200) : null, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) } }, now);
    return next;
  });
  emitChange(ctx, shipmentId, state);
  return { state };
}
