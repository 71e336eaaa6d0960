/**
 * Builds the Part 10 prefix (PS3.10 §7.1) the embedded folder destination writes in front of a dataset: a zeroed
 * preamble (never the sender's: a preamble can carry an executable, CVE-2019-11687) then "DICM" and a fresh file
 * meta group in Explicit VR Little Endian (PS3.10 §7.1, always that syntax whatever the dataset's). The dataset
 * bytes that follow are the sender's, unchanged.
 */
import { concatBytes } from '../../shared/format/bytes.ts';

/** Our implementation class UID and version (PS3.7 D.3.3.2), the same as our network sender's. */
export const IMPLEMENTATION_CLASS_UID = '2.25.259220326335910646202125983700345482804';
export const IMPLEMENTATION_VERSION = 'BEELDPOORT_0_1';

export interface MetaIdentity {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
}

const ascii = new TextEncoder();

/** PS3.5 §6.2: UI values are padded to even length with NUL, other strings with a space. */
function padded(text: string, pad: number): Uint8Array {
  const raw = ascii.encode(text);
  if (raw.length % 2 === 0) return raw;
  const out = new Uint8Array(raw.length + 1);
  out.set(raw);
  out[raw.length] = pad;
  return out;
}

/** One Explicit VR LE element with a 2-byte length (PS3.5 §7.1.2, Table 7.1-2). */
function shortElement(element: number, vr: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x0002, true);
  view.setUint16(2, element, true);
  out.set(ascii.encode(vr), 4);
  view.setUint16(6, value.length, true);
  out.set(value, 8);
  return out;
}

export function part10Header(identity: MetaIdentity): Uint8Array {
  // (0002,0001) OB has a 4-byte length form (PS3.5 Table 7.1-1): 2 reserved bytes then the length.
  const version = new Uint8Array([0x02, 0x00, 0x01, 0x00, 0x4f, 0x42, 0, 0, 2, 0, 0, 0, 0x00, 0x01]);
  const body = concatBytes([
    version,
    shortElement(0x0002, 'UI', padded(identity.sopClassUid, 0)),
    shortElement(0x0003, 'UI', padded(identity.sopInstanceUid, 0)),
    shortElement(0x0010, 'UI', padded(identity.transferSyntaxUid, 0)),
    shortElement(0x0012, 'UI', padded(IMPLEMENTATION_CLASS_UID, 0)),
    shortElement(0x0013, 'SH', padded(IMPLEMENTATION_VERSION, 0x20)),
  ]);
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, body.length, true);
  return concatBytes([new Uint8Array(128), ascii.encode('DICM'), shortElement(0x0000, 'UL', groupLength), body]);
}
