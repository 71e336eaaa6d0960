import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { folderFile } from './node-files.ts';

test('a folder file reads a range into the caller\'s scratch buffer when it fits, else into new memory', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  const file = path.join(tmp.dir, 'IM1');
  writeFileSync(file, bytes);
  const plain = folderFile(file, 'IM1', bytes.length);
  const scratch = new Uint8Array(4096).fill(0xee);
  const into = await plain.read(100, 2100, scratch);
  assert.equal(into.buffer, scratch.buffer, 'a view of the scratch buffer');
  assert.equal(into.byteOffset, 0);
  assert.deepEqual(into, bytes.subarray(100, 2100));
  const fresh = await plain.read(0, 3000, new Uint8Array(10));
  assert.notEqual(fresh.buffer, scratch.buffer);
  assert.deepEqual(new Uint8Array(fresh), bytes, 'too small a scratch buffer: new memory');
  writeFileSync(file, bytes.subarray(0, 1000));
  await assert.rejects(plain.read(0, 3000, scratch), { code: 'E_SEND_FILE_CHANGED' });
});
