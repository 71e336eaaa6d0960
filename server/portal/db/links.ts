/** Upload links as stored rows. Signing and verifying the link token is ../links/, not here. */
import type Database from 'better-sqlite3';
import type { Db } from './database.ts';

export type Purpose = 'transfer' | 'consult' | 'internal';
export const PURPOSES: readonly Purpose[] = ['transfer', 'consult', 'internal'];

export interface LinkRow {
  id: string;
  purpose: Purpose;
  senderName: string;
  senderContact: string | null;
  note: string | null;
  code: string;
  issuedBy: { kind: string; id: string | null; name: string | null; email: string | null };
  createdAt: number;
  expiresAt: number;
  maxShipments: number;
  maxBytes: number;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface LinkUsage { usedShipments: number; usedBytes: number }

interface Row {
  id: string; purpose: Purpose; sender_name: string; sender_contact: string | null; note: string | null; code: string;
  issued_by_kind: string; issued_by_id: string | null; issued_by_name: string | null; issued_by_email: string | null;
  created_at: number; expires_at: number; max_shipments: number; max_bytes: number; revoked_at: number | null; revoked_by: string | null;
}

function toLink(row: Row): LinkRow {
  return {
    id: row.id, purpose: row.purpose, senderName: row.sender_name, senderContact: row.sender_contact, note: row.note,
    code: row.code,
    issuedBy: { kind: row.issued_by_kind, id: row.issued_by_id, name: row.issued_by_name, email: row.issued_by_email },
    createdAt: row.created_at, expiresAt: row.expires_at, maxShipments: row.max_shipments, maxBytes: row.max_bytes,
    revokedAt: row.revoked_at, revokedBy: row.revoked_by,
  };
}

export class LinkStore {
  readonly #db: Db;
  /** Every sender and tus request resolves its link: compiled once. */
  readonly #byId: Database.Statement;
  constructor(db: Db) {
    this.#db = db;
    this.#byId = db.prepare('SELECT * FROM links WHERE id = ?');
  }

  insert(link: LinkRow): void {
    this.#db.prepare(`INSERT INTO links (id, purpose, sender_name, sender_contact, note, code, issued_by_kind, issued_by_id,
        issued_by_name, issued_by_email, created_at, expires_at, max_shipments, max_bytes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      link.id, link.purpose, link.senderName, link.senderContact, link.note, link.code, link.issuedBy.kind, link.issuedBy.id,
      link.issuedBy.name, link.issuedBy.email, link.createdAt, link.expiresAt, link.maxShipments, link.maxBytes);
  }

  get(id: string): LinkRow | undefined {
    const row = this.#byId.get(id) as Row | undefined;
    return row && toLink(row);
  }

  list(options: { limit?: number } = {}): LinkRow[] {
    const rows = this.#db.prepare('SELECT * FROM links ORDER BY created_at DESC LIMIT ?').all(options.limit ?? 500) as Row[];
    return rows.map(toLink);
  }

  /** Returns false when the link does not exist or was already revoked (revocation is recorded once). */
  revoke(id: string, by: string, now: number): boolean {
    return this.#db.prepare('UPDATE links SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(now, by, id).changes === 1;
  }

  usage(id: string): LinkUsage {
    const row = this.#db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(total_bytes), 0) AS bytes FROM shipments WHERE link_id = ?').get(id) as { n: number; bytes: number };
    return { usedShipments: row.n, usedBytes: row.bytes };
  }

  /** Links whose expiry has passed; the sweeper deletes their abandoned uploads. */
  expiredIds(now: number): string[] {
    return (this.#db.prepare('SELECT id FROM links WHERE expires_at < ? OR revoked_at IS NOT NULL').all(now) as { id: string }[]).map((r) => r.id);
  }
}
