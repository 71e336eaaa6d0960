/**
 * The C-FIND SCU against real peers: Orthanc (Debian) answers Study Root FIND at IMAGE level with every stored SOP
 * Instance UID of a series, nothing for an unknown series, and a bounded query aborts past its limit; storescp,
 * which offers no query model, is E_NO_CONTEXT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOrthanc } from './helpers/orthanc.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { IMPLICIT_VR_LE, findInstancesOfSeries, openInstanceFinder, storeFiles } from '../server/dicom/index.ts';

test('C-FIND at IMAGE level returns every stored SOP Instance UID per series, none for an unknown series, and stops past maxResults', async (t) => {
  const tmp = makeTempDir('beeldpoort-find-cd-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 2, series: 2, images: 3, rows: 16 });
  // Orthanc answers C-FIND only from modalities it lists, unless told to answer any AE (our calling AE is not listed).
  const orthanc = await startOrthanc({ config: { DicomAlwaysAllowFind: true } });
  t.after(() => orthanc.stop());
  const destination = { calledAet: orthanc.aet, host: orthanc.host, port: orthanc.dicomPort, callingAet: 'BEELDPOORT' };
  const stored = (await storeFiles(destination, [cd.root])).filter((r) => r.outcome !== 'skipped');
  assert.ok(stored.every((r) => r.outcome === 'stored'), JSON.stringify(stored));

  const bySeries = new Map<string, { study: string; uids: string[] }>();
  for (const i of cd.instances) {
    const entry = bySeries.get(i.seriesInstanceUid) ?? { study: i.studyInstanceUid, uids: [] };
    entry.uids.push(i.sopInstanceUid);
    bySeries.set(i.seriesInstanceUid, entry);
  }
  assert.ok(bySeries.size >= 4, 'several series in several studies');

  // One association for every query, as the worker uses it.
  const finder = await openInstanceFinder(destination);
  try {
    for (const [series, { study, uids }] of bySeries) {
      assert.deepEqual((await finder.instancesOfSeries(study, series)).sort(), [...uids].sort(), `series ${series}`);
    }
    const [firstSeries, first] = [...bySeries][0]!;
    assert.deepEqual(await finder.instancesOfSeries(first.study, `${firstSeries}.999`), [], 'an unknown series has no instances');
    assert.deepEqual(await finder.instancesOfSeries(`${first.study}.999`, firstSeries), [], 'the series under another study is not matched');
  } finally {
    await finder.close();
  }

  // The identifier in Implicit VR Little Endian, when that is the only syntax proposed (PS3.5 §10.1 default).
  const implicit = await openInstanceFinder(destination, { transferSyntaxes: [IMPLICIT_VR_LE] });
  try {
    for (const [series, { study, uids }] of bySeries) assert.deepEqual((await implicit.instancesOfSeries(study, series)).sort(), [...uids].sort());
  } finally {
    await implicit.close();
  }

  const [series, { study, uids }] = [...bySeries][1]!;
  assert.ok(uids.length > 1);
  await assert.rejects(findInstancesOfSeries(destination, study, series, { maxResults: 1 }), { code: 'E_FIND_TOO_MANY' });
  // The association aborted above; a new one answers again.
  assert.equal((await findInstancesOfSeries(destination, study, series)).length, uids.length);
});

test('a peer without a query model (storescp) is E_NO_CONTEXT, and an unreachable one E_CONNECT', async (t) => {
  const scp = await startStorescp();
  t.after(() => scp.stop());
  const destination = { calledAet: scp.aet, host: '127.0.0.1', port: scp.port, callingAet: 'BEELDPOORT' };
  await assert.rejects(openInstanceFinder(destination), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'E_NO_CONTEXT');
    assert.match(error.message, /1\.2\.840\.10008\.5\.1\.4\.1\.2\.2\.1/);
    return true;
  });
  await scp.stop();
  await assert.rejects(openInstanceFinder(destination, { timeouts: { connectMs: 2000 } }), { code: 'E_CONNECT' });
});
