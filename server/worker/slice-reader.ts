/**
 * Cuts one ciphertext stream (one GET of several consecutive files of a bundle) into the files' own bodies, in
 * order: `slice(n)` yields exactly the next n octets (or fewer if the stream ends). A slice must be read to its end
 * before the next one starts (the decryptor reads its body whole; when it fails half way, stage-run closes the
 * reader and asks again at the next file). Nothing is buffered beyond the one chunk the stream last delivered.
 */
export class SliceReader {
  readonly #iterator: AsyncIterator<Uint8Array>;
  /** Octets of the last chunk not yet handed out. */
  #pending: Uint8Array | undefined;
  /** Octets handed out or skipped since the start of the stream. */
  #position = 0;
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  get position(): number {
    return this.#position;
  }

  async #next(): Promise<Uint8Array | undefined> {
    if (this.#pending) {
      const chunk = this.#pending;
      this.#pending = undefined;
      return chunk;
    }
    if (this.#ended) return undefined;
    const { done, value } = await this.#iterator.next();
    if (done) this.#ended = true;
    return done ? undefined : value;
  }

  /** The next `length` octets. */
  async *slice(length: number): AsyncGenerator<Uint8Array> {
    const end = this.#position + length;
    while (this.#position < end) {
      const chunk = await this.#next();
      if (!chunk) return;
      const take = Math.min(chunk.length, end - this.#position);
      if (take < chunk.length) this.#pending = chunk.subarray(take);
      this.#position += take;
      yield take < chunk.length ? chunk.subarray(0, take) : chunk;
    }
  }

  /** Ends the stream (closes the response) when the reader is given up before its end. */
  async close(): Promise<void> {
    this.#pending = undefined;
    if (!this.#ended) {
      this.#ended = true;
      await this.#iterator.return?.();
    }
  }
}
