/**
 * The import worker end to end against real peers: a real portal on port 0, shipments uploaded through tus, the
 * worker storing into storescp +B (byte identity of every dataset), Orthanc (every instance present), and the
 * embedded folder destination. No mocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { openLedger } from '../server/worker/ledger.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { startOrthanc } from './helpers/orthanc.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { waitUntil } from './helpers/ports.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';
import { assertByteIdentical, datasetOf, sameBytes, waitForShipment, workerConfig } from './helpers/import-worker.ts';

async function setUp(t: { after(fn: () => unknown): void }, cdOptions = { studies: 1, series: 2, images: 3, rows: 32 }) {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, cdOptions);
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  return { cd, specs: specsOf(cd), portal };
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('stores every instance of a shipment in storescp +B byte for byte, and ledger and portal agree', async (t) => {
  const { cd, specs, portal } = await setUp(t);
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();

  const worker = await startWorker(workerConfig(portal, pacs), { idlePollMs: 100 });
  t.after(() => worker.stop());
  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId);
  await worker.stop();

  assert.equal(row.state, 'imported');
  assert.ok(cd.instances.some((i) => !i.hasPreamble), 'the CD has a bare dataset (old-CD case)');
  assert.ok(new Set(cd.instances.map((i) => i.transferSyntaxUid)).size >= 3, 'several transfer syntaxes are covered');
  assertByteIdentical(await pacs.files(), specs);
  assert.deepEqual(files.map((f) => f.outcome), specs.map(() => 'stored'));
  assert.deepEqual(files.map((f) => f.sopInstanceUid), specs.map((s) => s.dicom.sopInstanceUid));

  const ledger = openLedger(path.join(portal.dataDir, 'worker', 'ledger.sqlite'));
  t.after(() => ledger.close());
  const rows = ledger.files(shipment.shipmentId);
  // Rows are written as files finish (in any order), so compared by file id.
  const byId = <T extends { fileId: string }>(list: readonly T[]) => [...list].sort((a, b) => a.fileId.localeCompare(b.fileId));
  assert.deepEqual(byId(rows).map((r) => [r.fileId, r.state, r.reported]), byId(files).map((f) => [f.fileId, f.outcome, true]));
  assert.equal(ledger.shipment(shipment.shipmentId)?.outcome, 'imported');
  const staging = path.join(portal.dataDir, 'worker', 'staging');
  assert.equal(statSync(staging).mode & 0o777, 0o700, 'staging is private');
  assert.deepEqual(walk(staging), [], 'no plaintext left in staging');
});

test('Orthanc receives every instance of a transfer imported file by file', async (t) => {
  const { specs, portal } = await setUp(t);
  const orthanc = await startOrthanc();
  t.after(() => orthanc.stop());
  const link = await portal.createLink({ purpose: 'transfer' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();

  const worker = await startWorker(workerConfig(portal, { aet: orthanc.aet, port: orthanc.dicomPort }), { idlePollMs: 100 });
  t.after(() => worker.stop());
  const { shipment: row } = await waitForShipment(portal, shipment.shipmentId);
  assert.equal(row.state, 'imported');
  assert.deepEqual(await orthanc.instanceUids(), specs.map((s) => s.dicom.sopInstanceUid).sort());
});

test('without BEELDPOORT_PACS the instances land as Part 10 files under data/pacs, and the worker says so; a PE/DICOM polyglot\'s preamble is not kept', async (t) => {
  const setup = await setUp(t, { studies: 1, series: 1, images: 3, rows: 16 });
  const { portal } = setup;
  // CVE-2019-11687: an executable in the 128-byte preamble makes a file that is both DICOM and a Windows program.
  const polyglot = Uint8Array.from(setup.specs[0]!.bytes);
  assert.equal(new TextDecoder().decode(polyglot.subarray(128, 132)), 'DICM', 'the test file has a preamble to fill');
  polyglot.set(new TextEncoder().encode('MZ\x90\x00 This program cannot be run in DOS mode.'), 0);
  const specs = [{ ...setup.specs[0]!, bytes: polyglot }, ...setup.specs.slice(1)];
  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();

  const worker = await startWorker(workerConfig(portal), { idlePollMs: 100 });
  t.after(() => worker.stop());
  assert.match(worker.destination, /^folder .*pacs.*no BEELDPOORT_PACS/);
  const { shipment: row } = await waitForShipment(portal, shipment.shipmentId);
  assert.equal(row.state, 'imported');
  const written = walk(path.join(portal.dataDir, 'pacs'));
  assert.equal(written.length, specs.length);
  for (const spec of specs) {
    const file = path.join(portal.dataDir, 'pacs', spec.dicom.studyInstanceUid, spec.dicom.seriesInstanceUid, `${spec.dicom.sopInstanceUid}.dcm`);
    const bytes = new Uint8Array(readFileSync(file));
    assert.deepEqual(Buffer.from(bytes.subarray(0, 128)), Buffer.alloc(128), 'a zeroed preamble, never the sender\'s');
    assert.ok(sameBytes(datasetOf(bytes), datasetOf(spec.bytes)), 'dataset byte-identical');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  }
});

// Small files of a transfer wait for C-STORE in memory; with no memory for that they take the staging-file path.
for (const [where, memoryStageBytes] of [['in memory', undefined], ['through staging files', 0]] as const) {
  test(`a transfer is imported file by file while its upload is still running (plaintext ${where})`, async (t) => {
    const { specs, portal } = await setUp(t);
    const pacs = await startStorescp();
    t.after(() => pacs.stop());
    const link = await portal.createLink({ purpose: 'transfer' });
    const shipment = await createTestShipment(portal.url, link.token, specs);
    const half = Math.ceil(specs.length / 2);
    for (let i = 0; i < half; i++) await shipment.uploadFile(i);

    const policy = { pollMs: 100, ...(memoryStageBytes === undefined ? {} : { memoryStageBytes }) };
    const worker = await startWorker(workerConfig(portal, pacs), { idlePollMs: 100, policy });
    t.after(() => worker.stop());
    const stores = portal.portal.ctx.stores.shipments;
    await waitUntil(async () => stores.files(shipment.shipmentId).filter((f) => f.outcome === 'stored').length === half, {
      what: 'the uploaded half stored', timeoutMs: 60_000,
    });
    assert.equal(stores.get(shipment.shipmentId)!.state, 'uploading', 'stored while the sender is still uploading');
    assert.equal((await pacs.files()).length, half);

    await shipment.uploadAll();
    const { shipment: row } = await waitForShipment(portal, shipment.shipmentId);
    assert.equal(row.state, 'imported');
    assertByteIdentical(await pacs.files(), specs);
  });
}
