/**
 * Plaintext SHA-256 of a file for the manifest (the worker checks it after decrypting). WebCrypto's digest is
 * one-shot, so a file is hashed in one call up to ONE_SHOT_LIMIT and with the incremental FIPS 180-4 SHA-256 below
 * beyond it, keeping memory bounded for multi-frame files of hundreds of MB. A caller may inject a faster
 * incremental hash (the Node sender passes node:crypto's) through `createHash`.
 */
import type { ScratchPool } from '../format/index.ts';
import { SendError } from './send-error.ts';

/** An incremental hash: feed bytes in order, then take the 32-byte digest once. */
export interface IncrementalHash {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array | Promise<Uint8Array>;
}

export type HashFactory = () => IncrementalHash;

/** Files up to this size are hashed with one WebCrypto call (native speed, the whole file in memory once). */
export const ONE_SHOT_LIMIT = 32 * 1024 * 1024;
/** Bytes read per step when hashing incrementally. */
export const HASH_READ_SIZE = 4 * 1024 * 1024;

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** Incremental SHA-256 in plain TypeScript (FIPS 180-4 §6.2), for inputs too large for a one-shot digest. */
export class Sha256 implements IncrementalHash {
  private readonly h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private readonly w = new Uint32Array(64);
  private readonly block = new Uint8Array(64);
  private blockLength = 0;
  private total = 0;
  private finished = false;

  update(bytes: Uint8Array): void {
    if (this.finished) throw new Error('Sha256: update after digest');
    this.total += bytes.length;
    let offset = 0;
    if (this.blockLength > 0) {
      const take = Math.min(64 - this.blockLength, bytes.length);
      this.block.set(bytes.subarray(0, take), this.blockLength);
      this.blockLength += take;
      offset = take;
      if (this.blockLength < 64) return;
      this.compress(this.block, 0);
      this.blockLength = 0;
    }
    for (; offset + 64 <= bytes.length; offset += 64) this.compress(bytes, offset);
    this.block.set(bytes.subarray(offset), 0);
    this.blockLength = bytes.length - offset;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('Sha256: digest taken twice');
    // §5.1.1 padding: a 1 bit, zeros, then the message length in bits as a 64-bit big-endian integer.
    const bitLength = this.total * 8;
    const padLength = this.blockLength < 56 ? 56 - this.blockLength : 120 - this.blockLength;
    const pad = new Uint8Array(padLength + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(padLength, Math.floor(bitLength / 0x1_0000_0000));
    view.setUint32(padLength + 4, bitLength >>> 0);
    this.update(pad);
    this.finished = true;
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setUint32(i * 4, this.h[i]!);
    return out;
  }

  private compress(bytes: Uint8Array, offset: number): void {
    const w = this.w;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] = ((bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!) >>> 0;
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
    }
    const h = this.h;
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[i]! + w[i]!) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) >>> 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) >>> 0;
    }
    h[0] = (h[0]! + a) >>> 0;
    h[1] = (h[1]! + b) >>> 0;
    h[2] = (h[2]! + c) >>> 0;
    h[3] = (h[3]! + d) >>> 0;
    h[4] = (h[4]! + e) >>> 0;
    h[5] = (h[5]! + f) >>> 0;
    h[6] = (h[6]! + g) >>> 0;
    h[7] = (h[7]! + hh) >>> 0;
  }
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** A readable range source: a Node file, a browser File, or bytes in memory (`into`: see PlainFile.read). */
export interface ByteSource {
  readonly size: number;
  read(start: number, end: number, into?: Uint8Array): Promise<Uint8Array>;
}

/**
 * Lowercase hex SHA-256 of the whole source, with bounded memory (see the file comment). With `scratch` (and an
 * incremental hash, which has consumed each piece when update() returns) every read goes into one pooled buffer.
 */
export async function sha256Hex(source: ByteSource, createHash?: HashFactory, scratch?: Pick<ScratchPool, 'take' | 'give'>): Promise<string> {
  if (!createHash && source.size <= ONE_SHOT_LIMIT) {
    const bytes = await readExactly(source, 0, source.size);
    return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
  }
  const hash = (createHash ?? (() => new Sha256()))();
  const buffer = scratch?.take(Math.min(source.size, HASH_READ_SIZE));
  for (let start = 0; start < source.size; start += HASH_READ_SIZE) {
    hash.update(await readExactly(source, start, Math.min(source.size, start + HASH_READ_SIZE), buffer));
  }
  if (buffer) scratch!.give(buffer);
  return toHex(await hash.digest());
}

async function readExactly(source: ByteSource, start: number, end: number, into?: Uint8Array): Promise<Uint8Array> {
  const bytes = await source.read(start, end, into);
  if (bytes.length !== end - start) {
    throw new SendError('E_SEND_FILE_CHANGED', `a file returned ${bytes.length} bytes for ${start}-${end}: it changed while being sent`);
  }
  return bytes;
}
