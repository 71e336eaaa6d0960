/**
 * Reusable buffers for plaintext that lives only while it is hashed or sealed. A CD is thousands of files of about
 * half a megabyte, and each one was read into a fresh ArrayBuffer twice (checksum, then encryption): the engine
 * counts such memory outside its heap and starts a full garbage collection every few tens of megabytes of it, which
 * cost the Node sender more CPU than the cipher itself. Whoever takes a buffer gives it back only once nothing reads
 * or writes it any more; a buffer whose user failed is simply not given back.
 */

/** Smallest buffer handed out: small files share the same few buffers instead of one each per size. */
const MIN_BUFFER = 64 * 1024;

export class ScratchPool {
  private readonly free: Uint8Array[] = [];
  private freeBytes = 0;

  /**
   * @param maxBufferBytes larger requests get a buffer of their own that is not kept (default 16 MiB: a tus chunk)
   * @param maxFreeBytes what the pool keeps between uses at most (default 32 MiB)
   */
  constructor(
    private readonly maxBufferBytes = 16 * 1024 * 1024,
    private readonly maxFreeBytes = 32 * 1024 * 1024,
  ) {}

  /** A buffer of at least `length` octets, contents undefined (earlier plaintext): fill it before reading it. */
  take(length: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i]!.length;
      if (size >= length && (best < 0 || size < this.free[best]!.length)) best = i;
    }
    if (best >= 0) {
      const [buffer] = this.free.splice(best, 1);
      this.freeBytes -= buffer!.length;
      return buffer!;
    }
    // Power-of-two sizes, so files of slightly different sizes reuse one another's buffers.
    let size = MIN_BUFFER;
    while (size < length) size *= 2;
    return new Uint8Array(size > this.maxBufferBytes ? length : size);
  }

  /** Returns a buffer from take(); the caller must not touch it afterwards. */
  give(buffer: Uint8Array): void {
    if (buffer.length > this.maxBufferBytes || this.freeBytes + buffer.length > this.maxFreeBytes) return;
    this.free.push(buffer);
    this.freeBytes += buffer.length;
  }
}
