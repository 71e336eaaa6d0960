/**
 * `beeldpoort send` end to end, as a child process: a generated patient CD through the link, the portal and the
 * import worker into a real PACS (storescp +B: byte identity; Orthanc: REST count and UIDs). A portal cut off
 * mid-upload and a re-run of the same command; a consultation without consent; dead links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { createLink, revokeLink } from '../server/portal/links/links.ts';
import { verifyConsent } from '../server/portal/receiver/consent.ts';
import { startStorescp } from './helpers/storescp.ts';
import { startOrthanc } from './helpers/orthanc.ts';
import { startTestPortal } from './helpers/portal.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { cdDatasetHashes, receivedDatasetHashes, runCli, startCli, startRestartablePortal, startTestWorker } from './send-support.ts';

const CD = { studies: 2, series: 2, images: 3, rows: 64 };

/** The resume state files `beeldpoort send` keeps under XDG_CACHE_HOME. */
function stateFiles(cacheHome: string): string[] {
  const dir = path.join(cacheHome, 'beeldpoort');
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('send-')) : [];
}

test('send --yes --wait: every instance reaches storescp +B byte-identical, junk skipped, inventory printed', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { ...CD, seed: 'cli-storescp' });
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const worker = await startTestWorker(portal, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const link = await portal.createLink({ purpose: 'transfer' });

  const run = await runCli(['send', link.url, cd.root, '--yes', '--wait', '--json'], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(run.json, {
    shipmentId: run.json?.shipmentId,
    files: cd.instances.length,
    instances: cd.instances.length,
    bytes: run.json?.bytes,
    stored: cd.instances.length,
    failed: 0,
    state: 'imported',
  });
  assert.deepEqual(await receivedDatasetHashes(storescp), cdDatasetHashes(cd), 'the PACS holds exactly the CD data sets, byte for byte, once each');
  // The inventory: the patient, every study with its counts, every junk file skipped with a reason.
  const series = cd.studies.reduce((sum, study) => sum + study.series, 0);
  assert.ok(run.stdout.includes(`${cd.patients.length} patient(s), ${cd.studies.length} studies, ${series} series, ${cd.instances.length} instances`), run.stdout);
  for (const patient of cd.patients) assert.ok(run.stdout.includes(patient.id), `patient ${patient.id} listed`);
  for (const junk of cd.junk) assert.ok(run.stdout.includes(junk.relativePath), `${junk.relativePath} listed as skipped`);
  assert.match(run.stdout, /Shipment reference: [A-Za-z0-9_-]+/);
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 1);
  assert.deepEqual(stateFiles(path.join(tmp.dir, 'cache')), [], 'the resume state (it holds the secret) is gone after success');

  // `beeldpoort status` beside the portal's data dir ends with the same object.
  const status = await runCli(['status', String(run.json?.shipmentId), '--json'], { BEELDPOORT_DATA: portal.dataDir });
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.deepEqual(status.json, run.json);
  assert.match(status.stdout, /: imported/);
});

test('send --yes --wait into Orthanc: the REST API lists every SOP Instance UID of the CD', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 2, images: 2, rows: 64, seed: 'cli-orthanc' });
  const orthanc = await startOrthanc();
  t.after(() => orthanc.stop());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const worker = await startTestWorker(portal, `${orthanc.aet}@127.0.0.1:${orthanc.dicomPort}`);
  t.after(() => worker.stop());
  const link = await portal.createLink({ purpose: 'internal' });
  const run = await runCli(['send', link.url, cd.root, '--yes', '--wait', '--json'], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.json?.stored, cd.instances.length);
  assert.deepEqual((await orthanc.instanceUids()).sort(), cd.instances.map((instance) => instance.sopInstanceUid).sort());
});

test('portal cut off mid-upload, sender killed; the same command again completes with nothing duplicated', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  // 256 x 256 images (128 KiB each): enough PATCH requests to cut in the middle.
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 2, images: 8, rows: 256, seed: 'cli-cut' });
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const portal = await startRestartablePortal(path.join(tmp.dir, 'data'));
  t.after(() => portal.stop());
  const link = await createLink(portal.current().portal.ctx, { purpose: 'transfer', senderName: 'Test' }, { kind: 'cli', id: 'test' });
  const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') };

  // Cut the portal on its 6th upload request: deterministic, whatever the machine's speed. Bundles of two images
  // (--bundle-size) keep the CD at 9 uploads, so there is a 6th request and uploads after it.
  const bundleSize = ['--bundle-size', '300000'];
  let uploads = 0;
  const cutting = new Promise<void>((resolve) => {
    portal.current().server.on('request', (req) => {
      if (req.url?.startsWith('/uploads') && req.method !== 'HEAD' && ++uploads === 6) void portal.cut().then(resolve);
    });
  });
  const first = startCli(['send', link.url, cd.root, '--yes', '--json', ...bundleSize], env);
  // Never wait forever: a send that ends before that request fails the test instead of hanging it.
  await Promise.race([cutting, first.done.then((run) => assert.fail(`the send ended before the 6th upload request: ${run.stdout}${run.stderr}`))]);
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.notEqual(killed.code, 0);
  const shipmentId = /Shipment reference: ([A-Za-z0-9_-]+)/.exec(killed.stdout)?.[1];
  assert.ok(shipmentId, 'the first run printed its shipment reference before uploading');
  assert.equal(stateFiles(env.XDG_CACHE_HOME).length, 1, 'the killed run left its resume state');

  await portal.restart();
  const before = portal.current().portal.ctx.stores.shipments.files(shipmentId);
  assert.ok(before.some((file) => file.completedAt === null), 'the cut left files incomplete');
  const worker = await startTestWorker(portal, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const again = await runCli(['send', link.url, cd.root, '--yes', '--wait', '--json', ...bundleSize], env);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(again.json?.shipmentId, shipmentId, 'the re-run resumed the same shipment');
  assert.match(again.stdout, /resuming/);
  assert.equal(again.json?.stored, cd.instances.length);
  assert.equal(again.json?.failed, 0);
  assert.equal(portal.current().portal.ctx.stores.shipments.list().length, 1, 'one shipment');
  assert.deepEqual(stateFiles(env.XDG_CACHE_HOME), []);
  assert.deepEqual(await receivedDatasetHashes(storescp), cdDatasetHashes(cd), 'every instance once, byte-identical');
});

test('a consultation link without consent statement is refused before any upload (no terminal to ask on)', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 1, rows: 32, seed: 'cli-consult' });
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'consult' });
  const run = await runCli(['send', link.url, cd.root, '--yes'], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /consent.*\[E_SEND_CONSENT_REQUIRED\]/);
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 0, 'no shipment was created');
  const unconfirmed = await runCli(['send', link.url, cd.root, '--consent-by', 'dr. A', '--consent-date', '2026-11-01', '--consent-ref', 'R1'], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') });
  assert.equal(unconfirmed.code, 1);
  assert.match(unconfirmed.stderr, /re-run with --yes.*\[E_SEND_NOT_CONFIRMED\]/, 'without a terminal and without --yes nothing is sent');
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 0);
});

test('expired and revoked links: a clear message, the code, exit 1, nothing uploaded', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 1, rows: 32, seed: 'cli-dead' });
  let now = Date.now();
  const portal = await startTestPortal({ now: () => now });
  t.after(() => portal.stop());
  const revoked = await portal.createLink();
  revokeLink(portal.portal.ctx, revoked.id, { kind: 'cli', id: 'test' });
  const expired = await portal.createLink({ expires: '1h' });
  now += 2 * 3600 * 1000;
  const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') };
  const [r, e] = await Promise.all([runCli(['send', revoked.url, cd.root, '--yes'], env), runCli(['send', expired.url, cd.root, '--yes'], env)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /revoked: ask the radiologist for a new link \[E_LINK_REVOKED\]/);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /expired: ask the radiologist for a new link \[E_LINK_EXPIRED\]/);
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 0);
});

test('interrupted while waiting for the import: the same command resumes the complete shipment and waits, nothing sent twice', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 2, rows: 64, seed: 'cli-wait' });
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'transfer' });
  const env = { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') };

  // No worker yet: the first run uploads, then waits; stop it there with Ctrl-C.
  const first = startCli(['send', link.url, cd.root, '--yes', '--wait', '--json'], env);
  let seen = '';
  let interruptedOnce = false;
  first.child.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString('utf8');
    if (!interruptedOnce && seen.includes('Waiting for the import')) {
      interruptedOnce = true; // one Ctrl-C: a second one would end the process the hard way, as it should
      first.child.kill('SIGINT');
    }
  });
  const interrupted = await first.done;
  assert.equal(interrupted.code, 1);
  assert.match(interrupted.stderr, /Run the same command again/);
  const shipmentId = /Shipment reference: ([A-Za-z0-9_-]+)/.exec(interrupted.stdout)?.[1];

  const worker = await startTestWorker(portal, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const again = await runCli(['send', link.url, cd.root, '--yes', '--wait', '--json'], env);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(again.json?.shipmentId, shipmentId);
  assert.match(again.stdout, /already holds \d+ of \d+ files/);
  assert.equal(again.json?.stored, cd.instances.length);
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 1, 'the CD was not sent a second time');
});

test('a consultation with its consent statement is held until a receiver verifies it, then imported; --wait follows it', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 2, rows: 64, seed: 'cli-held' });
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const worker = await startTestWorker(portal, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const link = await portal.createLink({ purpose: 'consult' });
  const consent = ['--consent-by', 'dr. J. de Vries, internist', '--consent-date', '2026-11-28', '--consent-ref', 'EPD 4711'];
  const run = startCli(['send', link.url, cd.root, '--yes', '--wait', '--json', ...consent, '--comment', 'graag beoordelen'], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') });
  let seen = '';
  let verified = false;
  run.child.stdout!.on('data', (chunk: Buffer) => {
    seen += chunk.toString('utf8');
    const shipmentId = /Shipment reference: ([A-Za-z0-9_-]+)/.exec(seen)?.[1];
    if (!verified && shipmentId && seen.includes('Held: a receiver must verify the consent')) {
      verified = true;
      // The receiver's action (POST /api/receiver/shipments/:id/consent), through the portal's own function.
      verifyConsent(portal.portal.ctx, shipmentId, { kind: 'user', id: 'test' }, '127.0.0.1');
    }
  });
  const done = await run.done;
  assert.equal(done.code, 0, done.stdout + done.stderr);
  assert.ok(verified, 'the sender saw the shipment held');
  assert.equal(done.json?.state, 'imported');
  assert.equal(done.json?.stored, cd.instances.length);
  const shipment = portal.portal.ctx.stores.shipments.get(String(done.json?.shipmentId))!;
  assert.deepEqual((shipment.statements as { consent?: unknown }).consent, { recordedBy: 'dr. J. de Vries, internist', date: '2026-11-28', reference: 'EPD 4711' }, 'the worker read the consent from the encrypted manifest');
  assert.equal((shipment.statements as { comment?: unknown }).comment, 'graag beoordelen');
});
