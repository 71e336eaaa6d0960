import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openLedger } from './ledger.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';

test('a terminal state is final, the ledger survives reopening, and only terminal rows can be marked reported', (t) => {
  const tmp = makeTempDir('beeldpoort-ledger-');
  t.after(() => tmp.remove());
  const file = path.join(tmp.dir, 'ledger.sqlite');
  const ledger = openLedger(file);
  assert.equal(ledger.beginShipment('s1').attempts, 1);
  assert.equal(ledger.record('s1', 'f1', 'received'), true);
  assert.equal(ledger.record('s1', 'f1', 'validated', { sopInstanceUid: '1.2.3' }), true);
  ledger.markReported('s1', ['f1']);
  assert.equal(ledger.file('s1', 'f1')?.reported, false, 'a non-terminal row is not reported');
  assert.deepEqual(ledger.unreported('s1'), [], 'a non-terminal row is not due for a report');
  assert.equal(ledger.record('s1', 'f1', 'stored', { dimseStatus: 0 }), true);
  assert.equal(ledger.record('s1', 'f2', 'rejected', { code: 'E_NOT_DICOM' }), true);
  assert.equal(ledger.record('s2', 'f1', 'stored'), true);
  assert.deepEqual(ledger.unreported('s1').map((r) => r.fileId), ['f1', 'f2'], 'terminal rows of this shipment only');
  assert.equal(ledger.record('s1', 'f1', 'failed', { code: 'E_X' }), false, 'stored is never overwritten');
  assert.equal(ledger.record('s1', 'f1', 'validated'), false);
  ledger.markReported('s1', ['f1']);
  assert.deepEqual(ledger.unreported('s1').map((r) => r.fileId), ['f2']);
  ledger.close();

  const reopened = openLedger(file);
  t.after(() => reopened.close());
  assert.equal(reopened.beginShipment('s1').attempts, 2);
  const row = reopened.file('s1', 'f1')!;
  assert.deepEqual([row.state, row.sopInstanceUid, row.dimseStatus, row.reported], ['stored', '1.2.3', 0, true]);
  reopened.setShipment('s1', 'finished', 'imported');
  assert.equal(reopened.shipment('s1')?.outcome, 'imported');
});
