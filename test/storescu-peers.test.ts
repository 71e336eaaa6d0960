/**
 * Proves the test harness: the real DICOM peers start on loopback, answer C-ECHO, receive a generated CD sent
 * with DCMTK storescu, and leave nothing behind when stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startStorescp } from './helpers/storescp.ts';
import { startOrthanc } from './helpers/orthanc.ts';
import { canConnect } from './helpers/ports.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';

const run = promisify(execFile);
const NODELAY = { ...process.env, TCP_NODELAY: '1' };

test('storescp answers C-ECHO and stop() removes its port and directory', async (t) => {
  const scp = await startStorescp({ aet: 'ECHOTEST' });
  t.after(() => scp.stop());
  await run('echoscu', ['-aec', 'ECHOTEST', scp.host, String(scp.port)], { env: NODELAY });
  assert.deepEqual(await scp.files(), []);
  await scp.stop();
  assert.equal(existsSync(scp.dir), false);
  assert.equal(await canConnect(scp.port), false);
});

test('storescp started with --refuse rejects the association', async (t) => {
  const scp = await startStorescp({ extraArgs: ['--refuse'] });
  t.after(() => scp.stop());
  await assert.rejects(run('echoscu', [scp.host, String(scp.port)], { env: NODELAY }));
});

test('Orthanc answers C-ECHO and REST, starts empty, and stop() closes both ports', async (t) => {
  const orthanc = await startOrthanc();
  t.after(() => orthanc.stop());
  await run('echoscu', ['-aec', orthanc.aet, orthanc.host, String(orthanc.dicomPort)], { env: NODELAY });
  assert.deepEqual(await orthanc.instanceUids(), []);
  const system = (await orthanc.get('/system')) as { DicomAet: string };
  assert.equal(system.DicomAet, orthanc.aet);
  await orthanc.stop();
  assert.equal(await canConnect(orthanc.httpPort), false);
  assert.equal(await canConnect(orthanc.dicomPort), false);
});

/** A small CD with every syntax, class and quirk (bare data set, second patient) the generator writes. */
async function smallCd(t: { after(fn: () => void): void }): Promise<TestCd> {
  const tmp = makeTempDir('beeldpoort-peers-cd-');
  t.after(() => tmp.remove());
  return makeTestCd(tmp.dir, { studies: 2, series: 3, images: 3, rows: 64, patients: 2, seed: 'peers' });
}

/**
 * storescu over the CD's DICOM folder only (DICOMDIR and junk stay behind, as a sender must leave them). -R
 * proposes one context per SOP class and transfer syntax found; -xr adds RLE Lossless so the encapsulated files
 * go through unconverted (DCMTK cannot decode RLE on the fly); it converts the deflated one itself.
 */
async function storescu(cd: TestCd, aet: string, port: number): Promise<void> {
  await run('storescu', ['-aec', aet, '-xr', '-R', '+sd', '+r', '127.0.0.1', String(port), `${cd.root}/DICOM`], { env: NODELAY });
}

test('storescu delivers every instance of a generated CD to storescp +B', async (t) => {
  const cd = await smallCd(t);
  const scp = await startStorescp();
  t.after(() => scp.stop());
  await storescu(cd, scp.aet, scp.port);
  const files = await scp.files();
  assert.equal(files.length, cd.instances.length);
  const received = files.map((f) => path.basename(f).replace(/^[A-Z]+\./, '')).sort(); // storescp names files <MODALITY>.<SOP Instance UID>
  assert.deepEqual(received, cd.instances.map((i) => i.sopInstanceUid).sort());
});

test('storescu delivers every instance of a generated CD to Orthanc', async (t) => {
  const cd = await smallCd(t);
  const orthanc = await startOrthanc();
  t.after(() => orthanc.stop());
  await storescu(cd, orthanc.aet, orthanc.dicomPort);
  assert.deepEqual(await orthanc.instanceUids(), cd.instances.map((i) => i.sopInstanceUid).sort());
});
