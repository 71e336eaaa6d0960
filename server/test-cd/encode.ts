/**
 * A small DICOM data set encoder for the synthetic CD (PS3.5 §7: data elements; §7.5: sequences): explicit or
 * implicit VR little endian, defined-length sequences and items, even-length values. It writes exactly what it is
 * given; it is a test-data writer, not a general DICOM library, so large pixel data is spliced in by the caller
 * rather than copied through here.
 */
import { concat, latin1, utf8, view } from './bytes.ts';

export type Charset = 'latin1' | 'utf8';

export interface Element {
  /** (gggg,eeee) as one number, e.g. 0x00100010. */
  tag: number;
  vr: string;
  /** Strings are joined with `\` for multiple values; SQ takes a list of items (each a list of elements). */
  value: string | string[] | number | number[] | Uint8Array | Element[][];
}

/** VRs whose explicit header has 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
/** VRs whose text is affected by Specific Character Set (PS3.5 §6.1.2.3); the rest are ASCII. */
const TEXT_VRS = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

export const ITEM = 0xfffee000;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;

function encodeText(text: string, vr: string, charset: Charset): Uint8Array {
  const bytes = TEXT_VRS.has(vr) && charset === 'utf8' ? utf8(text) : latin1(text);
  if (bytes.length % 2 === 0) return bytes;
  // PS3.5 §6.2: UI pads with NUL, other strings with a space.
  return concat([bytes, new Uint8Array([vr === 'UI' ? 0 : 0x20])]);
}

const NUMBER_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };

function encodeNumbers(values: number[], vr: string): Uint8Array {
  const size = NUMBER_SIZE[vr];
  if (!size) throw new Error(`cannot encode numbers as ${vr}`);
  const out = new Uint8Array(values.length * size);
  const dv = view(out);
  values.forEach((v, i) => {
    const at = i * size;
    if (vr === 'US') dv.setUint16(at, v, true);
    else if (vr === 'SS') dv.setInt16(at, v, true);
    else if (vr === 'UL') dv.setUint32(at, v, true);
    else if (vr === 'SL') dv.setInt32(at, v, true);
    else if (vr === 'FL') dv.setFloat32(at, v, true);
    else if (vr === 'FD') dv.setFloat64(at, v, true);
    else {
      dv.setUint16(at, v >>> 16, true);
      dv.setUint16(at + 2, v & 0xffff, true);
    }
  });
  return out;
}

/** The header of one element: tag, (VR), length. `length` 0xffffffff means undefined length. */
export function elementHeader(tag: number, vr: string, length: number, explicit: boolean): Uint8Array {
  const long = explicit && LONG_VRS.has(vr);
  const out = new Uint8Array(long ? 12 : 8);
  const dv = view(out);
  dv.setUint16(0, tag >>> 16, true);
  dv.setUint16(2, tag & 0xffff, true);
  if (!explicit || tag >>> 16 === 0xfffe) {
    dv.setUint32(4, length >>> 0, true); // items and delimiters never carry a VR (PS3.5 §7.5)
  } else if (long) {
    out.set(latin1(vr), 4);
    dv.setUint32(8, length >>> 0, true);
  } else {
    out.set(latin1(vr), 4);
    dv.setUint16(6, length, true);
  }
  return out;
}

function valueBytes(element: Element, explicit: boolean, charset: Charset): Uint8Array {
  const { vr, value } = element;
  if (vr === 'SQ') {
    return concat(
      (value as Element[][]).map((item) => {
        const body = encodeDataset(item, { explicit, charset });
        return concat([elementHeader(ITEM, '', body.length, explicit), body]);
      }),
    );
  }
  if (value instanceof Uint8Array) return value.length % 2 === 0 ? value : concat([value, new Uint8Array(1)]);
  if (typeof value === 'number') return encodeNumbers([value], vr);
  if (Array.isArray(value) && typeof value[0] === 'number') return encodeNumbers(value as number[], vr);
  const text = Array.isArray(value) ? (value as string[]).join('\\') : (value as string);
  return encodeText(text, vr, charset);
}

/** Encodes elements in ascending tag order (PS3.5 §7.1: a data set is ordered by tag). */
export function encodeDataset(elements: Element[], opts: { explicit: boolean; charset: Charset }): Uint8Array {
  const sorted = [...elements].sort((a, b) => (a.tag >>> 0) - (b.tag >>> 0));
  const parts: Uint8Array[] = [];
  for (const element of sorted) {
    const value = valueBytes(element, opts.explicit, opts.charset);
    parts.push(elementHeader(element.tag, element.vr, value.length, opts.explicit), value);
  }
  return concat(parts);
}

export const IMPLEMENTATION_CLASS_UID = '2.25.271828182845904523536028747135266249';
export const IMPLEMENTATION_VERSION = 'BEELDPOORT_TCD';

/** 128-byte preamble + "DICM" + the File Meta Information group, always explicit VR LE (PS3.10 §7.1). */
export function filePreambleAndMeta(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string): Uint8Array {
  const meta = encodeDataset(
    [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
      { tag: 0x00020002, vr: 'UI', value: sopClassUid },
      { tag: 0x00020003, vr: 'UI', value: sopInstanceUid },
      { tag: 0x00020010, vr: 'UI', value: transferSyntaxUid },
      { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
      { tag: 0x00020013, vr: 'SH', value: IMPLEMENTATION_VERSION },
    ],
    { explicit: true, charset: 'latin1' },
  );
  const groupLength = encodeDataset([{ tag: 0x00020000, vr: 'UL', value: meta.length }], { explicit: true, charset: 'latin1' });
  return concat([new Uint8Array(128), latin1('DICM'), groupLength, meta]);
}
