/**
 * Puts the portal on an HTTP server with timeouts that suit long tus PATCHes, and shuts it down gracefully.
 * requestTimeout is 0 (a 700 MB PATCH over a slow line may take an hour) while headersTimeout (slowloris,
 * CVE-2018-12122) and the socket idle timeout still cut stalled clients.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import { initKeys } from './keys/init-keys.ts';
import { openStores } from './db/stores.ts';
import { createPortal, type Portal, type PortalDeps } from './create-portal.ts';
import { preferAtomicMajorGc } from '../gc-policy.ts';

export const HEADERS_TIMEOUT_MS = 30_000;
export const IDLE_SOCKET_TIMEOUT_MS = 120_000;
export const SHUTDOWN_GRACE_MS = 30_000;

export interface RunningPortal {
  readonly portal: Portal;
  readonly server: http.Server;
  readonly port: number;
  /** Stops accepting, lets in-flight requests (PATCHes) finish for up to graceMs, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

export interface HttpTimeouts {
  /** Time a client has to send the complete request head (default 30 s). */
  readonly headersTimeoutMs?: number;
  /** How often Node checks for requests past headersTimeout (Node's default 30 s; tests set it short). */
  readonly checkIntervalMs?: number;
  /** A socket with no traffic for this long is destroyed (default 2 min; tests set it short). */
  readonly idleTimeoutMs?: number;
}

export function createHttpServer(timeouts: HttpTimeouts = {}): http.Server {
  const server = http.createServer(timeouts.checkIntervalMs ? { connectionsCheckingInterval: timeouts.checkIntervalMs } : {});
  server.headersTimeout = timeouts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  server.setTimeout(timeouts.idleTimeoutMs ?? IDLE_SOCKET_TIMEOUT_MS); // a socket with no traffic for 2 min is destroyed
  return server;
}

export function listenOn(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: http.Server, portal: Portal, graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
  // Long-lived answers (dashboard event streams) end now; uploads in flight get the grace period.
  portal.ctx.changes.emit('shutdown');
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      portal.close();
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Creates keys when missing (first start), builds the portal and listens on config.host:config.port. */
export async function startPortal(config: Config, deps: PortalDeps = {}): Promise<RunningPortal> {
  preferAtomicMajorGc();
  const stores = openStores(config.dataDir);
  try {
    await initKeys(config.dataDir, stores.settings);
  } finally {
    stores.close();
  }
  const portal = await createPortal(config, deps);
  const server = createHttpServer();
  server.on('request', portal.app);
  const port = await listenOn(server, config.port, config.host);
  return { portal, server, port, close: (graceMs) => closeServer(server, portal, graceMs) };
}
