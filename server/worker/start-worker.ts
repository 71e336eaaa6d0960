/**
 * The import worker's composition root: reads the private key and credential from data/worker/, opens the
 * ledger, prepares the private staging directory, picks the destination (the PACS from BEELDPOORT_PACS, or the
 * embedded folder data/pacs/ and says so), then leases and imports shipments one at a time until stopped. It
 * listens on no port: all work is pulled from the portal (docs/architecture.md).
 */
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { JWK } from '../../shared/format/index.ts';
import type { Config } from '../config.ts';
import { preferAtomicMajorGc } from '../gc-policy.ts';
import type { Destination } from './destination.ts';
import { createFolderDestination } from './folder-destination.ts';
import { DEFAULT_RETRY_AFTER, importShipment, type ImportPolicy, type ImportResult } from './import-shipment.ts';
import { openLedger } from './ledger.ts';
import { createPacsDestination } from './pacs-destination.ts';
import { createPortalClient } from './portal-client.ts';
import { DEFAULT_PORTAL_RETRY, pause as pauseFor, retryingClient } from './portal-retry.ts';
import { DEFAULT_STORE_RETRY } from './store-staged.ts';
import { createValidator, type ValidatorOptions } from './validate/validator.ts';
import { WorkerError } from './worker-error.ts';

export interface WorkerOptions {
  readonly log?: Logger;
  /** Overrides of the import policy (tests shorten waits). */
  readonly policy?: Partial<ImportPolicy>;
  /** Pause between lease attempts when nothing is ready (default 1 s: a transfer's import starts sooner). */
  readonly idlePollMs?: number;
  readonly validator?: ValidatorOptions;
  /** Replaces the destination chosen from config (benchmarks). */
  readonly destination?: Destination;
  /** Called after each leased shipment (tests wait on it). */
  readonly onShipment?: (shipmentId: string, result: ImportResult) => void;
}

export interface RunningWorker {
  readonly destination: string;
  /** Finishes the shipment step in progress, gives its lease back, closes everything. */
  stop(): Promise<void>;
}

export function workerPaths(dataDir: string) {
  const dir = path.join(dataDir, 'worker');
  return {
    dir,
    privateKey: path.join(dir, 'institution.private.jwk'),
    credential: path.join(dir, 'credential'),
    ledger: path.join(dir, 'ledger.sqlite'),
    staging: path.join(dir, 'staging'),
    pacs: path.join(dataDir, 'pacs'),
  };
}

async function readSecret(file: string, what: string): Promise<string> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) throw new WorkerError('E_NO_KEY', `${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (error instanceof WorkerError) throw error;
    throw new WorkerError('E_NO_KEY', `${what} ${file}: ${(error as Error).message} (run "beeldpoort keys init")`, { cause: error });
  }
}

export async function startWorker(config: Config, options: WorkerOptions = {}): Promise<RunningWorker> {
  preferAtomicMajorGc();
  const log = options.log ?? pino({ level: config.logLevel, base: { component: 'worker' } });
  const paths = workerPaths(config.dataDir);
  const privateJwk = JSON.parse(await readSecret(paths.privateKey, 'private key')) as JWK;
  const credential = await readSecret(paths.credential, 'worker credential');
  // Plaintext lives only here, only for the worker's user; nothing in it survives a restart (import-shipment.ts).
  await rm(paths.staging, { recursive: true, force: true });
  await mkdir(paths.staging, { recursive: true, mode: 0o700 });
  await chmod(paths.staging, 0o700);

  const destination = options.destination ?? (config.pacs
    ? createPacsDestination({ pacs: config.pacs, callingAet: config.callingAet, associations: config.associations, verify: config.pacsVerify, tls: config.pacsTls })
    : createFolderDestination(paths.pacs));
  const ledger = openLedger(paths.ledger);
  const validator = createValidator(options.validator);
  const client = createPortalClient({ portalUrl: config.portalUrl, credential });
  const policy: ImportPolicy = {
    downloads: 4, storesInFlight: config.associations + 1, storeMemoryBytes: 256 * 2 ** 20, memoryStageBytes: 64 * 2 ** 20, pollMs: 1000, uploadIdleMs: 120_000, storeRetry: DEFAULT_STORE_RETRY,
    portalRetry: DEFAULT_PORTAL_RETRY, retryAfter: DEFAULT_RETRY_AFTER, maxFailures: 5, verifyWaitMs: config.pacsVerifyWaitSeconds * 1000,
    ...options.policy,
  };
  const idlePollMs = options.idlePollMs ?? 1000;
  const stopper = new AbortController();
  const workerId = `${hostname()}:${process.pid}`;
  log.info({ portal: config.portalUrl, destination: destination.description, workerId }, `import worker started; storing into ${destination.description}`);

  // The listener goes with its timer (portal-retry.ts pause): one per idle poll on a long-lived signal used to pile up.
  const pause = (ms: number) => pauseFor(ms, stopper.signal);
  // Under a lease, a portal restart is waited out (the lease is in its database), not taken for a lost shipment.
  const leaseClient = retryingClient(client, {
    policy: policy.portalRetry, signal: stopper.signal,
    onRetry: (error, attempt) => log.warn({ err: error, attempt }, 'portal unreachable; retrying'),
  });
  const deps = { client: leaseClient, ledger, destination, validator, privateJwk, stagingRoot: paths.staging, log, policy, stopSignal: stopper.signal };

  const loop = (async () => {
    let portalFailures = 0;
    while (!stopper.signal.aborted) {
      try {
        const lease = await client.lease(workerId);
        portalFailures = 0;
        if (!lease) {
          await pause(idlePollMs);
          continue;
        }
        log.info({ shipmentId: lease.shipmentId, files: lease.files.length, urgent: lease.urgent }, 'shipment leased');
        const result = await importShipment(lease, deps);
        options.onShipment?.(lease.shipmentId, result);
        // A shipment given back (held, PACS down, upload running) is offered again: do not grab it in a tight loop.
        if (result.outcome !== 'finished') await pause(idlePollMs);
      } catch (error) {
        portalFailures += 1;
        log.warn({ err: error }, 'worker loop: portal unreachable or refused; retrying');
        await pause(Math.min(60_000, idlePollMs * 2 ** Math.min(portalFailures, 5)));
      }
    }
  })();

  return {
    destination: destination.description,
    async stop() {
      stopper.abort();
      await loop;
      await validator.close();
      ledger.close();
      log.info('import worker stopped');
    },
  };
}
