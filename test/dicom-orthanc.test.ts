/**
 * Our sender against Orthanc, a second independent SCP: every instance of the test CD arrives (checked through
 * Orthanc's REST API, not our own results), C-ECHO works, and a real A900 refusal fails only that instance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startOrthanc } from './helpers/orthanc.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { createStoreSession, echo, readPart10, storeFiles } from '../server/dicom/index.ts';

test('Orthanc receives every instance of the test CD; C-ECHO answers; an identity mismatch is refused (A900) alone', async (t) => {
  const tmp = makeTempDir('beeldpoort-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 1, series: 3, images: 2, rows: 16 });
  const orthanc = await startOrthanc();
  t.after(() => orthanc.stop());
  const destination = { calledAet: orthanc.aet, host: orthanc.host, port: orthanc.dicomPort, callingAet: 'BEELDPOORT' };

  await echo(destination);

  const results = await storeFiles(destination, [cd.root]);
  const sent = results.filter((r) => r.outcome !== 'skipped');
  assert.ok(sent.every((r) => r.outcome === 'stored'), JSON.stringify(sent.filter((r) => r.outcome !== 'stored')));
  assert.deepEqual(await orthanc.instanceUids(), cd.instances.map((i) => i.sopInstanceUid).sort());

  // The command names another instance than the dataset holds: Orthanc answers A900 (PS3.4 B.2.3).
  const bytes = new Uint8Array(readFileSync(cd.instances[0]!.path));
  const info = readPart10(bytes);
  const good = { ...info, dataset: bytes.subarray(info.datasetOffset) };
  const session = createStoreSession(destination, { contexts: [good] });
  const [mismatch, again] = await Promise.all([session.store({ ...good, sopInstanceUid: `${good.sopInstanceUid}.9` }), session.store(good)]);
  await session.close();
  assert.deepEqual([mismatch!.outcome, mismatch!.code, mismatch!.status, mismatch!.retriable], ['failed', 'E_DIMSE_STATUS', 0xa900, false]);
  assert.match(mismatch!.reason!, /A900/);
  // Storing the same instance again is idempotent in Orthanc: success, still one copy.
  assert.equal(again!.outcome, 'stored');
  assert.equal((await orthanc.instanceUids()).length, cd.instances.length);
});
