/**
 * A budget of bytes held in memory at once (instances read for C-STORE). `acquire(n)` waits until n more bytes fit,
 * except that one holder is always let in, so an instance larger than the whole budget still goes through, alone.
 * This is what keeps the worker's memory bounded by the budget, not by instance size times concurrency.
 */
export class ByteBudget {
  readonly #limit: number;
  #used = 0;
  #holders = 0;
  readonly #waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with a release function once `bytes` fit. */
  async acquire(bytes: number): Promise<() => void> {
    if (!this.#fits(bytes) || this.#waiting.length > 0) {
      await new Promise<void>((grant) => this.#waiting.push({ bytes, grant }));
    } else {
      this.#take(bytes);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= bytes;
      this.#holders -= 1;
      this.#drain();
    };
  }

  #fits(bytes: number): boolean {
    return this.#holders === 0 || this.#used + bytes <= this.#limit;
  }

  #take(bytes: number): void {
    this.#used += bytes;
    this.#holders += 1;
  }

  #drain(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.bytes)) {
      const next = this.#waiting.shift()!;
      this.#take(next.bytes);
      next.grant();
    }
  }
}
