/**
 * Encoding and decoding of the upper layer PDUs (PS3.8 §9.3). Pure functions on bytes: no socket here.
 * Only what an association requestor needs: it sends RQ, P-DATA-TF, RELEASE-RQ/RP and ABORT, and reads AC, RJ,
 * P-DATA-TF, RELEASE-RQ/RP and ABORT.
 */
import { DicomError } from './dicom-error.ts';
import { APPLICATION_CONTEXT, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION } from './uids.ts';

export const PDU = {
  ASSOCIATE_RQ: 0x01,
  ASSOCIATE_AC: 0x02,
  ASSOCIATE_RJ: 0x03,
  P_DATA_TF: 0x04,
  RELEASE_RQ: 0x05,
  RELEASE_RP: 0x06,
  ABORT: 0x07,
} as const;

/** PS3.8 §9.3.1: every PDU starts with type, reserved byte and a 32-bit big-endian length. */
export const PDU_HEADER_LENGTH = 6;

export interface ProposedContext {
  /** Odd, 1–255 (PS3.8 §9.3.2.2). */
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

export interface AssociateRequest {
  readonly calledAet: string;
  readonly callingAet: string;
  readonly contexts: readonly ProposedContext[];
  /** Largest P-DATA-TF PDU length we accept (PS3.8 D.1). */
  readonly maxPduLength: number;
}

export interface AcceptedContext {
  readonly id: number;
  /** 0 acceptance, 1 user rejection, 2 no reason, 3 abstract syntax not supported, 4 transfer syntaxes not supported. */
  readonly result: number;
  readonly transferSyntax: string | undefined;
}

export interface AssociateAccept {
  readonly contexts: readonly AcceptedContext[];
  /** The peer's maximum P-DATA-TF PDU length; 0 means no limit (PS3.8 D.1.1). */
  readonly maxPduLength: number;
}

export interface AssociateReject {
  /** 1 permanent, 2 transient. */
  readonly result: number;
  /** 1 service user, 2 service provider (ACSE), 3 service provider (presentation). */
  readonly source: number;
  readonly reason: number;
}

const ascii = new TextEncoder();
const latin = new TextDecoder('latin1');

function item(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint16(2, body.length);
  out.set(body, 4);
  return out;
}

/** Joins byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function pdu(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(PDU_HEADER_LENGTH + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(2, body.length);
  out.set(body, PDU_HEADER_LENGTH);
  return out;
}

/** AE titles travel as 16 bytes, space padded (PS3.8 §9.3.2). */
function aeField(aet: string): Uint8Array {
  return ascii.encode(aet.padEnd(16, ' ').slice(0, 16));
}

export function encodeAssociateRequest(rq: AssociateRequest): Uint8Array {
  const fixed = new Uint8Array(68);
  new DataView(fixed.buffer).setUint16(0, 0x0001); // protocol version, PS3.8 §9.3.2
  fixed.set(aeField(rq.calledAet), 4);
  fixed.set(aeField(rq.callingAet), 20);
  const contexts = rq.contexts.map((context) => {
    const header = Uint8Array.of(context.id, 0, 0, 0);
    const syntaxes = context.transferSyntaxes.map((ts) => item(0x40, ascii.encode(ts)));
    return item(0x20, concat([header, item(0x30, ascii.encode(context.abstractSyntax)), ...syntaxes]));
  });
  const maxLength = new Uint8Array(4);
  new DataView(maxLength.buffer).setUint32(0, rq.maxPduLength);
  const userInfo = item(0x50, concat([
    item(0x51, maxLength),
    item(0x52, ascii.encode(IMPLEMENTATION_CLASS_UID)),
    item(0x55, ascii.encode(IMPLEMENTATION_VERSION)),
  ]));
  return pdu(PDU.ASSOCIATE_RQ, concat([fixed, item(0x10, ascii.encode(APPLICATION_CONTEXT)), ...contexts, userInfo]));
}

/** UIDs in items may be padded with a trailing NUL or space by some implementations. */
function uid(bytes: Uint8Array): string {
  return latin.decode(bytes).replace(/[\0 ]+$/, '');
}

function* items(body: Uint8Array, start: number, end: number): Generator<{ type: number; value: Uint8Array }> {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let offset = start;
  while (offset < end) {
    if (offset + 4 > end) throw new DicomError('E_PROTOCOL', 'truncated item');
    const length = view.getUint16(offset + 2);
    if (offset + 4 + length > end) throw new DicomError('E_PROTOCOL', 'item longer than its PDU');
    yield { type: body[offset]!, value: body.subarray(offset + 4, offset + 4 + length) };
    offset += 4 + length;
  }
}

/** Decodes the body (after the 6-byte header) of an A-ASSOCIATE-AC (PS3.8 §9.3.3). */
export function decodeAssociateAccept(body: Uint8Array): AssociateAccept {
  if (body.length < 68) throw new DicomError('E_PROTOCOL', 'A-ASSOCIATE-AC too short');
  const contexts: AcceptedContext[] = [];
  let maxPduLength = 0;
  for (const { type, value } of items(body, 68, body.length)) {
    if (type === 0x21) {
      if (value.length < 4) throw new DicomError('E_PROTOCOL', 'presentation context item too short');
      let transferSyntax: string | undefined;
      for (const sub of items(value, 4, value.length)) if (sub.type === 0x40) transferSyntax = uid(sub.value);
      contexts.push({ id: value[0]!, result: value[2]!, transferSyntax });
    } else if (type === 0x50) {
      for (const sub of items(value, 0, value.length)) {
        if (sub.type === 0x51 && sub.value.length === 4) {
          maxPduLength = new DataView(sub.value.buffer, sub.value.byteOffset, 4).getUint32(0);
        }
      }
    }
  }
  return { contexts, maxPduLength };
}

export function decodeAssociateReject(body: Uint8Array): AssociateReject {
  if (body.length < 4) throw new DicomError('E_PROTOCOL', 'A-ASSOCIATE-RJ too short');
  return { result: body[1]!, source: body[2]!, reason: body[3]! };
}

/** A-ABORT body: source (0 service user, 2 service provider) and reason (PS3.8 §9.3.8). */
export function decodeAbort(body: Uint8Array): { source: number; reason: number } {
  return { source: body[2] ?? 0, reason: body[3] ?? 0 };
}

export function encodeReleaseRequest(): Uint8Array {
  return pdu(PDU.RELEASE_RQ, new Uint8Array(4));
}

export function encodeReleaseResponse(): Uint8Array {
  return pdu(PDU.RELEASE_RP, new Uint8Array(4));
}

/** A-ABORT from the service user (source 0, reason 0), PS3.8 §9.3.8. */
export function encodeAbort(): Uint8Array {
  return pdu(PDU.ABORT, new Uint8Array(4));
}

/**
 * The 12 bytes in front of one PDV's data in a P-DATA-TF PDU holding exactly one PDV: PDU header, PDV item length
 * (context id + control header + data), context id, message control header (bit 0 command, bit 1 last fragment),
 * PS3.8 §9.3.5 and Annex E.2. The data itself is written after it without a copy.
 */
export function encodePdvHeader(contextId: number, dataLength: number, command: boolean, last: boolean): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  out[0] = PDU.P_DATA_TF;
  view.setUint32(2, dataLength + 6);
  view.setUint32(6, dataLength + 2);
  out[10] = contextId;
  out[11] = (command ? 1 : 0) | (last ? 2 : 0);
  return out;
}

export interface Pdv {
  readonly contextId: number;
  readonly command: boolean;
  readonly last: boolean;
  readonly data: Uint8Array;
}

/** Splits a P-DATA-TF body into its PDVs (PS3.8 §9.3.5.1). */
export function decodePData(body: Uint8Array): Pdv[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const pdvs: Pdv[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (offset + 6 > body.length) throw new DicomError('E_PROTOCOL', 'truncated PDV');
    const length = view.getUint32(offset);
    if (length < 2 || offset + 4 + length > body.length) throw new DicomError('E_PROTOCOL', 'PDV length outside its PDU');
    const control = body[offset + 5]!;
    pdvs.push({
      contextId: body[offset + 4]!,
      command: (control & 1) === 1,
      last: (control & 2) === 2,
      data: body.subarray(offset + 6, offset + 4 + length),
    });
    offset += 4 + length;
  }
  return pdvs;
}
