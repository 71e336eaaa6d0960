/**
 * Validates one untrusted, decrypted file as a DICOM instance the worker may store: dicom-parser for the parse,
 * then our own checks that dicom-parser does not make (every element and fragment inside the buffer, native
 * pixel data as long as its image description requires, UIDs well formed). Pure: bytes in, identity out. Runs
 * inside a worker thread with a time and memory limit (validator.ts), because parsers hang on malformed input.
 */
import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { WorkerError } from '../worker-error.ts';

const DICOMDIR_SOP_CLASS = '1.2.840.10008.1.3.10'; // PS3.4 Annex F: Media Storage Directory
const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
const DEFLATED = '1.2.840.10008.1.2.1.99';
/** Transfer syntaxes whose pixel data is native (not encapsulated), so its length is fixed by the image. */
const NATIVE = new Set([IMPLICIT_VR_LE, EXPLICIT_VR_LE, '1.2.840.10008.1.2.2', DEFLATED]);
/** PS3.5 §9.1: components of digits separated by dots, at most 64 characters, no leading zero in a component. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export interface InstanceIdentity {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
}

export interface ValidatedInstance extends InstanceIdentity {
  /** Where the dataset begins: after the preamble and file meta group (PS3.10 §7.1), 0 without them. */
  readonly datasetOffset: number;
  readonly hasMeta: boolean;
}

function uid(dataSet: DataSet, tag: string, name: string, required: boolean): string {
  const value = dataSet.string(tag)?.replace(/\0+$/, '').trim() ?? '';
  if (value === '' && !required) return '';
  if (value.length > 64 || !UID.test(value)) {
    throw new WorkerError(value === '' ? 'E_NOT_DICOM' : 'E_DICOM_INVALID', `${name} ${value === '' ? 'missing' : `"${value.slice(0, 80)}" is not a valid UID`}`);
  }
  return value;
}

/** PS3.10 §7.1: the preamble is 128 bytes, then "DICM". */
function hasPart10Prefix(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** A raw dataset (old CDs: no preamble, no meta) must start with a group 0008 element; guess its VR encoding. */
function rawTransferSyntax(bytes: Uint8Array): string {
  if (bytes.length < 8 || bytes[0] !== 0x08 || bytes[1] !== 0x00) throw new WorkerError('E_NOT_DICOM', 'no DICM prefix and no dataset at the start');
  const isUpper = (b: number | undefined) => b !== undefined && b >= 0x41 && b <= 0x5a;
  return isUpper(bytes[4]) && isUpper(bytes[5]) ? EXPLICIT_VR_LE : IMPLICIT_VR_LE;
}

/**
 * At most how far a deflated dataset (PS3.5 A.5) may inflate: 64 times its compressed size, at least 64 MiB. Real
 * DICOM deflates a few times over; a deflate bomb (1 MB of zeros in, gigabytes out) stops here, with an error,
 * instead of allocating the gigabytes (dicom-parser's own zlib call has no bound).
 */
export function inflateLimit(compressed: number): number {
  return Math.max(64 * 1024 * 1024, 64 * compressed);
}

/**
 * dicom-parser's `inflater` hook: the file's bytes up to `position` as they are, then the deflated dataset inflated
 * within the limit (as dicom-parser's own zlib path lays them out, but bounded).
 */
function inflateWithin(byteArray: Uint8Array, position: number): Uint8Array {
  const deflated = byteArray.subarray(position);
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(deflated, { maxOutputLength: inflateLimit(deflated.length) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new WorkerError('E_DICOM_TOO_LARGE', `the deflated dataset of ${deflated.length} bytes inflates past ${inflateLimit(deflated.length)} bytes (a deflate bomb)`);
    }
    throw new WorkerError('E_DICOM_INVALID', `the deflated dataset does not inflate: ${(error as Error).message}`);
  }
  const whole = Buffer.allocUnsafe(position + inflated.length);
  whole.set(byteArray.subarray(0, position));
  whole.set(inflated, position);
  return whole;
}

function parse(bytes: Uint8Array, hasMeta: boolean): DataSet {
  // A Buffer, as dicom-parser expects in Node (its readers use Buffer methods).
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as Uint8Array;
  let deflatedAt: number | undefined;
  const inflater = (byteArray: Uint8Array, position: number) => {
    deflatedAt = position;
    return inflateWithin(byteArray, position);
  };
  let dataSet: DataSet;
  try {
    dataSet = hasMeta
      ? dicomParser.parseDicom(buffer, { inflater } as unknown as dicomParser.ParseDicomOptions)
      : dicomParser.parseDicom(buffer, { TransferSyntaxUID: rawTransferSyntax(bytes) });
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    // dicom-parser throws a string, an Error, or { exception, dataSet } with a partial dataset.
    const detail = typeof error === 'string' ? error
      : error instanceof Error ? error.message
        : String((error as { exception?: unknown })?.exception ?? error);
    if (typeof error === 'string' && /DICM|prefix/i.test(error)) throw new WorkerError('E_NOT_DICOM', detail);
    throw new WorkerError(/eof|overrun|overread|end of|'byteArray' length/i.test(detail) ? 'E_DICOM_TRUNCATED' : 'E_DICOM_INVALID', detail);
  }
  if (deflatedAt !== undefined) {
    // dicom-parser 1.8 parses a deflated file's dataset from offset 0, so the preamble and meta group come back as
    // dataset elements too; they are dropped (the meta group's own elements are merged in from its first parse).
    for (const [tag, element] of Object.entries(dataSet.elements)) {
      if (!tag.startsWith('x0002') && element.dataOffset < deflatedAt) delete dataSet.elements[tag];
    }
  }
  return dataSet;
}

/** PS3.5 Table 6.2-1: the value representations an explicit VR dataset may name. */
const KNOWN_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN', 'SH',
  'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/**
 * Every element, item and fragment must lie inside the bytes (dicom-parser accepts a cut-off last element), and an
 * explicit VR must be one PS3.5 defines: with an unknown one a reader cannot tell whether 2 or 4 length bytes follow,
 * so the PACS would read the rest of the dataset differently from us.
 */
function checkElements(dataSet: DataSet, size: number): void {
  const check = (element: Element, limit: number) => {
    // Items and delimiters (group FFFE) carry no VR (PS3.5 §7.5).
    if (element.vr !== undefined && !element.tag.startsWith('xfffe') && !KNOWN_VRS.has(element.vr)) {
      throw new WorkerError('E_DICOM_INVALID', `element ${element.tag} has the unknown VR "${element.vr}" (PS3.5 §6.2)`);
    }
    const end = element.dataOffset + element.length;
    if (element.encapsulatedPixelData) {
      for (const fragment of element.fragments ?? []) {
        if (fragment.position + fragment.length > limit) throw new WorkerError('E_DICOM_TRUNCATED', `pixel data fragment at ${fragment.position} runs past the end`);
      }
    } else if (element.length < 0 || end > limit) {
      throw new WorkerError('E_DICOM_TRUNCATED', `element ${element.tag} needs ${element.length} bytes at ${element.dataOffset}, file has ${limit}`);
    }
    for (const item of element.items ?? []) {
      if (item.dataOffset + item.length > limit) throw new WorkerError('E_DICOM_TRUNCATED', `item of ${element.tag} runs past the end`);
      if (item.dataSet) for (const inner of Object.values(item.dataSet.elements)) check(inner, limit);
    }
  };
  for (const element of Object.values(dataSet.elements)) check(element, size);
}

/** PS3.3 C.7.6.3: native pixel data holds Rows x Columns x Samples x Frames x BitsAllocated/8 bytes (even-padded). */
function checkNativePixelData(dataSet: DataSet): void {
  const pixel = dataSet.elements.x7fe00010;
  if (!pixel || pixel.encapsulatedPixelData) return;
  const rows = dataSet.uint16('x00280010');
  const columns = dataSet.uint16('x00280011');
  const bits = dataSet.uint16('x00280100');
  if (rows === undefined || columns === undefined || bits === undefined) return;
  const samples = dataSet.uint16('x00280002') ?? 1;
  const frames = dataSet.intString('x00280008') ?? 1;
  const bytes = Math.ceil((rows * columns * samples * Math.max(frames, 1) * bits) / 8);
  const expected = bytes + (bytes % 2);
  if (pixel.length < expected) throw new WorkerError('E_DICOM_TRUNCATED', `pixel data has ${pixel.length} bytes, the image needs ${expected}`);
}

/**
 * Where the dataset begins: after the last element of group 0002 as parsed, the way dicom-parser read the meta group
 * and server/dicom/part10.ts (`beeldpoort store`) finds it. Not from the (0002,0000) group length (PS3.10 §7.1): old
 * writers omit it and some get it wrong (dcmjs #326), and a wrong one would have us send meta elements as dataset, or
 * cut off the dataset's first bytes.
 */
function datasetOffsetOf(dataSet: DataSet, size: number): number {
  const metaEnd = Math.max(...Object.values(dataSet.elements).filter((e) => e.tag.startsWith('x0002')).map((e) => e.dataOffset + e.length));
  if (!Number.isFinite(metaEnd) || metaEnd < 132 || metaEnd > size) throw new WorkerError('E_DICOM_INVALID', 'the file meta group is inconsistent');
  return metaEnd;
}

export function validatePart10(bytes: Uint8Array): ValidatedInstance {
  try {
    return validateParsed(bytes);
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    // dicom-parser's value readers throw strings ("attempt to read past end of buffer") on misparsed elements.
    throw new WorkerError('E_DICOM_INVALID', error instanceof Error ? error.message : String(error));
  }
}

function validateParsed(bytes: Uint8Array): ValidatedInstance {
  const hasMeta = hasPart10Prefix(bytes);
  const dataSet = parse(bytes, hasMeta);
  if ((dataSet.warnings ?? []).length > 0) throw new WorkerError('E_DICOM_INVALID', dataSet.warnings.join('; '));
  const metaClass = hasMeta ? uid(dataSet, 'x00020002', 'MediaStorageSOPClassUID', false) : '';
  if (metaClass === DICOMDIR_SOP_CLASS || dataSet.elements.x00041220 || dataSet.elements.x00041200) {
    throw new WorkerError('E_DICOMDIR');
  }
  const transferSyntaxUid = hasMeta ? uid(dataSet, 'x00020010', 'TransferSyntaxUID', true) : rawTransferSyntax(bytes);
  const identity = {
    sopClassUid: uid(dataSet, 'x00080016', 'SOPClassUID', true),
    sopInstanceUid: uid(dataSet, 'x00080018', 'SOPInstanceUID', true),
    studyInstanceUid: uid(dataSet, 'x0020000d', 'StudyInstanceUID', true),
    seriesInstanceUid: uid(dataSet, 'x0020000e', 'SeriesInstanceUID', true),
    transferSyntaxUid,
  };
  if (identity.sopClassUid === DICOMDIR_SOP_CLASS) throw new WorkerError('E_DICOMDIR');
  if (hasMeta) {
    // PS3.10 §7.1: the meta group repeats the dataset's SOP class and instance; a mismatch means a forged header.
    const metaInstance = uid(dataSet, 'x00020003', 'MediaStorageSOPInstanceUID', false);
    if ((metaClass && metaClass !== identity.sopClassUid) || (metaInstance && metaInstance !== identity.sopInstanceUid)) {
      throw new WorkerError('E_DICOM_INVALID', 'file meta SOP class/instance differ from the dataset');
    }
  }
  // Bounds apply to the bytes dicom-parser parsed: the inflated dataset for the deflated transfer syntax.
  checkElements(dataSet, dataSet.byteArray.length);
  if (NATIVE.has(transferSyntaxUid)) checkNativePixelData(dataSet);
  const datasetOffset = hasMeta ? datasetOffsetOf(dataSet, bytes.length) : 0;
  if (datasetOffset >= bytes.length) throw new WorkerError('E_DICOM_TRUNCATED', 'no dataset after the file meta group');
  return { ...identity, datasetOffset, hasMeta };
}

/** The fields where a validated instance differs from what the manifest says it is (empty when it matches). */
export function identityDifferences(found: InstanceIdentity, expected: InstanceIdentity): string[] {
  const keys = ['sopClassUid', 'sopInstanceUid', 'studyInstanceUid', 'seriesInstanceUid', 'transferSyntaxUid'] as const;
  return keys.filter((key) => found[key] !== expected[key]).map((key) => `${key} is ${found[key]}, manifest says ${expected[key]}`);
}
