/**
 * Receiver login, behind one interface so hospital SSO (OIDC) can be added beside the local accounts later:
 * an Authenticator turns credentials into a user or null. Local login is scrypt + rate limiting per account
 * and per address; failed logins are audited (a bounded number per window, so a brute force cannot flood it).
 */
import type { PortalContext } from '../context.ts';
import type { UserRow } from '../db/users.ts';
import { PortalError } from '../errors.ts';
import { FailureLimiter } from '../http/rate-limiter.ts';
import { dummyHash, verifyPassword } from './passwords.ts';

export interface Authenticator {
  authenticate(credentials: { email: string; password: string }): Promise<UserRow | null>;
}

export function localAuthenticator(ctx: PortalContext): Authenticator {
  return {
    async authenticate({ email, password }) {
      const user = ctx.stores.users.byEmail(email);
      // Verify against a dummy hash for unknown accounts: same cost, so timing reveals no account names.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
      return ok && user && user.disabledAt === null ? user : null;
    },
  };
}

export class LoginGate {
  readonly #ctx: PortalContext;
  readonly #authenticator: Authenticator;
  readonly #perAccount = new FailureLimiter(5, 15 * 60_000);
  readonly #perAddress = new FailureLimiter(20, 15 * 60_000);

  constructor(ctx: PortalContext, authenticator: Authenticator = localAuthenticator(ctx)) {
    this.#ctx = ctx;
    this.#authenticator = authenticator;
  }

  async login(body: unknown, ip: string): Promise<UserRow> {
    const { email, password } = (body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof email !== 'string' || typeof password !== 'string' || email.length > 254 || password.length > 1024) {
      throw new PortalError('E_BAD_REQUEST', 'email and password are required');
    }
    const account = `${email.trim().toLowerCase()}`;
    const now = this.#ctx.now();
    if (this.#perAccount.blocked(account, now) || this.#perAddress.blocked(ip, now)) {
      this.#audit('login.blocked', account, ip, now, this.#perAccount.fail(account, now));
      throw new PortalError('E_RATE_LIMITED', 'too many failed logins; try again later');
    }
    const user = await this.#authenticator.authenticate({ email: email.trim(), password });
    if (!user) {
      const failures = this.#perAccount.fail(account, now);
      this.#perAddress.fail(ip, now);
      this.#audit('login.failed', account, ip, now, failures);
      throw new PortalError('E_LOGIN_FAILED', 'unknown e-mail address or wrong password');
    }
    this.#perAccount.reset(account);
    this.#ctx.stores.audit.append({ actor: { kind: 'user', id: String(user.id) }, action: 'login', object: { type: 'user', id: String(user.id) }, ip }, now);
    return user;
  }

  #audit(action: string, account: string, ip: string, now: number, failures: number): void {
    if (failures > 6) return; // the first failures and the first block per window are enough evidence
    const user = this.#ctx.stores.users.byEmail(account);
    this.#ctx.stores.audit.append({ actor: { kind: 'user', id: user ? String(user.id) : null }, action, ip, details: { failuresInWindow: failures } }, now);
  }
}
