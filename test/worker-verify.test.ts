/**
 * Post-verification (reliability W9) end to end: a real portal, shipments uploaded through tus, the worker storing
 * into a real Orthanc whose Lua ReceivedInstanceFilter drops chosen SOP Instance UIDs. Orthanc 1.10 answers C-STORE
 * Success (0000) for a filtered instance and keeps nothing: without verification the instance counts stored; with
 * BEELDPOORT_PACS_VERIFY=cfind it is failed E_PACS_NOT_FOUND. A PACS that cannot be queried marks nothing failed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { startTestPortal, type TestPortal } from './helpers/portal.ts';
import { startOrthanc } from './helpers/orthanc.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf, type ShipmentFileSpec } from './helpers/upload-shipment.ts';
import { waitForShipment, workerConfig } from './helpers/import-worker.ts';

type After = { after(fn: () => unknown): void };

/** 8 instances in 4 series: two image series of 3, a secondary capture, a PDF; the seed makes the UIDs. */
async function cdSpecs(dir: string, seed: string): Promise<ShipmentFileSpec[]> {
  const cd = await makeTestCd(dir, { studies: 1, series: 2, images: 3, rows: 16, seed });
  return specsOf(cd);
}

/** One shipment through a worker with the given environment; returns the portal's view once finished. */
async function importWith(t: After, portal: TestPortal, pacs: { aet: string; port: number }, specs: ShipmentFileSpec[], env: Record<string, string>) {
  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();
  const worker = await startWorker(workerConfig(portal, pacs, env), { idlePollMs: 100 });
  t.after(() => worker.stop());
  const result = await waitForShipment(portal, shipment.shipmentId);
  await worker.stop();
  return result;
}

test('an instance an Orthanc Lua filter drops (C-STORE answered 0000) counts stored without verification, and is failed E_PACS_NOT_FOUND with BEELDPOORT_PACS_VERIFY=cfind', async (t) => {
  const tmp = makeTempDir('beeldpoort-verify-');
  t.after(() => tmp.remove());
  const unverifiedSpecs = await cdSpecs(path.join(tmp.dir, 'a'), 'verify-a');
  const verifiedSpecs = await cdSpecs(path.join(tmp.dir, 'b'), 'verify-b');
  assert.notEqual(unverifiedSpecs[1]!.dicom.sopInstanceUid, verifiedSpecs[1]!.dicom.sopInstanceUid, 'two different CDs');
  const dropped = [unverifiedSpecs[1]!.dicom.sopInstanceUid, verifiedSpecs[4]!.dicom.sopInstanceUid];
  const lua = path.join(tmp.dir, 'drop.lua');
  // Orthanc's hook for every received instance (Orthanc Book, "Lua scripting": filtering incoming instances).
  writeFileSync(lua, `local drop = { ${dropped.map((u) => `['${u}'] = true`).join(', ')} }
function ReceivedInstanceFilter(dicom, origin, info)
  return not drop[dicom.SOPInstanceUID]
end
`);
  const orthanc = await startOrthanc({ config: { LuaScripts: [lua], DicomAlwaysAllowFind: true } });
  t.after(() => orthanc.stop());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const pacs = { aet: orthanc.aet, port: orthanc.dicomPort };

  // Verification off (the default): the status is trusted, and the shipment claims an instance Orthanc lacks.
  const off = await importWith(t, portal, pacs, unverifiedSpecs, {});
  assert.equal(off.shipment.state, 'imported');
  const droppedOff = off.files.find((f) => f.sopInstanceUid === dropped[0])!;
  assert.deepEqual([droppedOff.outcome, droppedOff.dimseStatus], ['stored', 0], 'Orthanc answered Success for the filtered instance');
  assert.ok(!(await orthanc.instanceUids()).includes(dropped[0]!), 'and does not hold it');

  // Verification on: the same silent drop is found and reported.
  const on = await importWith(t, portal, pacs, verifiedSpecs, { BEELDPOORT_PACS_VERIFY: 'cfind', BEELDPOORT_PACS_VERIFY_WAIT: '1' });
  assert.equal(on.shipment.state, 'imported-with-failures');
  assert.match(on.shipment.finishReason ?? '', /1 of 8 file\(s\) not stored: 1 E_PACS_NOT_FOUND/);
  assert.doesNotMatch(on.shipment.finishReason ?? '', /not verified/);
  const byUid = new Map(on.files.map((f) => [f.sopInstanceUid, f]));
  const lost = byUid.get(dropped[1])!;
  assert.deepEqual([lost.outcome, lost.outcomeCode, lost.dimseStatus], ['failed', 'E_PACS_NOT_FOUND', 0]);
  assert.match(lost.outcomeReason ?? '', /C-FIND at IMAGE level of series .* returned 2 instance\(s\), not /);
  const held = new Set(await orthanc.instanceUids());
  for (const spec of verifiedSpecs) {
    if (spec.dicom.sopInstanceUid === dropped[1]) continue;
    assert.equal(byUid.get(spec.dicom.sopInstanceUid)?.outcome, 'stored', 'every other instance verified');
    assert.ok(held.has(spec.dicom.sopInstanceUid));
  }
});

test('a PACS that cannot be queried leaves the store status trusted and says "not verified" (no query model; C-FIND refused)', async (t) => {
  const tmp = makeTempDir('beeldpoort-verify-');
  t.after(() => tmp.remove());
  const portal = await startTestPortal();
  t.after(() => portal.stop());

  // storescp offers no query model: the association for C-FIND accepts no context.
  const scp = await startStorescp();
  t.after(() => scp.stop());
  const noModel = await importWith(t, portal, scp, await cdSpecs(path.join(tmp.dir, 'a'), 'verify-a'), { BEELDPOORT_PACS_VERIFY: 'cfind', BEELDPOORT_PACS_VERIFY_WAIT: '1' });
  assert.equal(noModel.shipment.state, 'imported');
  assert.match(noModel.shipment.finishReason ?? '', /^not verified: 8 stored instance\(s\) in 4 series: the PACS cannot be queried \(E_NO_CONTEXT/);
  assert.ok(noModel.files.every((f) => f.outcome === 'stored'));

  // Orthanc without DicomAlwaysAllowFind aborts each C-FIND from an AE it does not list: every series unverified.
  const orthanc = await startOrthanc();
  t.after(() => orthanc.stop());
  const refused = await importWith(t, portal, { aet: orthanc.aet, port: orthanc.dicomPort }, await cdSpecs(path.join(tmp.dir, 'b'), 'verify-b'), { BEELDPOORT_PACS_VERIFY: 'cfind', BEELDPOORT_PACS_VERIFY_WAIT: '1' });
  assert.equal(refused.shipment.state, 'imported');
  assert.match(refused.shipment.finishReason ?? '', /^not verified: 8 stored instance\(s\) in 4 of 4 series \(E_ASSOCIATION_/);
  assert.ok(refused.files.every((f) => f.outcome === 'stored'));
  assert.equal((await orthanc.instanceUids()).length, 8);
});
