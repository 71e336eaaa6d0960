import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFileEncryptor } from './file-encryptor.ts';
import { ScratchPool } from './scratch-pool.ts';

test('the pool hands a given-back buffer out again, the smallest that fits, and rounds new ones up', () => {
  const pool = new ScratchPool();
  const small = pool.take(1000);
  assert.equal(small.length, 64 * 1024, 'small requests share the 64 KiB minimum');
  const big = pool.take(600_000);
  assert.equal(big.length, 1024 * 1024, 'a power of two, so files of nearby sizes reuse it');
  pool.give(big);
  pool.give(small);
  assert.equal(pool.take(500), small, 'the smallest buffer that fits');
  assert.equal(pool.take(500_000), big);
  assert.notEqual(pool.take(500_000), big, 'a buffer is out once until given back');
});

test('the pool keeps no buffer above its size limit and no more than its byte budget', () => {
  const pool = new ScratchPool(1024 * 1024, 2 * 1024 * 1024);
  const huge = pool.take(3 * 1024 * 1024);
  assert.equal(huge.length, 3 * 1024 * 1024, 'above the limit: exactly the size asked');
  pool.give(huge);
  assert.notEqual(pool.take(3 * 1024 * 1024), huge, 'not kept');
  const [a, b, c] = [pool.take(1024 * 1024), pool.take(1024 * 1024), pool.take(1024 * 1024)];
  pool.give(a);
  pool.give(b);
  pool.give(c); // over the 2 MiB budget: dropped
  const again = [pool.take(1), pool.take(1), pool.take(1)];
  assert.ok(again.includes(a) && again.includes(b) && !again.includes(c));
});

const secret = new Uint8Array(32).fill(7);
const plain = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) & 0xff);

/** A source that reads into the scratch buffer when given one, as the Node folder reader does. */
function source(log: Array<Uint8Array | undefined>, fail?: () => boolean) {
  return async (start: number, end: number, into?: Uint8Array): Promise<Uint8Array> => {
    log.push(into);
    if (fail?.()) throw new Error('disk gone');
    const out = into ? into.subarray(0, end - start) : new Uint8Array(end - start);
    out.set(plain.subarray(start, end));
    return out;
  };
}

test('an encryptor reading through a scratch pool gives the same ciphertext and reuses one buffer', async () => {
  const options = { secret, shipmentId: 'ship-1', fileId: 'file-1', plainSize: plain.length, recordSize: 1000 };
  const reference = await createFileEncryptor({ ...options, readPlain: source([]) });
  const pool = new ScratchPool();
  const used: Array<Uint8Array | undefined> = [];
  const pooled = await createFileEncryptor({ ...options, readPlain: source(used), scratch: pool });
  for (const [start, end] of [[0, reference.size], [0, 1500], [1500, 3333], [3333, reference.size], [17, 18]] as const) {
    assert.deepEqual(await pooled.read(start, end), await reference.read(start, end), `[${start}, ${end})`);
    assert.deepEqual(await pooled.readParts(start, end), await reference.readParts(start, end));
  }
  assert.ok(used.every((buffer) => buffer === used[0]), 'every read went into the same pooled buffer');
  assert.ok(used[0] instanceof Uint8Array);
  // The buffer was overwritten by later reads: the parts handed out earlier must not have shared it.
  const early = await pooled.readParts(0, 2000);
  const copy = early.map((part) => part.slice());
  await pooled.read(2000, reference.size);
  assert.deepEqual(early, copy, 'returned parts do not alias the plaintext buffer');
});

test('a scratch buffer whose read failed is not given back to the pool', async () => {
  const pool = new ScratchPool();
  const used: Array<Uint8Array | undefined> = [];
  let failing = true;
  const encryptor = await createFileEncryptor({
    secret, shipmentId: 'ship-1', fileId: 'file-2', plainSize: plain.length, readPlain: source(used, () => failing), scratch: pool,
  });
  await assert.rejects(encryptor.read(0, 100), /disk gone/);
  failing = false;
  await encryptor.read(0, 100);
  assert.equal(used.length, 2);
  assert.notEqual(used[1], used[0], 'the buffer of the failed read stays out of the pool');
});
