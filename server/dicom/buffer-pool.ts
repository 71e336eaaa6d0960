/**
 * Reusable read buffers for storing files: a CD of a thousand 0.5 MB images would otherwise allocate (and leave
 * the garbage collector) a new buffer per file. Holds at most `maxIdleBytes` of idle buffers; a file larger than
 * every idle buffer gets a new one.
 */
export class BufferPool {
  readonly #idle: Uint8Array[] = [];
  readonly #maxIdleBytes: number;
  #idleBytes = 0;

  constructor(maxIdleBytes: number) {
    this.#maxIdleBytes = maxIdleBytes;
  }

  /** A buffer of at least `size` bytes (its contents are stale: the caller overwrites what it uses). */
  acquire(size: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.#idle.length; i++) {
      const candidate = this.#idle[i]!;
      if (candidate.length >= size && (best < 0 || candidate.length < this.#idle[best]!.length)) best = i;
    }
    // Headroom, so files of nearly the same size (a series) share buffers.
    if (best < 0) return new Uint8Array(Math.ceil((size * 1.125) / 65536) * 65536 || 65536);
    const [buffer] = this.#idle.splice(best, 1);
    this.#idleBytes -= buffer!.length;
    return buffer!;
  }

  release(buffer: Uint8Array): void {
    if (this.#idleBytes + buffer.length > this.#maxIdleBytes) return;
    this.#idle.push(buffer);
    this.#idleBytes += buffer.length;
  }
}
