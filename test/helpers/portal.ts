/**
 * A real portal for integration tests: temporary data directory, keys created, listening on a free port on
 * 127.0.0.1 (the server binds port 0 first and the config is built from the port it got, so there is no
 * race), logs silent, sweeper timer off (call `portal.sweep()`). `stop()` closes everything and removes
 * the directory.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { loadConfig, type Config } from '../../server/config.ts';
import { createPortal, type Portal } from '../../server/portal/create-portal.ts';
import { openStores } from '../../server/portal/db/stores.ts';
import type { Role, UserRow } from '../../server/portal/db/users.ts';
import { initKeys } from '../../server/portal/keys/init-keys.ts';
import { keyPaths } from '../../server/portal/keys/key-files.ts';
import { parseDuration } from '../../server/portal/links/duration.ts';
import { createLink, revokeLink } from '../../server/portal/links/links.ts';
import { addUser } from '../../server/portal/receiver/users.ts';
import { closeServer, createHttpServer, listenOn, type HttpTimeouts } from '../../server/portal/listen.ts';
import { makeTempDir } from './tmp.ts';

export interface TestLinkOptions {
  purpose?: 'transfer' | 'consult' | 'internal';
  sender?: string;
  contact?: string;
  note?: string;
  /** A duration such as '2d' or '90s', or seconds. */
  expires?: string | number;
  maxBytes?: number;
  maxShipments?: number;
}

export interface TestPortal {
  /** http://127.0.0.1:PORT (also the portal's public URL). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly config: Config;
  readonly portal: Portal;
  readonly server: Server;
  /** The bearer credential the import worker presents. */
  readonly workerCredential: string;
  createLink(options?: TestLinkOptions): Promise<{ id: string; url: string; token: string; code: string; expiresAt: string }>;
  addUser(email: string, password: string, role?: Role): Promise<UserRow>;
  revokeLink(id: string): void;
  stop(): Promise<void>;
}

export interface TestPortalOptions {
  /** Extra BEELDPOORT_* variables (e.g. BEELDPOORT_RETENTION_DAYS). */
  env?: Record<string, string>;
  /** Clock in ms; default Date.now. */
  now?: () => number;
  /** Rejected link tokens per address per minute before 429 (default 1000 here, so bad-input tests do not trip it). */
  tokenFailureLimit?: number;
  /** Reuse an existing data directory (e.g. to restart over the same data); not removed by stop(). */
  dataDir?: string;
  /** The HTTP server's header timeout and how often Node checks it (default: the production values). */
  httpTimeouts?: HttpTimeouts;
}

export async function startTestPortal(options: TestPortalOptions = {}): Promise<TestPortal> {
  const temp = options.dataDir ? undefined : makeTempDir('beeldpoort-portal-');
  const dataDir = options.dataDir ?? temp!.dir;
  const server = createHttpServer(options.httpTimeouts);
  const port = await listenOn(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    BEELDPOORT_DATA: dataDir, BEELDPOORT_PORT: String(port), BEELDPOORT_HOST: '127.0.0.1', BEELDPOORT_PUBLIC_URL: url,
    BEELDPOORT_LOG_LEVEL: 'silent', ...options.env,
  });
  const stores = openStores(dataDir);
  try {
    await initKeys(dataDir, stores.settings);
  } finally {
    stores.close();
  }
  const portal = await createPortal(config, { now: options.now, sweepIntervalMs: 0, tokenFailureLimit: options.tokenFailureLimit ?? 1000 });
  server.on('request', portal.app);
  const { ctx } = portal;
  let stopped = false;
  return {
    url, port, dataDir, config, portal, server,
    workerCredential: readFileSync(keyPaths(dataDir).workerCredential, 'utf8').trim(),
    async createLink(link = {}) {
      const expiresIn = link.expires === undefined ? undefined : parseDuration(link.expires);
      return createLink(ctx, {
        purpose: link.purpose ?? 'transfer', senderName: link.sender ?? 'Test sender hospital', senderContact: link.contact,
        note: link.note, expiresIn, maxBytes: link.maxBytes, maxShipments: link.maxShipments,
      }, { kind: 'cli', id: 'test' });
    },
    addUser: (email, password, role = 'radiologist') => addUser(ctx.stores, { email, password, role }, { kind: 'cli', id: 'test' }, ctx.now()),
    revokeLink: (id) => void revokeLink(ctx, id, { kind: 'cli', id: 'test' }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await closeServer(server, portal, 2_000);
      temp?.remove();
    },
  };
}

/** A real general-JSON JWE (RFC 7516 §7.2.1) to the institution key, standing in for a sender's envelope. */
export async function makeEnvelope(publicJwk: object, payload: object = { manifest: 'test' }): Promise<object> {
  const { GeneralEncrypt, importJWK } = await import('jose');
  const key = await importJWK(publicJwk as Parameters<typeof importJWK>[0], 'ECDH-ES+A256KW');
  return new GeneralEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ enc: 'A256GCM' })
    .addRecipient(key)
    .setUnprotectedHeader({ alg: 'ECDH-ES+A256KW' })
    .encrypt();
}
