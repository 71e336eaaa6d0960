import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.ts';
import { captureIo } from '../../test/helpers/command-io.ts';

test('--help lists every contract command and exits 0', async () => {
  const io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  for (const name of ['keys', 'user', 'link', 'audit', 'portal', 'store', 'echo', 'worker', 'send', 'status', 'make-test-cd']) {
    assert.match(io.out(), new RegExp(`^  ${name} `, 'm'));
  }
});

test('an unknown command exits non-zero with one line on stderr', async () => {
  const io = captureIo();
  assert.equal(await main(['frobnicate'], io), 2);
  assert.equal(io.err().trim().split('\n').length, 1);
  assert.match(io.err(), /unknown command "frobnicate"/);
});
