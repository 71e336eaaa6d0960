/**
 * What the portal's logic receives: config, stores, keys, a clock, a logger and the change feed. Built once by
 * createPortal(); tests build it the same way over a temporary data directory (and may pass their own clock).
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Stores } from './db/stores.ts';
import type { PortalKeys } from './keys/portal-keys.ts';

/** Emitted as 'shipment' with { shipmentId, state } whenever a shipment or one of its files changes. */
export type ChangeFeed = EventEmitter;
export interface ShipmentChange { shipmentId: string; state: string }

export interface PortalContext {
  readonly config: Config;
  readonly stores: Stores;
  readonly keys: PortalKeys;
  /** Milliseconds since the epoch; injectable so expiry and leases are testable without sleeping. */
  readonly now: () => number;
  readonly log: Logger;
  readonly changes: ChangeFeed;
  /** Where the tus FileStore keeps ciphertext (<dataDir>/uploads). */
  readonly uploadDir: string;
}

/** Who did something, for the audit trail. */
export interface Actor {
  kind: 'user' | 'link' | 'worker' | 'cli' | 'system';
  id?: string | null;
  name?: string | null;
  email?: string | null;
}
