import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLinkUrl } from './sender-api.ts';
import { checkStatements } from './plan-shipment.ts';
import { runBounded, retryDelay } from './retry.ts';
import { ProgressTracker } from './progress.ts';
import { outcomeCounts } from './outcome.ts';
import { base64UrlDecode, base64UrlEncode, parseResumeState, randomId } from './resume-state.ts';

test('a link URL splits into the portal base and the token in the fragment', () => {
  assert.deepEqual(parseLinkUrl('https://pacs.example.nl/s/#eyJ.a.b'), { baseUrl: 'https://pacs.example.nl', token: 'eyJ.a.b' });
  assert.deepEqual(parseLinkUrl('http://127.0.0.1:4000/beeldpoort/s/#tok'), { baseUrl: 'http://127.0.0.1:4000/beeldpoort', token: 'tok' });
  for (const bad of ['not a url', 'https://x/s/', 'https://x/other#tok', 'ftp://x/s/#tok']) {
    assert.throws(() => parseLinkUrl(bad), { code: 'E_LINK_INVALID' }, bad);
  }
});

test('a consultation without a complete consent statement is refused; other purposes need none', () => {
  assert.throws(() => checkStatements('consult', {}), { code: 'E_SEND_CONSENT_REQUIRED' });
  assert.throws(() => checkStatements('consult', { consent: { recordedBy: 'dr. A', date: '2026-11-01', reference: ' ' } }), { code: 'E_SEND_CONSENT_REQUIRED' });
  checkStatements('consult', { consent: { recordedBy: 'dr. A', date: '2026-11-01', reference: 'EPD 12' } });
  assert.throws(() => checkStatements('consult', { consent: { recordedBy: 'dr. A', date: '1-11-2026', reference: 'EPD 12' } }), { code: 'E_SEND_CONSENT_INVALID' });
  assert.throws(() => checkStatements('consult', { consent: { recordedBy: 'dr. A', date: '2026-13-45', reference: 'EPD 12' } }), { code: 'E_SEND_CONSENT_INVALID' });
  checkStatements('transfer', {});
});

test('runBounded keeps at most N in flight, visits every item, and rethrows the first failure', async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    seen.push(item);
    inFlight--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
  const started: number[] = [];
  await assert.rejects(
    runBounded([1, 2, 3, 4, 5], 1, async (item) => {
      started.push(item);
      if (item === 2) throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(started, [1, 2], 'no new work starts after a failure');
});

test('backoff grows and stays capped', () => {
  assert.equal(retryDelay(1, () => 1), 500);
  assert.equal(retryDelay(3, () => 1), 2000);
  assert.equal(retryDelay(20, () => 1), 15000);
  assert.equal(retryDelay(20, () => 0), 7500);
});

test('progress counts resumed files as done and derives rate and time left from the clock', () => {
  let now = 0;
  const tracker = new ProgressTracker(
    [
      { fileId: 'a', size: 1000, received: 1000, complete: true },
      { fileId: 'b', size: 3000, received: 500, complete: false },
    ],
    () => now,
  );
  assert.deepEqual(tracker.snapshot(), { bytesDone: 1500, bytesTotal: 4000, filesDone: 1, filesTotal: 2, bytesPerSecond: 0, secondsLeft: undefined });
  tracker.uploadBytes('b', 1000);
  now = 1000;
  tracker.uploadBytes('b', 2000);
  const snap = tracker.snapshot();
  assert.equal(snap.bytesDone, 3000);
  assert.equal(snap.bytesPerSecond, 1000);
  assert.equal(snap.secondsLeft, 1);
  tracker.uploadBytes('b', 700); // a retry starts lower again: the running total follows
  assert.equal(tracker.snapshot().bytesDone, 1700);
  tracker.uploadBytes('b', 9999); // never more than the file
  assert.equal(tracker.snapshot().bytesDone, 4000);
  tracker.uploadBytes('b', 2000);
  tracker.uploadDone('b');
  assert.equal(tracker.snapshot().filesDone, 2);
  assert.equal(tracker.snapshot().bytesDone, 4000);
});

test('outcome counts: warnings are stored; unreported files count as failed only once final', () => {
  const outcome = { files: { stored: 5, warning: 1, rejected: 1, failed: 1, unreported: 2 } };
  assert.deepEqual(outcomeCounts({ state: 'imported-with-failures', outcome }), { stored: 6, failed: 4 });
  assert.deepEqual(outcomeCounts({ state: 'importing', outcome }), { stored: 6, failed: 2 });
  assert.deepEqual(outcomeCounts({ state: 'received' }), { stored: 0, failed: 0 });
});

test('resume states round-trip and a damaged one is refused', () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  assert.deepEqual(base64UrlDecode(base64UrlEncode(secret)), secret);
  assert.match(randomId(), /^[A-Za-z0-9_-]{22}$/);
  // 2,000 draws: with a leading '-' or '_' allowed, about 62 of them would start with one.
  for (let i = 0; i < 2000; i++) assert.match(randomId(), /^[A-Za-z0-9]/);
  const state = { version: 1, linkId: 'l', shipmentId: 's', secret: base64UrlEncode(secret), envelope: {}, createdAt: 'x', files: [{ path: 'a', plainSize: 1, sha256: 'h', fileId: 'f', size: 2 }] };
  assert.deepEqual(parseResumeState(JSON.parse(JSON.stringify(state))), state);
  assert.throws(() => parseResumeState({ ...state, secret: 'short' }), { code: 'E_SEND_STATE' });
  assert.throws(() => parseResumeState(null), { code: 'E_SEND_STATE' });
});

test('progress over bundles: bytes per upload, files counted as the bytes pass each file\'s end', () => {
  const tracker = new ProgressTracker(
    [
      { fileId: 'bundle', size: 300, received: 150, complete: false, partEnds: [100, 200, 300] },
      { fileId: 'lone', size: 50, received: 0, complete: true },
    ],
    () => 0,
  );
  assert.deepEqual({ ...tracker.snapshot(), bytesPerSecond: 0 }, { bytesDone: 200, bytesTotal: 350, filesDone: 2, filesTotal: 4, bytesPerSecond: 0, secondsLeft: undefined });
  tracker.uploadBytes('bundle', 199);
  assert.equal(tracker.snapshot().filesDone, 2);
  tracker.uploadBytes('bundle', 200);
  assert.equal(tracker.snapshot().filesDone, 3);
  tracker.uploadBytes('bundle', 20); // a retry from an earlier offset
  assert.equal(tracker.snapshot().filesDone, 1);
  tracker.uploadDone('bundle');
  assert.deepEqual([tracker.snapshot().filesDone, tracker.snapshot().bytesDone], [4, 350]);
});
