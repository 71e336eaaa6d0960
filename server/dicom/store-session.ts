/**
 * A bounded pool of associations storing instances as they arrive (PS3.4 Annex B, Storage Service Class, as SCU).
 * `store()` may be called concurrently; each call is queued and carried by one of at most `associations`
 * associations, one operation outstanding on each. A job is only taken by an association that is already open,
 * so one slow negotiation never holds instances hostage. Contexts are proposed from what the caller announced up
 * front; an instance outside them gets its own group. Retriable failures are retried with capped exponential
 * backoff; what still fails comes back as a result (never thrown) with `retriable` set.
 */
import { Association, DEFAULT_TIMEOUTS, type Destination, type Timeouts } from './association.ts';
import { DEFAULT_RETRY, backoffDelay, sleep, type RetryPolicy } from './backoff.ts';
import { DicomError } from './dicom-error.ts';
import type { ProposedContext } from './pdu.ts';
import { contextKey, keysOfGroup, planContextGroups, type ContextKey } from './presentation-contexts.ts';
import { failure, storeOnce } from './store-once.ts';
import type { StoreInstance, StoreResult } from './types.ts';
import { DICOMDIR_SOP_CLASS } from './uids.ts';

export interface StoreSessionOptions {
  /** Every (SOP class, transfer syntax) the caller expects to send; proposed on each association. */
  readonly contexts: readonly ContextKey[];
  /** Parallel associations, at most (default 8: see Config.associations). */
  readonly associations?: number;
  readonly timeouts?: Partial<Timeouts>;
  readonly retry?: Partial<RetryPolicy>;
  /** How long an association with nothing to send stays open for the next instance (default 1000 ms). */
  readonly idleMs?: number;
  /** Told each time an instance is queued again after a retriable failure (for logs and alerts). */
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  readonly sopInstanceUid: string;
  /** The failure's code: E_CONNECT, E_ASSOCIATION_REJECTED, E_OUT_OF_RESOURCES... */
  readonly code: string | undefined;
  readonly reason: string | undefined;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly delayMs: number;
}

export interface StoreSession {
  /** Stores one instance; resolves with its outcome, never rejects. */
  store(instance: StoreInstance): Promise<StoreResult>;
  /** Waits for every queued instance, then releases all associations. */
  close(): Promise<void>;
}

interface Job {
  readonly instance: StoreInstance;
  readonly group: number;
  /** Sends or association attempts made for it. */
  tries: number;
  failures: number;
  notBefore: number;
  readonly resolve: (result: StoreResult) => void;
}

export function createStoreSession(destination: Destination, options: StoreSessionOptions): StoreSession {
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const idleMs = options.idleMs ?? 1000;
  let limit = Math.max(1, options.associations ?? 8);
  const groups: ProposedContext[][] = [];
  const groupOf = new Map<string, number>();
  const addGroups = (keys: readonly ContextKey[]) => {
    for (const group of planContextGroups(keys)) {
      for (const key of keysOfGroup(group)) groupOf.set(key, groups.length);
      groups.push(group);
    }
  };
  addGroups(options.contexts);

  const queue: Job[] = [];
  const wakers = new Set<() => void>();
  const slots = new Set<Promise<void>>();
  let pending = 0;
  /** Slots inside a C-STORE; the others can take a queued job. */
  let storing = 0;
  let working = 0;
  let closing = false;
  let connectFailures = 0;
  let connectNotBefore = 0;
  let drained: Promise<void> | undefined;
  let idle: (() => void) | undefined;

  const wake = () => {
    for (const waker of wakers) waker();
    wakers.clear();
  };
  /** Waits for a new or requeued job, at most `ms`; true when woken. */
  const waitForWork = (ms: number) => new Promise<boolean>((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(() => { wakers.delete(waker); resolve(false); }, Math.max(1, ms)) : undefined;
    const waker = () => { clearTimeout(timer); resolve(true); };
    wakers.add(waker);
  });

  const finish = (job: Job, result: StoreResult) => {
    pending -= 1;
    job.resolve({ ...result, attempts: job.tries });
    if (pending === 0) {
      idle?.();
      drained = undefined;
    }
  };

  /** A retriable failure: requeue with backoff, or report it after the last attempt. */
  const retryOrFail = (job: Job, result: StoreResult) => {
    job.failures += 1;
    if (!result.retriable || job.failures >= retry.attempts) return finish(job, result);
    const delayMs = backoffDelay(retry, job.failures);
    job.notBefore = Date.now() + delayMs;
    queue.unshift(job);
    ensureSlots();
    options.onRetry?.({ sopInstanceUid: job.instance.sopInstanceUid, code: result.code, reason: result.reason, attempts: job.tries, delayMs });
    wake();
  };

  const readyIndex = (group?: number) => {
    const now = Date.now();
    return queue.findIndex((job) => job.notBefore <= now && (group === undefined || job.group === group));
  };
  const take = (index: number) => queue.splice(index, 1)[0]!;
  const nextReadyIn = () => (queue.length > 0 ? Math.min(...queue.map((job) => job.notBefore)) - Date.now() : Infinity);

  async function runSlot(): Promise<void> {
    let association: Association | undefined;
    let group = -1;
    /** Releases this slot's association (if still open) and stops counting it as working. */
    const letGo = async () => {
      if (!association) return;
      const gone = association;
      association = undefined;
      working -= 1;
      await gone.release();
    };
    try {
      for (;;) {
        if (association?.closed) await letGo();
        const own = association ? readyIndex(group) : -1;
        if (own >= 0) {
          const job = take(own);
          job.tries += 1;
          storing += 1;
          const result = await storeOnce(association!, job.instance).finally(() => { storing -= 1; });
          if (result.retriable) retryOrFail(job, result);
          else finish(job, result);
          continue;
        }
        const any = readyIndex();
        if (any < 0) {
          if (queue.length === 0 && (closing || !association)) return;
          const woke = await waitForWork(Math.min(nextReadyIn(), association && !closing ? idleMs : Infinity));
          if (!woke && association && queue.length === 0) return; // idle: released below
          continue;
        }
        // Work for another group, or no association yet: (re)negotiate for the group of the first ready job.
        await letGo();
        group = queue[any]!.group;
        const wait = connectNotBefore - Date.now();
        if (wait > 0) await sleep(wait);
        try {
          association = await Association.open(destination, groups[group]!, timeouts);
          connectFailures = 0;
          working += 1;
        } catch (error) {
          if (working > 0) {
            // Others are storing: this PACS takes fewer associations than we asked for. Run with what it takes.
            limit = Math.max(1, working);
            return;
          }
          // Slots failing together count as one failure, so the backoff grows per round, not per association.
          if (Date.now() >= connectNotBefore) {
            connectFailures += 1;
            connectNotBefore = Date.now() + backoffDelay(retry, connectFailures);
          }
          const victim = readyIndex(group);
          if (victim >= 0) {
            const job = take(victim);
            job.tries += 1;
            retryOrFail(job, failure(job.instance, error));
          }
        }
      }
    } finally {
      await letGo();
    }
  }

  /** One more slot while queued jobs outnumber the slots free to take them, up to the limit. */
  const ensureSlots = () => {
    while (slots.size < limit && queue.length > slots.size - storing) {
      const slot: Promise<void> = runSlot().finally(() => {
        slots.delete(slot);
        if (!closing) ensureSlots();
      });
      slots.add(slot);
    }
  };

  return {
    store(instance) {
      if (closing) return Promise.resolve(failure(instance, new DicomError('E_SESSION_CLOSED')));
      if (instance.sopClassUid === DICOMDIR_SOP_CLASS) return Promise.resolve(failure(instance, new DicomError('E_DICOMDIR')));
      const key = contextKey(instance);
      if (!groupOf.has(key)) addGroups([instance]);
      return new Promise<StoreResult>((resolve) => {
        pending += 1;
        queue.push({ instance, group: groupOf.get(key)!, tries: 0, failures: 0, notBefore: 0, resolve });
        ensureSlots();
        wake();
      });
    },
    async close() {
      if (pending > 0) {
        drained ??= new Promise<void>((resolve) => { idle = resolve; });
        await drained;
      }
      closing = true;
      wake();
      await Promise.all(slots);
    },
  };
}
