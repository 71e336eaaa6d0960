/**
 * kill -9 of `beeldpoort worker` (a real child process), then a restart (reliability W1, W2). Mid-C-STORE: the
 * lease returns after expiry, every instance ends in the PACS byte for byte, the ledger never said `stored` for an
 * instance the PACS did not have, and ledger and portal report agree with one outcome per file. storescp sleeps a
 * second after each store before it reads the next request, so the kill lands while our next C-STORE is
 * outstanding (storescp's --sleep-during costs about 7 s per instance here: too slow for a test). While decrypting:
 * nothing was sent, staging is redone from the ciphertext, each instance is sent once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { readPart10 } from '../server/dicom/index.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { spawnPeer } from './helpers/child.ts';
import { waitUntil } from './helpers/ports.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';
import { assertByteIdentical, waitForShipment } from './helpers/import-worker.ts';

const bin = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));

type LedgerRow = { file_id: string; state: string; sop_instance_uid: string | null; reported: number };

function ledgerRows(file: string): LedgerRow[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT file_id, state, sop_instance_uid, reported FROM files ORDER BY file_id').all() as LedgerRow[];
  } catch {
    return []; // the worker has not created its tables yet
  } finally {
    db.close();
  }
}

test('a worker killed with SIGKILL mid-C-STORE and restarted imports everything once, claiming nothing it did not store', async (t) => {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 2, images: 2, rows: 32, seed: 'crash' });
  const specs = specsOf(cd);
  const portal = await startTestPortal({ env: { BEELDPOORT_LEASE_SECONDS: '5' } });
  t.after(() => portal.stop());
  const pacs = await startStorescp({ extraArgs: ['--sleep-after', '1'] });
  t.after(() => pacs.stop());
  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();

  const env = {
    ...process.env, BEELDPOORT_DATA: portal.dataDir, BEELDPOORT_PORTAL_URL: portal.url, BEELDPOORT_LOG_LEVEL: 'info',
    BEELDPOORT_PACS: `${pacs.aet}@127.0.0.1:${pacs.port}`, BEELDPOORT_ASSOCIATIONS: '1',
  };
  const ledgerFile = path.join(portal.dataDir, 'worker', 'ledger.sqlite');
  const first = spawnPeer(process.execPath, [bin, 'worker'], { env });
  t.after(() => first.stop());
  await waitUntil(async () => ledgerRows(ledgerFile).some((r) => r.state === 'stored'), {
    what: 'the first instance stored', timeoutMs: 60_000, failed: first.exited, describe: first.log,
  });
  first.child.kill('SIGKILL');
  await waitUntil(async () => first.exited() !== undefined, { what: 'the killed worker gone', timeoutMs: 10_000 });

  // The invariant at the moment of the crash: every instance the ledger calls stored is in the PACS.
  const atKill = ledgerRows(ledgerFile);
  const claimed = atKill.filter((r) => r.state === 'stored').map((r) => r.sop_instance_uid);
  const received = new Set((await pacs.files()).map((f) => readPart10(new Uint8Array(readFileSync(f))).sopInstanceUid));
  assert.ok(claimed.length > 0 && claimed.length < specs.length, `killed mid-import (${claimed.length} of ${specs.length} stored)`);
  for (const uid of claimed) assert.ok(received.has(uid!), `ledger says ${uid} stored and the PACS has it`);

  const second = spawnPeer(process.execPath, [bin, 'worker'], { env });
  t.after(() => second.stop());
  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId, undefined, 120_000);
  await second.stop();
  assert.match(second.log(), /storing into PACS STORESCP@127\.0\.0\.1/);

  assert.equal(row.state, 'imported');
  assertByteIdentical(await pacs.files(), specs);
  assert.deepEqual(files.map((f) => [f.fileId, f.outcome, f.sopInstanceUid]), shipment.manifest.files.map((f) => [f.fileId, 'stored', f.dicom.sopInstanceUid]));
  const final = ledgerRows(ledgerFile);
  assert.deepEqual(final.map((r) => [r.file_id, r.state, r.reported]), files.map((f) => [f.fileId, 'stored', 1]));
});

/** Sizes of the files in the worker's staging directory (plaintext being decrypted), if any. */
function stagedSizes(dataDir: string): number[] {
  const root = path.join(dataDir, 'worker', 'staging');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((shipment) => {
    const dir = path.join(root, shipment);
    try {
      return readdirSync(dir).map((f) => statSync(path.join(dir, f)).size);
    } catch {
      return [];
    }
  });
}

test('a worker killed with SIGKILL while decrypting into staging restarts clean: staging redone, nothing sent twice', async (t) => {
  const tmp = makeTempDir('beeldpoort-worker-cd-');
  t.after(() => tmp.remove());
  // 2048 x 2048 x 16 bit: 8 MiB per image, so decrypting a file takes long enough to be caught in the middle.
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 1, images: 3, rows: 2048, seed: 'crash-decrypt' });
  const specs = specsOf(cd);
  const portal = await startTestPortal({ env: { BEELDPOORT_LEASE_SECONDS: '5' } });
  t.after(() => portal.stop());
  const pacs = await startStorescp();
  t.after(() => pacs.stop());
  const link = await portal.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(portal.url, link.token, specs);
  await shipment.uploadAll();
  const env = {
    ...process.env, BEELDPOORT_DATA: portal.dataDir, BEELDPOORT_PORTAL_URL: portal.url, BEELDPOORT_LOG_LEVEL: 'info',
    BEELDPOORT_PACS: `${pacs.aet}@127.0.0.1:${pacs.port}`,
  };

  const first = spawnPeer(process.execPath, [bin, 'worker'], { env });
  t.after(() => first.stop());
  await waitUntil(async () => stagedSizes(portal.dataDir).some((size) => size > 0), {
    what: 'plaintext being staged', timeoutMs: 60_000, intervalMs: 5, failed: first.exited, describe: first.log,
  });
  first.child.kill('SIGKILL');
  await waitUntil(async () => first.exited() !== undefined, { what: 'the killed worker gone', timeoutMs: 10_000 });
  const ledgerFile = path.join(portal.dataDir, 'worker', 'ledger.sqlite');
  assert.ok(ledgerRows(ledgerFile).every((r) => r.state !== 'stored'), 'killed before any store');
  assert.deepEqual(await pacs.files(), [], 'the authentication gate had not opened: nothing sent');

  const second = spawnPeer(process.execPath, [bin, 'worker'], { env });
  t.after(() => second.stop());
  const { shipment: row, files } = await waitForShipment(portal, shipment.shipmentId, undefined, 120_000);
  await second.stop();
  assert.equal(row.state, 'imported');
  assert.deepEqual(files.map((f) => f.outcome), specs.map(() => 'stored'));
  const received = await pacs.files();
  assert.equal(received.length, specs.length, 'each instance sent exactly once');
  assertByteIdentical(received, specs);
  assert.deepEqual(stagedSizes(portal.dataDir), [], 'no plaintext left behind');
});
