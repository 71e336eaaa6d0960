/**
 * The audit trail (NEN 7513 style): an append-only table in which every record carries the SHA-256 of the
 * previous one, so changing, removing or reordering any row breaks the chain from there on (`verifyChain`).
 * Records hold opaque ids only, never patient data.
 */
import { createHash } from 'node:crypto';
import type { Db } from './database.ts';

export type ActorKind = 'user' | 'link' | 'worker' | 'cli' | 'system';

export interface AuditInput {
  actor: { kind: ActorKind; id?: string | null };
  action: string;
  object?: { type: string; id: string } | undefined;
  ip?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actorKind: ActorKind;
  actorId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** Review filters (NEN 7513 review by link, shipment, actor and period); all optional, combined with AND. */
export interface AuditFilter {
  objectId?: string | undefined;
  shipmentId?: string | undefined;
  /** The link's own records, its shipments' records and what the link (the sender) did. */
  linkId?: string | undefined;
  actor?: { kind: ActorKind; id: string } | undefined;
  /** ISO 8601 UTC bounds: from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

const FILTER_SQL = `(@objectId IS NULL OR object_id = @objectId)
  AND (@shipmentId IS NULL OR (object_type = 'shipment' AND object_id = @shipmentId))
  AND (@linkId IS NULL OR (object_type = 'link' AND object_id = @linkId) OR (actor_kind = 'link' AND actor_id = @linkId)
       OR (object_type = 'shipment' AND object_id IN (SELECT id FROM shipments WHERE link_id = @linkId)))
  AND (@actorKind IS NULL OR (actor_kind = @actorKind AND actor_id = @actorId))
  AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to)`;

function filterParams(filter: AuditFilter) {
  return {
    objectId: filter.objectId ?? null, shipmentId: filter.shipmentId ?? null, linkId: filter.linkId ?? null,
    actorKind: filter.actor?.kind ?? null, actorId: filter.actor?.id ?? null, from: filter.from ?? null, to: filter.to ?? null,
  };
}

export type ChainCheck = { ok: true; count: number } | { ok: false; count: number; seq: number; reason: string };

const GENESIS = '0'.repeat(64);

interface Row {
  seq: number; at: string; actor_kind: ActorKind; actor_id: string | null; action: string; object_type: string | null;
  object_id: string | null; ip: string | null; details: string | null; prev_hash: string; hash: string;
}

/** The hash covers every column but itself, in a fixed order; details are hashed as stored (their JSON text). */
function recordHash(row: Omit<Row, 'hash'>): string {
  const fields = [row.prev_hash, row.seq, row.at, row.actor_kind, row.actor_id, row.action, row.object_type, row.object_id, row.ip, row.details];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

function toRecord(row: Row): AuditRecord {
  return {
    seq: row.seq, at: row.at, actorKind: row.actor_kind, actorId: row.actor_id, action: row.action,
    objectType: row.object_type, objectId: row.object_id, ip: row.ip,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    prevHash: row.prev_hash, hash: row.hash,
  };
}

export class AuditStore {
  readonly #db: Db;
  readonly #append: (input: AuditInput, now: number) => AuditRecord;

  constructor(db: Db) {
    this.#db = db;
    const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare(`INSERT INTO audit (seq, at, actor_kind, actor_id, action, object_type, object_id, ip, details, prev_hash, hash)
      VALUES (@seq, @at, @actor_kind, @actor_id, @action, @object_type, @object_id, @ip, @details, @prev_hash, @hash)`);
    const tx = db.transaction((input: AuditInput, now: number): AuditRecord => {
      const previous = last.get() as { seq: number; hash: string } | undefined;
      const row: Omit<Row, 'hash'> = {
        seq: (previous?.seq ?? 0) + 1,
        at: new Date(now).toISOString(), // UTC, as NEN 7513 asks for unambiguous times
        actor_kind: input.actor.kind,
        actor_id: input.actor.id ?? null,
        action: input.action,
        object_type: input.object?.type ?? null,
        object_id: input.object?.id ?? null,
        ip: input.ip ?? null,
        details: input.details === undefined ? null : JSON.stringify(input.details),
        prev_hash: previous?.hash ?? GENESIS,
      };
      const full: Row = { ...row, hash: recordHash(row) };
      insert.run(full);
      return toRecord(full);
    });
    // IMMEDIATE: the CLI and the portal may append at once; the write lock is taken before reading the tail.
    this.#append = (input, now) => tx.immediate(input, now);
  }

  append(input: AuditInput, now: number = Date.now()): AuditRecord {
    return this.#append(input, now);
  }

  /** Newest first; `before` pages backwards by sequence number. */
  list(options: AuditFilter & { limit?: number; before?: number } = {}): AuditRecord[] {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows = this.#db.prepare(`SELECT * FROM audit WHERE seq < @before AND ${FILTER_SQL} ORDER BY seq DESC LIMIT @limit`)
      .all({ ...filterParams(options), before: options.before ?? Number.MAX_SAFE_INTEGER, limit }) as Row[];
    return rows.map(toRecord);
  }

  /** Every record matching the filter, oldest first, streamed from the database. */
  *all(filter: AuditFilter = {}): Generator<AuditRecord> {
    const statement = this.#db.prepare(`SELECT * FROM audit WHERE ${FILTER_SQL} ORDER BY seq`);
    for (const row of statement.iterate(filterParams(filter)) as Iterable<Row>) yield toRecord(row);
  }

  /** Recomputes the chain; names the first record whose hash, link or sequence is wrong. */
  verifyChain(): ChainCheck {
    let previous = GENESIS;
    let expectedSeq = 1;
    let count = 0;
    for (const row of this.#db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<Row>) {
      count++;
      if (row.seq !== expectedSeq) return { ok: false, count, seq: row.seq, reason: `sequence gap: expected ${expectedSeq}` };
      if (row.prev_hash !== previous) return { ok: false, count, seq: row.seq, reason: 'prev_hash does not match the previous record' };
      const { hash, ...rest } = row;
      if (recordHash(rest) !== hash) return { ok: false, count, seq: row.seq, reason: 'record altered: hash mismatch' };
      previous = hash;
      expectedSeq++;
    }
    return { ok: true, count };
  }
}
