/**
 * The manifest files of a shipment (DICOM instances) and their outcomes. An upload without parts carries one
 * manifest file, named by its own fileId, whose outcome sits on its files row; a bundle upload (manifest v2,
 * docs/format.md "Uploads and bundles") carries several, its parts, each with its own row in file_parts
 * (migration 4). The portal never sees the parts' offsets or sizes: those travel inside the JWE.
 */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';
import { StatementCache } from './statement-cache.ts';
import type { FileReport } from './shipments.ts';

export interface ManifestFileRow {
  /** The manifest file's id (a part's id, or the upload's own id). */
  fileId: string;
  /** The upload (files row, tus upload) that carries it. */
  uploadId: string;
  /** True for a part of a bundle upload (even the first, whose id is the upload's). */
  part: boolean;
  outcome: string | null;
  outcomeCode: string | null;
  outcomeReason: string | null;
  dimseStatus: number | null;
  sopInstanceUid: string | null;
}

export interface OutcomeCounts { stored: number; warning: number; rejected: number; failed: number; unreported: number }

// One row per manifest file, in manifest order (uploads by position, parts by offset order): a bundle's own files
// row stands for no manifest file of its own, since its id is its first part's.
const MANIFEST_FILES = `
  SELECT f.position AS upload_position, p.position AS part_position, COALESCE(p.part_id, f.file_id) AS file_id, f.file_id AS upload_id,
    p.part_id IS NOT NULL AS part,
    CASE WHEN p.part_id IS NULL THEN f.outcome ELSE p.outcome END AS outcome,
    CASE WHEN p.part_id IS NULL THEN f.outcome_code ELSE p.outcome_code END AS outcome_code,
    CASE WHEN p.part_id IS NULL THEN f.outcome_reason ELSE p.outcome_reason END AS outcome_reason,
    CASE WHEN p.part_id IS NULL THEN f.dimse_status ELSE p.dimse_status END AS dimse_status,
    CASE WHEN p.part_id IS NULL THEN f.sop_instance_uid ELSE p.sop_instance_uid END AS sop_instance_uid
  FROM files f LEFT JOIN file_parts p ON p.shipment_id = f.shipment_id AND p.file_id = f.file_id
  WHERE f.shipment_id = ?`;

export class ManifestFileStore {
  readonly #statements: StatementCache;
  constructor(db: Db) {
    this.#statements = new StatementCache(db);
  }

  #prepare(sql: string): Database.Statement {
    return this.#statements.get(sql);
  }

  /** Records the parts of each bundle upload; call inside the transaction that inserts the shipment's files. */
  insertParts(shipmentId: string, uploads: ReadonlyArray<{ fileId: string; parts?: readonly string[] | undefined }>): void {
    const insert = this.#prepare('INSERT INTO file_parts (shipment_id, part_id, file_id, position) VALUES (?, ?, ?, ?)');
    for (const upload of uploads) upload.parts?.forEach((partId, position) => insert.run(shipmentId, partId, upload.fileId, position));
  }

  /** Each bundle upload's parts in offset order, keyed by upload id; uploads without parts are absent. */
  partsOf(shipmentId: string): Map<string, string[]> {
    const rows = this.#prepare('SELECT file_id, part_id FROM file_parts WHERE shipment_id = ? ORDER BY file_id, position')
      .all(shipmentId) as { file_id: string; part_id: string }[];
    const parts = new Map<string, string[]>();
    for (const row of rows) {
      const list = parts.get(row.file_id);
      if (list) list.push(row.part_id);
      else parts.set(row.file_id, [row.part_id]);
    }
    return parts;
  }

  /**
   * Idempotent upsert of the worker's result for a part of a bundle. False when no part has that id: then it may
   * name an upload without parts (ShipmentStore.reportFile). One indexed write: the worker reports in batches of
   * 200, a CD has ~1,300 files.
   */
  reportPart(shipmentId: string, report: FileReport, now: number): boolean {
    return this.#prepare(`UPDATE file_parts SET outcome = ?, outcome_code = ?, outcome_reason = ?, dimse_status = ?, sop_instance_uid = ?,
        reported_at = ? WHERE shipment_id = ? AND part_id = ?`).run(report.outcome, report.code ?? null, report.reason ?? null,
      report.dimseStatus ?? null, report.sopInstanceUid ?? null, now, shipmentId, report.fileId).changes === 1;
  }

  /** Every manifest file of the shipment with its outcome, in manifest order. */
  list(shipmentId: string): ManifestFileRow[] {
    const rows = this.#prepare(`${MANIFEST_FILES} ORDER BY upload_position, part_position`).all(shipmentId) as Record<string, never>[];
    return rows.map((r) => ({
      fileId: r.file_id, uploadId: r.upload_id, part: r.part === 1, outcome: r.outcome, outcomeCode: r.outcome_code, outcomeReason: r.outcome_reason,
      dimseStatus: r.dimse_status, sopInstanceUid: r.sop_instance_uid,
    }));
  }

  /** Outcome counts per manifest file (a bundle counts its parts), counted by SQLite instead of listing the rows. */
  outcomeCounts(shipmentId: string): OutcomeCounts {
    const rows = this.#prepare(`SELECT outcome, count(*) AS n FROM (
        SELECT f.outcome FROM files f WHERE f.shipment_id = @id
          AND NOT EXISTS (SELECT 1 FROM file_parts p WHERE p.shipment_id = f.shipment_id AND p.file_id = f.file_id)
        UNION ALL SELECT outcome FROM file_parts WHERE shipment_id = @id
      ) GROUP BY outcome`).all({ id: shipmentId }) as { outcome: string | null; n: number }[];
    const counts: OutcomeCounts = { stored: 0, warning: 0, rejected: 0, failed: 0, unreported: 0 };
    for (const { outcome, n } of rows) {
      const key = (outcome ?? 'unreported') as keyof OutcomeCounts;
      counts[key] = (counts[key] ?? 0) + n;
    }
    return counts;
  }
}
