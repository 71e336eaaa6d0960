/**
 * Fixed-window failure counter per key (an IP, or an email + IP for logins). In memory on purpose: one
 * portal process per deployment; a restart forgetting the counts costs an attacker nothing worth having.
 */
export class FailureLimiter {
  readonly #windowMs: number;
  readonly #limit: number;
  readonly #counts = new Map<string, { start: number; count: number }>();

  /** `limit` failures per `windowMs`; the next attempt inside the window is refused. */
  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  #entry(key: string, now: number) {
    const entry = this.#counts.get(key);
    if (entry && now - entry.start < this.#windowMs) return entry;
    if (this.#counts.size > 10_000) this.#prune(now);
    const fresh = { start: now, count: 0 };
    this.#counts.set(key, fresh);
    return fresh;
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#counts) if (now - entry.start >= this.#windowMs) this.#counts.delete(key);
  }

  /** Records a failure; returns how many failures this key has in the current window. */
  fail(key: string, now: number): number {
    return ++this.#entry(key, now).count;
  }

  blocked(key: string, now: number): boolean {
    return this.#entry(key, now).count >= this.#limit;
  }

  /** Seconds until the key's window ends (for Retry-After). */
  retryAfter(key: string, now: number): number {
    const entry = this.#counts.get(key);
    return entry ? Math.max(1, Math.ceil((entry.start + this.#windowMs - now) / 1000)) : 1;
  }

  reset(key: string): void {
    this.#counts.delete(key);
  }
}
