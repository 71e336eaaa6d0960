/**
 * Determinism for the synthetic CD: every UID and every noise byte derives from the seed, so the same seed
 * always writes the same bytes (tests and benchmarks can cache and compare).
 */
import { createHash } from 'node:crypto';

/** A UID under the 2.25 root (PS3.5 §B.2: a UUID-derived decimal), derived from seed and a label. */
export function derivedUid(seed: string, label: string): string {
  const hex = createHash('sha256').update(`${seed}\0${label}`).digest('hex');
  // 2.25 UIDs are the decimal form of a 128-bit number (no leading zero: BigInt's decimal form has none).
  const value = BigInt(`0x${hex.slice(0, 32)}`);
  return `2.25.${value.toString(10)}`;
}

/** xorshift128: fast and deterministic; not for cryptography, only for noise that does not compress. */
export class Noise {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string, label: string) {
    const digest = new DataView(new Uint8Array(createHash('sha256').update(`${seed}\0noise\0${label}`).digest()).buffer);
    this.a = digest.getUint32(0, true) | 1;
    this.b = digest.getUint32(4, true);
    this.c = digest.getUint32(8, true);
    this.d = digest.getUint32(12, true);
  }

  next(): number {
    let t = this.d;
    const s = this.a;
    this.d = this.c;
    this.c = this.b;
    this.b = s;
    t ^= t << 11;
    t ^= t >>> 8;
    this.a = t ^ s ^ (s >>> 19);
    return this.a >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }

  /** Fills `out` (length a multiple of 4) with 32-bit words, each AND `mask` (e.g. 0x0fff0fff: 12-bit pixels). */
  fill(out: Uint8Array, mask = 0xffffffff): void {
    const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = this.next() & mask;
  }
}
