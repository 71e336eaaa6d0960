import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestFile } from '../../shared/format/index.ts';
import { memoryRule } from './import-shipment.ts';

const file = (size: number) => ({ size }) as ManifestFile;

test('an urgent file waits in memory within its share of the memory bound; gated files always in staging files', () => {
  const policy = { memoryStageBytes: 64 * 2 ** 20, downloads: 4 };
  const urgent = memoryRule(true, policy);
  assert.equal(urgent(file(0)), true);
  assert.equal(urgent(file(16 * 2 ** 20)), true, 'a quarter of 64 MiB with 4 downloads');
  assert.equal(urgent(file(16 * 2 ** 20 + 1)), false);
  const gated = memoryRule(false, policy);
  assert.equal(gated(file(0)), false);
  assert.equal(gated(file(1000)), false);
  assert.equal(memoryRule(true, { memoryStageBytes: 0, downloads: 4 })(file(1)), false, 'no memory: everything in staging files');
});
