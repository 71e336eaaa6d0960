/** Validates the body of POST /api/sender/shipments (everything but the envelope, see envelope.ts). */
import { PortalError } from '../errors.ts';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Most manifest files (DICOM instances) in one shipment, and so most uploads. */
export const MAX_FILES = 100_000;

/**
 * One declared upload. `parts`, when present, lists the manifest files its ciphertext carries back to back, in
 * offset order (a bundle: docs/format.md "Uploads and bundles (manifest v2)"); without it the upload carries one
 * manifest file named by its own fileId.
 */
export interface DeclaredFile { fileId: string; size: number; parts?: string[] }

const invalid = (message: string) => new PortalError('E_SHIPMENT_INVALID', message);

export function checkShipmentId(value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw invalid('shipmentId must be 1-64 characters of A-Z a-z 0-9 _ -');
  return value;
}

function checkParts(value: unknown, index: number, fileId: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILES) throw invalid(`files[${index}].parts must list 1 to ${MAX_FILES} file ids`);
  value.forEach((id: unknown, j) => {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw invalid(`files[${index}].parts[${j}] must be 1-64 characters of A-Z a-z 0-9 _ -`);
  });
  // A bundle is named after its first file (docs/format.md), so a report naming the bundle names that file.
  if (value[0] !== fileId) throw invalid(`files[${index}].parts[0] must be the upload's own fileId "${fileId}"`);
  return value as string[];
}

/**
 * The declared uploads. Every manifest file id (each part, or a lone upload's own fileId) is unique across the
 * whole shipment: the worker reports outcomes by that id, so two files sharing one would overwrite each other.
 */
export function checkFiles(value: unknown, maxFileBytes: number): DeclaredFile[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILES) {
    throw invalid(`files must list 1 to ${MAX_FILES} files`);
  }
  const ids = new Set<string>();
  return value.map((entry: unknown, index) => {
    const file = entry as { fileId?: unknown; size?: unknown; parts?: unknown } | null;
    if (typeof file !== 'object' || file === null) throw invalid(`files[${index}] must be an object`);
    if (typeof file.fileId !== 'string' || !ID_PATTERN.test(file.fileId)) {
      throw invalid(`files[${index}].fileId must be 1-64 characters of A-Z a-z 0-9 _ -`);
    }
    if (typeof file.size !== 'number' || !Number.isSafeInteger(file.size) || file.size < 1 || file.size > maxFileBytes) {
      throw invalid(`files[${index}].size must be an integer from 1 to ${maxFileBytes}`);
    }
    const parts = checkParts(file.parts, index, file.fileId);
    for (const [j, id] of (parts ?? [file.fileId]).entries()) {
      if (ids.has(id)) throw invalid(parts ? `files[${index}].parts[${j}] repeats the file id "${id}"` : `files[${index}].fileId repeats "${id}"`);
      ids.add(id);
    }
    if (ids.size > MAX_FILES) throw invalid(`a shipment carries at most ${MAX_FILES} files (parts included)`);
    return parts ? { fileId: file.fileId, size: file.size, parts } : { fileId: file.fileId, size: file.size };
  });
}

/** The number of manifest files the uploads carry. */
export function instanceCount(files: readonly DeclaredFile[]): number {
  return files.reduce((sum, file) => sum + (file.parts?.length ?? 1), 0);
}

/** Same uploads, sizes and parts in the same order: a resumed POST, not a different shipment under a used id. */
export function sameFiles(a: readonly DeclaredFile[], b: readonly DeclaredFile[]): boolean {
  const sameParts = (x: string[] | undefined, y: string[] | undefined) =>
    x === undefined || y === undefined ? x === y : x.length === y.length && x.every((id, i) => id === y[i]);
  return a.length === b.length && a.every((file, i) => file.fileId === b[i]!.fileId && file.size === b[i]!.size && sameParts(file.parts, b[i]!.parts));
}
