/**
 * Post-verification (reliability.md W9, "nothing lost": present in the PACS, counts per study equal). A PACS may
 * answer C-STORE success and still drop the instance (an Orthanc Lua ReceivedInstanceFilter does exactly that), so
 * after a shipment's stores every file the ledger holds as stored/warning is looked up per series, one query at a
 * time on one association (C-FIND at IMAGE level, PS3.4 C.4.1). A file the PACS does not return becomes `failed`
 * E_PACS_NOT_FOUND. A PACS may index a stored instance well after its C-STORE response, so a series that lacks
 * instances is asked again, after 1, 2, 4 ... s, until `waitMs` has passed (BEELDPOORT_PACS_VERIFY_WAIT), before any of
 * them is called missing. A PACS that cannot be asked
 * (refused, no query model, dropped, a failure status) marks nothing failed: unverifiable is not lost, and the finish
 * reason says "not verified".
 */
import type { Logger } from 'pino';
import type { Manifest, ManifestFile } from '../../shared/format/index.ts';
import type { InstanceFinder } from './destination.ts';
import type { Ledger } from './ledger.ts';
import type { FinalState } from './portal-client.ts';
import { WORKER_CODES } from './worker-error.ts';

export interface VerifyOutcome {
  /** Stored instances the PACS returned. */
  readonly verified: number;
  /** File ids now `failed` E_PACS_NOT_FOUND. */
  readonly missing: readonly string[];
  /** Why some (or all) stored instances could not be checked; undefined when every one was. */
  readonly notVerified?: string;
}

interface Series {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly files: ManifestFile[];
}

const describe = (error: unknown) => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${(error as Error).message}` : String((error as Error)?.message ?? error);
};

/** The stored/warning files of the shipment, by series, with the identity the manifest gives (validated on import). */
function storedSeries(shipmentId: string, manifest: Manifest, ledger: Ledger): Series[] {
  const stored = new Set(ledger.files(shipmentId).filter((r) => r.state === 'stored' || r.state === 'warning').map((r) => r.fileId));
  const bySeries = new Map<string, Series>();
  for (const file of manifest.files) {
    if (!stored.has(file.fileId)) continue;
    const { studyInstanceUid, seriesInstanceUid } = file.dicom;
    const key = `${studyInstanceUid}|${seriesInstanceUid}`;
    const series = bySeries.get(key) ?? { studyInstanceUid, seriesInstanceUid, files: [] };
    series.files.push(file);
    bySeries.set(key, series);
  }
  return [...bySeries.values()];
}

/** How long a series that lacks instances is asked again before they are called missing (default 20 s). */
export const DEFAULT_VERIFY_WAIT_MS = 20_000;

/** The pauses before each new question: 1, 2, 4 ... s (from `firstMs`), the last cut so they add up to `waitMs`. */
export function recheckPauses(waitMs: number, firstMs = 1000): number[] {
  const pauses: number[] = [];
  for (let total = 0, next = Math.min(firstMs, waitMs); total < waitMs; next *= 2) {
    const pause = Math.min(next, waitMs - total);
    pauses.push(pause);
    total += pause;
  }
  return pauses;
}

export async function verifyStored(
  shipmentId: string,
  manifest: Manifest,
  ledger: Ledger,
  openFinder: () => Promise<InstanceFinder>,
  log: Logger,
  waitMs = DEFAULT_VERIFY_WAIT_MS,
  firstPauseMs = 1000,
): Promise<VerifyOutcome> {
  const series = storedSeries(shipmentId, manifest, ledger);
  const total = series.reduce((n, s) => n + s.files.length, 0);
  if (total === 0) return { verified: 0, missing: [] };
  let finder: InstanceFinder;
  try {
    finder = await openFinder();
  } catch (error) {
    const notVerified = `${total} stored instance(s) in ${series.length} series: the PACS cannot be queried (${describe(error)})`;
    log.warn({ shipmentId, err: error }, `post-verification impossible; the store status is trusted: ${notVerified}`);
    return { verified: 0, missing: [], notVerified };
  }
  let verified = 0;
  const missing: string[] = [];
  const unverified: { series: number; instances: number; first?: string } = { series: 0, instances: 0 };
  try {
    for (const s of series) {
      let found: Set<string>;
      try {
        found = new Set(await finder.instancesOfSeries(s.studyInstanceUid, s.seriesInstanceUid));
        // Not yet indexed is not lost: ask again, with growing pauses, before a missing instance is recorded failed.
        for (const pause of recheckPauses(waitMs, firstPauseMs)) {
          if (s.files.every((file) => found.has(file.dicom.sopInstanceUid))) break;
          await new Promise((resolve) => setTimeout(resolve, pause));
          for (const uid of await finder.instancesOfSeries(s.studyInstanceUid, s.seriesInstanceUid)) found.add(uid);
        }
      } catch (error) {
        unverified.series += 1;
        unverified.instances += s.files.length;
        unverified.first ??= describe(error);
        log.warn({ shipmentId, seriesInstanceUid: s.seriesInstanceUid, err: error }, 'C-FIND of a series failed; its instances stay unverified');
        continue;
      }
      for (const file of s.files) {
        if (found.has(file.dicom.sopInstanceUid)) {
          verified += 1;
          continue;
        }
        const reason = `${WORKER_CODES.E_PACS_NOT_FOUND}: C-FIND at IMAGE level of series ${s.seriesInstanceUid} returned ${found.size} instance(s), not ${file.dicom.sopInstanceUid}`;
        if (ledger.demote(shipmentId, file.fileId, { code: 'E_PACS_NOT_FOUND', reason })) missing.push(file.fileId);
      }
    }
  } finally {
    await finder.close().catch(() => undefined);
  }
  if (missing.length > 0) log.error({ shipmentId, files: missing }, `${missing.length} instance(s) answered stored are not in the PACS (E_PACS_NOT_FOUND)`);
  const notVerified = unverified.series > 0
    ? `${unverified.instances} stored instance(s) in ${unverified.series} of ${series.length} series (${unverified.first})`
    : undefined;
  log.info({ shipmentId, verified, missing: missing.length, unverified: unverified.instances }, 'post-verification by C-FIND done');
  return { verified, missing, ...(notVerified ? { notVerified } : {}) };
}

/** The finish reason with the verification's note: what could not be checked is said, never counted as lost. */
export function withVerification(final: { state: FinalState; reason?: string }, outcome: VerifyOutcome | undefined): { state: FinalState; reason?: string } {
  if (!outcome?.notVerified) return final;
  const note = `not verified: ${outcome.notVerified}`;
  return { ...final, reason: (final.reason ? `${final.reason}; ${note}` : note).slice(0, 1000) };
}
