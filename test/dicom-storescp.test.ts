/**
 * Our sender against DCMTK storescp +B (bit preserving): every dataset arrives byte for byte in its own transfer
 * syntax, over parallel associations, with contexts split beyond 128; C-ECHO; `beeldpoort store` end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { captureIo } from './helpers/command-io.ts';
import { startStorescp, type Storescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';
import { createStoreSession, echo, readPart10, storeFiles, type StoreInstance } from '../server/dicom/index.ts';
import { main } from '../server/cli/main.ts';

const DEFLATED = '1.2.840.10008.1.2.1.99';

function instanceOf(path: string): StoreInstance {
  const bytes = new Uint8Array(readFileSync(path));
  const info = readPart10(bytes);
  return { ...info, dataset: bytes.subarray(info.datasetOffset) };
}

/** Datasets storescp wrote, by SOP Instance UID: the bytes after the meta group it added. */
async function received(scp: Storescp): Promise<Map<string, { transferSyntaxUid: string; dataset: Uint8Array }>> {
  const out = new Map<string, { transferSyntaxUid: string; dataset: Uint8Array }>();
  for (const file of await scp.files()) {
    const instance = instanceOf(file);
    out.set(instance.sopInstanceUid, instance);
  }
  return out;
}

const destinationOf = (scp: Storescp) => ({ calledAet: scp.aet, host: scp.host, port: scp.port, callingAet: 'BEELDPOORT' });

async function smallCd(t: { after: (fn: () => unknown) => void }): Promise<TestCd> {
  const tmp = makeTempDir('beeldpoort-cd-');
  t.after(() => tmp.remove());
  return makeTestCd(tmp.dir, { studies: 1, series: 3, images: 2, rows: 16 });
}

test('every dataset storescp +B receives equals the original, for every transfer syntax of the test CD', async (t) => {
  const cd = await smallCd(t);
  const scp = await startStorescp();
  t.after(() => scp.stop());
  const results = await storeFiles(destinationOf(scp), [cd.root], { associations: 2 });
  const sent = results.filter((r) => r.outcome !== 'skipped');
  assert.equal(sent.length, cd.instances.length);
  assert.ok(sent.every((r) => r.outcome === 'stored'), JSON.stringify(sent.filter((r) => r.outcome !== 'stored')));
  assert.ok(results.some((r) => r.code === 'E_DICOMDIR'), 'the DICOMDIR is skipped');

  const got = await received(scp);
  const syntaxes = new Set<string>();
  for (const original of cd.instances) {
    const mine = instanceOf(original.path);
    const theirs = got.get(original.sopInstanceUid);
    assert.ok(theirs, `${original.relativePath} did not arrive`);
    assert.equal(theirs.transferSyntaxUid, original.transferSyntaxUid, original.relativePath);
    // PS3.5 A.5: an odd deflated stream travels with one trailing NUL pad; every other dataset exactly.
    const expected = mine.dataset.length % 2 === 1 && original.transferSyntaxUid === DEFLATED
      ? new Uint8Array([...mine.dataset, 0]) : mine.dataset;
    assert.ok(Buffer.compare(theirs.dataset, expected) === 0, `${original.relativePath} (${original.transferSyntaxUid}) differs`);
    syntaxes.add(original.transferSyntaxUid);
  }
  for (const ts of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.5', DEFLATED]) assert.ok(syntaxes.has(ts), `test CD lacks ${ts}`);
  assert.ok(cd.instances.some((i) => !i.hasPreamble), 'test CD lacks a bare dataset');
});

test('C-ECHO succeeds against storescp', async (t) => {
  const scp = await startStorescp();
  t.after(() => scp.stop());
  await echo(destinationOf(scp));
});

test('several associations carry the instances, and all arrive', async (t) => {
  const cd = await smallCd(t);
  const scp = await startStorescp({ extraArgs: ['--fork', '-v'] });
  t.after(() => scp.stop());
  const instances = cd.instances.map((i) => instanceOf(i.path));
  const session = createStoreSession(destinationOf(scp), { contexts: instances, associations: 3 });
  const results = await Promise.all(instances.map((i) => session.store(i)));
  await session.close();
  assert.deepEqual(results.map((r) => r.outcome), instances.map(() => 'stored'));
  assert.deepEqual([...(await received(scp)).keys()].sort(), instances.map((i) => i.sopInstanceUid).sort());
  const associations = scp.log().match(/Association Received/g)?.length ?? 0;
  assert.ok(associations >= 2, `${associations} associations`);
});

test('more than 128 presentation contexts are spread over several associations', async (t) => {
  const cd = await smallCd(t);
  const scp = await startStorescp({ extraArgs: ['-pm', '-v'] }); // promiscuous: accepts SOP classes it does not know
  t.after(() => scp.stop());
  const base = instanceOf(cd.instances[0]!.path);
  // 70 classes x (exact + fallback) = 140 contexts.
  const instances = Array.from({ length: 70 }, (_, n) => ({ ...base, sopClassUid: `1.2.826.0.1.3680043.2.1143.9.${n}`, sopInstanceUid: `${base.sopInstanceUid}.${n}` }));
  const session = createStoreSession(destinationOf(scp), { contexts: instances, associations: 1 });
  const results = await Promise.all(instances.map((i) => session.store(i)));
  await session.close();
  assert.ok(results.every((r) => r.outcome === 'stored'), JSON.stringify(results.find((r) => r.outcome !== 'stored')));
  assert.equal((await scp.files()).length, 70);
  assert.ok((scp.log().match(/Association Received/g)?.length ?? 0) >= 2);
});


test('beeldpoort store sends a CD, notes what it skipped and ends with a JSON summary; echo answers', async (t) => {
  const cd = await smallCd(t);
  const scp = await startStorescp();
  t.after(() => scp.stop());
  const io = captureIo({ BEELDPOORT_PACS: `${scp.aet}@127.0.0.1:${scp.port}` });
  assert.equal(await main(['store', '--associations', '2', '--json', cd.root], io), 0, io.err());
  const summary = JSON.parse(io.out().trim().split('\n').at(-1)!);
  assert.equal(summary.stored, cd.instances.length);
  assert.equal(summary.failed, 0);
  assert.ok(summary.skipped >= 1);
  assert.match(io.out(), /skipped .*DICOMDIR \(DICOMDIR\)/);
  const echoIo = captureIo({});
  assert.equal(await main(['echo', '--pacs', `${scp.aet}@127.0.0.1:${scp.port}`, '--json'], echoIo), 0, echoIo.err());
  assert.equal(JSON.parse(echoIo.out().trim().split('\n').at(-1)!).ok, true);
});

test('beeldpoort store without a PACS is a usage error', async () => {
  const io = captureIo({});
  assert.equal(await main(['store', '.'], io), 2);
  assert.match(io.err(), /no PACS/);
});
