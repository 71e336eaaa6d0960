import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFileEncryptor, newShipmentSecret } from '../../shared/format/index.ts';
import { ciphertextFileReader } from './ciphertext-reader.ts';

async function encryptor(plainSize: number, reads: Array<[number, number]> = []) {
  const plain = new Uint8Array(plainSize).map((_, i) => (i * 7) & 0xff);
  return createFileEncryptor({
    secret: newShipmentSecret(),
    shipmentId: 'shp_reader_test',
    fileId: 'f_reader_test',
    plainSize,
    recordSize: 1024, // several records per chunk
    readPlain: async (start, end) => {
      reads.push([start, end]);
      return plain.slice(start, end);
    },
  });
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

test('chunks are the encryptor bytes, as Blobs with size, done at the end (tus overshoot clamped)', async () => {
  const source = await encryptor(5000);
  const file = await ciphertextFileReader(source).fileReader.openFile();
  assert.equal(file.size, source.size);
  const first = await file.slice(0, 2048);
  assert.equal(first.done, false);
  assert.equal(first.value.size, 2048);
  assert.deepEqual(await bytesOf(first.value), await source.read(0, 2048));
  const rest = await file.slice(2048, 2048 + 1_000_000);
  assert.equal(rest.done, true);
  assert.equal(rest.value.size, source.size - 2048);
  assert.deepEqual(await bytesOf(rest.value), await source.read(2048, source.size));
});

test('a prefetched first chunk is used once, for exactly its range; other ranges are read afresh', async () => {
  const reads: Array<[number, number]> = [];
  const source = await encryptor(5000, reads);
  const reader = ciphertextFileReader(source);
  reader.prefetch(3000);
  const file = await reader.fileReader.openFile();
  const readsAfterPrefetch = reads.length;
  assert.ok(readsAfterPrefetch > 0, 'prefetch started reading before tus asked');
  const first = await file.slice(0, 3000);
  assert.equal(reads.length, readsAfterPrefetch, 'the prefetched chunk is not read again');
  assert.deepEqual(await bytesOf(first.value), await source.read(0, 3000));
  const readsBefore = reads.length;
  const again = await file.slice(0, 3000); // a retry from offset 0: read afresh, identical bytes
  assert.ok(reads.length > readsBefore);
  assert.deepEqual(await bytesOf(again.value), await bytesOf(first.value));
});

test('a resumed upload at another offset ignores the prefetched chunk', async () => {
  const source = await encryptor(5000);
  const reader = ciphertextFileReader(source);
  reader.prefetch(3000);
  const file = await reader.fileReader.openFile();
  const chunk = await file.slice(1234, 4234);
  assert.deepEqual(await bytesOf(chunk.value), await source.read(1234, 4234));
});

test('a prefetch that fails surfaces when tus asks for the chunk, and is not an unhandled rejection otherwise', async () => {
  const failing = { size: 100, read: async () => Promise.reject(new Error('the file changed')) };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    ciphertextFileReader(failing).prefetch(50); // the job ends before tus asks
    const reader = ciphertextFileReader(failing);
    reader.prefetch(50);
    const file = await reader.fileReader.openFile();
    await assert.rejects(file.slice(0, 50), /the file changed/);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
