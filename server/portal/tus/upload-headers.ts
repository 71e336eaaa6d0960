/**
 * Strict parsing of the tus 1.0 headers we accept, done before @tus/server sees the request so every bad
 * header gets a stable code and nothing is created.
 */
import { PortalError } from '../errors.ts';
import { ID_PATTERN } from '../shipments/shipment-request.ts';

/** Our upload ids: 16 random bytes, hex. Anything else (`..%2F`, `%2e%2e`, `\`, NUL, overlong) is unknown. */
export const UPLOAD_ID = /^[0-9a-f]{32}$/;
const MAX_METADATA_LENGTH = 512;
const DECIMAL = /^(0|[1-9]\d{0,15})$/;

/** tus 1.0 "Upload-Length": a non-negative integer. We also require it to be a safe integer. */
export function parseLength(value: string | undefined, header: string): number {
  if (value === undefined || !DECIMAL.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new PortalError(header === 'Upload-Offset' ? 'E_TUS_OFFSET' : 'E_TUS_LENGTH', `${header} must be a non-negative decimal integer`);
  }
  return Number(value);
}

function decodeValue(value: string): string {
  // Strict base64 (tus 1.0 creation: "Base64 encoded"): re-encoding must give back the same text.
  const decoded = Buffer.from(value, 'base64');
  if (decoded.toString('base64') !== value) throw new PortalError('E_TUS_METADATA', 'Upload-Metadata values must be base64');
  return decoded.toString('utf8');
}

/** Upload-Metadata must carry exactly shipmentId and fileId (ids only: no names, no paths, in clear). */
export function parseUploadMetadata(header: string | undefined): { shipmentId: string; fileId: string } {
  if (header === undefined || header.length === 0) throw new PortalError('E_TUS_METADATA', 'Upload-Metadata with shipmentId and fileId is required');
  if (header.length > MAX_METADATA_LENGTH) throw new PortalError('E_TUS_METADATA', `Upload-Metadata exceeds ${MAX_METADATA_LENGTH} characters`);
  const values = new Map<string, string>();
  for (const pair of header.split(',')) {
    const parts = pair.trim().split(' ');
    const [key, value] = parts;
    if (parts.length !== 2 || !key || !value) throw new PortalError('E_TUS_METADATA', 'Upload-Metadata pairs must be "key base64value"');
    if (key !== 'shipmentId' && key !== 'fileId') throw new PortalError('E_TUS_METADATA', 'Upload-Metadata may carry only shipmentId and fileId');
    if (values.has(key)) throw new PortalError('E_TUS_METADATA', `Upload-Metadata repeats ${key}`);
    const decoded = decodeValue(value);
    if (!ID_PATTERN.test(decoded)) throw new PortalError('E_TUS_METADATA', `Upload-Metadata ${key} must be 1-64 characters of A-Z a-z 0-9 _ -`);
    values.set(key, decoded);
  }
  const shipmentId = values.get('shipmentId');
  const fileId = values.get('fileId');
  if (!shipmentId || !fileId) throw new PortalError('E_TUS_METADATA', 'Upload-Metadata must carry both shipmentId and fileId');
  return { shipmentId, fileId };
}

/** The upload id in the raw (undecoded) path after /uploads/, or '' for the collection itself. */
export function rawUploadId(originalUrl: string): string | undefined {
  const pathname = originalUrl.split('?')[0]!;
  if (pathname === '/uploads' || pathname === '/uploads/') return '';
  const rest = pathname.slice('/uploads/'.length);
  return UPLOAD_ID.test(rest) ? rest : undefined;
}
