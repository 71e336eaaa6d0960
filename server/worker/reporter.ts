/**
 * Reports per-file outcomes to the portal from the ledger: every terminal row not yet acknowledged, in batches.
 * The portal upserts per file, so sending a row twice (after a crash between the report and markReported) is
 * harmless; a row is marked reported only after the portal answered 200.
 */
import type { Ledger } from './ledger.ts';
import { TERMINAL } from './ledger.ts';
import { fileReport } from './outcome.ts';
import type { PortalClient } from './portal-client.ts';

const BATCH = 200;

export async function reportOutcomes(client: PortalClient, ledger: Ledger, shipmentId: string, leaseToken: string): Promise<number> {
  const rows = ledger.files(shipmentId).filter((r) => TERMINAL.has(r.state) && !r.reported);
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await client.report(shipmentId, { leaseToken, files: batch.map(fileReport) });
    ledger.markReported(shipmentId, batch.map((r) => r.fileId));
  }
  return rows.length;
}
