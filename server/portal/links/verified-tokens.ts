/**
 * A small bounded memory of link tokens whose signature and claims were verified (link-token.ts). A CD is
 * uploaded as one tus request per file, each carrying the same token; verifying its EdDSA signature every time
 * cost about half a millisecond per file. What it remembers is only "this exact token string verified, for link
 * L, until its exp": the link ROW (revoked, expired, quota) is still read on every request (links.ts resolveLink),
 * so revocation stops a cached token at once, and an entry is never used at or past the token's own exp (then
 * the token goes through jose again, which refuses it). Failures are never remembered.
 */
export interface VerifiedToken {
  linkId: string;
  /** The token's exp claim in ms. */
  expiresAt: number;
}

export class VerifiedTokens {
  readonly #max: number;
  /** Insertion-ordered: the oldest entry is evicted first when full. */
  readonly #entries = new Map<string, VerifiedToken>();

  constructor(max = 256) {
    this.#max = max;
  }

  /** The verified link id for exactly this token string, if remembered and not yet at its exp. */
  get(token: string, now: number): string | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.linkId;
  }

  remember(token: string, verified: VerifiedToken): void {
    this.#entries.delete(token);
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, verified);
  }

  get size(): number {
    return this.#entries.size;
  }
}
