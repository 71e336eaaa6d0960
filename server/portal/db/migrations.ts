/**
 * Versioned schema of the portal database. Each entry runs once, in order, inside a transaction; the applied
 * version is SQLite's `user_version`. Never edit a shipped migration: append a new one. Times are UTC
 * milliseconds since the epoch (INTEGER) except the audit's ISO 8601 `at`, which is part of the hashed record.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: links, shipments, files, receivers, sessions, the audit chain, settings
  `
  CREATE TABLE links (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('transfer', 'consult', 'internal')),
    sender_name TEXT NOT NULL,
    sender_contact TEXT,
    note TEXT,
    code TEXT NOT NULL,
    issued_by_kind TEXT NOT NULL,
    issued_by_id TEXT,
    issued_by_name TEXT,
    issued_by_email TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_shipments INTEGER NOT NULL,
    max_bytes INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_by TEXT
  );
  CREATE TABLE shipments (
    id TEXT PRIMARY KEY,
    link_id TEXT NOT NULL REFERENCES links(id),
    purpose TEXT NOT NULL,
    urgent INTEGER NOT NULL,
    state TEXT NOT NULL,
    envelope TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    total_bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    lease_token TEXT,
    lease_worker TEXT,
    lease_expires_at INTEGER,
    statements TEXT,
    summary TEXT,
    studies TEXT,
    consent_verified_at INTEGER,
    consent_verified_by TEXT,
    finished_at INTEGER,
    finish_reason TEXT,
    ciphertext_deleted_at INTEGER
  );
  CREATE INDEX shipments_link ON shipments(link_id);
  CREATE INDEX shipments_state ON shipments(state, urgent, created_at);
  CREATE TABLE files (
    shipment_id TEXT NOT NULL REFERENCES shipments(id),
    file_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    size INTEGER NOT NULL,
    upload_id TEXT UNIQUE,
    completed_at INTEGER,
    deleted_at INTEGER,
    outcome TEXT,
    outcome_code TEXT,
    outcome_reason TEXT,
    dimse_status INTEGER,
    sop_instance_uid TEXT,
    reported_at INTEGER,
    PRIMARY KEY (shipment_id, file_id)
  );
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'radiologist')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    ip TEXT,
    details TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  -- NEN 7513: the log is append-only. The hash chain makes any change detectable; these triggers make
  -- the ordinary paths refuse it.
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: a shipment the worker gave back with a retry-after is not offered again before this time (ms), so a stalled
  // upload or a PACS outage on one shipment does not hold up the ones behind it.
  `
  ALTER TABLE shipments ADD COLUMN not_before INTEGER;
  `,
  // 3: the files of a shipment still incomplete. Every completed upload asks whether any file of its shipment is
  // still missing; on the primary key that read every file row of the shipment (O(files) per file: quadratic for a
  // CD). A partial index holds only incomplete files, so "any left?" is one index seek and shrinks as files complete.
  `
  CREATE INDEX files_incomplete ON files(shipment_id) WHERE completed_at IS NULL;
  `,
  // 4: bundles (docs/format.md, manifest v2). One upload (a files row) may carry the ciphertexts of many manifest
  // files back to back; each carried file is a part with its own outcome, since the worker reports per DICOM file.
  // An upload without parts keeps its outcome on its files row, as before. position = order inside the upload
  // (offset order). instance_count = manifest files of the shipment (NULL for older rows: then file_count).
  `
  CREATE TABLE file_parts (
    shipment_id TEXT NOT NULL,
    part_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    outcome TEXT,
    outcome_code TEXT,
    outcome_reason TEXT,
    dimse_status INTEGER,
    sop_instance_uid TEXT,
    reported_at INTEGER,
    PRIMARY KEY (shipment_id, part_id),
    FOREIGN KEY (shipment_id, file_id) REFERENCES files(shipment_id, file_id)
  );
  CREATE INDEX file_parts_upload ON file_parts(shipment_id, file_id, position);
  ALTER TABLE shipments ADD COLUMN instance_count INTEGER;
  `,
];
