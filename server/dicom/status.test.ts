import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretStoreStatus } from './status.ts';

test('only success and warning statuses mean stored (PS3.4 B.2.3, PS3.7 C)', () => {
  assert.deepEqual(interpretStoreStatus(0x0000), { outcome: 'stored', retriable: false });
  for (const status of [0xb000, 0xb006, 0xb007, 0x0001]) {
    const meaning = interpretStoreStatus(status, 'coerced');
    assert.equal(meaning.outcome, 'warning', status.toString(16));
    assert.equal(meaning.retriable, false);
    assert.match(meaning.reason!, /coerced/);
  }
});

test('out of resources (A7xx) fails retriably; A9xx, Cxxx, 0122, 0124, 0110 fail for good', () => {
  for (const status of [0xa700, 0xa701, 0xa7ff]) {
    assert.deepEqual(interpretStoreStatus(status).retriable, true);
    assert.equal(interpretStoreStatus(status).code, 'E_OUT_OF_RESOURCES');
  }
  for (const status of [0xa900, 0xa9ff, 0xc000, 0xc123, 0x0122, 0x0124, 0x0110, 0x0117, 0x0211]) {
    const meaning = interpretStoreStatus(status);
    assert.equal(meaning.outcome, 'failed', status.toString(16));
    assert.equal(meaning.retriable, false, status.toString(16));
    assert.equal(meaning.code, 'E_DIMSE_STATUS');
  }
  assert.match(interpretStoreStatus(0x0122).reason!, /0122 \(SOP class not supported\)/);
  assert.match(interpretStoreStatus(0xc001).reason!, /C001 \(cannot understand\)/);
});

test('a duplicate (0111) is reported as its own failure, never as stored', () => {
  const meaning = interpretStoreStatus(0x0111);
  assert.equal(meaning.outcome, 'failed');
  assert.equal(meaning.code, 'E_DUPLICATE_INSTANCE');
  assert.equal(meaning.retriable, false);
});
