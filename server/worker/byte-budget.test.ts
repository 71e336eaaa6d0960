import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from './byte-budget.ts';

test('holds callers until their bytes fit, in order, and always lets one oversized holder through alone', async () => {
  const budget = new ByteBudget(100);
  const order: string[] = [];
  const releaseA = await budget.acquire(60);
  const b = budget.acquire(60).then((release) => (order.push('b'), release));
  const c = budget.acquire(10).then((release) => (order.push('c'), release));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, [], 'b waits for room, c waits behind b (first come, first served)');
  releaseA();
  const releaseB = await b;
  const releaseC = await c;
  assert.deepEqual(order, ['b', 'c']);
  releaseB();
  releaseC();
  const big = await budget.acquire(1000);
  let small = false;
  const pending = budget.acquire(1).then((release) => ((small = true), release));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(small, false, 'nothing joins an oversized holder');
  big();
  (await pending)();
  assert.equal(small, true);
});
