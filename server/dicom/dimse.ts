/**
 * DIMSE command sets (PS3.7 §6.3, §9.3.1, §9.3.5): always Implicit VR Little Endian with the (0000,0000) group
 * length first, whatever the transfer syntax of the dataset (PS3.7 §6.3.1). Pure functions on bytes.
 */
import { DicomError } from './dicom-error.ts';
import { VERIFICATION_SOP_CLASS } from './uids.ts';

export const COMMAND_FIELD = {
  C_STORE_RQ: 0x0001,
  C_STORE_RSP: 0x8001,
  C_ECHO_RQ: 0x0030,
  C_ECHO_RSP: 0x8030,
  C_FIND_RQ: 0x0020,
  C_FIND_RSP: 0x8020,
} as const;

/** PS3.7 §9.3.1: (0000,0800) value meaning "no dataset follows"; any other value means one does. */
export const NO_DATASET = 0x0101;

export const TAG = {
  GROUP_LENGTH: 0x00000000,
  AFFECTED_SOP_CLASS: 0x00000002,
  COMMAND_FIELD: 0x00000100,
  MESSAGE_ID: 0x00000110,
  MESSAGE_ID_RESPONDED: 0x00000120,
  PRIORITY: 0x00000700,
  DATASET_TYPE: 0x00000800,
  STATUS: 0x00000900,
  OFFENDING_ELEMENT: 0x00000901,
  ERROR_COMMENT: 0x00000902,
  AFFECTED_SOP_INSTANCE: 0x00001000,
} as const;

/** A decoded command: element values by tag, numbers for US/UL, strings for everything else. */
export type CommandSet = ReadonlyMap<number, number | string>;

type Value = { tag: number; us?: number; ui?: string };

const ascii = new TextEncoder();

function encodeCommand(values: readonly Value[]): Uint8Array {
  const parts = values.map(({ tag, us, ui }) => {
    // UI values are padded to even length with a NUL (PS3.5 §6.2, §7.1.3).
    const bytes = ui !== undefined ? ascii.encode(ui.length % 2 ? `${ui}\0` : ui) : new Uint8Array(2);
    if (us !== undefined) new DataView(bytes.buffer).setUint16(0, us, true);
    const element = new Uint8Array(8 + bytes.length);
    const view = new DataView(element.buffer);
    view.setUint16(0, tag >>> 16, true);
    view.setUint16(2, tag & 0xffff, true);
    view.setUint32(4, bytes.length, true);
    element.set(bytes, 8);
    return element;
  });
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(12 + length);
  const view = new DataView(out.buffer);
  view.setUint32(4, 4, true); // (0000,0000) UL, length 4
  view.setUint32(8, length, true);
  let offset = 12;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** C-STORE-RQ (PS3.7 §9.3.1.1), medium priority, a dataset follows. */
export function encodeStoreRequest(messageId: number, sopClassUid: string, sopInstanceUid: string): Uint8Array {
  return encodeCommand([
    { tag: TAG.AFFECTED_SOP_CLASS, ui: sopClassUid },
    { tag: TAG.COMMAND_FIELD, us: COMMAND_FIELD.C_STORE_RQ },
    { tag: TAG.MESSAGE_ID, us: messageId },
    { tag: TAG.PRIORITY, us: 0x0000 },
    { tag: TAG.DATASET_TYPE, us: 0x0000 },
    { tag: TAG.AFFECTED_SOP_INSTANCE, ui: sopInstanceUid },
  ]);
}

/** C-ECHO-RQ (PS3.7 §9.3.5.1), no dataset. */
export function encodeEchoRequest(messageId: number): Uint8Array {
  return encodeCommand([
    { tag: TAG.AFFECTED_SOP_CLASS, ui: VERIFICATION_SOP_CLASS },
    { tag: TAG.COMMAND_FIELD, us: COMMAND_FIELD.C_ECHO_RQ },
    { tag: TAG.MESSAGE_ID, us: messageId },
    { tag: TAG.DATASET_TYPE, us: NO_DATASET },
  ]);
}

/** C-FIND-RQ (PS3.7 §9.3.2.1), medium priority, the identifier follows as the dataset. */
export function encodeFindRequest(messageId: number, sopClassUid: string): Uint8Array {
  return encodeCommand([
    { tag: TAG.AFFECTED_SOP_CLASS, ui: sopClassUid },
    { tag: TAG.COMMAND_FIELD, us: COMMAND_FIELD.C_FIND_RQ },
    { tag: TAG.MESSAGE_ID, us: messageId },
    { tag: TAG.PRIORITY, us: 0x0000 },
    { tag: TAG.DATASET_TYPE, us: 0x0000 },
  ]);
}

/** VRs of the command elements a response may carry (PS3.7 Annex E); others are kept as text. */
const NUMERIC_US = new Set<number>([TAG.COMMAND_FIELD, TAG.MESSAGE_ID, TAG.MESSAGE_ID_RESPONDED, TAG.PRIORITY, TAG.DATASET_TYPE, TAG.STATUS]);

/** Decodes an Implicit VR LE command set; the caller bounds its size (it arrives in PDVs we already bounded). */
export function decodeCommand(bytes: Uint8Array): CommandSet {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Map<number, number | string>();
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) throw new DicomError('E_PROTOCOL', 'truncated command element');
    const tag = ((view.getUint16(offset, true) << 16) | view.getUint16(offset + 2, true)) >>> 0;
    const length = view.getUint32(offset + 4, true);
    const start = offset + 8;
    if (start + length > bytes.length) throw new DicomError('E_PROTOCOL', 'command element longer than the command');
    if (tag >>> 16 !== 0) throw new DicomError('E_PROTOCOL', `element of group ${(tag >>> 16).toString(16)} in a command set`);
    if (tag === TAG.GROUP_LENGTH && length === 4) values.set(tag, view.getUint32(start, true));
    else if (NUMERIC_US.has(tag) && length === 2) values.set(tag, view.getUint16(start, true));
    else values.set(tag, new TextDecoder('latin1').decode(bytes.subarray(start, start + length)).replace(/[\0 ]+$/, ''));
    offset = start + length;
  }
  return values;
}

/** Status of a response, or a protocol error when it has none (PS3.7 §9.1.1.1.9). */
export function responseStatus(command: CommandSet): number {
  const status = command.get(TAG.STATUS);
  if (typeof status !== 'number') throw new DicomError('E_PROTOCOL', 'response without a status');
  return status;
}
