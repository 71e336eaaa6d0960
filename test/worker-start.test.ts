/**
 * `beeldpoort start` (what `npm start` runs) on a fresh data directory with no PACS configured: the portal and the
 * import worker in one process; a shipment uploaded through a link made with `beeldpoort link create` ends up as
 * Part 10 files under data/pacs/, and the worker says at start where it stores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbedded } from './helpers/embedded-start.ts';
import { datasetOf, sameBytes } from './helpers/import-worker.ts';

const bin = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));

test('beeldpoort start imports into data/pacs on a fresh machine', async (t) => {
  const { dataDir, start, sendTestCd } = await startEmbedded(t, bin);
  assert.match(start.log(), /storing into folder .*pacs/);
  const specs = await sendTestCd('start');
  const pacs = path.join(dataDir, 'pacs');
  for (const spec of specs) {
    const file = path.join(pacs, spec.dicom.studyInstanceUid, spec.dicom.seriesInstanceUid, `${spec.dicom.sopInstanceUid}.dcm`);
    assert.ok(sameBytes(datasetOf(new Uint8Array(readFileSync(file))), datasetOf(spec.bytes)), `${spec.relativePath} stored byte for byte`);
  }
  await start.stop();
  assert.equal(start.exited(), 'exit code 0', 'SIGTERM stops portal and worker cleanly');
});
