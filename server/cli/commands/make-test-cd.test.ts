import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../main.ts';

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {} }, out: () => out, err: () => err };
}

test('make-test-cd writes a CD and ends --json output with its description', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'beeldpoort-cli-cd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cap = io();
  const status = await main(['make-test-cd', dir, '--studies', '1', '--series', '3', '--images', '2', '--rows', '16', '--seed', '7', '--json'], cap.io);
  assert.equal(status, 0, cap.err());
  const lines = cap.out().trim().split('\n');
  const cd = JSON.parse(lines[lines.length - 1]!) as { instances: Array<{ path: string }>; dicomdir: string };
  assert.equal(cd.instances.length, 3 * 2 + 2);
  for (const instance of cd.instances) assert.ok(statSync(instance.path).size > 0);
  assert.ok(statSync(cd.dicomdir).isFile());
  assert.match(lines[0]!, /1 patient\(s\), 1 studies, 8 instances/);
});

test('make-test-cd refuses a bad flag value with a usage error', async () => {
  const cap = io();
  assert.equal(await main(['make-test-cd', '/nonexistent-never-written', '--images', '0'], cap.io), 2);
  assert.match(cap.err(), /--images must be a positive integer/);
});
