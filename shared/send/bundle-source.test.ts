import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes } from '../format/bytes.ts';
import { createFileEncryptor, type FileEncryptor } from '../format/index.ts';
import { createBundleSource } from './bundle-source.ts';

const secret = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
/** Small records, so a file has many and reads cut them at every kind of place. */
const recordSize = 64;

function encryptorFor(fileId: string, plain: Uint8Array): Promise<FileEncryptor> {
  return createFileEncryptor({ secret, shipmentId: 'ship1', fileId, plainSize: plain.length, recordSize, readPlain: async (start, end) => plain.slice(start, end) });
}

test('a bundle reads as the concatenation of its files\' ciphertexts at any range, across and at every boundary', async () => {
  const plains = [0, 1, 47, 200, 5, 333].map((size, f) => Uint8Array.from({ length: size }, (_, i) => (i * 13 + f) & 0xff));
  const whole = await Promise.all(plains.map(async (plain, f) => (await encryptorFor(`f${f}`, plain)).read(0, Number.MAX_SAFE_INTEGER)));
  const expected = concatBytes(whole);
  const opened: number[] = [];
  const bundle = createBundleSource(
    plains.map((plain, f) => ({ size: whole[f]!.length, open: () => (opened.push(f), encryptorFor(`f${f}`, plain)) })),
  );
  assert.equal(bundle.size, expected.length);

  const boundaries = [0];
  for (const body of whole) boundaries.push(boundaries.at(-1)! + body.length);
  const points = new Set<number>([...boundaries, ...boundaries.map((b) => b - 1), ...boundaries.map((b) => b + 1)]);
  for (let at = 0; at <= expected.length; at += 17) points.add(at);
  const sorted = [...points].filter((p) => p >= 0 && p <= expected.length).sort((a, b) => a - b);
  for (const start of sorted) {
    for (const length of [1, 3, 40, 100, 255, expected.length]) {
      const end = start + length;
      const want = expected.subarray(start, Math.min(end, expected.length));
      assert.deepEqual(await bundle.read(start, end), want, `read(${start}, ${end})`);
      assert.deepEqual(concatBytes(await bundle.readParts!(start, end)), want, `readParts(${start}, ${end})`);
    }
  }
  // Deterministic going backwards too (tus resuming at an earlier offset after a failure).
  for (const start of [...sorted].reverse()) assert.deepEqual(await bundle.read(start, start + 90), expected.subarray(start, Math.min(start + 90, expected.length)));
  assert.deepEqual(await bundle.read(5, 5), new Uint8Array(0));
});

test('a bundle opens a file\'s encryptor only when a read reaches it, and a failed open is tried again', async () => {
  const plain = new Uint8Array(100);
  const first = await encryptorFor('a', plain);
  const opened: string[] = [];
  let failOnce = true;
  const bundle = createBundleSource(
    ['a', 'b', 'c'].map((id) => ({
      size: first.size,
      open: async () => {
        opened.push(id);
        if (id === 'c' && failOnce) {
          failOnce = false;
          throw Object.assign(new Error('changed'), { code: 'E_SEND_FILE_CHANGED' });
        }
        return encryptorFor(id, plain);
      },
    })),
  );
  await bundle.read(0, 10);
  assert.deepEqual(opened, ['a']);
  await bundle.read(first.size - 5, first.size + 5);
  assert.deepEqual(opened, ['a', 'b'], 'a is still open: no second open');
  await assert.rejects(bundle.read(2 * first.size, 3 * first.size), { code: 'E_SEND_FILE_CHANGED' });
  const c = await bundle.read(2 * first.size, 3 * first.size);
  assert.deepEqual(c, await (await encryptorFor('c', plain)).read(0, first.size));
  await bundle.read(0, 1);
  assert.deepEqual(opened, ['a', 'b', 'c', 'c', 'a'], 'a was dropped once reads moved past it, and opened again going back');
});
