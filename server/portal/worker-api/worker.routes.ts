/** The worker pull API (docs/architecture.md): routes only parse, call leases.ts and answer. */
import express, { Router } from 'express';
import type { PortalContext } from '../context.ts';
import { PortalError } from '../errors.ts';
import { bytesReceived, uploadPath } from '../shipments/shipments.ts';
import { sendCiphertext } from './file-download.ts';
import { finish, heartbeat, leaseNext, postStatements, release, report } from './leases.ts';
import type { WorkerAuthenticator } from './worker-auth.ts';

export function workerRouter(ctx: PortalContext, auth: WorkerAuthenticator): Router {
  const router = Router();
  router.use((req, res, next) => {
    res.set('Cache-Control', 'no-store');
    auth.authenticate(req);
    next();
  });
  router.use(express.json({ limit: '4mb' }));
  const id = (value: unknown): string => String(value);

  router.post('/lease', (req, res) => {
    const workerId = typeof req.body?.workerId === 'string' ? req.body.workerId.slice(0, 100) : 'worker';
    const lease = leaseNext(ctx, workerId);
    if (!lease) res.status(204).end();
    else res.json(lease);
  });
  router.post('/shipments/:id/statements', (req, res) => void res.json(postStatements(ctx, id(req.params.id), req.body ?? {})));
  router.post('/shipments/:id/heartbeat', (req, res) => void res.json(heartbeat(ctx, id(req.params.id), req.body?.leaseToken)));
  router.post('/shipments/:id/report', (req, res) => void res.json(report(ctx, id(req.params.id), req.body ?? {})));
  router.post('/shipments/:id/finish', (req, res) => void res.json(finish(ctx, id(req.params.id), req.body ?? {})));
  router.post('/shipments/:id/release', (req, res) => void res.json(release(ctx, id(req.params.id), req.body ?? {})));

  router.get('/shipments/:id/files/:fileId', (req, res, next) => {
    const file = ctx.stores.shipments.file(id(req.params.id), id(req.params.fileId));
    if (!file) throw new PortalError('E_NOT_FOUND', 'no such file');
    if (file.deletedAt !== null) throw new PortalError('E_NOT_FOUND', 'this ciphertext has been deleted (retention)');
    if (file.completedAt === null || file.uploadId === null) {
      throw new PortalError('E_FILE_INCOMPLETE', `file is incomplete (${bytesReceived(ctx, file)} of ${file.size} bytes)`);
    }
    // RFC 9110 §14: Range requests let the worker resume a download (file-download.ts serves them through sendFile).
    sendCiphertext(req, res, next, uploadPath(ctx, file.uploadId)).catch(next);
  });
  return router;
}
