/**
 * A hostile file for bad-input tests (reliability.md A14.4, "10,000-deep nested sequences"): a valid Part 10 header
 * and identity, then one sequence nested `depth` deep, each level an undefined-length SQ holding one
 * undefined-length item (PS3.5 §7.5), closed by item and sequence delimiters. Built iteratively: a recursive
 * encoder would run out of stack on it, exactly as a recursive parser does.
 */
import { concat } from './bytes.ts';
import { elementHeader, encodeDataset, filePreambleAndMeta, ITEM, SEQUENCE_DELIMITATION } from './encode.ts';
import { SOP_CLASS, TRANSFER_SYNTAX } from './instances.ts';

const ITEM_DELIMITATION = 0xfffee00d;
const UNDEFINED = 0xffffffff;
/** Referenced Series Sequence: any SQ will do; (0008,1115) sits between the SOP and the study identity. */
const NESTED_TAG = 0x00081115;

export function deeplyNestedFile(depth: number, sopInstanceUid = '2.25.4242424242'): Uint8Array {
  const syntax = TRANSFER_SYNTAX.explicitLittle;
  const explicit = { explicit: true, charset: 'latin1' } as const;
  const before = encodeDataset([
    { tag: 0x00080016, vr: 'UI', value: SOP_CLASS.ct },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUid },
  ], explicit);
  const open = concat([elementHeader(NESTED_TAG, 'SQ', UNDEFINED, true), elementHeader(ITEM, '', UNDEFINED, false)]);
  const close = concat([elementHeader(ITEM_DELIMITATION, '', 0, false), elementHeader(SEQUENCE_DELIMITATION, '', 0, false)]);
  const after = encodeDataset([
    { tag: 0x00100020, vr: 'LO', value: 'NESTED' },
    { tag: 0x0020000d, vr: 'UI', value: `${sopInstanceUid}.1` },
    { tag: 0x0020000e, vr: 'UI', value: `${sopInstanceUid}.2` },
  ], explicit);
  return concat([filePreambleAndMeta(SOP_CLASS.ct, sopInstanceUid, syntax), before, ...Array<Uint8Array>(depth).fill(open), ...Array<Uint8Array>(depth).fill(close), after]);
}
