/**
 * The import worker with bundles (manifest v2, docs/format.md "Uploads and bundles") against a real portal on port 0
 * and storescp +B: files whose ciphertexts travel back to back in one tus upload are each fetched as their slice,
 * decrypted, stored byte for byte and reported per manifest file; a tampered file inside a bundle trips the
 * authentication gate like a tampered lone file; a placement the sender did not declare is refused before any
 * download; a bundle still uploading is waited for, even when its first files' octets are already there; and a
 * download cut off inside a bundle resumes at the first file not yet staged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { openLedger } from '../server/worker/ledger.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { ciphertextSize } from '../shared/format/index.ts';
import { assertByteIdentical, waitForShipment, workerConfig } from './helpers/import-worker.ts';
import { startTestPortal, type TestPortal } from './helpers/portal.ts';
import { waitUntil } from './helpers/ports.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf, type ShipmentFileSpec, type TestShipmentOptions } from './helpers/upload-shipment.ts';

type T = { after(fn: () => unknown): void };

async function setUp(t: T, purpose: 'internal' | 'transfer') {
  const tmp = makeTempDir('beeldpoort-worker-bundles-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 2, images: 4, rows: 16, seed: 'bundles' });
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  const link = await portal.createLink({ purpose });
  const specs = specsOf(cd);
  assert.ok(specs.length >= 7, 'enough files for two bundles and a lone file');
  // Two bundles of several files, then one lone file (its own upload, no `upload` placement).
  const bundles = [3, specs.length - 4, 1];
  return { portal, pacs, link, specs, bundles };
}

/** Per manifest file, as the portal shows it to the radiologist: [fileId, outcome, code]. */
function portalOutcomes(portal: TestPortal, shipmentId: string): Array<[string, string | null, string | null]> {
  return portal.portal.ctx.stores.manifestFiles.list(shipmentId).map((f) => [f.fileId, f.outcome, f.outcomeCode]);
}

async function importOnce(t: T, setup: Awaited<ReturnType<typeof setUp>>, specs: ShipmentFileSpec[], options: TestShipmentOptions = {}) {
  const shipment = await createTestShipment(setup.portal.url, setup.link.token, specs, { bundles: setup.bundles, ...options });
  await shipment.uploadAll();
  const worker = await startWorker(workerConfig(setup.portal, setup.pacs), { idlePollMs: 100 });
  t.after(() => worker.stop());
  const { shipment: row } = await waitForShipment(setup.portal, shipment.shipmentId);
  await worker.stop();
  return { shipment, row, outcomes: portalOutcomes(setup.portal, shipment.shipmentId) };
}

test('a bundled shipment (two bundles and a lone file) imports every instance byte for byte and reports each file', async (t) => {
  const setup = await setUp(t, 'internal');
  const { shipment, row, outcomes } = await importOnce(t, setup, setup.specs);

  assert.equal(shipment.manifest.version, 2);
  assert.deepEqual(shipment.uploads.map((u) => u.declared.parts?.length ?? 1), setup.bundles, 'three uploads: 3 files, the rest, 1');
  assert.equal(row.state, 'imported');
  assertByteIdentical(await setup.pacs.files(), setup.specs);
  assert.deepEqual(outcomes, shipment.manifest.files.map((f) => [f.fileId, 'stored', null]), 'one stored outcome per manifest file');

  const ledger = openLedger(path.join(setup.portal.dataDir, 'worker', 'ledger.sqlite'));
  t.after(() => ledger.close());
  const rows = ledger.files(shipment.shipmentId).sort((a, b) => a.fileId.localeCompare(b.fileId));
  assert.deepEqual(rows.map((r) => [r.fileId, r.state, r.reported]), shipment.manifest.files.map((f) => [f.fileId, 'stored', true]));
});

for (const [purpose, what] of [['internal', 'rejects the whole non-urgent shipment'], ['transfer', 'rejects only that file of an urgent one']] as const) {
  test(`a flipped ciphertext byte in the second file of a bundle ${what}`, async (t) => {
    const setup = await setUp(t, purpose);
    const victim = setup.bundles[0]! + 1; // the second file of the second bundle
    const specs = setup.specs.map((s, i) => (i === victim ? { ...s, flipCiphertextAt: 100 } : s));
    const { shipment, row, outcomes } = await importOnce(t, setup, specs);

    assert.equal(shipment.manifest.files[victim]!.upload?.offset, ciphertextSize(specs[victim - 1]!.bytes.length), 'the victim sits inside a bundle');
    const ids = shipment.manifest.files.map((f) => f.fileId);
    if (purpose === 'internal') {
      assert.equal(row.state, 'failed');
      assert.deepEqual(await setup.pacs.files(), [], 'nothing C-STOREd');
      assert.deepEqual(outcomes, ids.map((id, i) => [id, 'rejected', i === victim ? 'E_DECRYPT' : 'E_SHIPMENT_TAMPERED']));
    } else {
      assert.equal(row.state, 'imported-with-failures');
      assertByteIdentical(await setup.pacs.files(), specs.filter((_, i) => i !== victim));
      assert.deepEqual(outcomes, ids.map((id, i) => (i === victim ? [id, 'rejected', 'E_DECRYPT'] : [id, 'stored', null])));
    }
  });
}

test('a placement outside the declared upload, or in an upload whose parts leave the file out, is E_FILE_NOT_DECLARED', async (t) => {
  const setup = await setUp(t, 'internal');
  const [first, second] = setup.bundles as [number, number];
  const shortLast = first - 1; // the last file of the first bundle: the upload is declared one octet short of it
  const leftOut = first + second - 1; // the last file of the second bundle: not among the declared parts
  const { shipment, row, outcomes } = await importOnce(t, setup, setup.specs, {
    declare: (upload) => {
      if (upload.fileId === 'f00000') return { ...upload, size: upload.size - 1 };
      if (upload.parts && upload.parts.length === second) return { ...upload, parts: upload.parts.slice(0, -1) };
      return upload;
    },
  });
  const ids = shipment.manifest.files.map((f) => f.fileId);

  assert.equal(row.state, 'imported-with-failures');
  assertByteIdentical(await setup.pacs.files(), setup.specs.filter((_, i) => i !== shortLast && i !== leftOut));
  // The short one is a part the portal knows: its rejection is reported. The left-out one has no row there; the
  // finish reason counts it.
  assert.deepEqual(outcomes, ids.filter((_, i) => i !== leftOut).map((id) => [id, ...(id === ids[shortLast] ? ['rejected', 'E_FILE_NOT_DECLARED'] : ['stored', null])]));
  assert.match(row.finishReason ?? '', /2 of \d+ file\(s\) not stored: 2 E_FILE_NOT_DECLARED/);
  const ledger = openLedger(path.join(setup.portal.dataDir, 'worker', 'ledger.sqlite'));
  t.after(() => ledger.close());
  for (const [i, why] of [[shortLast, /lie outside upload f00000/], [leftOut, /does not carry file/]] as const) {
    const entry = ledger.file(shipment.shipmentId, ids[i]!);
    assert.equal(entry?.code, 'E_FILE_NOT_DECLARED');
    assert.match(entry?.reason ?? '', why);
  }
});

test('a bundle still uploading is waited for, even with its first file\'s octets already on the portal', async (t) => {
  const setup = await setUp(t, 'transfer');
  const shipment = await createTestShipment(setup.portal.url, setup.link.token, setup.specs, { bundles: setup.bundles });
  await shipment.upload(0);
  await shipment.upload(2);
  const second = shipment.uploads[1]!;
  const firstOfSecond = shipment.manifest.files[second.files[0]!]!;
  // Octets past the first file of the second bundle: that file's slice is all there, the upload is not complete.
  await shipment.uploadPartly(1, ciphertextSize(firstOfSecond.size) + 10);
  const done = [...shipment.uploads[0]!.files, ...shipment.uploads[2]!.files];

  const worker = await startWorker(workerConfig(setup.portal, setup.pacs), { idlePollMs: 100, policy: { pollMs: 100 } });
  t.after(() => worker.stop());
  const stored = () => portalOutcomes(setup.portal, shipment.shipmentId).filter(([, outcome]) => outcome === 'stored').map(([id]) => id);
  await waitUntil(async () => stored().length === done.length, { what: 'the complete uploads stored', timeoutMs: 60_000 });
  assert.deepEqual(stored(), done.map((i) => shipment.manifest.files[i]!.fileId));
  assert.equal(setup.portal.portal.ctx.stores.shipments.get(shipment.shipmentId)!.state, 'uploading');
  assert.equal((await setup.pacs.files()).length, done.length, 'nothing of the incomplete bundle sent');

  await shipment.upload(1); // a new tus upload of the same file replaces the incomplete one
  const { shipment: row } = await waitForShipment(setup.portal, shipment.shipmentId);
  assert.equal(row.state, 'imported');
  assertByteIdentical(await setup.pacs.files(), setup.specs);
});

/**
 * A loopback HTTP proxy in front of the portal that holds the first answer for `uploadId` after `after` octets of its
 * body until `cut()` drops the connection (a network cut, or the portal dying mid-download), and records the Range
 * header of every GET of that upload.
 */
async function cuttingProxy(t: T, target: string, uploadId: string, after: number) {
  const ranges: Array<string | null> = [];
  let cut: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    const mine = req.method === 'GET' && req.url?.endsWith(`/files/${uploadId}`);
    if (mine) ranges.push(req.headers.range ?? null);
    const held = mine && ranges.length === 1;
    const upstream = http.request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (held && sent + chunk.length >= after) {
          res.write(chunk.subarray(0, after - sent));
          answer.destroy();
          cut = () => req.socket.destroy();
          return;
        }
        sent += chunk.length;
        res.write(chunk);
      });
      answer.on('end', () => res.end());
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ranges,
    cut: () => {
      assert.ok(cut, 'the first answer is being held');
      cut();
    },
  };
}

test('a download cut off inside a bundle resumes at the first file not yet staged, from that file\'s first octet', async (t) => {
  const setup = await setUp(t, 'internal');
  const shipment = await createTestShipment(setup.portal.url, setup.link.token, setup.specs, { bundles: setup.bundles });
  await shipment.uploadAll();
  const [first, second] = shipment.manifest.files;
  const firstLength = ciphertextSize(first!.size);
  // Held in the middle of the second file of the first bundle, and cut once the first is staged (a non-urgent
  // shipment records each staged file 'validated' in the ledger): the second must start over at its own first octet.
  const proxy = await cuttingProxy(t, setup.portal.url, 'f00000', firstLength + Math.floor(ciphertextSize(second!.size) / 2));
  const config = workerConfig(setup.portal, setup.pacs, { BEELDPOORT_PORTAL_URL: proxy.url });
  const worker = await startWorker(config, { idlePollMs: 100, policy: { portalRetry: { initialMs: 100, maxMs: 500, windowMs: 60_000 } } });
  t.after(() => worker.stop());
  const ledger = openLedger(path.join(setup.portal.dataDir, 'worker', 'ledger.sqlite'));
  t.after(() => ledger.close());
  await waitUntil(async () => ledger.file(shipment.shipmentId, first!.fileId)?.state === 'validated', { what: 'the first file staged', timeoutMs: 30_000 });
  proxy.cut();
  const { shipment: row } = await waitForShipment(setup.portal, shipment.shipmentId);
  await worker.stop();

  assert.equal(row.state, 'imported');
  assertByteIdentical(await setup.pacs.files(), setup.specs);
  const end = shipment.uploads[0]!.declared.size - 1;
  assert.deepEqual(proxy.ranges, [null, `bytes=${firstLength}-${end}`], 'the whole bundle, then from the second file on');
});
