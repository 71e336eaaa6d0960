import { FormatError } from './errors.ts';
import { HEADER_FIXED_LENGTH, MAX_RECORD_SIZE, MIN_RECORD_SIZE, RECORD_OVERHEAD } from './rfc8188.ts';

/**
 * The record size rs we write (RFC 8188 §2.1: the size of each ciphertext record, tag included): 256 KiB of file
 * data per record plus the delimiter and the tag. Chosen by measurement (docs/format.md, "Record size").
 */
export const RECORD_DATA_SIZE = 256 * 1024;
export const RECORD_SIZE = RECORD_DATA_SIZE + RECORD_OVERHEAD;
/** We write an empty keyid: the header is always 21 octets, so the size depends on the plaintext size alone. */
export const HEADER_LENGTH = HEADER_FIXED_LENGTH;
/** The largest plaintext file we encrypt (far above any DICOM instance; keeps offsets exact in a double). */
export const MAX_PLAIN_SIZE = 2 ** 40;

export function assertRecordSize(rs: number): void {
  if (!Number.isInteger(rs) || rs < MIN_RECORD_SIZE || rs > MAX_RECORD_SIZE) {
    throw new FormatError('E_ARGUMENT', `record size must be an integer in [${MIN_RECORD_SIZE}, ${MAX_RECORD_SIZE}]`);
  }
}

export function assertPlainSize(plainSize: unknown): asserts plainSize is number {
  if (typeof plainSize !== 'number' || !Number.isInteger(plainSize) || plainSize < 0 || plainSize > MAX_PLAIN_SIZE) {
    throw new FormatError('E_ARGUMENT', `plainSize must be an integer in [0, ${MAX_PLAIN_SIZE}]`);
  }
}

/** Records a file of plainSize octets takes: at least one, since even an empty file ends with a final record. */
export function recordCount(plainSize: number, rs = RECORD_SIZE): number {
  return plainSize === 0 ? 1 : Math.ceil(plainSize / (rs - RECORD_OVERHEAD));
}

/** Exact size of the body we produce for plainSize octets: header + data + 17 octets per record. */
export function ciphertextSize(plainSize: number, rs = RECORD_SIZE): number {
  assertPlainSize(plainSize);
  assertRecordSize(rs);
  return HEADER_LENGTH + plainSize + recordCount(plainSize, rs) * RECORD_OVERHEAD;
}
