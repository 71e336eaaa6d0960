/**
 * Turns the dashboard's audit review query (?linkId&shipmentId&user&from&to, dates as YYYY-MM-DD in UTC) into a
 * store filter, and names the user actors so a reviewer sees who, not a number (NEN 7513: "who the user was").
 */
import type { Request } from 'express';
import type { PortalContext } from '../context.ts';
import type { AuditFilter, AuditRecord } from '../db/audit.ts';
import { PortalError } from '../errors.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY = 86_400_000;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : undefined;
}

function day(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  if (!DATE.test(value) || Number.isNaN(ms)) throw new PortalError('E_BAD_REQUEST', `${name} must be a date YYYY-MM-DD`);
  return ms;
}

export function auditFilter(ctx: PortalContext, req: Request): AuditFilter {
  const q = req.query;
  const from = day(text(q.from), 'from');
  const to = day(text(q.to), 'to');
  const user = text(q.user);
  let actor: AuditFilter['actor'];
  if (user !== undefined) {
    const found = /^\d+$/.test(user) ? ctx.stores.users.byId(Number(user)) : ctx.stores.users.byEmail(user);
    actor = { kind: 'user', id: found ? String(found.id) : '-' }; // an unknown user matches nothing
  }
  return {
    objectId: text(q.objectId), shipmentId: text(q.shipmentId), linkId: text(q.linkId), actor,
    from: from === undefined ? undefined : new Date(from).toISOString(),
    to: to === undefined ? undefined : new Date(to + DAY).toISOString(), // "to" is inclusive of that whole day
  };
}

/** Adds `actorName` (the user's e-mail) to user records. */
export function withActorNames(ctx: PortalContext, records: AuditRecord[]): (AuditRecord & { actorName: string | null })[] {
  const names = new Map<string, string | null>();
  return records.map((record) => {
    let actorName: string | null = null;
    if (record.actorKind === 'user' && record.actorId !== null && /^\d+$/.test(record.actorId)) {
      if (!names.has(record.actorId)) names.set(record.actorId, ctx.stores.users.byId(Number(record.actorId))?.email ?? null);
      actorName = names.get(record.actorId) ?? null;
    }
    return { ...record, actorName };
  });
}
