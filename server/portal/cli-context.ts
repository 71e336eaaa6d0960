/**
 * A PortalContext for command-line use (`link`, `user`, `audit`): the same stores and keys as the running
 * portal, writing straight to the data directory. No HTTP server; logs go to stderr at warn level.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import pino from 'pino';
import type { Config } from '../config.ts';
import type { PortalContext } from './context.ts';
import { openStores } from './db/stores.ts';
import { loadPortalKeys } from './keys/portal-keys.ts';

export async function createPortalContext(config: Config): Promise<PortalContext> {
  const keys = await loadPortalKeys(config.dataDir);
  return {
    config, keys, stores: openStores(config.dataDir), now: Date.now, changes: new EventEmitter(),
    log: pino({ level: 'warn' }, pino.destination(2)), uploadDir: path.join(config.dataDir, 'uploads'),
  };
}
