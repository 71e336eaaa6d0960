/**
 * Keeps a lease alive while a shipment is imported: heartbeats at a third of the time left (so two can be lost
 * before it expires), and each answer carries the portal's latest view of which files are complete (a transfer
 * may be imported while its upload still runs). If the portal says the lease is gone (another worker has it, or
 * it expired), `signal` aborts so the import stops at its next step instead of racing the new holder.
 */
import type { Lease, PortalClient, PortalFile } from './portal-client.ts';
import { WorkerError } from './worker-error.ts';

export interface LeaseKeeper {
  readonly signal: AbortSignal;
  /** The latest complete-or-not view of the shipment's files. */
  files(): readonly PortalFile[];
  /** Heartbeats now (extends the lease, refreshes files). Errors other than a lost lease are swallowed. */
  refresh(): Promise<void>;
  stop(): void;
}

const LOST = new Set([404, 409, 410, 403]);

export function keepLease(client: PortalClient, lease: Lease, onError: (error: unknown) => void): LeaseKeeper {
  const controller = new AbortController();
  let files = lease.files;
  let expiresAt = Date.parse(lease.leaseExpiresAt);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failures = 0;

  const refresh = async () => {
    if (controller.signal.aborted) return;
    try {
      const beat = await client.heartbeat(lease.shipmentId, lease.leaseToken);
      files = beat.files;
      expiresAt = Date.parse(beat.leaseExpiresAt);
      failures = 0;
    } catch (error) {
      failures += 1;
      if (error instanceof WorkerError && error.status !== undefined && LOST.has(error.status)) {
        controller.abort(new WorkerError('E_PORTAL', `lease on ${lease.shipmentId} lost: ${error.message}`));
      } else {
        onError(error);
      }
    }
  };
  const schedule = () => {
    if (stopped || controller.signal.aborted) return;
    const left = Number.isFinite(expiresAt) ? expiresAt - Date.now() : 30_000;
    // While the portal is away (a restart), ask again soon but backing off to 10 s: the lease is in its database and
    // the same token works once it is back, so the import carries on rather than waiting for the lease to expire.
    const wait = failures > 0 ? Math.min(10_000, 1000 * 2 ** (failures - 1)) : Math.min(60_000, left / 3);
    timer = setTimeout(() => void refresh().finally(schedule), Math.max(1000, wait));
    timer.unref();
  };
  schedule();

  return {
    signal: controller.signal,
    files: () => files,
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
