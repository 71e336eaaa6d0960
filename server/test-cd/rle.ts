/**
 * RLE Lossless encoding (PS3.5 Annex G), enough to put an encapsulated transfer syntax on the synthetic CD:
 * one segment per byte plane, most significant byte first (G.2), each row PackBits-encoded on its own (G.3.1),
 * the 64-byte header of segment offsets (G.5), each segment padded to even length.
 */
import { concat, view } from './bytes.ts';

/** PackBits-encodes `row` into `out` at `at`; returns the new end. `out` must hold row.length + row.length/128 + 1. */
function packBitsRow(row: Uint8Array, out: Uint8Array, at: number): number {
  let i = 0;
  while (i < row.length) {
    // A replicate run of 3..128 equal bytes: header 257 - n (i.e. -(n-1) as a signed byte).
    let run = 1;
    while (i + run < row.length && run < 128 && row[i + run] === row[i]) run++;
    if (run >= 3) {
      out[at++] = 257 - run;
      out[at++] = row[i]!;
      i += run;
      continue;
    }
    // A literal run of up to 128 bytes, stopping before the next replicate run of 3.
    const start = i;
    while (i < row.length && i - start < 128) {
      if (i + 2 < row.length && row[i] === row[i + 1] && row[i] === row[i + 2]) break;
      i++;
    }
    out[at++] = i - start - 1;
    out.set(row.subarray(start, i), at);
    at += i - start;
  }
  return at;
}

/** Encodes one frame of `bytesPerSample`-byte little-endian samples (samplesPerPixel 1) as an RLE fragment. */
export function encodeRleFrame(pixels: Uint8Array, rows: number, columns: number, bytesPerSample: number): Uint8Array {
  const segments: Uint8Array[] = [];
  const plane = new Uint8Array(columns);
  // Segment order: most significant byte plane first (PS3.5 G.2), while the native data is little endian.
  for (let byte = bytesPerSample - 1; byte >= 0; byte--) {
    const out = new Uint8Array(rows * (columns + Math.ceil(columns / 128) + 1) + 1);
    let at = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) plane[c] = pixels[(r * columns + c) * bytesPerSample + byte]!;
      at = packBitsRow(plane, out, at);
    }
    if (at % 2 === 1) out[at++] = 0;
    segments.push(out.subarray(0, at));
  }
  const header = new Uint8Array(64);
  const dv = view(header);
  dv.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, index) => {
    dv.setUint32(4 + index * 4, offset, true);
    offset += segment.length;
  });
  return concat([header, ...segments]);
}

/** Decodes an RLE frame back to little-endian samples: used by the tests to prove the encoder lossless. */
export function decodeRleFrame(fragment: Uint8Array, rows: number, columns: number, bytesPerSample: number): Uint8Array {
  const dv = view(fragment);
  const count = dv.getUint32(0, true);
  const out = new Uint8Array(rows * columns * bytesPerSample);
  for (let s = 0; s < count; s++) {
    const start = dv.getUint32(4 + s * 4, true);
    const end = s + 1 < count ? dv.getUint32(8 + s * 4, true) : fragment.length;
    const byte = bytesPerSample - 1 - s;
    let i = start;
    let pixel = 0;
    while (i < end && pixel < rows * columns) {
      const n = dv.getInt8(i++);
      if (n >= 0) {
        for (let k = 0; k <= n; k++) out[pixel++ * bytesPerSample + byte] = fragment[i++]!;
      } else if (n !== -128) {
        const value = fragment[i++]!;
        for (let k = 0; k < 1 - n; k++) out[pixel++ * bytesPerSample + byte] = value;
      }
    }
  }
  return out;
}
