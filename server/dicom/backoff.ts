/**
 * Capped exponential backoff with jitter, for reconnecting to a PACS that refused, rejected or dropped us, and for
 * instances it answered "out of resources" (A7xx). Full jitter keeps parallel associations from retrying in step.
 */
export interface RetryPolicy {
  /** Attempts per instance, the first included; after the last the instance is reported failed and retriable. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, initialDelayMs: 500, maxDelayMs: 15_000 };

/** Delay before retry number `failures` (1 after the first failure), between half and all of the capped bound. */
export function backoffDelay(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failures - 1));
  return Math.round(bound / 2 + (bound / 2) * random());
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
