/**
 * The worker's durable ledger (data/worker/ledger.sqlite): per shipment and file, how far the import got. It is
 * what makes a kill -9 harmless: a file is written `stored` or `warning` only after the PACS answered success or
 * warning, a terminal state is never overwritten, and everything not terminal is simply done again after restart
 * (the PACS side is idempotent for an identical instance). WAL with synchronous=NORMAL survives a killed process;
 * a power cut may lose the last commits, which only means an instance is stored twice, never claimed falsely.
 */
import Database from 'better-sqlite3';

/** received: complete on the portal; decrypted: authenticated plaintext staged, SHA-256 matched; validated: DICOM ok. */
export type FileState = 'received' | 'decrypted' | 'validated' | 'stored' | 'warning' | 'rejected' | 'failed';
export const TERMINAL: ReadonlySet<FileState> = new Set(['stored', 'warning', 'rejected', 'failed']);

export type ShipmentState = 'importing' | 'held' | 'released' | 'finished';

export interface FileRow {
  readonly shipmentId: string;
  readonly fileId: string;
  readonly state: FileState;
  readonly sopInstanceUid: string | null;
  readonly code: string | null;
  readonly reason: string | null;
  readonly dimseStatus: number | null;
  readonly reported: boolean;
  readonly updatedAt: string;
}

export interface ShipmentRow {
  readonly shipmentId: string;
  readonly state: ShipmentState;
  readonly outcome: string | null;
  readonly reason: string | null;
  readonly attempts: number;
  /** Consecutive attempts that failed (or never ended: a killed worker), counting the one in progress. */
  readonly failures: number;
}

export interface FileDetails {
  readonly sopInstanceUid?: string;
  readonly code?: string;
  readonly reason?: string;
  readonly dimseStatus?: number;
}

export interface Ledger {
  /** Counts an attempt, and counts it failed until forgiveAttempt says it ended for a reason not the shipment's. */
  beginShipment(shipmentId: string): ShipmentRow;
  forgiveAttempt(shipmentId: string): void;
  setShipment(shipmentId: string, state: ShipmentState, outcome?: string, reason?: string): void;
  shipment(shipmentId: string): ShipmentRow | undefined;
  /**
   * Post-verification (reliability W9): a `stored`/`warning` file the PACS turns out not to hold becomes `failed`
   * with this code and reason, to be reported again. The one change of a terminal state; false if not stored.
   */
  demote(shipmentId: string, fileId: string, details: { code: string; reason: string }): boolean;
  /** Moves a file forward; a terminal state is final (the call is then ignored and returns false). */
  record(shipmentId: string, fileId: string, state: FileState, details?: FileDetails): boolean;
  file(shipmentId: string, fileId: string): FileRow | undefined;
  files(shipmentId: string): FileRow[];
  /** Terminal rows the portal has not acknowledged yet (what the next report carries). */
  unreported(shipmentId: string): FileRow[];
  markReported(shipmentId: string, fileIds: readonly string[]): void;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS shipments (
  shipment_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  outcome TEXT,
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
  shipment_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  state TEXT NOT NULL,
  sop_instance_uid TEXT,
  code TEXT,
  reason TEXT,
  dimse_status INTEGER,
  reported INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (shipment_id, file_id)
);`;

const terminalList = [...TERMINAL].map((s) => `'${s}'`).join(', ');

type RawFile = { shipment_id: string; file_id: string; state: FileState; sop_instance_uid: string | null; code: string | null; reason: string | null; dimse_status: number | null; reported: number; updated_at: string };
type RawShipment = { shipment_id: string; state: ShipmentState; outcome: string | null; reason: string | null; attempts: number; failures: number };

const fileRow = (r: RawFile): FileRow => ({
  shipmentId: r.shipment_id, fileId: r.file_id, state: r.state, sopInstanceUid: r.sop_instance_uid, code: r.code,
  reason: r.reason, dimseStatus: r.dimse_status, reported: r.reported === 1, updatedAt: r.updated_at,
});
const shipmentRow = (r: RawShipment): ShipmentRow => ({ shipmentId: r.shipment_id, state: r.state, outcome: r.outcome, reason: r.reason, attempts: r.attempts, failures: r.failures });

export function openLedger(file: string): Ledger {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  // Ledgers made before the failure count (W12) get the column; SQLite has no ADD COLUMN IF NOT EXISTS.
  if (!(db.pragma('table_info(shipments)') as { name: string }[]).some((c) => c.name === 'failures')) {
    db.exec('ALTER TABLE shipments ADD COLUMN failures INTEGER NOT NULL DEFAULT 0');
  }
  const now = () => new Date().toISOString();
  const upsertFile = db.prepare(`
    INSERT INTO files (shipment_id, file_id, state, sop_instance_uid, code, reason, dimse_status, reported, updated_at)
    VALUES (@shipmentId, @fileId, @state, @sopInstanceUid, @code, @reason, @dimseStatus, 0, @now)
    ON CONFLICT (shipment_id, file_id) DO UPDATE SET state = excluded.state,
      sop_instance_uid = COALESCE(excluded.sop_instance_uid, files.sop_instance_uid), code = excluded.code,
      reason = excluded.reason, dimse_status = excluded.dimse_status, reported = 0, updated_at = excluded.updated_at
    WHERE files.state NOT IN (${terminalList})`);
  const getShipment = db.prepare('SELECT * FROM shipments WHERE shipment_id = ?');
  // Selected in SQL, not filtered from files(): reports run every half second during an import, and mapping every
  // row of a 1,300-file shipment each time cost more than a second of CPU per CD.
  const getUnreported = db.prepare(`SELECT * FROM files WHERE shipment_id = ? AND reported = 0 AND state IN (${terminalList}) ORDER BY rowid`);

  return {
    beginShipment(shipmentId) {
      db.prepare(`INSERT INTO shipments (shipment_id, state, attempts, failures, updated_at) VALUES (?, 'importing', 1, 1, ?)
        ON CONFLICT (shipment_id) DO UPDATE SET state = 'importing', attempts = attempts + 1, failures = failures + 1,
        updated_at = excluded.updated_at`).run(shipmentId, now());
      return shipmentRow(getShipment.get(shipmentId) as RawShipment);
    },
    forgiveAttempt(shipmentId) {
      db.prepare('UPDATE shipments SET failures = MAX(0, failures - 1) WHERE shipment_id = ?').run(shipmentId);
    },
    setShipment(shipmentId, state, outcome, reason) {
      db.prepare('UPDATE shipments SET state = ?, outcome = COALESCE(?, outcome), reason = ?, updated_at = ? WHERE shipment_id = ?')
        .run(state, outcome ?? null, reason ?? null, now(), shipmentId);
    },
    shipment(shipmentId) {
      const row = getShipment.get(shipmentId) as RawShipment | undefined;
      return row && shipmentRow(row);
    },
    record(shipmentId, fileId, state, details = {}) {
      const info = upsertFile.run({
        shipmentId, fileId, state, now: now(), sopInstanceUid: details.sopInstanceUid ?? null, code: details.code ?? null,
        reason: details.reason ?? null, dimseStatus: details.dimseStatus ?? null,
      });
      return info.changes > 0;
    },
    demote(shipmentId, fileId, { code, reason }) {
      const info = db.prepare(`UPDATE files SET state = 'failed', code = ?, reason = ?, reported = 0, updated_at = ?
        WHERE shipment_id = ? AND file_id = ? AND state IN ('stored', 'warning')`).run(code, reason, now(), shipmentId, fileId);
      return info.changes > 0;
    },
    file(shipmentId, fileId) {
      const row = db.prepare('SELECT * FROM files WHERE shipment_id = ? AND file_id = ?').get(shipmentId, fileId) as RawFile | undefined;
      return row && fileRow(row);
    },
    files(shipmentId) {
      return (db.prepare('SELECT * FROM files WHERE shipment_id = ? ORDER BY rowid').all(shipmentId) as RawFile[]).map(fileRow);
    },
    unreported(shipmentId) {
      return (getUnreported.all(shipmentId) as RawFile[]).map(fileRow);
    },
    markReported(shipmentId, fileIds) {
      const mark = db.prepare(`UPDATE files SET reported = 1 WHERE shipment_id = ? AND file_id = ? AND state IN (${terminalList})`);
      db.transaction(() => fileIds.forEach((id) => mark.run(shipmentId, id)))();
    },
    close() {
      db.close();
    },
  };
}
