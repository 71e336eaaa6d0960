/**
 * Startup reconciler: an upload whose bytes are all on disk but whose completion was never recorded (the
 * portal died between the last write and onUploadFinish's commit) is recorded now, exactly once
 * (recordFileComplete only acts on a file not yet complete).
 */
import { closeSync, fsyncSync, openSync, statSync } from 'node:fs';
import type { PortalContext } from '../context.ts';
import { recordFileComplete, uploadPath } from '../shipments/shipments.ts';

export function reconcileUploads(ctx: PortalContext): number {
  let recorded = 0;
  for (const file of ctx.stores.shipments.incompleteUploads()) {
    const target = uploadPath(ctx, file.uploadId!);
    let size: number;
    try {
      size = statSync(target).size;
    } catch {
      continue; // never created, or removed: the sender will POST again
    }
    if (size !== file.size) continue;
    const fd = openSync(target, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (recordFileComplete(ctx, file.shipmentId, file.fileId, 'reconciler')) recorded++;
  }
  if (recorded > 0) ctx.log.warn({ recorded }, 'reconciler recorded uploads that were complete on disk');
  return recorded;
}
