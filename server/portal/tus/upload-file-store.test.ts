import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Upload } from '@tus/server';
import { makeTempDir } from '../../../test/helpers/tmp.ts';
import { remainderAfter, UploadFileStore } from './upload-file-store.ts';

test('create writes the empty file and the stock sidecar; write appends at the offset and keeps every byte', async (t) => {
  const temp = makeTempDir('beeldpoort-store-');
  t.after(() => temp.remove());
  const dir = path.join(temp.dir, 'uploads');
  const store = new UploadFileStore(dir);
  const id = 'a'.repeat(32);
  await store.create(new Upload({ id, size: 300_000, offset: 0, metadata: { shipmentId: 's', fileId: 'f' } }));
  assert.equal(statSync(path.join(dir, id)).size, 0);
  const sidecar = JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8'));
  assert.deepEqual(sidecar.metadata, { shipmentId: 's', fileId: 'f' }, 'the reconciler reads the ids from the sidecar');
  assert.equal(sidecar.size, 300_000);

  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  // Many small chunks (batched into few writes), then the rest from a second request at the returned offset.
  const chunks = Array.from({ length: 100 }, (_, i) => bytes.subarray(i * 1000, (i + 1) * 1000));
  assert.equal(await store.write(Readable.from(chunks), id, 0), 100_000);
  assert.equal(await store.write(Readable.from([bytes.subarray(100_000)]), id, 100_000), 300_000);
  assert.ok(readFileSync(path.join(dir, id)).equals(bytes));
  assert.equal((await store.getUpload(id)).offset, 300_000, 'the offset is the file size, as in the stock store');
  await store.syncUpload(id);
  await assert.rejects(store.syncUpload('b'.repeat(32)), /ENOENT/, 'a missing file is an error, never a silent success');
});
test('bytes that arrived are on disk while the client pauses (not held back for a batch)', async (t) => {
  const temp = makeTempDir('beeldpoort-store-');
  t.after(() => temp.remove());
  const store = new UploadFileStore(temp.dir);
  const id = 'b'.repeat(32);
  await store.create(new Upload({ id, size: 20, offset: 0 }));
  const body = new PassThrough();
  const written = store.write(body, id, 0);
  body.write(Buffer.alloc(10, 1));
  const deadline = Date.now() + 10_000;
  while (statSync(path.join(temp.dir, id)).size < 10) {
    assert.ok(Date.now() < deadline, 'the first 10 bytes never reached the disk');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  body.end(Buffer.alloc(10, 2));
  assert.equal(await written, 20);
});

test('an upload id that is not a flat name never reaches the disk', async (t) => {
  const temp = makeTempDir('beeldpoort-store-');
  t.after(() => temp.remove());
  const store = new UploadFileStore(temp.dir);
  await assert.rejects(store.create(new Upload({ id: '../escape', size: 1, offset: 0 })));
  await assert.rejects(store.write(Readable.from([Buffer.alloc(1)]), '..', 0));
});

test('remainderAfter: after a short writev the rest starts exactly where the written bytes ended', () => {
  const buffers = [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('h')];
  const joined = (list: Buffer[]) => Buffer.concat(list).toString();
  assert.equal(joined(remainderAfter(buffers, 0)), 'abcdefgh');
  assert.equal(joined(remainderAfter(buffers, 2)), 'cdefgh');
  assert.equal(joined(remainderAfter(buffers, 3)), 'defgh');
  assert.equal(joined(remainderAfter(buffers, 5)), 'fgh');
  assert.equal(joined(remainderAfter(buffers, 7)), 'h');
  assert.deepEqual(remainderAfter(buffers, 8), []);
});

test('a body that fails half way: the write fails with the tus write error, the octets before it stay on disk', async (t) => {
  const temp = makeTempDir('beeldpoort-store-');
  t.after(() => temp.remove());
  const store = new UploadFileStore(temp.dir);
  const id = 'c'.repeat(32);
  await store.create(new Upload({ id, size: 300_000, offset: 0 }));
  const body = new PassThrough();
  const written = store.write(body, id, 0);
  // Several chunks in one turn of the event loop (batched into one write), then the client goes away.
  for (let i = 0; i < 5; i++) body.write(Buffer.alloc(10_000, i + 1));
  const deadline = Date.now() + 10_000;
  while (statSync(path.join(temp.dir, id)).size < 50_000) {
    assert.ok(Date.now() < deadline, 'the first 50,000 bytes never reached the disk');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  body.destroy(new Error('client went away'));
  await assert.rejects(written, (error: { status_code?: number }) => error.status_code === 500);
  const stored = readFileSync(path.join(temp.dir, id));
  assert.equal(stored.length, 50_000);
  for (let i = 0; i < 5; i++) assert.ok(stored.subarray(i * 10_000, (i + 1) * 10_000).every((b) => b === i + 1), `chunk ${i} in order`);
});
