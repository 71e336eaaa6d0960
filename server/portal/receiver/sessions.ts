/**
 * Cookie sessions for receivers. The cookie holds a random id; the database keeps only its SHA-256 (a stolen
 * database does not yield live sessions). HttpOnly, SameSite=Strict, Path=/, and Secure (with the __Host-
 * prefix) when the portal is served over https, so http://localhost still works in development.
 * State changes need the session's CSRF token in X-CSRF-Token (OWASP synchronizer token) and, when the
 * browser sends one, an Origin equal to ours.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PortalContext } from '../context.ts';
import type { UserRow } from '../db/users.ts';
import { PortalError } from '../errors.ts';

export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
export const SESSION_IDLE_MS = 2 * 3_600_000;

export interface Session { user: UserRow; csrfToken: string; idHash: string }

const hash = (id: string) => createHash('sha256').update(id).digest('hex');

export function cookieName(ctx: PortalContext): string {
  return ctx.config.publicUrl.startsWith('https:') ? '__Host-bp_session' : 'bp_session';
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function startSession(ctx: PortalContext, res: Response, user: UserRow): Session {
  const id = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const session = { idHash: hash(id), userId: user.id, csrfToken: randomBytes(24).toString('base64url'), createdAt: now, expiresAt: now + SESSION_ABSOLUTE_MS, lastSeenAt: now };
  ctx.stores.users.insertSession(session);
  const secure = ctx.config.publicUrl.startsWith('https:');
  res.append('Set-Cookie', `${cookieName(ctx)}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_ABSOLUTE_MS / 1000}${secure ? '; Secure' : ''}`);
  return { user, csrfToken: session.csrfToken, idHash: session.idHash };
}

export function endSession(ctx: PortalContext, res: Response, session: Session): void {
  ctx.stores.users.deleteSession(session.idHash);
  const secure = ctx.config.publicUrl.startsWith('https:');
  res.append('Set-Cookie', `${cookieName(ctx)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`);
}

export function requireSession(ctx: PortalContext, req: Request): Session {
  const id = readCookie(req, cookieName(ctx));
  if (!id || id.length > 100) throw new PortalError('E_SESSION_REQUIRED', 'please log in');
  const idHash = hash(id);
  const row = ctx.stores.users.session(idHash);
  const now = ctx.now();
  if (!row || row.expiresAt <= now || row.lastSeenAt + SESSION_IDLE_MS <= now) {
    if (row) ctx.stores.users.deleteSession(idHash);
    throw new PortalError('E_SESSION_REQUIRED', 'your session has ended; please log in again');
  }
  const user = ctx.stores.users.byId(row.userId);
  if (!user || user.disabledAt !== null) throw new PortalError('E_SESSION_REQUIRED', 'please log in');
  ctx.stores.users.touchSession(idHash, now);
  return { user, csrfToken: row.csrfToken, idHash };
}

export function checkCsrf(ctx: PortalContext, req: Request, session: Session): void {
  const origin = req.get('origin');
  if (origin !== undefined && origin !== new URL(ctx.config.publicUrl).origin) throw new PortalError('E_CSRF', 'cross-origin request refused');
  const token = req.get('x-csrf-token') ?? '';
  const a = Buffer.from(token);
  const b = Buffer.from(session.csrfToken);
  if (a.length !== b.length || !timingSafeEqual(new Uint8Array(a), new Uint8Array(b))) throw new PortalError('E_CSRF', 'missing or wrong X-CSRF-Token');
}
