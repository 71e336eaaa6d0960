/**
 * Riding out a portal outage (a restart, a crash, a network blip) instead of abandoning a shipment: the lease lives
 * in the portal's database, so once the portal is back the same lease token works again. Calls made under a lease
 * are retried with capped exponential backoff (full jitter) while the portal is unreachable or answers 5xx/408/429,
 * for at most `windowMs`; a refusal (4xx: lease lost, bad request) is final at once. A stop request ends the waiting.
 */
import type { PortalClient } from './portal-client.ts';
import { WorkerError } from './worker-error.ts';

export interface PortalRetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** How long the portal may stay unreachable before the attempt gives up (default 10 min). */
  readonly windowMs: number;
}

export const DEFAULT_PORTAL_RETRY: PortalRetryPolicy = { initialMs: 500, maxMs: 10_000, windowMs: 10 * 60_000 };

/** True for an error that says the portal is away, not that it refused: worth asking again. */
export function isPortalOutage(error: unknown): boolean {
  if (!(error instanceof WorkerError) || error.code !== 'E_PORTAL') return false;
  const { status } = error;
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/** Resolves after `ms`, or at once when `signal` aborts; the listener is removed either way (no leak per call). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The delay before retry number `failures` (0-based): capped exponential backoff with full jitter. */
export function backoffMs(failures: number, policy: Pick<PortalRetryPolicy, 'initialMs' | 'maxMs'>): number {
  const bound = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures, 20));
  return Math.round(bound / 2 + (bound / 2) * Math.random());
}

export interface RetryOptions {
  readonly policy: PortalRetryPolicy;
  /** Stops retrying (the last error is thrown); one attempt is still made when it is already aborted. */
  readonly signal?: AbortSignal;
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

export async function retryPortal<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const started = Date.now();
  for (let failures = 0; ; failures++) {
    try {
      return await call();
    } catch (error) {
      if (!isPortalOutage(error) || options.signal?.aborted || Date.now() - started >= options.policy.windowMs) throw error;
      options.onRetry?.(error, failures + 1);
      await pause(backoffMs(failures, options.policy), options.signal);
    }
  }
}

/**
 * The same client with statements, report, finish and release retried through an outage. lease() is not (the
 * worker loop backs off itself), nor heartbeat (the lease keeper schedules its own) nor download (a broken stream
 * restarts the file's decryption from byte 0: stage-all retries it).
 */
export function retryingClient(client: PortalClient, options: RetryOptions): PortalClient {
  const retry = <T>(call: () => Promise<T>) => retryPortal(call, options);
  return {
    lease: (workerId) => client.lease(workerId),
    heartbeat: (id, token) => client.heartbeat(id, token),
    download: (id, uploadId, signal, range) => client.download(id, uploadId, signal, range),
    statements: (id, body) => retry(() => client.statements(id, body)),
    report: (id, body) => retry(() => client.report(id, body)),
    finish: (id, body) => retry(() => client.finish(id, body)),
    release: (id, body) => retry(() => client.release(id, body)),
  };
}
