/**
 * Stores one validated, staged instance: reads it when it waits in a staging file (one instance in memory at a time
 * per call), sends the dataset bytes after the file meta group unchanged, and keeps retrying while the destination reports a retriable failure
 * (PACS down, association rejected, A7xx, outcome unknown), with capped exponential backoff, for at most
 * `windowMs`. Then it throws E_PACS_UNAVAILABLE so the caller gives the lease back: a transient outage never turns
 * into a failed import (reliability W4, W6). A permanent refusal comes back as the result.
 */
import type { DestinationSession, StoreResult } from './destination.ts';
import { plaintextBytes, type Plaintext } from './plaintext.ts';
import { backoffMs, pause } from './portal-retry.ts';
import type { ValidatedInstance } from './validate/validate-part10.ts';
import { WorkerError } from './worker-error.ts';

export interface StoreRetryPolicy {
  /** First pause after a retriable failure (default 2 s). */
  readonly initialMs: number;
  /** Longest pause (default 60 s). */
  readonly maxMs: number;
  /** How long one instance may keep failing retriably before the lease is released (default 10 min). */
  readonly windowMs: number;
}

export const DEFAULT_STORE_RETRY: StoreRetryPolicy = { initialMs: 2000, maxMs: 60_000, windowMs: 10 * 60_000 };

export async function storeStaged(
  session: DestinationSession,
  staged: { readonly plaintext: Plaintext; readonly instance: ValidatedInstance },
  policy: StoreRetryPolicy,
  signal?: AbortSignal,
): Promise<StoreResult> {
  const bytes = await plaintextBytes(staged.plaintext);
  const { instance } = staged;
  const dataset = new Uint8Array(bytes.buffer, bytes.byteOffset + instance.datasetOffset, bytes.byteLength - instance.datasetOffset);
  const started = Date.now();
  for (let failures = 0; ; failures++) {
    const result = await session.store({
      sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid, transferSyntaxUid: instance.transferSyntaxUid,
      studyInstanceUid: instance.studyInstanceUid, seriesInstanceUid: instance.seriesInstanceUid, dataset,
    });
    if (result.outcome !== 'failed' || !result.retriable) return result;
    if (signal?.aborted) throw new WorkerError('E_STOPPING', result.reason);
    if (Date.now() - started >= policy.windowMs) {
      throw new WorkerError('E_PACS_UNAVAILABLE', `${result.code ?? ''} ${result.reason ?? ''}`.trim(), { status: result.status });
    }
    await pause(backoffMs(failures, policy), signal);
  }
}
