/**
 * Is this DICOM, and how does it start? Decided from the first bytes only. PS3.10 §7.1 files have a 128-byte
 * preamble and "DICM"; old CDs also carry bare data sets (no preamble, no meta), which start with a group 0008
 * element, and a few writers drop only the preamble (meta group at offset 0).
 */
import { TRANSFER_SYNTAX } from './uids.ts';

export type DicomLayout =
  /** PS3.10 file: preamble, "DICM", meta group. */
  | { readonly kind: 'part10' }
  /** "DICM" and the meta group at offset 0, preamble missing. */
  | { readonly kind: 'part10-no-preamble' }
  /** A bare data set; its transfer syntax guessed from the first element (implicit VR LE is the default, PS3.5 §10). */
  | { readonly kind: 'bare'; readonly transferSyntaxUid: string };

const VRS = new Set('AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '));

function isDicm(bytes: Uint8Array, at: number): boolean {
  return bytes.length >= at + 4 && bytes[at] === 0x44 && bytes[at + 1] === 0x49 && bytes[at + 2] === 0x43 && bytes[at + 3] === 0x4d;
}

/** The layout of a file from its first bytes (at least 132 when the file has them), or undefined if not DICOM. */
export function sniffDicom(prefix: Uint8Array): DicomLayout | undefined {
  if (isDicm(prefix, 128)) return { kind: 'part10' };
  if (isDicm(prefix, 0)) return { kind: 'part10-no-preamble' };
  if (prefix.length < 12) return undefined;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const group = view.getUint16(0, true);
  const element = view.getUint16(2, true);
  // A bare data set starts with a group 0008 (Identifying) element: (0008,0000) to (0008,0018) in practice.
  if (group !== 0x0008 || element > 0x0100) return undefined;
  const vr = String.fromCharCode(prefix[4]!, prefix[5]!);
  if (VRS.has(vr)) {
    const length = view.getUint16(6, true);
    return length <= prefix.length || length < 1024 ? { kind: 'bare', transferSyntaxUid: TRANSFER_SYNTAX.explicitLittle } : undefined;
  }
  // Implicit VR: a 4-byte length that a first identifying element plausibly has.
  return view.getUint32(4, true) < 4096 ? { kind: 'bare', transferSyntaxUid: TRANSFER_SYNTAX.implicitLittle } : undefined;
}
