import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { FileResumeStore, defaultCacheDir, resumeKey } from './resume-file-store.ts';
import { base64UrlEncode, type ResumeState } from '../../shared/send/index.ts';

const state: ResumeState = {
  version: 1,
  linkId: 'link1',
  shipmentId: 'ship1',
  secret: base64UrlEncode(new Uint8Array(32).fill(7)),
  envelope: { ciphertext: 'x' },
  createdAt: '2026-11-29T20:00:00.000Z',
  files: [{ path: 'DICOM/IM1', plainSize: 10, sha256: 'ab', fileId: 'f1', size: 60 }],
};

test('a resume state is kept 0600 in a 0700 dir, read back, and removed', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const store = new FileResumeStore(path.join(tmp.dir, 'cache', 'beeldpoort'));
  const key = resumeKey('link1', '/media/cdrom');
  assert.equal(await store.load(key), undefined);
  await store.save(key, state);
  assert.equal(statSync(store.pathFor(key)).mode & 0o777, 0o600);
  assert.equal(statSync(store.dir).mode & 0o777, 0o700);
  assert.deepEqual(await store.load(key), state);
  await store.remove(key);
  assert.equal(await store.load(key), undefined);
});

test('a damaged state file is reported with E_SEND_STATE, not as a crash', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const store = new FileResumeStore(tmp.dir);
  writeFileSync(store.pathFor('k'), '{"version":1,');
  await assert.rejects(store.load('k'), { code: 'E_SEND_STATE' });
});

test('the key depends on link and absolute folder; the cache dir follows XDG_CACHE_HOME', () => {
  assert.equal(resumeKey('a', '/cd'), resumeKey('a', '/cd/'));
  assert.notEqual(resumeKey('a', '/cd'), resumeKey('b', '/cd'));
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), '/x/cache/beeldpoort');
  assert.equal(defaultCacheDir({ HOME: '/home/u' }), '/home/u/.cache/beeldpoort');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/beeldpoort');
});
