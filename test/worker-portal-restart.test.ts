/**
 * The portal restarts (SIGKILL, then `beeldpoort portal` again on the same port and data dir) in the middle of an
 * import (reliability U1/W13 for the worker's side). The lease lives in the portal's database, so the worker keeps
 * it: it waits the outage out (heartbeats, downloads, reports, finish retried with backoff) and carries on with the
 * same lease. The lease is 600 s here: an import that only finishes after lease expiry would not finish within the
 * test's wait at all. Two moments: right after the lease (statements, downloads) and after the first C-STORE
 * (reports, finish).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import type { ImportResult } from '../server/worker/import-shipment.ts';
import { startWorker } from '../server/worker/start-worker.ts';
import { spawnPeer, type PeerProcess } from './helpers/child.ts';
import { loadConfig } from '../server/config.ts';
import { assertByteIdentical } from './helpers/import-worker.ts';
import { canConnect, waitUntil } from './helpers/ports.ts';
import { startTestPortal } from './helpers/portal.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';

const BIN = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));

type Moment = 'leased' | 'stored';

async function restartDuringImport(t: { after(fn: () => unknown): void }, moment: Moment) {
  const tmp = makeTempDir('beeldpoort-portal-restart-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 4, rows: 32, seed: `restart-${moment}` });
  const specs = specsOf(cd);
  const dataDir = path.join(tmp.dir, 'data');
  // Keys, link, shipment and upload through an in-process portal; then the same data dir and port go to a real process.
  const setup = await startTestPortal({ dataDir });
  const link = await setup.createLink({ purpose: 'internal' });
  const shipment = await createTestShipment(setup.url, link.token, specs);
  await shipment.uploadAll();
  const { url, port } = setup;
  await setup.stop();

  let portal: PeerProcess | undefined;
  const startPortal = async () => {
    const child = spawnPeer(process.execPath, [BIN, 'portal'], {
      env: { ...process.env, BEELDPOORT_DATA: dataDir, BEELDPOORT_PORT: String(port), BEELDPOORT_HOST: '127.0.0.1', BEELDPOORT_PUBLIC_URL: url,
        BEELDPOORT_LOG_LEVEL: 'warn', BEELDPOORT_LEASE_SECONDS: '600' },
    });
    portal = child;
    await waitUntil(() => canConnect(port), { timeoutMs: 20_000, what: 'beeldpoort portal', failed: child.exited, describe: child.log });
  };
  t.after(() => portal?.stop());
  await startPortal();
  const pacs = await startStorescp({ extraArgs: ['--sleep-after', '1'] });
  t.after(() => pacs.stop());

  // The worker's log, read as it is written: the kill happens the moment the lease is logged (synchronously), and
  // the restart only once the worker has met the dead portal.
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => {
    lines.push(line);
    if (moment === 'leased' && line.includes('"shipment leased"')) portal?.child.kill('SIGKILL');
  } });
  const results: ImportResult[] = [];
  const config = loadConfig({ BEELDPOORT_DATA: dataDir, BEELDPOORT_PORTAL_URL: url, BEELDPOORT_PACS: `${pacs.aet}@127.0.0.1:${pacs.port}`, BEELDPOORT_ASSOCIATIONS: '1' });
  const worker = await startWorker(config, {
    log, idlePollMs: 200, policy: { portalRetry: { initialMs: 200, maxMs: 1000, windowMs: 120_000 } }, onShipment: (_, r) => results.push(r),
  });
  t.after(() => worker.stop());

  if (moment === 'stored') {
    await waitUntil(async () => (await pacs.files()).length > 0, { what: 'the first instance stored', timeoutMs: 60_000 });
    portal!.child.kill('SIGKILL');
  }
  const killed = portal!;
  await waitUntil(async () => killed.exited() !== undefined, { what: 'the portal killed', timeoutMs: 10_000 });
  // While it stores, the portal is not needed; the restart waits until every instance is in the PACS, so what must
  // survive the outage is the final report and finish.
  if (moment === 'stored') await waitUntil(async () => (await pacs.files()).length === specs.length, { what: 'every instance stored', timeoutMs: 60_000 });
  const mark = lines.length;
  await waitUntil(async () => results.length > 0 || lines.slice(mark).some((l) => /"level":40/.test(l)), {
    what: 'the worker meeting the dead portal', timeoutMs: 60_000,
  });
  await startPortal();

  await waitUntil(async () => results.length > 0, { what: 'the import done', timeoutMs: 90_000, describe: () => lines.slice(-20).join('') });
  assert.deepEqual(results, [{ outcome: 'finished', state: 'imported' }], 'finished on the first lease: nothing released or abandoned');
  assertByteIdentical(await pacs.files(), specs);

  const db = new Database(path.join(dataDir, 'portal.sqlite'), { readonly: true });
  try {
    const row = db.prepare('SELECT state FROM shipments WHERE id = ?').get(shipment.shipmentId) as { state: string };
    assert.equal(row.state, 'imported');
    const outcomes = db.prepare('SELECT outcome FROM files WHERE shipment_id = ? ORDER BY position').all(shipment.shipmentId) as { outcome: string }[];
    assert.deepEqual(outcomes.map((f) => f.outcome), specs.map(() => 'stored'));
    const actions = (db.prepare('SELECT action FROM audit WHERE object_id = ? ORDER BY seq').all(shipment.shipmentId) as { action: string }[]).map((r) => r.action);
    assert.equal(actions.filter((a) => a === 'shipment.leased').length, 1, `one lease, kept through the restart (${actions.join(', ')})`);
    assert.ok(!actions.includes('shipment.released'), 'never released');
  } finally {
    db.close();
  }
}

test('portal killed and restarted right after the worker leased: the worker keeps its lease and imports everything', async (t) => {
  await restartDuringImport(t, 'leased');
});

test('portal killed and restarted while the worker stores: reports and finish wait for it; one lease, everything stored', async (t) => {
  await restartDuringImport(t, 'stored');
});
