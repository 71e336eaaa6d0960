import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SliceReader } from './slice-reader.ts';

const BYTES = Uint8Array.from({ length: 100 }, (_, i) => i);

/** The bytes in chunks of the given sizes (a socket delivers whatever it has, across file boundaries). */
async function* chunks(sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const size of sizes) {
    yield BYTES.subarray(at, at + size);
    at += size;
  }
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of source) out.push(...chunk);
  return out;
}

test('slices are cut at their lengths whatever the chunking, and each ends exactly there', async () => {
  for (const sizes of [[100], [7, 13, 80], Array.from({ length: 100 }, () => 1), [30, 30, 40]]) {
    const reader = new SliceReader(chunks(sizes));
    assert.deepEqual(await collect(reader.slice(30)), [...BYTES.subarray(0, 30)], `first slice, chunks ${sizes.length}`);
    assert.deepEqual(await collect(reader.slice(45)), [...BYTES.subarray(30, 75)]);
    assert.deepEqual(await collect(reader.slice(25)), [...BYTES.subarray(75, 100)]);
    assert.equal(reader.position, 100);
    assert.deepEqual(await collect(reader.slice(5)), [], 'nothing past the end');
  }
});

test('a slice longer than the stream yields what there is; close ends the source early', async () => {
  const reader = new SliceReader(chunks([60, 40]));
  assert.deepEqual((await collect(reader.slice(150))).length, 100);
  let closed = false;
  const source = (async function* () {
    try {
      yield BYTES.subarray(0, 10);
      yield BYTES.subarray(10, 20);
    } finally {
      closed = true;
    }
  })();
  const early = new SliceReader(source);
  assert.deepEqual(await collect(early.slice(5)), [0, 1, 2, 3, 4]);
  await early.close();
  assert.equal(closed, true, 'the response behind it is released');
});
