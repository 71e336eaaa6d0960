/**
 * Reads the header of one DICOM file without reading its pixel data: the first `initialBytes` (32 KiB by
 * default), parsed by dicom-parser up to (7FE0,0010) Pixel Data; read further (×4 each time, up to `maxBytes`)
 * only when the identity is not complete in what was read. Works on any byte source (a browser File, a Node
 * file), so the browser page and `beeldpoort send` scan the same way. Deflated data sets (PS3.5 A.5) are
 * inflated with a size limit. dicom-parser trusts lengths, so every value is bounds-checked before use.
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { DicomError } from './dicom-error.ts';
import { inflateRawPrefix } from './inflate.ts';
import { sniffDicom, type DicomLayout } from './sniff.ts';
import { TRANSFER_SYNTAX } from './uids.ts';
import { decodeText } from './charset.ts';

/** What the reader needs of a file: a browser File and a Node file handle both fit behind it. */
export interface ByteSource {
  readonly size: number;
  /** Bytes [start, end) of the file. */
  read(start: number, end: number): Promise<Uint8Array>;
}

export interface HeaderOptions {
  /** First read (default 32 KiB): enough for the header of almost every image. */
  readonly initialBytes?: number;
  /** Largest header read before giving up (default 4 MiB). */
  readonly maxBytes?: number;
  /** Largest deflated file read whole to inflate its header (default 64 MiB). */
  readonly maxDeflatedBytes?: number;
}

export interface DicomHeader {
  readonly layout: DicomLayout['kind'];
  readonly transferSyntaxUid: string;
  readonly dataSet: DataSet;
  /** Bytes of the file read to get here. */
  readonly bytesRead: number;
  /** A text value decoded under the file's Specific Character Set, padding removed; '' if absent. */
  text(tag: string): string;
}

const PIXEL_DATA = 'x7fe00010';
/** Every attribute the inventory needs lies at or below (0020,0011) Series Number: past it, the header is enough. */
const LAST_NEEDED_TAG = 'x00200011';
const DEFAULTS = { initialBytes: 32 * 1024, maxBytes: 4 * 1024 * 1024, maxDeflatedBytes: 64 * 1024 * 1024 };

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  const inner = (error as { exception?: unknown })?.exception;
  return inner === undefined ? String(error) : messageOf(inner);
}

/** The value bytes of an element, or undefined when absent or not entirely inside the bytes we hold. */
export function valueBytes(dataSet: DataSet, tag: string): Uint8Array | undefined {
  const element: Element | undefined = dataSet.elements[tag];
  const bytes = dataSet.byteArray as Uint8Array;
  if (!element || element.length <= 0 || element.dataOffset + element.length > bytes.length) return undefined;
  return bytes.subarray(element.dataOffset, element.dataOffset + element.length);
}

function asciiValue(dataSet: DataSet, tag: string): string {
  const bytes = valueBytes(dataSet, tag);
  return bytes ? decodeText(bytes, '').trim() : '';
}

interface Parsed {
  /** Undefined when nothing parsed yet (e.g. the meta group itself runs past the bytes read). */
  dataSet: DataSet | undefined;
  /** False when dicom-parser stopped at the end of the bytes we hold, not at pixel data or the end of the file. */
  whole: boolean;
}

/** One parse attempt over `bytes`. `complete` says whether bytes hold the whole (inflated) file. */
function parse(bytes: Uint8Array, layout: DicomLayout, complete: boolean, inflated?: Uint8Array): Parsed {
  const options: dicomParser.ParseDicomOptions = { untilTag: PIXEL_DATA };
  if (layout.kind === 'bare') options.TransferSyntaxUID = layout.transferSyntaxUid;
  // dicom-parser inflates with zlib in Node or a global pako; we hand it what we inflated ourselves instead.
  if (inflated) (options as { inflater?: unknown }).inflater = () => inflated;
  try {
    const dataSet = dicomParser.parseDicom(bytes, options);
    return { dataSet, whole: complete || dataSet.elements[PIXEL_DATA] !== undefined };
  } catch (error) {
    const partial = (error as { dataSet?: DataSet })?.dataSet;
    const message = messageOf(error);
    if (!complete) return { dataSet: partial, whole: false };
    if (typeof error === 'string' && /DICM|prefix/i.test(message)) throw new DicomError('E_DICOM_NOT_DICOM', message);
    const truncated = /past end|overread|beyond|end of buffer|length/i.test(message);
    throw new DicomError(truncated ? 'E_DICOM_TRUNCATED' : 'E_DICOM_MALFORMED', message);
  }
}

/** dicom-parser accepts a last element that is cut off; a complete file must hold every value it declares. */
function checkWithinFile(dataSet: DataSet, length: number): void {
  for (const element of Object.values(dataSet.elements)) {
    if (element.hadUndefinedLength && element.tag === PIXEL_DATA) continue;
    if (element.dataOffset + element.length > length) {
      throw new DicomError('E_DICOM_TRUNCATED', `element ${element.tag} declares ${element.length} bytes at ${element.dataOffset}; the file ends at ${length}`);
    }
  }
}

function enough(parsed: Parsed): boolean {
  if (!parsed.dataSet) return false;
  if (parsed.whole) return true;
  const held = (parsed.dataSet.byteArray as Uint8Array).length;
  return Object.values(parsed.dataSet.elements).some((e) => e.tag > LAST_NEEDED_TAG && e.tag.length === 9 && e.dataOffset + Math.max(e.length, 0) <= held);
}

/**
 * Deflated data set: read the whole (compressed) file, inflate at most maxBytes after the meta group. dicom-parser
 * parses what the inflater returns from offset 0, so it gets the inflated data set alone; the meta group (whose
 * offsets refer to the file) is kept apart and answers for group 0002.
 */
async function parseDeflated(source: ByteSource, head: Uint8Array, opts: typeof DEFAULTS): Promise<Parsed & { bytesRead: number; meta: DataSet }> {
  if (source.size > opts.maxDeflatedBytes) throw new DicomError('E_DICOM_HEADER_TOO_LARGE', `deflated file of ${source.size} bytes exceeds ${opts.maxDeflatedBytes}`);
  const file = head.length === source.size ? head : await source.read(0, source.size);
  let meta: DataSet & { position: number };
  try {
    meta = dicomParser.readPart10Header(file) as DataSet & { position: number };
  } catch (error) {
    throw new DicomError('E_DICOM_MALFORMED', messageOf(error));
  }
  const { bytes, complete } = await inflateRawPrefix(file.subarray(meta.position), opts.maxBytes).catch((error: unknown) => {
    throw new DicomError('E_DICOM_MALFORMED', `deflated data set does not inflate: ${messageOf(error)}`);
  });
  const parsed = parse(file, { kind: 'part10' }, complete, bytes);
  const dataSet = parsed.dataSet;
  if (dataSet) for (const tag of Object.keys(dataSet.elements)) if (tag.startsWith('x0002')) delete dataSet.elements[tag];
  if (complete && dataSet) checkWithinFile(dataSet, bytes.length);
  return { ...parsed, bytesRead: file.length, meta };
}

export async function readDicomHeader(source: ByteSource, options: HeaderOptions = {}): Promise<DicomHeader> {
  const opts = { ...DEFAULTS, ...options };
  let length = Math.min(source.size, opts.initialBytes);
  let bytes = await source.read(0, length);
  const layout = sniffDicom(bytes);
  if (!layout) throw new DicomError('E_DICOM_NOT_DICOM', 'no DICM prefix at offset 128 and no data set at offset 0');
  const shift = layout.kind === 'part10-no-preamble' ? 128 : 0;
  let parsed: Parsed & { bytesRead?: number; meta?: DataSet };
  for (;;) {
    const complete = length >= source.size;
    // No preamble but a meta group: give dicom-parser the 128 bytes it expects (offsets shift by 128).
    const view = layout.kind === 'part10-no-preamble' ? withPreamble(bytes) : bytes;
    const kind = layout.kind === 'bare' ? layout : ({ kind: 'part10' } as const);
    if (kind.kind === 'part10' && metaTransferSyntax(view) === TRANSFER_SYNTAX.deflated) {
      parsed = await parseDeflated(source, view, opts);
      if (!enough(parsed)) throw new DicomError('E_DICOM_HEADER_TOO_LARGE', `no complete header within ${opts.maxBytes} inflated bytes`);
      break;
    }
    parsed = parse(view, kind, complete);
    // parse() throws rather than return nothing once it holds the whole file.
    if (complete) checkWithinFile(parsed.dataSet!, source.size + shift);
    if (enough(parsed)) break;
    if (length >= opts.maxBytes) throw new DicomError('E_DICOM_HEADER_TOO_LARGE', `no complete header within ${opts.maxBytes} bytes`);
    length = Math.min(source.size, opts.maxBytes, length * 4);
    bytes = await source.read(0, length);
  }
  const dataSet = parsed.dataSet!; // enough() holds
  const meta = parsed.meta ?? dataSet;
  const transferSyntaxUid = layout.kind === 'bare' ? layout.transferSyntaxUid : asciiValue(meta, 'x00020010');
  const charset = asciiValue(dataSet, 'x00080005');
  return {
    layout: layout.kind,
    transferSyntaxUid,
    dataSet,
    bytesRead: parsed.bytesRead ?? length,
    text(tag) {
      const value = valueBytes(tag.startsWith('x0002') ? meta : dataSet, tag);
      return value ? decodeText(value, charset).trim() : '';
    },
  };
}

function withPreamble(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 128);
  out.set(bytes, 128);
  return out;
}

/** The meta group's Transfer Syntax UID, read without parsing the data set (to route deflated files). */
function metaTransferSyntax(bytes: Uint8Array): string {
  try {
    return asciiValue(dicomParser.readPart10Header(bytes), 'x00020010');
  } catch {
    return '';
  }
}
