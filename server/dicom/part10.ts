/**
 * Reads what the sender needs from a DICOM file (PS3.10 §7): where the dataset starts, its transfer syntax and the
 * instance's identity. It does not parse or validate the dataset (the worker validates before storing); it only
 * walks the file meta group and, for files without one (old CDs), the first elements of the dataset.
 */
import { DicomError } from './dicom-error.ts';
import { DICOMDIR_SOP_CLASS, EXPLICIT_VR_LE, IMPLICIT_VR_LE } from './uids.ts';

export interface Part10Info {
  /** Offset of the first dataset byte: what follows goes on the wire unchanged. */
  readonly datasetOffset: number;
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Whether the file has a file meta group (PS3.10 §7.1). */
  readonly hasMeta: boolean;
  /** Whether the meta group is preceded by the 128-byte preamble and "DICM". */
  readonly hasPreamble: boolean;
  readonly implementationClassUid: string | undefined;
}

/** PS3.5 §7.1.2: explicit VRs whose length is 32 bits, after two reserved bytes. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const VRS = new Set([...LONG_VRS, 'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 32;
const latin = new TextDecoder('latin1');

interface Header { tag: number; vr: string | undefined; length: number; value: number }

class Walker {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly explicit: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  header(offset: number): Header {
    if (offset + 8 > this.bytes.length) throw new DicomError('E_NOT_DICOM', `element header past the end at ${offset}`);
    const tag = ((this.view.getUint16(offset, true) << 16) | this.view.getUint16(offset + 2, true)) >>> 0;
    const vr = latin.decode(this.bytes.subarray(offset + 4, offset + 6));
    // Items and delimiters (FFFE,xxxx) never carry a VR (PS3.5 §7.5).
    if (!this.explicit || tag >>> 16 === 0xfffe) return { tag, vr: undefined, length: this.view.getUint32(offset + 4, true), value: offset + 8 };
    if (!VRS.has(vr)) throw new DicomError('E_NOT_DICOM', `unknown VR "${vr}" at ${offset}`);
    if (!LONG_VRS.has(vr)) return { tag, vr, length: this.view.getUint16(offset + 6, true), value: offset + 8 };
    if (offset + 12 > this.bytes.length) throw new DicomError('E_NOT_DICOM', `element header past the end at ${offset}`);
    return { tag, vr, length: this.view.getUint32(offset + 8, true), value: offset + 12 };
  }

  /** Offset after an element, skipping undefined-length sequences and items (PS3.5 §7.5.1). */
  after(h: Header, depth = 0): number {
    if (h.length !== UNDEFINED) {
      const end = h.value + h.length;
      if (end > this.bytes.length) throw new DicomError('E_NOT_DICOM', `element (${hexTag(h.tag)}) runs past the end`);
      return end;
    }
    if (depth > MAX_DEPTH) throw new DicomError('E_NOT_DICOM', 'sequences nested too deep');
    let offset = h.value;
    for (;;) {
      const item = this.header(offset);
      if (item.tag === 0xfffee0dd) return item.value; // sequence delimitation
      if (item.tag !== 0xfffee000) throw new DicomError('E_NOT_DICOM', `expected an item at ${offset}`);
      if (item.length !== UNDEFINED) {
        offset = this.after(item, depth + 1);
        continue;
      }
      offset = item.value;
      for (;;) {
        const element = this.header(offset);
        if (element.tag === 0xfffee00d) { offset = element.value; break; } // item delimitation
        offset = this.after(element, depth + 1);
      }
    }
  }

  text(h: Header): string {
    return latin.decode(this.bytes.subarray(h.value, h.value + h.length)).replace(/[\0 ]+$/, '');
  }
}

const hexTag = (tag: number) => `${(tag >>> 16).toString(16).padStart(4, '0')},${(tag & 0xffff).toString(16).padStart(4, '0')}`;

/** Values of `wanted` tags among the top-level elements from `offset` while `until(tag)` holds. */
function collect(walker: Walker, offset: number, wanted: readonly number[], until: (tag: number) => boolean) {
  const found = new Map<number, string>();
  while (offset + 4 <= walker.bytes.length) {
    // The tag decides before the VR is read: the dataset after the meta group may use another encoding.
    if (!until(((walker.view.getUint16(offset, true) << 16) | walker.view.getUint16(offset + 2, true)) >>> 0)) break;
    const h = walker.header(offset);
    if (wanted.includes(h.tag)) found.set(h.tag, walker.text(h));
    offset = walker.after(h);
  }
  return { found, end: offset };
}

function isMetaStart(bytes: Uint8Array, offset: number): boolean {
  return bytes.length >= offset + 8 && bytes[offset] === 0x02 && bytes[offset + 1] === 0x00 && VRS.has(latin.decode(bytes.subarray(offset + 4, offset + 6)));
}

/**
 * Locates the dataset and identity of a DICOM file. Throws a DicomError: E_NOT_DICOM (no meta and no plausible
 * dataset), E_BAD_META (meta group broken or without transfer syntax), E_DICOMDIR, E_NO_IDENTITY.
 */
export function readPart10(bytes: Uint8Array): Part10Info {
  const hasPreamble = bytes.length >= 132 && latin.decode(bytes.subarray(128, 132)) === 'DICM';
  const metaStart = hasPreamble ? 132 : isMetaStart(bytes, 0) ? 0 : -1;
  let info: Part10Info;
  if (metaStart >= 0) {
    let meta;
    try {
      meta = collect(new Walker(bytes, true), metaStart, [0x00020002, 0x00020003, 0x00020010, 0x00020012], (tag) => tag >>> 16 === 0x0002);
    } catch (error) {
      throw new DicomError('E_BAD_META', (error as Error).message, { cause: error });
    }
    const transferSyntaxUid = meta.found.get(0x00020010);
    if (!transferSyntaxUid) throw new DicomError('E_BAD_META', 'no Transfer Syntax UID (0002,0010)');
    let sopClassUid = meta.found.get(0x00020002) ?? '';
    let sopInstanceUid = meta.found.get(0x00020003) ?? '';
    if ((!sopClassUid || !sopInstanceUid) && (transferSyntaxUid === IMPLICIT_VR_LE || transferSyntaxUid === EXPLICIT_VR_LE)) {
      const identity = datasetIdentity(bytes, meta.end, transferSyntaxUid === EXPLICIT_VR_LE);
      sopClassUid ||= identity.sopClassUid;
      sopInstanceUid ||= identity.sopInstanceUid;
    }
    info = { datasetOffset: meta.end, transferSyntaxUid, sopClassUid, sopInstanceUid, hasMeta: true, hasPreamble, implementationClassUid: meta.found.get(0x00020012) };
  } else {
    // PS3.10 §7.1 files always have meta, but old CDs hold bare datasets: Implicit VR LE unless the VR bytes say otherwise.
    if (bytes.length < 8 || bytes[0] !== 0x08 || bytes[1] !== 0x00) throw new DicomError('E_NOT_DICOM', 'no DICM prefix, no meta group and no dataset starting at group 0008');
    const explicit = VRS.has(latin.decode(bytes.subarray(4, 6)));
    const identity = datasetIdentity(bytes, 0, explicit);
    info = { datasetOffset: 0, transferSyntaxUid: explicit ? EXPLICIT_VR_LE : IMPLICIT_VR_LE, ...identity, hasMeta: false, hasPreamble: false, implementationClassUid: undefined };
  }
  if (info.sopClassUid === DICOMDIR_SOP_CLASS) throw new DicomError('E_DICOMDIR');
  if (!info.sopClassUid || !info.sopInstanceUid) throw new DicomError('E_NO_IDENTITY', 'neither the meta group nor the dataset names the instance');
  return info;
}

/** SOP Class (0008,0016) and Instance (0008,0018) UIDs from a little-endian dataset. */
function datasetIdentity(bytes: Uint8Array, offset: number, explicit: boolean): { sopClassUid: string; sopInstanceUid: string } {
  let found;
  try {
    ({ found } = collect(new Walker(bytes, explicit), offset, [0x00080016, 0x00080018], (tag) => tag <= 0x00080018));
  } catch (error) {
    if (error instanceof DicomError) throw error;
    throw new DicomError('E_NOT_DICOM', String(error), { cause: error });
  }
  return { sopClassUid: found.get(0x00080016) ?? '', sopInstanceUid: found.get(0x00080018) ?? '' };
}
