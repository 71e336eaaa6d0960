/**
 * useBundle, the check bin.js makes before running the prebuilt CLI bundle: the bundle runs only while its entry
 * is newer than every file and folder it was built from; anything newer, added, removed or missing means the
 * TypeScript sources run instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useBundle } from './use-bundle.mjs';

/** A fake repository: src/a.ts, src/sub/b.ts, package.json, and a bundle entry, all with chosen times (seconds). */
function fixture(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(path.join(tmpdir(), 'beeldpoort-use-bundle-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const at = (file: string, seconds: number) => utimesSync(path.join(root, file), seconds, seconds);
  mkdirSync(path.join(root, 'src/sub'), { recursive: true });
  mkdirSync(path.join(root, 'out'));
  for (const file of ['src/a.ts', 'src/sub/b.ts', 'package.json', 'out/entry.mjs']) writeFileSync(path.join(root, file), 'x');
  for (const item of ['src/a.ts', 'src/sub/b.ts', 'src/sub', 'src', 'package.json']) at(item, 1_000);
  at('out/entry.mjs', 2_000);
  const check = () => useBundle(path.join(root, 'out/entry.mjs'), [path.join(root, 'src')], [path.join(root, 'package.json')]);
  return { root, at, check };
}

test('a bundle newer than every source is used', (t) => {
  const { check } = fixture(t);
  assert.equal(check(), true);
});

test('a source file changed after the build makes the bundle stale, deep in the tree too', (t) => {
  const { at, check } = fixture(t);
  at('src/sub/b.ts', 3_000);
  assert.equal(check(), false);
  at('src/sub/b.ts', 1_000);
  at('src/a.ts', 2_000);
  assert.equal(check(), false, 'equal times count as stale');
});

test('a newer package.json makes the bundle stale', (t) => {
  const { at, check } = fixture(t);
  at('package.json', 2_500);
  assert.equal(check(), false);
});

test('a source added, removed or renamed after the build makes the bundle stale (the folder changes)', (t) => {
  const { root, at, check } = fixture(t);
  writeFileSync(path.join(root, 'src/sub/c.ts'), 'x');
  at('src/sub/c.ts', 1_000);
  assert.equal(check(), false, 'added');
  at('src/sub', 1_000);
  assert.equal(check(), true);
  rmSync(path.join(root, 'src/sub/c.ts'));
  assert.equal(check(), false, 'removed');
  at('src/sub', 1_000);
  renameSync(path.join(root, 'src/a.ts'), path.join(root, 'src/a2.ts'));
  assert.equal(check(), false, 'renamed');
});

test('no bundle, or a missing input, means the sources run', (t) => {
  const { root, check } = fixture(t);
  assert.equal(useBundle(path.join(root, 'out/none.mjs'), [path.join(root, 'src')], []), false);
  assert.equal(useBundle(path.join(root, 'out/entry.mjs'), [path.join(root, 'src')], [path.join(root, 'tsconfig.json')]), false);
  rmSync(path.join(root, 'out/entry.mjs'));
  assert.equal(check(), false);
});
