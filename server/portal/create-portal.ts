/**
 * Builds the portal: stores, keys, the Express 5 app with one router per area (sender, worker, receiver, tus),
 * the startup reconciler and the retention sweeper. It never listens: `listen.ts` (the `portal` and `start`
 * commands) and the tests attach it to an HTTP server.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import express, { type Express } from 'express';
import pino, { type Logger } from 'pino';
import type { Config } from '../config.ts';
import type { PortalContext } from './context.ts';
import { openStores } from './db/stores.ts';
import { errorBody } from './errors.ts';
import { errorHandler } from './http/error-handler.ts';
import { LinkAuthenticator } from './http/link-auth.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';
import { staticPages } from './http/static-pages.ts';
import { loadPortalKeys } from './keys/portal-keys.ts';
import { startNotifier } from './notify/notifier.ts';
import { receiverRouter } from './receiver/receiver.routes.ts';
import { reconcileUploads } from './retention/reconcile.ts';
import { sweep, type SweepResult } from './retention/sweep.ts';
import { senderRouter } from './sender/sender.routes.ts';
import { createTusServer } from './tus/tus-server.ts';
import { uploadGuard } from './tus/upload-guard.ts';
import { workerRouter } from './worker-api/worker.routes.ts';
import { WorkerAuthenticator } from './worker-api/worker-auth.ts';

export interface PortalDeps {
  /** Clock in ms (tests move time forward instead of sleeping). */
  now?: () => number;
  log?: Logger;
  /** How often the retention sweeper runs; 0 turns the timer off (tests call portal.sweep()). Default 10 min. */
  sweepIntervalMs?: number;
  /** Where the built browser pages are (default: the repository's client/). */
  clientDir?: string;
  /** Rejected link tokens per client address per minute before 429 (default 30). */
  tokenFailureLimit?: number;
}

export interface Portal {
  readonly app: Express;
  readonly ctx: PortalContext;
  sweep(): SweepResult;
  reconcile(): number;
  /** Stops the sweeper and closes the database; call after the HTTP server has drained. */
  close(): void;
}

/** Log redaction: nothing that authenticates ever reaches a log line, even if someone logs a request. */
export const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', 'token', 'leaseToken', 'password', 'credential',
  '*.token', '*.leaseToken', '*.password', '*.credential'];

export async function createPortal(config: Config, deps: PortalDeps = {}): Promise<Portal> {
  const log = deps.log ?? pino({ level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' } });
  const keys = await loadPortalKeys(config.dataDir);
  const stores = openStores(config.dataDir);
  const ctx: PortalContext = {
    config, stores, keys, log, now: deps.now ?? Date.now, changes: new EventEmitter(), uploadDir: path.join(config.dataDir, 'uploads'),
  };
  ctx.changes.setMaxListeners(0); // one listener per open dashboard event stream

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.portal.trustProxy); // client IPs for audit and rate limits
  app.set('etag', false);
  app.use(requestLog(log));
  app.use(securityHeaders(config.publicUrl.startsWith('https:')));
  app.get('/healthz', (_req, res) => void res.set('Cache-Control', 'no-store').json({ ok: true }));

  // tus first and outside every JSON body parser: PATCH bodies are streamed to disk untouched.
  const tus = createTusServer(ctx);
  const linkAuth = new LinkAuthenticator(ctx, deps.tokenFailureLimit);
  const tusHandler = (req: express.Request, res: express.Response) => void tus.handle(req, res);
  const guard = uploadGuard(ctx, linkAuth);
  app.all('/uploads', guard, tusHandler);
  app.all('/uploads/{*splat}', guard, tusHandler);

  app.use('/api/sender', senderRouter(ctx, linkAuth));
  app.use('/api/worker', workerRouter(ctx, new WorkerAuthenticator(ctx)));
  app.use('/api/receiver', receiverRouter(ctx));
  app.use('/api', (_req, res) => void res.status(404).json(errorBody('E_NOT_FOUND', 'no such API route')));
  app.use(staticPages(deps.clientDir));
  app.use((_req, res) => void res.status(404).json(errorBody('E_NOT_FOUND', 'not found')));
  app.use(errorHandler(log));

  reconcileUploads(ctx);
  // E-mail / webhook on "received" and "imported" (no-op when neither is configured).
  const notifier = startNotifier(ctx, config.notify, `${config.publicUrl}/app/`);
  const interval = deps.sweepIntervalMs ?? 600_000;
  const timer = interval > 0 ? setInterval(() => {
    try {
      sweep(ctx);
    } catch (error) {
      log.error({ err: error }, 'sweep failed');
    }
  }, interval) : undefined;
  timer?.unref();
  let closed = false;

  return {
    app, ctx,
    sweep: () => sweep(ctx),
    reconcile: () => reconcileUploads(ctx),
    close: () => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      notifier.stop();
      stores.close();
    },
  };
}
