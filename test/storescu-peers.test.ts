/**
 * Proves the test harness: the real DICOM peers start on loopback, answer C-ECHO, receive a generated CD sent
 * with DCMTK storescu, and leave nothing behind when stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { startStorescp } from './helpers/storescp.ts';
import { startOrthanc } from './helpers/orthanc.ts';
import { canConnect } from './helpers/ports.ts';

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
