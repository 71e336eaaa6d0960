import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openLedger } from './ledger.ts';
import pino from 'pino';
import { sampleManifest } from '../../shared/format/testdata/sample-manifest.ts';
import type { InstanceFinder } from './destination.ts';
import { recheckPauses, verifyStored, withVerification } from './verify-stored.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';

test('demote: only a stored or warning file becomes failed, with its code and reason, due for a report again', (t) => {
  const tmp = makeTempDir('beeldpoort-ledger-');
  t.after(() => tmp.remove());
  const ledger = openLedger(path.join(tmp.dir, 'ledger.sqlite'));
  t.after(() => ledger.close());
  ledger.beginShipment('s1');
  ledger.record('s1', 'f1', 'stored', { sopInstanceUid: '1.2.3', dimseStatus: 0 });
  ledger.record('s1', 'f2', 'warning', { sopInstanceUid: '1.2.4', dimseStatus: 0xb000 });
  ledger.record('s1', 'f3', 'rejected', { code: 'E_NOT_DICOM' });
  ledger.record('s1', 'f4', 'validated');
  ledger.markReported('s1', ['f1', 'f2', 'f3']);
  const missing = { code: 'E_PACS_NOT_FOUND', reason: 'not returned by C-FIND' };
  assert.deepEqual(['f1', 'f2', 'f3', 'f4', 'f5'].map((f) => ledger.demote('s1', f, missing)), [true, true, false, false, false]);
  const f1 = ledger.file('s1', 'f1')!;
  assert.deepEqual([f1.state, f1.code, f1.reason, f1.dimseStatus, f1.sopInstanceUid, f1.reported], ['failed', 'E_PACS_NOT_FOUND', 'not returned by C-FIND', 0, '1.2.3', false]);
  assert.deepEqual(ledger.unreported('s1').map((r) => r.fileId), ['f1', 'f2'], 'both are reported again');
  assert.equal(ledger.file('s1', 'f3')?.state, 'rejected');
  assert.equal(ledger.file('s1', 'f4')?.state, 'validated');
  assert.equal(ledger.record('s1', 'f1', 'stored'), false, 'failed is terminal like any other');
});

test('withVerification adds "not verified" to the finish reason and never changes the state', () => {
  assert.deepEqual(withVerification({ state: 'imported' }, undefined), { state: 'imported' });
  assert.deepEqual(withVerification({ state: 'imported' }, { verified: 3, missing: [] }), { state: 'imported' });
  assert.deepEqual(withVerification({ state: 'imported' }, { verified: 0, missing: [], notVerified: '3 stored instance(s)' }),
    { state: 'imported', reason: 'not verified: 3 stored instance(s)' });
  assert.deepEqual(withVerification({ state: 'imported-with-failures', reason: '1 of 4 file(s) not stored: 1 E_PACS_NOT_FOUND' }, { verified: 1, missing: ['f1'], notVerified: '2 in 1 of 2 series' }),
    { state: 'imported-with-failures', reason: '1 of 4 file(s) not stored: 1 E_PACS_NOT_FOUND; not verified: 2 in 1 of 2 series' });
});

test('a series lacking instances is asked again within the window: one indexed late is verified, one still absent is E_PACS_NOT_FOUND', async (t) => {
  const tmp = makeTempDir('beeldpoort-verify-');
  t.after(() => tmp.remove());
  const ledger = openLedger(path.join(tmp.dir, 'ledger.sqlite'));
  t.after(() => ledger.close());
  const manifest = sampleManifest('s1', ['f1', 'f2', 'f3']);
  const [late, lost, present] = manifest.files.map((f) => f.dicom.sopInstanceUid) as [string, string, string];
  ledger.beginShipment('s1');
  for (const file of manifest.files) ledger.record('s1', file.fileId, 'stored', { sopInstanceUid: file.dicom.sopInstanceUid, dimseStatus: 0 });
  // The PACS answers the first query without `late` (not indexed yet) and the second with it; `lost` never appears.
  const answers = [[present], [present, late]];
  let queries = 0;
  let closed = false;
  const finder: InstanceFinder = {
    instancesOfSeries: async () => answers[Math.min(queries++, answers.length - 1)]!,
    close: async () => void (closed = true),
  };
  const outcome = await verifyStored('s1', manifest, ledger, async () => finder, pino({ level: 'silent' }), 10);
  assert.equal(queries, 2, 'asked twice: the second time after the pause');
  assert.equal(closed, true);
  assert.deepEqual(outcome, { verified: 2, missing: ['f2'] });
  assert.deepEqual(['f1', 'f2', 'f3'].map((f) => ledger.file('s1', f)?.state), ['stored', 'failed', 'stored']);
  assert.equal(ledger.file('s1', 'f2')?.code, 'E_PACS_NOT_FOUND');
  assert.match(ledger.file('s1', 'f2')?.reason ?? '', new RegExp(lost.replace(/\./g, '\\.')));
});

test('a series the PACS returns whole is asked once', async (t) => {
  const tmp = makeTempDir('beeldpoort-verify-');
  t.after(() => tmp.remove());
  const ledger = openLedger(path.join(tmp.dir, 'ledger.sqlite'));
  t.after(() => ledger.close());
  const manifest = sampleManifest('s1', ['f1', 'f2']);
  ledger.beginShipment('s1');
  for (const file of manifest.files) ledger.record('s1', file.fileId, 'stored', { sopInstanceUid: file.dicom.sopInstanceUid });
  let queries = 0;
  const finder: InstanceFinder = {
    instancesOfSeries: async () => (queries++, manifest.files.map((f) => f.dicom.sopInstanceUid)),
    close: async () => undefined,
  };
  assert.deepEqual(await verifyStored('s1', manifest, ledger, async () => finder, pino({ level: 'silent' }), 10), { verified: 2, missing: [] });
  assert.equal(queries, 1);
});

test('the pauses between questions grow 1, 2, 4 ... s and add up to the wait window exactly', () => {
  assert.deepEqual(recheckPauses(20_000), [1000, 2000, 4000, 8000, 5000]);
  assert.deepEqual(recheckPauses(2000), [1000, 1000]);
  assert.deepEqual(recheckPauses(500), [500]);
  assert.deepEqual(recheckPauses(0), []);
});

test('an instance the PACS indexes only on the fourth question is verified when the window allows it, missing when it does not', async (t) => {
  const tmp = makeTempDir('beeldpoort-verify-');
  t.after(() => tmp.remove());
  const ledger = openLedger(path.join(tmp.dir, 'ledger.sqlite'));
  t.after(() => ledger.close());
  const run = async (shipmentId: string, waitMs: number) => {
    const manifest = sampleManifest(shipmentId, ['f1']);
    ledger.beginShipment(shipmentId);
    ledger.record(shipmentId, 'f1', 'stored', { sopInstanceUid: manifest.files[0]!.dicom.sopInstanceUid });
    let queries = 0;
    const finder: InstanceFinder = {
      instancesOfSeries: async () => (++queries >= 4 ? [manifest.files[0]!.dicom.sopInstanceUid] : []),
      close: async () => undefined,
    };
    return { outcome: await verifyStored(shipmentId, manifest, ledger, async () => finder, pino({ level: 'silent' }), waitMs, 5), queries };
  };
  // Milliseconds instead of seconds: pauses of 5, 10, 20 and 5 ms in a 40 ms window, then 5 ms in a 5 ms one.
  const long = await run('s-long', 40);
  assert.deepEqual(long.outcome, { verified: 1, missing: [] });
  assert.equal(long.queries, 4);
  const short = await run('s-short', 5);
  assert.deepEqual(short.outcome, { verified: 0, missing: ['f1'] });
  assert.equal(short.queries, 2, 'one pause of the whole 5 ms window, then given up');
});
