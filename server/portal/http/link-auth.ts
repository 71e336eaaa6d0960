/**
 * Authenticates a sender request by its link token (Authorization: Bearer). Failures are counted per client
 * IP: past the limit every token request from that IP gets 429 until the window ends, and the first few
 * rejections per window are audited (ASVS 16.3.1) without letting an attacker flood the audit trail.
 */
import type { Request } from 'express';
import type { PortalContext } from '../context.ts';
import type { LinkRow } from '../db/links.ts';
import { PortalError } from '../errors.ts';
import { resolveLink } from '../links/links.ts';
import { VerifiedTokens } from '../links/verified-tokens.ts';
import { FailureLimiter } from './rate-limiter.ts';

const AUDITED_FAILURES_PER_WINDOW = 5;

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match?.[1];
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export class LinkAuthenticator {
  readonly #ctx: PortalContext;
  readonly #failures: FailureLimiter;
  /** Tokens whose signature verified: every tus request of a CD carries the same one (verified-tokens.ts). */
  readonly #verified = new VerifiedTokens();

  constructor(ctx: PortalContext, limit = 30, windowMs = 60_000) {
    this.#ctx = ctx;
    this.#failures = new FailureLimiter(limit, windowMs);
  }

  async authenticate(req: Request): Promise<LinkRow> {
    const ip = clientIp(req);
    const now = this.#ctx.now();
    if (this.#failures.blocked(ip, now)) {
      throw new PortalError('E_RATE_LIMITED', `too many rejected link tokens from this address; retry in ${this.#failures.retryAfter(ip, now)} s`);
    }
    const token = bearerToken(req.get('authorization'));
    try {
      if (!token) throw new PortalError('E_TOKEN_MISSING', 'an upload link token is required (Authorization: Bearer)');
      return await resolveLink(this.#ctx, token, this.#verified);
    } catch (error) {
      if (error instanceof PortalError && error.code !== 'E_TOKEN_MISSING') this.#reject(error, ip, now);
      throw error;
    }
  }

  #reject(error: PortalError, ip: string, now: number): void {
    const count = this.#failures.fail(ip, now);
    if (count <= AUDITED_FAILURES_PER_WINDOW) {
      this.#ctx.stores.audit.append({ actor: { kind: 'link' }, action: 'token.rejected', ip, details: { code: error.code, failuresInWindow: count } }, now);
    }
  }
}
