/**
 * `beeldpoort status`: a shipment as the portal's database holds it, beside the portal's data directory. Reads
 * through the portal's own stores (server/portal/db/) so it never disagrees with the portal about the schema;
 * the summary object is the one `beeldpoort send --json` prints (shared/send/outcome.ts).
 */
import { existsSync } from 'node:fs';
import { databasePath } from '../portal/db/database.ts';
import { openStores } from '../portal/db/stores.ts';
import type { ManifestFileRow } from '../portal/db/manifest-files.ts';
import type { FileRow, ShipmentRow } from '../portal/db/shipments.ts';
import { SendError, summaryLine, type ShipmentStatus, type ShipmentSummaryLine } from '../../shared/send/index.ts';
import { dicomDate } from './describe.ts';

export interface ShipmentReport {
  readonly summary: ShipmentSummaryLine;
  /** Human-readable lines: state, per study, and every file not stored with its reason. */
  readonly lines: readonly string[];
}

/**
 * Builds the shipment's status the way the sender API reports it, from the rows: `files` are the uploads,
 * `instances` and the outcome counts are per manifest file (a bundle upload carries several).
 */
export function statusFromRows(shipment: ShipmentRow, files: readonly FileRow[], manifestFiles: readonly ManifestFileRow[]): ShipmentStatus {
  const counts: Record<string, number> = { stored: 0, warning: 0, rejected: 0, failed: 0, unreported: 0 };
  for (const file of manifestFiles) counts[file.outcome ?? 'unreported'] = (counts[file.outcome ?? 'unreported'] ?? 0) + 1;
  const status = {
    shipmentId: shipment.id,
    state: shipment.state,
    createdAt: new Date(shipment.createdAt).toISOString(),
    instances: manifestFiles.length,
    files: files.map((file) => ({ fileId: file.fileId, size: file.size, received: file.completedAt !== null ? file.size : 0, complete: file.completedAt !== null })),
    ...(shipment.finishedAt !== null ? { outcome: { state: shipment.state, reason: shipment.finishReason, files: counts } } : {}),
  };
  return status;
}

export function readShipmentReport(dataDir: string, shipmentId: string): ShipmentReport {
  if (!existsSync(databasePath(dataDir))) throw new SendError('E_SHIPMENT_NOT_FOUND', `no portal database in ${dataDir} (set BEELDPOORT_DATA)`);
  const stores = openStores(dataDir);
  try {
    const shipment = stores.shipments.get(shipmentId);
    if (!shipment) throw new SendError('E_SHIPMENT_NOT_FOUND', `no shipment ${shipmentId} in ${dataDir}`);
    const files = stores.shipments.files(shipmentId);
    const manifestFiles = stores.manifestFiles.list(shipmentId);
    // NEN 7513: reading a shipment's per-instance outcome is logged, with the CLI as actor.
    stores.audit.append({ actor: { kind: 'cli' }, action: 'shipment.status.read', object: { type: 'shipment', id: shipmentId } });
    const summary = summaryLine(statusFromRows(shipment, files, manifestFiles));
    const complete = files.filter((file) => file.completedAt !== null).length;
    const lines = [
      `Shipment ${shipment.id}: ${shipment.state}${shipment.finishReason ? ` (${shipment.finishReason})` : ''}`,
      `Purpose ${shipment.purpose}${shipment.urgent ? ' (urgent)' : ''}, created ${new Date(shipment.createdAt).toISOString()}, link ${shipment.linkId}`,
      `Files: ${manifestFiles.length} in ${files.length} upload(s), ${complete} upload(s) complete, ${shipment.totalBytes} bytes of ciphertext`,
      `Instances: ${summary.stored} stored, ${summary.failed} failed, ${manifestFiles.filter((file) => file.outcome === null).length} not reported yet`,
      ...studyLines(shipment.studies ?? shipment.summary),
      ...manifestFiles.filter((file) => file.outcome !== null && file.outcome !== 'stored').map(fileLine),
    ];
    return { summary, lines };
  } finally {
    stores.close();
  }
}

function studyLines(value: unknown): string[] {
  const studies = Array.isArray(value) ? value : (value as { studies?: unknown } | null)?.studies;
  if (!Array.isArray(studies)) return [];
  return studies.map((study: Record<string, unknown>) => {
    const modalities = Array.isArray(study.modalities) ? study.modalities.join('/') : '';
    return `  Study ${dicomDate(String(study.date ?? '')) || '(no date)'} ${modalities} ${String(study.description ?? '')}: ${String(study.series ?? '?')} series, ${String(study.instances ?? '?')} instances`;
  });
}

function fileLine(file: ManifestFileRow): string {
  const status = file.dimseStatus !== null ? ` status 0x${file.dimseStatus.toString(16).padStart(4, '0')}` : '';
  const sop = file.sopInstanceUid ? ` ${file.sopInstanceUid}` : '';
  return `  file ${file.fileId}${sop}: ${file.outcome}${file.outcomeCode ? ` [${file.outcomeCode}]` : ''}${status}${file.outcomeReason ? `: ${file.outcomeReason}` : ''}`;
}
