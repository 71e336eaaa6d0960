/** Validates the body of POST /api/sender/shipments (everything but the envelope, see envelope.ts). */
import { PortalError } from '../errors.ts';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_FILES = 100_000;

export interface DeclaredFile { fileId: string; size: number }

export function checkShipmentId(value: unknown): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw new PortalError('E_SHIPMENT_INVALID', 'shipmentId must be 1-64 characters of A-Z a-z 0-9 _ -');
  return value;
}

export function checkFiles(value: unknown, maxFileBytes: number): DeclaredFile[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_FILES) {
    throw new PortalError('E_SHIPMENT_INVALID', `files must list 1 to ${MAX_FILES} files`);
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const file = entry as { fileId?: unknown; size?: unknown } | null;
    if (typeof file !== 'object' || file === null) throw new PortalError('E_SHIPMENT_INVALID', `files[${index}] must be an object`);
    if (typeof file.fileId !== 'string' || !ID_PATTERN.test(file.fileId)) {
      throw new PortalError('E_SHIPMENT_INVALID', `files[${index}].fileId must be 1-64 characters of A-Z a-z 0-9 _ -`);
    }
    if (seen.has(file.fileId)) throw new PortalError('E_SHIPMENT_INVALID', `files[${index}].fileId repeats "${file.fileId}"`);
    seen.add(file.fileId);
    if (typeof file.size !== 'number' || !Number.isSafeInteger(file.size) || file.size < 1 || file.size > maxFileBytes) {
      throw new PortalError('E_SHIPMENT_INVALID', `files[${index}].size must be an integer from 1 to ${maxFileBytes}`);
    }
    return { fileId: file.fileId, size: file.size };
  });
}

export function sameFiles(a: DeclaredFile[], b: DeclaredFile[]): boolean {
  return a.length === b.length && a.every((file, i) => file.fileId === b[i]!.fileId && file.size === b[i]!.size);
}
