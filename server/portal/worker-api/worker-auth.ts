/** Authenticates the import worker: its bearer credential must hash to the value `keys init` recorded. */
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { PortalContext } from '../context.ts';
import { PortalError } from '../errors.ts';
import { bearerToken, clientIp } from '../http/link-auth.ts';
import { FailureLimiter } from '../http/rate-limiter.ts';
import { credentialHash, WORKER_CREDENTIAL_SETTING } from '../keys/init-keys.ts';

export class WorkerAuthenticator {
  readonly #ctx: PortalContext;
  readonly #failures = new FailureLimiter(20, 60_000);

  constructor(ctx: PortalContext) {
    this.#ctx = ctx;
  }

  authenticate(req: Request): void {
    const ip = clientIp(req);
    const now = this.#ctx.now();
    if (this.#failures.blocked(ip, now)) throw new PortalError('E_RATE_LIMITED', 'too many rejected worker credentials from this address');
    const expected = this.#ctx.stores.settings.get(WORKER_CREDENTIAL_SETTING);
    const token = bearerToken(req.get('authorization'));
    if (expected && token && timingSafeEqual(new Uint8Array(Buffer.from(credentialHash(token), 'hex')), new Uint8Array(Buffer.from(expected, 'hex')))) return;
    if (this.#failures.fail(ip, now) <= 5) {
      this.#ctx.stores.audit.append({ actor: { kind: 'worker' }, action: 'token.rejected', ip, details: { code: 'E_WORKER_UNAUTHORIZED' } }, now);
    }
    throw new PortalError('E_WORKER_UNAUTHORIZED', 'a valid worker credential is required');
  }
}
