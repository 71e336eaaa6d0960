import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedTokens } from './verified-tokens.ts';

test('a remembered token answers its link id until (not at) its exp, and only for the exact string', () => {
  const tokens = new VerifiedTokens();
  tokens.remember('a.b.c', { linkId: 'L1', expiresAt: 10_000 });
  assert.equal(tokens.get('a.b.c', 0), 'L1');
  assert.equal(tokens.get('a.b.c', 9_999), 'L1');
  assert.equal(tokens.get('a.b.d', 0), undefined, 'another signature is another token');
  assert.equal(tokens.get('a.b.c', 10_000), undefined, 'at exp it must be verified again');
  assert.equal(tokens.size, 0, 'an expired entry is dropped');
});

test('the memory is bounded: the oldest entry goes first', () => {
  const tokens = new VerifiedTokens(3);
  for (const name of ['t1', 't2', 't3', 't4']) tokens.remember(name, { linkId: name, expiresAt: 1e15 });
  assert.equal(tokens.size, 3);
  assert.equal(tokens.get('t1', 0), undefined);
  assert.equal(tokens.get('t4', 0), 't4');
  tokens.remember('t2', { linkId: 't2', expiresAt: 1e15 }); // refreshed: now the newest
  tokens.remember('t5', { linkId: 't5', expiresAt: 1e15 });
  assert.equal(tokens.get('t3', 0), undefined);
  assert.equal(tokens.get('t2', 0), 't2');
});
