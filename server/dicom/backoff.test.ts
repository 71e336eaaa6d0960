import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.ts';

test('backoff doubles from the initial delay, is capped, and jitters within the upper half', () => {
  const policy = { attempts: 10, initialDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(policy, n, () => 1)), [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual([1, 2, 5].map((n) => backoffDelay(policy, n, () => 0)), [50, 100, 500]);
});
