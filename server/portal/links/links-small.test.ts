import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';
import { CODE_ALPHABET, CODE_LENGTH, newVerificationCode } from './verification-code.ts';
import { FailureLimiter } from '../http/rate-limiter.ts';

test('link expiry durations', () => {
  assert.equal(parseDuration('2d'), 2 * 86_400_000);
  assert.equal(parseDuration('36h'), 36 * 3_600_000);
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('3600'), 3_600_000);
  assert.equal(parseDuration(60), 60_000);
  for (const bad of ['', '0d', '-1d', '2x', '1.5d', 'd', 0, -5, 1.5]) assert.equal(parseDuration(bad), undefined, String(bad));
});

test('verification codes use only the unambiguous alphabet', () => {
  for (const ambiguous of ['0', 'O', '1', 'I', 'L', '5', 'S', '2', 'Z']) assert.ok(!CODE_ALPHABET.includes(ambiguous), ambiguous);
  const codes = new Set(Array.from({ length: 200 }, newVerificationCode));
  for (const code of codes) assert.match(code, new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
  assert.ok(codes.size > 190, 'codes are random');
});

test('the failure limiter blocks after the limit within a window and forgets after it', () => {
  const limiter = new FailureLimiter(3, 1000);
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.blocked('ip', 0), false);
    limiter.fail('ip', 0);
  }
  assert.equal(limiter.blocked('ip', 500), true);
  assert.equal(limiter.blocked('other', 500), false);
  assert.equal(limiter.retryAfter('ip', 500), 1);
  assert.equal(limiter.blocked('ip', 1000), false, 'a new window');
});
