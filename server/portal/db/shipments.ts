/** Shipments and their files as stored rows. The rules for moving between states are ../shipments/. */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';
import { StatementCache } from './statement-cache.ts';
import type { Purpose } from './links.ts';

export type ShipmentState = 'uploading' | 'received' | 'held' | 'importing' | 'imported' | 'imported-with-failures' | 'failed';
export const FINAL_STATES: readonly ShipmentState[] = ['imported', 'imported-with-failures', 'failed'];

export interface ShipmentRow {
  id: string;
  linkId: string;
  purpose: Purpose;
  urgent: boolean;
  state: ShipmentState;
  envelope: string;
  /** Uploads (files rows). */
  fileCount: number;
  /** Manifest files (DICOM instances): a bundle upload carries several (its parts), any other upload one. */
  instanceCount: number;
  totalBytes: number;
  createdAt: number;
  updatedAt: number;
  leaseToken: string | null;
  leaseWorker: string | null;
  leaseExpiresAt: number | null;
  statements: unknown;
  summary: unknown;
  studies: unknown;
  consentVerifiedAt: number | null;
  consentVerifiedBy: string | null;
  finishedAt: number | null;
  finishReason: string | null;
  ciphertextDeletedAt: number | null;
  /** Not offered for a lease before this time (the worker's retry-after on release). */
  notBefore: number | null;
}

export interface FileRow {
  shipmentId: string;
  fileId: string;
  size: number;
  uploadId: string | null;
  completedAt: number | null;
  deletedAt: number | null;
  outcome: string | null;
  outcomeCode: string | null;
  outcomeReason: string | null;
  dimseStatus: number | null;
  sopInstanceUid: string | null;
}

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/* eslint-disable @typescript-eslint/no-explicit-any -- rows come from SQLite untyped; mapped field by field */
function toShipment(r: any): ShipmentRow {
  return {
    id: r.id, linkId: r.link_id, purpose: r.purpose, urgent: r.urgent === 1, state: r.state, envelope: r.envelope,
    fileCount: r.file_count, instanceCount: r.instance_count ?? r.file_count, totalBytes: r.total_bytes, createdAt: r.created_at, updatedAt: r.updated_at,
    leaseToken: r.lease_token, leaseWorker: r.lease_worker, leaseExpiresAt: r.lease_expires_at,
    statements: json(r.statements), summary: json(r.summary), studies: json(r.studies),
    consentVerifiedAt: r.consent_verified_at, consentVerifiedBy: r.consent_verified_by,
    finishedAt: r.finished_at, finishReason: r.finish_reason, ciphertextDeletedAt: r.ciphertext_deleted_at,
    notBefore: r.not_before ?? null,
  };
}

function toFile(r: any): FileRow {
  return {
    shipmentId: r.shipment_id, fileId: r.file_id, size: r.size, uploadId: r.upload_id, completedAt: r.completed_at,
    deletedAt: r.deleted_at, outcome: r.outcome, outcomeCode: r.outcome_code, outcomeReason: r.outcome_reason,
    dimseStatus: r.dimse_status, sopInstanceUid: r.sop_instance_uid,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const COLUMNS: Record<string, string> = {
  state: 'state', leaseToken: 'lease_token', leaseWorker: 'lease_worker', leaseExpiresAt: 'lease_expires_at',
  statements: 'statements', summary: 'summary', studies: 'studies', consentVerifiedAt: 'consent_verified_at',
  consentVerifiedBy: 'consent_verified_by', finishedAt: 'finished_at', finishReason: 'finish_reason',
  ciphertextDeletedAt: 'ciphertext_deleted_at', notBefore: 'not_before',
};
const JSON_FIELDS = new Set(['statements', 'summary', 'studies']);

export type ShipmentUpdate = Partial<Pick<ShipmentRow, 'state' | 'leaseToken' | 'leaseWorker' | 'leaseExpiresAt' | 'statements' | 'summary'
  | 'studies' | 'consentVerifiedAt' | 'consentVerifiedBy' | 'finishedAt' | 'finishReason' | 'ciphertextDeletedAt' | 'notBefore'>>;

/** The columns the upload path needs: no envelope (hundreds of KB for a CD) and no JSON columns to parse. */
export type ShipmentHead = Pick<ShipmentRow, 'id' | 'linkId' | 'purpose' | 'urgent' | 'state' | 'fileCount' | 'instanceCount' | 'totalBytes' | 'leaseToken'
  | 'leaseWorker' | 'leaseExpiresAt' | 'consentVerifiedAt' | 'finishedAt' | 'ciphertextDeletedAt'>;

export interface FileReport { fileId: string; outcome: string; code?: string | null; reason?: string | null; dimseStatus?: number | null; sopInstanceUid?: string | null }

export class ShipmentStore {
  readonly #db: Db;
  readonly #statements: StatementCache;
  constructor(db: Db) {
    this.#db = db;
    this.#statements = new StatementCache(db);
  }

  #prepare(sql: string): Database.Statement {
    return this.#statements.get(sql);
  }

  /**
   * Runs fn in one IMMEDIATE transaction whose commit does not wait for fsync (WAL, synchronous=NORMAL): it
   * survives a crash of the process, and on power loss it may roll back until the next ordinary (FULL) commit,
   * whose fsync of the WAL also makes this one durable. Only for records the startup reconciler re-creates from the
   * disk (retention/reconcile.ts): which upload belongs to a file, and that a fsynced upload is complete.
   * SQLite "PRAGMA synchronous": in WAL mode NORMAL keeps the database consistent and loses only durability.
   */
  relaxedTransaction<T>(fn: () => T): T {
    // Compiled once: db.pragma() prepares its statement on every call, twice per upload request.
    this.#prepare('PRAGMA synchronous = NORMAL').run();
    try {
      return this.transaction(fn);
    } finally {
      this.#prepare('PRAGMA synchronous = FULL').run();
    }
  }

  /** Runs fn in one IMMEDIATE transaction (the write lock is taken first, so read-then-write is safe). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  get(id: string): ShipmentRow | undefined {
    const row = this.#prepare('SELECT * FROM shipments WHERE id = ?').get(id);
    return row ? toShipment(row) : undefined;
  }

  /** The shipment without its envelope and JSON columns: what the upload path checks. */
  head(id: string): ShipmentHead | undefined {
    const r = this.#prepare(`SELECT id, link_id, purpose, urgent, state, file_count, instance_count, total_bytes, lease_token, lease_worker, lease_expires_at,
      consent_verified_at, finished_at, ciphertext_deleted_at FROM shipments WHERE id = ?`).get(id) as Record<string, never> | undefined;
    return r && {
      id: r.id, linkId: r.link_id, purpose: r.purpose, urgent: r.urgent === 1, state: r.state, fileCount: r.file_count,
      instanceCount: r.instance_count ?? r.file_count, totalBytes: r.total_bytes, leaseToken: r.lease_token, leaseWorker: r.lease_worker, leaseExpiresAt: r.lease_expires_at,
      consentVerifiedAt: r.consent_verified_at, finishedAt: r.finished_at, ciphertextDeletedAt: r.ciphertext_deleted_at,
    };
  }

  /**
   * True when every file of the shipment is complete. Asked after every completed upload: one seek in the partial
   * index files_incomplete (migration 3), not a count over the shipment's files.
   */
  allFilesComplete(shipmentId: string): boolean {
    return this.#prepare('SELECT 1 FROM files INDEXED BY files_incomplete WHERE shipment_id = ? AND completed_at IS NULL LIMIT 1').get(shipmentId) === undefined;
  }

  /** The shipment and its uploads; a bundle's parts go in through ManifestFileStore.insertParts in the same transaction. */
  insert(s: Omit<ShipmentRow, 'leaseToken' | 'leaseWorker' | 'leaseExpiresAt' | 'statements' | 'summary' | 'studies' | 'consentVerifiedAt'
    | 'consentVerifiedBy' | 'finishedAt' | 'finishReason' | 'ciphertextDeletedAt' | 'notBefore' | 'instanceCount'> & { instanceCount?: number },
  files: { fileId: string; size: number }[]): void {
    this.#db.prepare(`INSERT INTO shipments (id, link_id, purpose, urgent, state, envelope, file_count, instance_count, total_bytes, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(s.id, s.linkId, s.purpose, s.urgent ? 1 : 0, s.state, s.envelope, s.fileCount,
      s.instanceCount ?? s.fileCount, s.totalBytes, s.createdAt, s.updatedAt);
    const insertFile = this.#db.prepare('INSERT INTO files (shipment_id, file_id, position, size) VALUES (?, ?, ?, ?)');
    files.forEach((file, index) => insertFile.run(s.id, file.fileId, index, file.size));
  }

  update(id: string, changes: ShipmentUpdate, now: number): void {
    const sets = ['updated_at = @updated_at'];
    const params: Record<string, unknown> = { id, updated_at: now };
    for (const [key, value] of Object.entries(changes)) {
      const column = COLUMNS[key];
      if (!column) throw new Error(`unknown shipment field ${key}`);
      sets.push(`${column} = @${column}`);
      params[column] = JSON_FIELDS.has(key) && value !== null ? JSON.stringify(value) : value;
    }
    this.#prepare(`UPDATE shipments SET ${sets.join(', ')} WHERE id = @id`).run(params);
  }

  list(options: { limit?: number; linkId?: string } = {}): ShipmentRow[] {
    const rows = this.#db.prepare('SELECT * FROM shipments WHERE (? IS NULL OR link_id = ?) ORDER BY created_at DESC LIMIT ?')
      .all(options.linkId ?? null, options.linkId ?? null, Math.min(options.limit ?? 200, 1000));
    return rows.map(toShipment);
  }

  files(shipmentId: string): FileRow[] {
    return this.#prepare('SELECT * FROM files WHERE shipment_id = ? ORDER BY position').all(shipmentId).map(toFile);
  }

  /**
   * Each file's id, size and completeness in declared order: what the worker's lease and heartbeats carry. Only the
   * three columns, not whole rows: a heartbeat lists every file of a CD, and during an urgent import it comes often.
   */
  fileStates(shipmentId: string): { fileId: string; size: number; complete: boolean }[] {
    const rows = this.#prepare('SELECT file_id, size, completed_at IS NOT NULL AS complete FROM files WHERE shipment_id = ? ORDER BY position')
      .all(shipmentId) as { file_id: string; size: number; complete: number }[];
    return rows.map((r) => ({ fileId: r.file_id, size: r.size, complete: r.complete === 1 }));
  }

  file(shipmentId: string, fileId: string): FileRow | undefined {
    const row = this.#prepare('SELECT * FROM files WHERE shipment_id = ? AND file_id = ?').get(shipmentId, fileId);
    return row ? toFile(row) : undefined;
  }

  fileByUpload(uploadId: string): FileRow | undefined {
    const row = this.#prepare('SELECT * FROM files WHERE upload_id = ?').get(uploadId);
    return row ? toFile(row) : undefined;
  }

  setUpload(shipmentId: string, fileId: string, uploadId: string): void {
    this.#prepare('UPDATE files SET upload_id = ? WHERE shipment_id = ? AND file_id = ?').run(uploadId, shipmentId, fileId);
  }

  /** True when this call recorded completion (false: already recorded, so callers stay exactly-once). */
  completeFile(shipmentId: string, fileId: string, now: number): boolean {
    return this.#prepare('UPDATE files SET completed_at = ? WHERE shipment_id = ? AND file_id = ? AND completed_at IS NULL')
      .run(now, shipmentId, fileId).changes === 1;
  }

  markFilesDeleted(shipmentId: string, now: number): void {
    this.#db.prepare('UPDATE files SET deleted_at = ? WHERE shipment_id = ? AND deleted_at IS NULL').run(now, shipmentId);
  }

  /**
   * Idempotent upsert of the worker's result for an upload that carries one manifest file (no parts). False when
   * there is no such upload, or it is a bundle: a bundle's outcomes are its parts' (ManifestFileStore.report).
   */
  reportFile(shipmentId: string, report: FileReport, now: number): boolean {
    return this.#prepare(`UPDATE files SET outcome = ?, outcome_code = ?, outcome_reason = ?, dimse_status = ?, sop_instance_uid = ?,
        reported_at = ? WHERE shipment_id = ? AND file_id = ?
        AND NOT EXISTS (SELECT 1 FROM file_parts p WHERE p.shipment_id = files.shipment_id AND p.file_id = files.file_id)`).run(report.outcome, report.code ?? null, report.reason ?? null,
      report.dimseStatus ?? null, report.sopInstanceUid ?? null, now, shipmentId, report.fileId).changes === 1;
  }

  /** Files with an upload id but no recorded completion: the reconciler checks them against the disk. */
  incompleteUploads(): FileRow[] {
    return this.#db.prepare('SELECT * FROM files WHERE upload_id IS NOT NULL AND completed_at IS NULL AND deleted_at IS NULL').all().map(toFile);
  }

  allUploadIds(): Set<string> {
    return new Set((this.#db.prepare('SELECT upload_id FROM files WHERE upload_id IS NOT NULL').all() as { upload_id: string }[]).map((r) => r.upload_id));
  }

  /**
   * Candidates for a lease, most urgent first (transfers are urgent), oldest first: not finished, not held,
   * no live lease, not given back with a retry-after that has not passed yet, and either every file complete or (a
   * transfer) at least one.
   */
  leaseCandidates(now: number, limit = 20): ShipmentRow[] {
    return this.#db.prepare(`SELECT s.* FROM shipments s
      WHERE s.state IN ('uploading', 'received', 'importing') AND s.finished_at IS NULL AND s.ciphertext_deleted_at IS NULL
        AND (s.lease_expires_at IS NULL OR s.lease_expires_at < @now)
        AND (s.not_before IS NULL OR s.not_before <= @now)
        AND NOT (s.purpose = 'consult' AND s.statements IS NOT NULL AND s.consent_verified_at IS NULL)
        AND (
          NOT EXISTS (SELECT 1 FROM files f WHERE f.shipment_id = s.id AND f.completed_at IS NULL)
          OR (s.purpose = 'transfer' AND EXISTS (SELECT 1 FROM files f WHERE f.shipment_id = s.id AND f.completed_at IS NOT NULL))
        )
      ORDER BY s.urgent DESC, s.created_at ASC LIMIT @limit`).all({ now, limit }).map(toShipment);
  }

  /** Finished shipments whose ciphertext is still on disk, finished before `before`. */
  finishedBefore(before: number): ShipmentRow[] {
    return this.#db.prepare('SELECT * FROM shipments WHERE finished_at IS NOT NULL AND finished_at < ? AND ciphertext_deleted_at IS NULL')
      .all(before).map(toShipment);
  }

  /** Unfinished shipments of the given links with no live lease and ciphertext still on disk. */
  abandoned(linkIds: string[], now: number): ShipmentRow[] {
    if (linkIds.length === 0) return [];
    const rows = this.#db.prepare(`SELECT * FROM shipments WHERE finished_at IS NULL AND ciphertext_deleted_at IS NULL
        AND state = 'uploading' AND (lease_expires_at IS NULL OR lease_expires_at < ?)
        AND link_id IN (SELECT value FROM json_each(?))`).all(now, JSON.stringify(linkIds));
    return rows.map(toShipment);
  }
}
