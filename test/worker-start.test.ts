/**
 * `beeldpoort start` (what `npm start` runs) on a fresh data directory with no PACS configured: the portal and the
 * import worker in one process; a shipment uploaded through a link made with `beeldpoort link create` ends up as
 * Part 10 files under data/pacs/, and the worker says at start where it stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { spawnPeer } from './helpers/child.ts';
import { freePort, waitUntil } from './helpers/ports.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { createTestShipment, specsOf } from './helpers/upload-shipment.ts';
import { datasetOf, sameBytes } from './helpers/import-worker.ts';

const bin = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('beeldpoort start imports into data/pacs on a fresh machine', async (t) => {
  const data = makeTempDir('beeldpoort-start-');
  t.after(() => data.remove());
  const cdDir = makeTempDir('beeldpoort-start-cd-');
  t.after(() => cdDir.remove());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, BEELDPOORT_DATA: data.dir, BEELDPOORT_PORT: String(port), BEELDPOORT_PUBLIC_URL: url, BEELDPOORT_LOG_LEVEL: 'warn' };
  delete env.BEELDPOORT_PACS;
  delete env.BEELDPOORT_PORTAL_URL;

  const start = spawnPeer(process.execPath, [bin, 'start'], { env });
  t.after(() => start.stop());
  await waitUntil(async () => /Import worker running/.test(start.log()), { what: 'portal and worker started', timeoutMs: 60_000, failed: start.exited, describe: start.log });
  assert.match(start.log(), /storing into folder .*pacs/);

  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'link', 'create', '--purpose', 'internal', '--sender', 'Ziekenhuis Test', '--json'], { env });
  const link = JSON.parse(stdout.trim().split('\n').pop()!) as { url: string };
  const token = link.url.split('#')[1]!;
  const cd = await makeTestCd(cdDir.dir, { studies: 1, series: 1, images: 2, rows: 16, seed: 'start' });
  const specs = specsOf(cd);
  const shipment = await createTestShipment(url, token, specs);
  await shipment.uploadAll();

  const pacs = path.join(data.dir, 'pacs');
  await waitUntil(async () => walk(pacs).filter((f) => f.endsWith('.dcm')).length === specs.length, {
    what: 'every instance in data/pacs', timeoutMs: 60_000, failed: start.exited, describe: start.log,
  });
  for (const spec of specs) {
    const file = path.join(pacs, spec.dicom.studyInstanceUid, spec.dicom.seriesInstanceUid, `${spec.dicom.sopInstanceUid}.dcm`);
    assert.ok(sameBytes(datasetOf(new Uint8Array(readFileSync(file))), datasetOf(spec.bytes)), `${spec.relativePath} stored byte for byte`);
  }
  await start.stop();
  assert.equal(start.exited(), 'exit code 0', 'SIGTERM stops portal and worker cleanly');
});
