import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from './buffer-pool.ts';

test('a released buffer serves the next file of about the same size; idle bytes stay bounded', () => {
  const pool = new BufferPool(2 * 1024 * 1024);
  const first = pool.acquire(500_000);
  assert.ok(first.length >= 500_000);
  pool.release(first);
  assert.equal(pool.acquire(510_000), first, 'a slightly larger file reuses it');
  const big = pool.acquire(3_000_000);
  pool.release(big); // more than the idle bound: dropped
  assert.notEqual(pool.acquire(3_000_000), big);
});
