/**
 * The tus 1.0 endpoint (@tus/server + FileStore) at /uploads. The guard (upload-guard.ts) has already
 * authenticated the request and bound the upload id; the hooks here only act on that grant:
 * namingFunction returns the reserved id (and refuses any request the guard did not pass), onUploadCreate
 * pins the metadata to ids and records the upload, onUploadFinish fsyncs and records completion.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Server } from '@tus/server';
import type { PortalContext } from '../context.ts';
import { errorBody, PortalError } from '../errors.ts';
import { recordFileComplete, uploadPath } from '../shipments/shipments.ts';
import { UploadFileStore } from './upload-file-store.ts';
import { grants, type UploadGrant } from './upload-guard.ts';

type TusRequest = Parameters<NonNullable<ConstructorParameters<typeof Server>[0]['namingFunction']>>[0];

function tusError(code: PortalError['code'], message: string) {
  const error = new PortalError(code, message);
  return { status_code: error.status, body: JSON.stringify(errorBody(code, message)) };
}

function grantOf(req: TusRequest): UploadGrant {
  const node = (req as unknown as { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req;
  const grant = node && grants.get(node);
  if (!grant) throw tusError('E_TOKEN_MISSING', 'an upload link token is required');
  return grant;
}

/** tus status codes that @tus/server produces itself, mapped onto our stable codes. */
const TUS_STATUS_CODES: Record<number, PortalError['code']> = {
  400: 'E_BAD_REQUEST', 403: 'E_FORBIDDEN', 404: 'E_UPLOAD_NOT_FOUND', 409: 'E_TUS_OFFSET', 410: 'E_UPLOAD_NOT_FOUND',
  412: 'E_TUS_VERSION', 413: 'E_UPLOAD_TOO_LARGE', 415: 'E_TUS_CONTENT_TYPE',
};

export function createTusServer(ctx: PortalContext): Server {
  // No expiration period: the stock expiry also deletes COMPLETED uploads (their sidecar offset stays 0);
  // abandoned uploads are removed by our own sweeper instead.
  const datastore = new UploadFileStore(ctx.uploadDir);
  return new Server({
    path: '/uploads',
    datastore,
    relativeLocation: true,
    respectForwardedHeaders: false,
    allowedOrigins: [new URL(ctx.config.publicUrl).origin],
    disableTerminationForFinishedUploads: true,
    maxSize: ctx.config.portal.linkMaxBytes,
    namingFunction: (req) => grantOf(req).uploadId,
    async onUploadCreate(req, upload) {
      const grant = grantOf(req);
      const now = ctx.now();
      // A first upload of a file is recorded with a relaxed commit: if a power loss rolls it back, the reconciler
      // adopts the upload from its sidecar (shipmentId, fileId) once it is complete on disk, and an incomplete one
      // is simply POSTed again by the sender. Replacing an upload deletes bytes: that stays a durable commit.
      const store = ctx.stores.shipments;
      const inTransaction = grant.replaces ? store.transaction.bind(store) : store.relaxedTransaction.bind(store);
      inTransaction(() => {
        const file = store.file(grant.shipmentId, grant.fileId);
        if (!file || file.completedAt !== null) throw tusError('E_FILE_COMPLETE', `file ${grant.fileId} is already complete`);
        store.setUpload(grant.shipmentId, grant.fileId, upload.id);
      });
      // Policy: one upload per file. A new POST for a file whose earlier upload never completed replaces it
      // (a sender that lost its resume URL starts the file again); the stale bytes are removed now, audited first
      // so no deletion happens without its record.
      if (grant.replaces) {
        ctx.stores.audit.append({ actor: { kind: 'link', id: grant.link.id }, action: 'ciphertext.deleted', object: { type: 'shipment', id: grant.shipmentId },
          details: { reason: 'replaced', fileId: grant.fileId } }, now);
        for (const stale of [grant.replaces, `${grant.replaces}.json`]) rmSync(uploadPath(ctx, stale), { force: true });
      }
      return { metadata: { shipmentId: grant.shipmentId, fileId: grant.fileId } };
    },
    async onUploadFinish(req, upload) {
      const grant = grantOf(req);
      const file = ctx.stores.shipments.fileByUpload(upload.id);
      if (!file) throw tusError('E_UPLOAD_NOT_FOUND', 'this upload was replaced by a newer one');
      // Durable before acknowledged: the data and the directory entry (a power loss must not shorten or lose a
      // file we have called complete), and the sidecar, which names the file: the reconciler adopts an upload by
      // it when a power loss rolled back its relaxed record. All three before the record and the 204 (tus 1.0:
      // the offset is then final); concurrently and off the event loop, so one journal commit can serve them and
      // the other uploads go on meanwhile.
      await datastore.syncUpload(upload.id);
      // Checked again after the awaits, with nothing in between and the record: a POST replacing this upload
      // may have come in meanwhile, and then these bytes are no longer the file's.
      if (!ctx.stores.shipments.fileByUpload(upload.id)) throw tusError('E_UPLOAD_NOT_FOUND', 'this upload was replaced by a newer one');
      recordFileComplete(ctx, grant.shipmentId, grant.fileId, 'tus');
      return {};
    },
    onResponseError(_req, error) {
      if (error instanceof PortalError) {
        if (error.status >= 500) ctx.log.error({ code: error.code }, error.message);
        return { status_code: error.status, body: JSON.stringify(errorBody(error.code, error.message)) };
      }
      const status = (error as { status_code?: number }).status_code ?? 500;
      const body = (error as { body?: string }).body ?? '';
      if (body.startsWith('{"error"')) return { status_code: status, body };
      if (status >= 500) ctx.log.error({ err: error }, 'tus error');
      const code = TUS_STATUS_CODES[status] ?? 'E_INTERNAL';
      return { status_code: status, body: JSON.stringify(errorBody(code, body.trim() || 'upload error')) };
    },
  });
}
