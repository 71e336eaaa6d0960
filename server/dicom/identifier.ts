/**
 * C-FIND identifiers (PS3.4 C.4.1.1.3): a small dataset of matching and return keys, encoded in the transfer syntax
 * of the accepted presentation context (Explicit or Implicit VR Little Endian, PS3.5 §7.1), and the string values
 * read back from a response identifier. Pure functions on bytes; only the text VRs a query uses are written.
 */
import { DicomError } from './dicom-error.ts';
import { concat } from './pdu.ts';

export interface IdentifierElement {
  readonly tag: number;
  /** A text VR (CS, UI, LO, ...): its value is padded to even length, UI with NUL, the others with a space (PS3.5 §6.2). */
  readonly vr: string;
  /** Empty: a return key (PS3.4 C.2.2.1.3, universal matching). */
  readonly value: string;
}

/** PS3.5 §7.1.2: explicit VRs whose length is 32 bits, after two reserved bytes. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 16;
const ascii = new TextEncoder();
const latin = new TextDecoder('latin1');

/** Encodes the elements in ascending tag order (PS3.5 §7.1), as the dataset of a C-FIND-RQ. */
export function encodeIdentifier(elements: readonly IdentifierElement[], explicit: boolean): Uint8Array {
  const parts = [...elements].sort((a, b) => a.tag - b.tag).map(({ tag, vr, value }) => {
    const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
    const bytes = ascii.encode(padded);
    if (bytes.length > 0xfffe) throw new DicomError('E_PROTOCOL', `identifier value of (${hexTag(tag)}) too long`);
    // Explicit: tag, VR, 16-bit length; implicit: tag, 32-bit length. Both 8 bytes for the short text VRs.
    const element = new Uint8Array(8 + bytes.length);
    const view = new DataView(element.buffer);
    view.setUint16(0, tag >>> 16, true);
    view.setUint16(2, tag & 0xffff, true);
    if (explicit) {
      element.set(ascii.encode(vr), 4);
      view.setUint16(6, bytes.length, true);
    } else {
      view.setUint32(4, bytes.length, true);
    }
    element.set(bytes, 8);
    return element;
  });
  return concat(parts);
}

/**
 * The text values of the wanted top-level elements of a response identifier, trailing padding removed. Sequences
 * (defined or undefined length, PS3.5 §7.5) are skipped; anything running past the end is E_PROTOCOL.
 */
export function readIdentifier(bytes: Uint8Array, explicit: boolean, wanted: readonly number[]): Map<number, string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const want = new Set(wanted);
  const values = new Map<number, string>();
  const header = (offset: number) => {
    if (offset + 8 > bytes.length) throw new DicomError('E_PROTOCOL', `identifier element header past the end at ${offset}`);
    const tag = ((view.getUint16(offset, true) << 16) | view.getUint16(offset + 2, true)) >>> 0;
    // Items and delimiters (FFFE,xxxx) never carry a VR (PS3.5 §7.5).
    if (!explicit || tag >>> 16 === 0xfffe) return { tag, length: view.getUint32(offset + 4, true), value: offset + 8 };
    const vr = latin.decode(bytes.subarray(offset + 4, offset + 6));
    if (!LONG_VRS.has(vr)) return { tag, length: view.getUint16(offset + 6, true), value: offset + 8 };
    if (offset + 12 > bytes.length) throw new DicomError('E_PROTOCOL', `identifier element header past the end at ${offset}`);
    return { tag, length: view.getUint32(offset + 8, true), value: offset + 12 };
  };
  // Offset after an element; an undefined length is a sequence or item ended by its delimiter.
  const after = (h: { tag: number; length: number; value: number }, depth: number): number => {
    if (h.length !== UNDEFINED) {
      if (h.value + h.length > bytes.length) throw new DicomError('E_PROTOCOL', `identifier element (${hexTag(h.tag)}) runs past the end`);
      return h.value + h.length;
    }
    if (depth > MAX_DEPTH) throw new DicomError('E_PROTOCOL', 'identifier sequences nested too deep');
    let offset = h.value;
    for (;;) {
      const inner = header(offset);
      if (inner.tag === 0xfffee0dd || inner.tag === 0xfffee00d) return inner.value; // sequence or item delimitation
      offset = after(inner, depth + 1);
    }
  };
  let offset = 0;
  while (offset < bytes.length) {
    const h = header(offset);
    const end = after(h, 0);
    if (want.has(h.tag) && h.length !== UNDEFINED) values.set(h.tag, latin.decode(bytes.subarray(h.value, end)).replace(/[\0 ]+$/, ''));
    offset = end;
  }
  return values;
}

export function hexTag(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0');
  return `${hex.slice(0, 4)},${hex.slice(4)}`;
}
