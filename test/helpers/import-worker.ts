/**
 * The import worker in tests: its configuration against a test portal and PACS, waiting for a shipment to reach a
 * state (read from the portal's own database: what the radiologist would see), and the byte-identity check of
 * what a PACS received against the originals (the dataset after the Part 10 meta group, PS3.10 §7.1).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig, type Config } from '../../server/config.ts';
import { readPart10 } from '../../server/dicom/index.ts';
import type { TestPortal } from './portal.ts';
import type { ShipmentFileSpec } from './upload-shipment.ts';

export function workerConfig(portal: TestPortal, pacs?: { aet: string; port: number }, env: Record<string, string> = {}): Config {
  return loadConfig({
    BEELDPOORT_DATA: portal.dataDir, BEELDPOORT_PORTAL_URL: portal.url, BEELDPOORT_LOG_LEVEL: 'silent',
    ...(pacs ? { BEELDPOORT_PACS: `${pacs.aet}@127.0.0.1:${pacs.port}` } : {}), BEELDPOORT_ASSOCIATIONS: '2', ...env,
  });
}

export const FINAL = ['imported', 'imported-with-failures', 'failed'];

/** Polls the portal until the shipment is in one of `states`; returns the shipment row and its files. */
export async function waitForShipment(portal: TestPortal, shipmentId: string, states: readonly string[] = FINAL, timeoutMs = 60_000) {
  const stores = portal.portal.ctx.stores;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shipment = stores.shipments.get(shipmentId);
    if (shipment && states.includes(shipment.state)) return { shipment, files: stores.shipments.files(shipmentId) };
    if (Date.now() > deadline) throw new Error(`shipment ${shipmentId} is ${shipment?.state}, not ${states.join('|')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

/** The dataset part of a Part 10 file, or the whole file when it has no meta (a bare dataset). */
export function datasetOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(readPart10(bytes).datasetOffset);
}

const DEFLATED = '1.2.840.10008.1.2.1.99';

/** PS3.5 A.5: an odd-length deflated stream travels with one trailing NUL, which the inflater never reads. */
function onTheWire(dataset: Uint8Array, transferSyntaxUid: string): Uint8Array {
  return transferSyntaxUid === DEFLATED && dataset.length % 2 === 1 ? Uint8Array.from([...dataset, 0]) : dataset;
}

/** Every received file's dataset equals the dataset of the original with the same SOP Instance UID; counts match. */
export function assertByteIdentical(received: readonly string[], originals: readonly ShipmentFileSpec[]): void {
  const expected = new Map(originals.map((o) => [o.dicom.sopInstanceUid, onTheWire(datasetOf(o.bytes), o.dicom.transferSyntaxUid)]));
  const seen = new Set<string>();
  for (const file of received) {
    const bytes = new Uint8Array(readFileSync(file));
    const info = readPart10(bytes);
    const original = expected.get(info.sopInstanceUid);
    assert.ok(original, `the PACS received an unexpected instance ${info.sopInstanceUid}`);
    assert.ok(sameBytes(datasetOf(bytes), original), `dataset of ${info.sopInstanceUid} is byte-identical`);
    seen.add(info.sopInstanceUid);
  }
  assert.deepEqual([...seen].sort(), [...expected.keys()].sort(), 'every original arrived');
}
