/**
 * Issuing, resolving and revoking upload links. A link is a database row plus a signed token; every use
 * checks both (a valid signature on a revoked or expired row is refused).
 */
import { randomBytes } from 'node:crypto';
import type { PortalContext, Actor } from '../context.ts';
import { PURPOSES, type LinkRow, type Purpose } from '../db/links.ts';
import { PortalError } from '../errors.ts';
import { signLinkToken, verifyLinkToken } from './link-token.ts';
import { newVerificationCode } from './verification-code.ts';
import type { VerifiedTokens } from './verified-tokens.ts';

export const DEFAULT_LINK_DAYS = 7;
export const DEFAULT_MAX_SHIPMENTS = 10;
const DAY = 86_400_000;

export interface LinkRequest {
  purpose: string;
  senderName: string;
  senderContact?: string | null | undefined;
  note?: string | null | undefined;
  /** Milliseconds from now; default 7 days, at most config.portal.linkMaxDays. */
  expiresIn?: number | undefined;
  maxShipments?: number | undefined;
  maxBytes?: number | undefined;
}

export interface IssuedLink {
  id: string;
  url: string;
  token: string;
  code: string;
  expiresAt: string;
}

// Printable text only: CR, LF and other controls would forge log lines or headers when echoed (ASVS 16.4.1).
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/; // eslint-disable-line no-control-regex

function text(value: unknown, field: string, max: number, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (required) throw new PortalError('E_LINK_INVALID', `${field} is required`);
    return null;
  }
  if (typeof value !== 'string' || value.length > max || CONTROL.test(value)) {
    throw new PortalError('E_LINK_INVALID', `${field} must be text of at most ${max} characters without control characters`);
  }
  return value.trim();
}

function positive(value: unknown, field: string, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new PortalError('E_LINK_INVALID', `${field} must be an integer from 1 to ${max}`);
  }
  return value;
}

export function linkUrl(ctx: PortalContext, token: string): string {
  return `${ctx.config.publicUrl}/s/#${token}`;
}

export async function tokenFor(ctx: PortalContext, link: LinkRow): Promise<string> {
  return signLinkToken({ linkId: link.id, expiresAt: link.expiresAt, issuer: ctx.config.publicUrl }, ctx.keys, ctx.now());
}

export async function createLink(ctx: PortalContext, request: LinkRequest, actor: Actor, ip?: string | null): Promise<IssuedLink> {
  const { portal } = ctx.config;
  if (!PURPOSES.includes(request.purpose as Purpose)) throw new PortalError('E_LINK_INVALID', `purpose must be one of ${PURPOSES.join(', ')}`);
  const expiresIn = positive(request.expiresIn, 'expiry', DEFAULT_LINK_DAYS * DAY, portal.linkMaxDays * DAY);
  const now = ctx.now();
  const link: LinkRow = {
    id: randomBytes(12).toString('base64url'),
    purpose: request.purpose as Purpose,
    senderName: text(request.senderName, 'sender name', 200, true)!,
    senderContact: text(request.senderContact, 'sender contact', 200, false),
    note: text(request.note, 'note', 1000, false),
    code: newVerificationCode(),
    issuedBy: { kind: actor.kind, id: actor.id ?? null, name: actor.name ?? null, email: actor.email ?? null },
    createdAt: now,
    expiresAt: now + expiresIn,
    maxShipments: positive(request.maxShipments, 'maximum shipments', DEFAULT_MAX_SHIPMENTS, 10_000),
    maxBytes: positive(request.maxBytes, 'maximum bytes', portal.linkMaxBytes, portal.linkMaxBytes),
    revokedAt: null,
    revokedBy: null,
  };
  ctx.stores.links.insert(link);
  ctx.stores.audit.append({ actor, action: 'link.created', object: { type: 'link', id: link.id }, ip, details: { purpose: link.purpose } }, now);
  const token = await tokenFor(ctx, link);
  return { id: link.id, url: linkUrl(ctx, token), token, code: link.code, expiresAt: new Date(link.expiresAt).toISOString() };
}

/**
 * Checks the token AND the row: the link must exist, be unrevoked and unexpired. With `verified`, a token whose
 * signature was already verified (and whose exp has not passed) skips the signature check; the row is read anyway.
 */
export async function resolveLink(ctx: PortalContext, token: string, verified?: VerifiedTokens): Promise<LinkRow> {
  const now = ctx.now();
  let id = verified?.get(token, now);
  if (id === undefined) {
    const checked = await verifyLinkToken(token, ctx.keys, ctx.config.publicUrl, now);
    verified?.remember(token, checked);
    id = checked.linkId;
  }
  const link = ctx.stores.links.get(id);
  if (!link) throw new PortalError('E_TOKEN_INVALID', 'the link token is not valid');
  if (link.revokedAt !== null) throw new PortalError('E_LINK_REVOKED', 'this upload link has been revoked');
  if (link.expiresAt <= now) throw new PortalError('E_LINK_EXPIRED', 'this upload link has expired');
  return link;
}

export function revokeLink(ctx: PortalContext, id: string, actor: Actor, ip?: string | null): LinkRow {
  const link = ctx.stores.links.get(id);
  if (!link) throw new PortalError('E_NOT_FOUND', `no link ${id}`);
  const now = ctx.now();
  if (ctx.stores.links.revoke(id, actor.id ?? actor.kind, now)) {
    ctx.stores.audit.append({ actor, action: 'link.revoked', object: { type: 'link', id }, ip }, now);
  }
  return ctx.stores.links.get(id)!;
}
