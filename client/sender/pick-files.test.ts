import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAllEntries, walkEntries } from './pick-files.ts';

/** A directory whose reader behaves like Chromium's: at most 100 entries per readEntries call, then []. */
function directory(fullPath: string, children: FileSystemEntry[]): FileSystemEntry {
  return {
    isDirectory: true,
    isFile: false,
    name: fullPath.split('/').pop()!,
    fullPath,
    createReader: () => {
      let at = 0;
      return {
        readEntries(success: (entries: FileSystemEntry[]) => void) {
          const batch = children.slice(at, at + 100);
          at += batch.length;
          queueMicrotask(() => success(batch));
        },
      };
    },
  } as unknown as FileSystemEntry;
}

function file(fullPath: string, fail = false): FileSystemEntry {
  return {
    isDirectory: false,
    isFile: true,
    name: fullPath.split('/').pop()!,
    fullPath,
    file(success: (f: File) => void, failure: (e: Error) => void) {
      queueMicrotask(() => (fail ? failure(new Error('NotReadableError')) : success(new File([fullPath], fullPath.split('/').pop()!))));
    },
  } as unknown as FileSystemEntry;
}

test('readEntries is called until it returns nothing: 250 entries in batches of 100 are all found', async () => {
  const children = Array.from({ length: 250 }, (_, i) => file(`/CD/IM${i}`));
  const reader = (directory('/CD', children) as FileSystemDirectoryEntry).createReader();
  assert.equal((await readAllEntries(reader)).length, 250);
});

test('a dropped CD is walked completely through nested, extensionless folders; unreadable files are reported', async () => {
  const series = Array.from({ length: 3 }, (_, s) =>
    directory(`/CD/DICOM/ST000000/SE00000${s}`, Array.from({ length: 120 }, (_, i) => file(`/CD/DICOM/ST000000/SE00000${s}/IM${String(i).padStart(6, '0')}`))),
  );
  const cd = directory('/CD', [file('/CD/DICOMDIR'), directory('/CD/DICOM', [directory('/CD/DICOM/ST000000', series)]), file('/CD/README.TXT', true)]);
  const result = await walkEntries([cd], []);
  assert.equal(result.files.length, 1 + 360);
  assert.ok(result.files.some((f) => f.path === 'CD/DICOM/ST000000/SE000002/IM000119'));
  assert.deepEqual(result.unreadable.map((u) => u.path), ['CD/README.TXT']);
});
