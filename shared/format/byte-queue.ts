/** FIFO of byte chunks: push what arrives, take exact lengths out, copying only when a take spans chunks. */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The first n octets without removing them (n <= length). */
  peek(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const saved = { chunks: this.chunks.slice(), head: this.head, total: this.total };
    const out = this.take(n);
    Object.assign(this, saved);
    return out;
  }

  /** Removes and returns exactly n octets (n <= length). */
  take(n: number): Uint8Array {
    if (n > this.total) throw new RangeError('take beyond queue length');
    this.total -= n;
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(n - filled, chunk.length - this.head);
      out.set(chunk.subarray(this.head, this.head + count), filled);
      filled += count;
      this.head += count;
      if (this.head === chunk.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    return out;
  }
}
