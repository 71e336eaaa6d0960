/**
 * Everything a tus request must pass before @tus/server touches the disk: method policy (no GET of stored
 * bytes, no termination, no method override), tus 1.0 version, link authentication, and binding of the
 * upload id to the link that created it (another link's id answers 404, like an unknown one). For a POST it
 * checks the declared file and reserves the upload id that namingFunction will return.
 */
import { randomBytes } from 'node:crypto';
import { statfsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { PortalContext } from '../context.ts';
import type { LinkRow } from '../db/links.ts';
import { PortalError } from '../errors.ts';
import type { LinkAuthenticator } from '../http/link-auth.ts';
import { bytesReceived } from '../shipments/shipments.ts';
import { parseLength, parseUploadMetadata, rawUploadId } from './upload-headers.ts';

export interface UploadGrant {
  link: LinkRow;
  shipmentId: string;
  fileId: string;
  uploadId: string;
  /** Set for a POST: the upload this one replaces (an incomplete earlier attempt at the same file). */
  replaces?: string | null;
}

/** Filled only by the guard, after authentication; the tus hooks refuse any request without an entry. */
export const grants = new WeakMap<IncomingMessage, UploadGrant>();

const OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];

function checkPost(ctx: PortalContext, req: Request, link: LinkRow): UploadGrant {
  // tus 1.0: we offer neither concatenation nor deferred length.
  if (req.get('upload-concat') !== undefined) throw new PortalError('E_TUS_CONCAT', 'Upload-Concat (concatenation) is not supported');
  if (req.get('upload-defer-length') !== undefined) throw new PortalError('E_TUS_DEFER_LENGTH', 'Upload-Defer-Length is not supported: declare Upload-Length');
  const length = parseLength(req.get('upload-length'), 'Upload-Length');
  const { shipmentId, fileId } = parseUploadMetadata(req.get('upload-metadata'));
  const shipment = ctx.stores.shipments.head(shipmentId);
  if (!shipment || shipment.linkId !== link.id) throw new PortalError('E_SHIPMENT_NOT_FOUND', 'no such shipment for this link');
  if (shipment.finishedAt !== null || shipment.ciphertextDeletedAt !== null) throw new PortalError('E_STATE_CONFLICT', 'this shipment takes no more uploads');
  const file = ctx.stores.shipments.file(shipmentId, fileId);
  if (!file) throw new PortalError('E_FILE_UNKNOWN', `file ${fileId} was not declared in shipment ${shipmentId}`);
  if (length !== file.size) throw new PortalError('E_TUS_LENGTH', `Upload-Length ${length} differs from the declared ciphertext size ${file.size}`);
  if (file.completedAt !== null) throw new PortalError('E_FILE_COMPLETE', `file ${fileId} is already complete`);
  ensureRoomFor(ctx, length);
  return { link, shipmentId, fileId, uploadId: randomBytes(16).toString('hex'), replaces: file.uploadId };
}

/**
 * Refuses a new upload the data volume cannot hold while keeping its reserve (BEELDPOORT_DISK_RESERVE_MB) for the
 * database and the audit: better a 507 now, which the senders retry with backoff, than a disk that fills half-way
 * through the upload and takes the database with it (reliability U9). Logged as an error: someone must act.
 */
function ensureRoomFor(ctx: PortalContext, length: number): void {
  const { bavail, bsize } = statfsSync(ctx.uploadDir);
  const free = bavail * bsize;
  if (free >= length + ctx.config.portal.diskReserveBytes) return;
  ctx.log.error({ code: 'E_STORAGE_FULL', freeBytes: free, uploadBytes: length, reserveBytes: ctx.config.portal.diskReserveBytes },
    'data volume full: new uploads are refused until space is freed');
  throw new PortalError('E_STORAGE_FULL', 'the portal has no room for this upload now; the sender retries later');
}

function checkExisting(ctx: PortalContext, req: Request, link: LinkRow, uploadId: string): UploadGrant {
  const file = ctx.stores.shipments.fileByUpload(uploadId);
  const shipment = file && ctx.stores.shipments.head(file.shipmentId);
  if (!file || !shipment || shipment.linkId !== link.id || file.deletedAt !== null) {
    throw new PortalError('E_UPLOAD_NOT_FOUND', 'no such upload for this link');
  }
  if (req.method === 'PATCH') {
    // tus 1.0 core: PATCH carries application/offset+octet-stream and the current offset.
    if (req.get('content-type') !== 'application/offset+octet-stream') {
      throw new PortalError('E_TUS_CONTENT_TYPE', 'PATCH needs Content-Type: application/offset+octet-stream');
    }
    const offset = parseLength(req.get('upload-offset'), 'Upload-Offset');
    const current = bytesReceived(ctx, file);
    if (offset !== current) throw new PortalError('E_TUS_OFFSET', `Upload-Offset ${offset} does not match the stored offset ${current}`);
  }
  return { link, shipmentId: file.shipmentId, fileId: file.fileId, uploadId };
}

export function uploadGuard(ctx: PortalContext, auth: LinkAuthenticator) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    // Ciphertext and offsets must never be cached by a proxy or the browser.
    res.set('Cache-Control', 'no-store');
    if (OVERRIDE_HEADERS.some((name) => req.get(name) !== undefined)) {
      throw new PortalError('E_TUS_METHOD_OVERRIDE', 'method override headers are not accepted');
    }
    if (req.method === 'OPTIONS') return next(); // CORS preflight: @tus/server answers for our own origin only
    const uploadId = rawUploadId(req.originalUrl);
    if (req.method === 'GET') throw new PortalError('E_NOT_FOUND', 'uploaded bytes are never served');
    if (!['POST', 'HEAD', 'PATCH'].includes(req.method)) throw new PortalError('E_METHOD_NOT_ALLOWED', `${req.method} is not allowed on uploads`);
    if (req.get('tus-resumable') !== '1.0.0') throw new PortalError('E_TUS_VERSION', 'Tus-Resumable: 1.0.0 is required');
    if (uploadId === undefined) throw new PortalError('E_UPLOAD_NOT_FOUND', 'no such upload');
    const link = await auth.authenticate(req);
    if (uploadId === '') {
      if (req.method !== 'POST') throw new PortalError('E_METHOD_NOT_ALLOWED', `${req.method} needs an upload URL`);
      grants.set(req, checkPost(ctx, req, link));
    } else {
      if (req.method === 'POST') throw new PortalError('E_METHOD_NOT_ALLOWED', 'POST creates uploads at /uploads/');
      grants.set(req, checkExisting(ctx, req, link, uploadId));
    }
    next();
  };
}
