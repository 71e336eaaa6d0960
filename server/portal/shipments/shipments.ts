/**
 * The shipment rules the sender side drives: creation under the link's quotas, the sender's view (with each
 * file's upload URL and bytes received, for resume), and recording a completed file exactly once.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { PortalContext, Actor } from '../context.ts';
import type { LinkRow } from '../db/links.ts';
import type { OutcomeCounts } from '../db/manifest-files.ts';
import type { FileRow, ShipmentRow, ShipmentState } from '../db/shipments.ts';
import { PortalError } from '../errors.ts';
import { checkEnvelope } from './envelope.ts';
import { checkFiles, checkShipmentId, instanceCount, sameFiles, type DeclaredFile } from './shipment-request.ts';

export function emitChange(ctx: PortalContext, shipmentId: string, state: string): void {
  ctx.changes.emit('shipment', { shipmentId, state });
}

/** The uploads of a stored shipment as they were declared (with each bundle's parts): what a resumed POST must repeat. */
function declaredFiles(ctx: PortalContext, shipmentId: string): DeclaredFile[] {
  const parts = ctx.stores.manifestFiles.partsOf(shipmentId);
  return ctx.stores.shipments.fileStates(shipmentId).map(({ fileId, size }) => {
    const carried = parts.get(fileId);
    return carried ? { fileId, size, parts: carried } : { fileId, size };
  });
}

export interface CreateResult { created: boolean; shipmentId: string; state: ShipmentState }

export function createShipment(ctx: PortalContext, link: LinkRow, body: unknown, ip: string | null): CreateResult {
  const request = (body ?? {}) as { shipmentId?: unknown; envelope?: unknown; files?: unknown };
  const shipmentId = checkShipmentId(request.shipmentId);
  const files = checkFiles(request.files, ctx.config.portal.linkMaxBytes);
  const envelope = checkEnvelope(request.envelope);
  const instances = instanceCount(files);
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const actor: Actor = { kind: 'link', id: link.id };
  const now = ctx.now();
  const result = ctx.stores.shipments.transaction((): CreateResult => {
    const existing = ctx.stores.shipments.get(shipmentId);
    if (existing) {
      // Resume after a reload or a re-run: same link, same files -> the same shipment, nothing new reserved.
      const same = existing.linkId === link.id && sameFiles(declaredFiles(ctx, shipmentId), files);
      if (!same) throw new PortalError('E_SHIPMENT_CONFLICT', 'this shipment id is already in use with other files');
      return { created: false, shipmentId, state: existing.state };
    }
    // Quotas are checked before any byte is accepted: a shipment reserves its declared ciphertext bytes.
    const usage = ctx.stores.links.usage(link.id);
    if (usage.usedShipments + 1 > link.maxShipments) {
      throw new PortalError('E_QUOTA_SHIPMENTS', `this link allows ${link.maxShipments} shipment(s) and all have been used`);
    }
    if (usage.usedBytes + totalBytes > link.maxBytes) {
      throw new PortalError('E_QUOTA_BYTES', `this shipment (${totalBytes} bytes) exceeds the link's remaining budget of ${link.maxBytes - usage.usedBytes} bytes`);
    }
    ctx.stores.shipments.insert({
      id: shipmentId, linkId: link.id, purpose: link.purpose, urgent: link.purpose === 'transfer', state: 'uploading', envelope,
      fileCount: files.length, instanceCount: instances, totalBytes, createdAt: now, updatedAt: now,
    }, files);
    ctx.stores.manifestFiles.insertParts(shipmentId, files);
    ctx.stores.audit.append({ actor, action: 'shipment.created', object: { type: 'shipment', id: shipmentId }, ip,
      details: { linkId: link.id, files: files.length, instances, bytes: totalBytes } }, now);
    return { created: true, shipmentId, state: 'uploading' };
  });
  if (result.created) emitChange(ctx, shipmentId, result.state);
  return result;
}

export function uploadPath(ctx: PortalContext, uploadId: string): string {
  return path.join(ctx.uploadDir, uploadId);
}

/** Bytes on disk for a file's upload (the tus FileStore's offset is the file size). */
export function bytesReceived(ctx: PortalContext, file: FileRow): number {
  if (file.completedAt !== null) return file.size;
  if (file.uploadId === null || file.deletedAt !== null) return 0;
  try {
    return statSync(uploadPath(ctx, file.uploadId)).size;
  } catch {
    return 0;
  }
}

/** The shipment as its own link sees it; another link's shipment is "not found" (no existence oracle). */
export function shipmentForLink(ctx: PortalContext, link: LinkRow, shipmentId: string): ShipmentRow {
  const shipment = ctx.stores.shipments.get(shipmentId);
  if (!shipment || shipment.linkId !== link.id) throw new PortalError('E_SHIPMENT_NOT_FOUND', 'no such shipment for this link');
  return shipment;
}

/** The import outcome once finished, counted per manifest file (a bundle counts its parts, any other upload itself). */
export function outcomeSummary(ctx: PortalContext, shipment: ShipmentRow, counts?: OutcomeCounts) {
  if (shipment.finishedAt === null) return undefined;
  counts ??= ctx.stores.manifestFiles.outcomeCounts(shipment.id);
  return { state: shipment.state, finishedAt: new Date(shipment.finishedAt).toISOString(), reason: shipment.finishReason, files: counts };
}

export function senderView(ctx: PortalContext, link: LinkRow, shipmentId: string) {
  const shipment = shipmentForLink(ctx, link, shipmentId);
  const files = ctx.stores.shipments.files(shipmentId).map((file) => ({
    fileId: file.fileId,
    size: file.size,
    received: bytesReceived(ctx, file),
    complete: file.completedAt !== null,
    uploadUrl: file.uploadId && file.completedAt === null && file.deletedAt === null ? `${ctx.config.publicUrl}/uploads/${file.uploadId}` : null,
  }));
  const outcome = outcomeSummary(ctx, shipment);
  return {
    shipmentId, state: shipment.state, createdAt: new Date(shipment.createdAt).toISOString(), instances: shipment.instanceCount, files,
    ...(outcome ? { outcome } : {}),
  };
}

/**
 * Records that a file's ciphertext is complete and durable (the caller fsynced it). Exactly once: a second
 * call (tus retry, reconciler after a crash) changes nothing. Moves the shipment to `received` when every
 * file is complete, or straight to `importing` when a worker already holds a live lease (a transfer).
 */
export function recordFileComplete(ctx: PortalContext, shipmentId: string, fileId: string, via: 'tus' | 'reconciler'): boolean {
  const now = ctx.now();
  // Relaxed commit (no fsync of the WAL): the caller fsynced the bytes, so if a power loss rolls this record back
  // the startup reconciler finds the complete upload on disk and records it again (retention/reconcile.ts).
  const store = ctx.stores.shipments;
  const inTransaction = via === 'tus' ? store.relaxedTransaction.bind(store) : store.transaction.bind(store);
  const { changed, state } = inTransaction(() => {
    if (!store.completeFile(shipmentId, fileId, now)) return { changed: false, state: undefined };
    // One index seek and the shipment's small columns: reading (or counting) every file row here made a CD quadratic.
    const shipment = store.head(shipmentId)!;
    let state = shipment.state;
    if (shipment.state === 'uploading' && store.allFilesComplete(shipmentId)) {
      const leased = shipment.leaseExpiresAt !== null && shipment.leaseExpiresAt >= now;
      state = leased ? 'importing' : 'received';
      store.update(shipmentId, { state }, now);
      ctx.stores.audit.append({ actor: { kind: 'link', id: shipment.linkId }, action: 'shipment.received', object: { type: 'shipment', id: shipmentId },
        details: { files: shipment.fileCount, instances: shipment.instanceCount, bytes: shipment.totalBytes } }, now);
    }
    if (via === 'reconciler') {
      ctx.stores.audit.append({ actor: { kind: 'system' }, action: 'file.reconciled', object: { type: 'shipment', id: shipmentId }, details: { fileId } }, now);
    }
    return { changed: true, state };
  });
  if (changed) emitChange(ctx, shipmentId, state!);
  return changed;
}
