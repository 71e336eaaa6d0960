/**
 * Reports per-file outcomes to the portal from the ledger: every terminal row not yet acknowledged, in batches.
 * The portal upserts per file, so sending a row twice (after a crash between the report and markReported) is
 * harmless; a row is marked reported only after the portal answered 200.
 */
import type { Ledger } from './ledger.ts';
import { fileReport } from './outcome.ts';
import type { PortalClient } from './portal-client.ts';

const BATCH = 200;

export async function reportOutcomes(client: PortalClient, ledger: Ledger, shipmentId: string, leaseToken: string): Promise<number> {
  const rows = ledger.unreported(shipmentId);
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await client.report(shipmentId, { leaseToken, files: batch.map(fileReport) });
    ledger.markReported(shipmentId, batch.map((r) => r.fileId));
  }
  return rows.length;
}

export interface ReportQueue {
  /** Reports within `delayMs` (batched with whatever else becomes terminal meanwhile); failures are retried later. */
  soon(): void;
  /** Reports everything now; throws if the portal does not take it. */
  flush(): Promise<void>;
  stop(): void;
}

export function createReportQueue(report: () => Promise<unknown>, onError: (error: unknown) => void, delayMs = 500): ReportQueue {
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const run = () => (chain = chain.then(report, report));
  return {
    soon() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        run().catch(onError);
      }, delayMs);
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      await run();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
