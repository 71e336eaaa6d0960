/** What the receiver API returns for links and shipments (plain data; routes only serialise it). */
import type { PortalContext } from '../context.ts';
import type { LinkRow } from '../db/links.ts';
import type { ShipmentRow } from '../db/shipments.ts';
import { PortalError } from '../errors.ts';
import { linkUrl, tokenFor } from '../links/links.ts';
import { bytesReceived, outcomeSummary } from '../shipments/shipments.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function linkStatus(link: LinkRow, usage: { usedShipments: number; usedBytes: number }, now: number): string {
  if (link.revokedAt !== null) return 'revoked';
  if (link.expiresAt <= now) return 'expired';
  if (usage.usedShipments >= link.maxShipments || usage.usedBytes >= link.maxBytes) return 'exhausted';
  return 'active';
}

export async function linkView(ctx: PortalContext, link: LinkRow) {
  const usage = ctx.stores.links.usage(link.id);
  const status = linkStatus(link, usage, ctx.now());
  // The URL can be shown again (to re-send it) while the link is usable: the token is re-signed, not stored.
  const url = status === 'active' ? linkUrl(ctx, await tokenFor(ctx, link)) : null;
  return {
    id: link.id, purpose: link.purpose, urgent: link.purpose === 'transfer', status, url, code: link.code,
    sender: { name: link.senderName, contact: link.senderContact }, note: link.note,
    issuedBy: { kind: link.issuedBy.kind, name: link.issuedBy.name, email: link.issuedBy.email },
    createdAt: iso(link.createdAt), expiresAt: iso(link.expiresAt), revokedAt: iso(link.revokedAt),
    limits: { maxShipments: link.maxShipments, maxBytes: link.maxBytes, ...usage },
  };
}

/**
 * fileCount, completeFiles and the bytes count uploads (upload progress); instances and reportedFiles count manifest
 * files (DICOM instances: a bundle upload carries several), which is what the worker reports outcomes for.
 */
export function shipmentSummary(ctx: PortalContext, shipment: ShipmentRow) {
  const link = ctx.stores.links.get(shipment.linkId);
  const files = ctx.stores.shipments.files(shipment.id);
  const counts = ctx.stores.manifestFiles.outcomeCounts(shipment.id);
  return {
    shipmentId: shipment.id, linkId: shipment.linkId, purpose: shipment.purpose, urgent: shipment.urgent, state: shipment.state,
    sender: { name: link?.senderName ?? null, contact: link?.senderContact ?? null },
    createdAt: iso(shipment.createdAt), updatedAt: iso(shipment.updatedAt), finishedAt: iso(shipment.finishedAt),
    fileCount: shipment.fileCount, completeFiles: files.filter((f) => f.completedAt !== null).length, totalBytes: shipment.totalBytes,
    bytesReceived: files.reduce((sum, f) => sum + bytesReceived(ctx, f), 0), instances: shipment.instanceCount,
    reportedFiles: shipment.instanceCount - counts.unreported,
    consentRequired: shipment.purpose === 'consult', consentVerifiedAt: iso(shipment.consentVerifiedAt),
    outcome: outcomeSummary(ctx, shipment, counts) ?? null, finishReason: shipment.finishReason,
  };
}

export function shipmentDetail(ctx: PortalContext, shipmentId: string) {
  const shipment = ctx.stores.shipments.get(shipmentId);
  if (!shipment) throw new PortalError('E_SHIPMENT_NOT_FOUND', `no shipment ${shipmentId}`);
  const uploads = ctx.stores.shipments.files(shipmentId).map((f) => ({
    fileId: f.fileId, size: f.size, received: bytesReceived(ctx, f), complete: f.completedAt !== null, deleted: f.deletedAt !== null,
  }));
  const uploadOf = new Map(uploads.map((u) => [u.fileId, u]));
  // One entry per manifest file with its outcome. A part of a bundle has no size of its own here (its offset and
  // length travel inside the JWE): size and received are null, completeness is its upload's.
  const files = ctx.stores.manifestFiles.list(shipmentId).map((f) => {
    const upload = uploadOf.get(f.uploadId)!;
    return {
      fileId: f.fileId, uploadId: f.uploadId, size: f.part ? null : upload.size, received: f.part ? null : upload.received,
      complete: upload.complete, deleted: upload.deleted,
      outcome: f.outcome, code: f.outcomeCode, reason: f.outcomeReason, dimseStatus: f.dimseStatus, sopInstanceUid: f.sopInstanceUid,
    };
  });
  return {
    ...shipmentSummary(ctx, shipment),
    uploads,
    files,
    statements: shipment.statements,
    summary: shipment.summary,
    studies: shipment.studies,
    consent: {
      verifiedAt: iso(shipment.consentVerifiedAt), verifiedBy: shipment.consentVerifiedBy,
      verifiedByName: shipment.consentVerifiedBy && /^\d+$/.test(shipment.consentVerifiedBy) ? ctx.stores.users.byId(Number(shipment.consentVerifiedBy))?.email ?? null : null,
    },
    lease: shipment.leaseExpiresAt === null ? null : { worker: shipment.leaseWorker, expiresAt: iso(shipment.leaseExpiresAt) },
    ciphertextDeletedAt: iso(shipment.ciphertextDeletedAt),
  };
}
