/**
 * Step three (optional): wait until the portal reports the import outcome, and the one summary object both
 * senders and `beeldpoort status` print (`--json`): { shipmentId, files, instances, bytes, stored, failed, state }.
 */
import { sleep } from './retry.ts';
import type { SenderApi, ShipmentStatus } from './sender-api.ts';

/** States after which nothing changes any more (docs/architecture.md, shipment states). */
export const FINAL_STATES: ReadonlySet<string> = new Set(['imported', 'imported-with-failures', 'failed']);

export interface ShipmentSummaryLine {
  readonly shipmentId: string;
  /** Files in the shipment (manifest files: one DICOM instance each, whether or not they travelled in a bundle). */
  readonly files: number;
  /** DICOM instances sent (= files: the pipeline sends one instance per file). */
  readonly instances: number;
  /** Ciphertext bytes. */
  readonly bytes: number;
  /** Instances the worker stored in the PACS (success or warning status). */
  readonly stored: number;
  /** Instances rejected or failed (and, once final, never reported). */
  readonly failed: number;
  readonly state: string;
}

/** Per-file outcome counts from the portal's `outcome.files` ({ stored, warning, rejected, failed, unreported }). */
export function outcomeCounts(status: Pick<ShipmentStatus, 'state' | 'outcome'>): { stored: number; failed: number } {
  const files = (status.outcome as { files?: Record<string, unknown> } | undefined)?.files ?? {};
  const count = (key: string) => (typeof files[key] === 'number' ? (files[key] as number) : 0);
  const final = FINAL_STATES.has(status.state);
  return {
    stored: count('stored') + count('warning'),
    failed: count('rejected') + count('failed') + (final ? count('unreported') : 0),
  };
}

export function summaryLine(status: ShipmentStatus): ShipmentSummaryLine {
  const { stored, failed } = outcomeCounts(status);
  // status.files are uploads: with bundles fewer than the files; the portal counts the manifest files for us.
  const files = status.instances ?? status.files.length;
  return {
    shipmentId: status.shipmentId,
    files,
    instances: files,
    bytes: status.files.reduce((sum, file) => sum + file.size, 0),
    stored,
    failed,
    state: status.state,
  };
}

export interface WaitOptions {
  /** Poll interval (default 1 s). */
  readonly intervalMs?: number;
  /** Called whenever the state changes (e.g. to say "held: waiting for the receiver to verify consent"). */
  onState?(status: ShipmentStatus): void;
  readonly signal?: AbortSignal;
}

/** Polls the portal until the shipment reaches a final state; returns that status. */
export async function waitForOutcome(api: SenderApi, shipmentId: string, options: WaitOptions = {}): Promise<ShipmentStatus> {
  let last: string | undefined;
  for (;;) {
    const status = await api.shipment(shipmentId);
    if (status.state !== last) {
      last = status.state;
      options.onState?.(status);
    }
    if (FINAL_STATES.has(status.state)) return status;
    await sleep(options.intervalMs ?? 1000, options.signal);
  }
}
