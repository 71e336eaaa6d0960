/**
 * Our own expiry and retention sweeper (the stock tus expiry would also delete COMPLETED uploads, whose
 * sidecar offset stays 0). Deletes: the ciphertext of finished shipments after the retention period; the
 * uploads of shipments abandoned incomplete once their link has expired or was revoked (the shipment is then
 * `failed` with E_UPLOAD_ABANDONED); tus files no row refers to. Every deletion is audited (AVG art. 5(1)(e)).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import type { PortalContext } from '../context.ts';
import type { ShipmentRow } from '../db/shipments.ts';
import { emitChange, uploadPath } from '../shipments/shipments.ts';

const DAY = 86_400_000;
const ORPHAN_GRACE_MS = 3_600_000;

export interface SweepResult { retained: number; abandoned: number; orphans: number }

function deleteCiphertext(ctx: PortalContext, shipment: ShipmentRow, reason: 'retention' | 'abandoned', now: number): void {
  for (const file of ctx.stores.shipments.files(shipment.id)) {
    if (!file.uploadId) continue;
    rmSync(uploadPath(ctx, file.uploadId), { force: true });
    rmSync(uploadPath(ctx, `${file.uploadId}.json`), { force: true });
  }
  ctx.stores.shipments.transaction(() => {
    ctx.stores.shipments.markFilesDeleted(shipment.id, now);
    const abandoned = reason === 'abandoned';
    ctx.stores.shipments.update(shipment.id, {
      ciphertextDeletedAt: now,
      ...(abandoned ? { state: 'failed', finishedAt: now, finishReason: 'E_UPLOAD_ABANDONED: the link expired before every file was uploaded' } : {}),
    }, now);
    ctx.stores.audit.append({ actor: { kind: 'system' }, action: 'ciphertext.deleted', object: { type: 'shipment', id: shipment.id },
      details: { reason, bytes: shipment.totalBytes } }, now);
  });
  if (reason === 'abandoned') emitChange(ctx, shipment.id, 'failed');
}

function sweepOrphans(ctx: PortalContext, now: number): number {
  const known = ctx.stores.shipments.allUploadIds();
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(ctx.uploadDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const id = name.replace(/\.json$/, '');
    if (known.has(id)) continue;
    const target = uploadPath(ctx, name);
    let modified: number;
    try {
      modified = statSync(target).mtimeMs;
    } catch {
      continue;
    }
    if (now - modified < ORPHAN_GRACE_MS) continue; // may be a POST in flight
    rmSync(target, { force: true });
    if (!name.endsWith('.json')) {
      removed++;
      ctx.stores.audit.append({ actor: { kind: 'system' }, action: 'ciphertext.deleted', object: { type: 'upload', id }, details: { reason: 'orphan' } }, now);
    }
  }
  return removed;
}

export function sweep(ctx: PortalContext): SweepResult {
  const now = ctx.now();
  const retainedUntil = now - ctx.config.portal.retentionDays * DAY;
  const finished = ctx.stores.shipments.finishedBefore(retainedUntil);
  for (const shipment of finished) deleteCiphertext(ctx, shipment, 'retention', now);
  const abandoned = ctx.stores.shipments.abandoned(ctx.stores.links.expiredIds(now), now);
  for (const shipment of abandoned) deleteCiphertext(ctx, shipment, 'abandoned', now);
  const orphans = sweepOrphans(ctx, now);
  ctx.stores.users.deleteExpiredSessions(now);
  return { retained: finished.length, abandoned: abandoned.length, orphans };
}
