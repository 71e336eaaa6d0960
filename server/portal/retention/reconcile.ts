/**
 * Startup reconciler: an upload whose bytes are all on disk but whose completion was never recorded is recorded
 * now, exactly once (recordFileComplete only acts on a file not yet complete). Two ways to get there:
 * - the portal died between the last write and onUploadFinish's commit;
 * - a power loss rolled back the relaxed commits of the upload path (WAL, synchronous=NORMAL: db/shipments.ts
 *   relaxedTransaction), possibly including the row that names the upload. Such an upload is found by its tus
 *   sidecar (`<id>.json`, whose metadata the portal pinned to shipmentId and fileId in onUploadCreate, and which
 *   onUploadFinish fsyncs before acknowledging) and adopted when the file has no upload of its own.
 */
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import type { PortalContext } from '../context.ts';
import type { FileRow } from '../db/shipments.ts';
import { recordFileComplete, uploadPath } from '../shipments/shipments.ts';

/** True when the upload holds every declared byte on disk (fsynced again here, before anything is recorded). */
function completeOnDisk(ctx: PortalContext, uploadId: string, file: FileRow): boolean {
  const target = uploadPath(ctx, uploadId);
  try {
    if (statSync(target).size !== file.size) return false;
  } catch {
    return false; // never created, or removed: the sender will POST again
  }
  const fd = openSync(target, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Sidecars of uploads no file row names: the (shipmentId, fileId) each was created for. */
function unrecordedUploads(ctx: PortalContext): Array<{ uploadId: string; shipmentId: string; fileId: string }> {
  const known = ctx.stores.shipments.allUploadIds();
  const found = [];
  let names: string[];
  try {
    names = readdirSync(ctx.uploadDir);
  } catch {
    return [];
  }
  for (const name of names) {
    const uploadId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
    if (!/^[0-9a-f]{32}$/.test(uploadId) || known.has(uploadId)) continue;
    try {
      const sidecar = JSON.parse(readFileSync(uploadPath(ctx, name), 'utf8')) as { metadata?: { shipmentId?: unknown; fileId?: unknown } };
      const { shipmentId, fileId } = sidecar.metadata ?? {};
      if (typeof shipmentId === 'string' && typeof fileId === 'string') found.push({ uploadId, shipmentId, fileId });
    } catch {
      // a sidecar cut short by the crash: its upload was never acknowledged complete
    }
  }
  return found;
}

export function reconcileUploads(ctx: PortalContext): number {
  const store = ctx.stores.shipments;
  let recorded = 0;
  for (const { uploadId, shipmentId, fileId } of unrecordedUploads(ctx)) {
    const file = store.file(shipmentId, fileId);
    const shipment = store.head(shipmentId);
    if (!file || !shipment || file.uploadId !== null || file.completedAt !== null || file.deletedAt !== null) continue;
    if (shipment.finishedAt !== null || shipment.ciphertextDeletedAt !== null || !completeOnDisk(ctx, uploadId, file)) continue;
    store.transaction(() => store.setUpload(shipmentId, fileId, uploadId));
    if (recordFileComplete(ctx, shipmentId, fileId, 'reconciler')) recorded++;
  }
  for (const file of store.incompleteUploads()) {
    if (completeOnDisk(ctx, file.uploadId!, file) && recordFileComplete(ctx, file.shipmentId, file.fileId, 'reconciler')) recorded++;
  }
  if (recorded > 0) ctx.log.warn({ recorded }, 'reconciler recorded uploads that were complete on disk');
  return recorded;
}
