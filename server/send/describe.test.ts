import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLink, describeOutcome, dicomDate } from './describe.ts';
import { createProgressDisplay, formatBytes, formatDuration } from './progress-display.ts';
import type { LinkInfo } from '../../shared/send/index.ts';

const link: LinkInfo = {
  linkId: 'l1',
  purpose: 'consult',
  urgent: false,
  institution: { name: 'Ziekenhuis Oost', department: 'Radiologie' },
  issuedBy: { name: null, email: null },
  sender: { name: 'Ziekenhuis West' },
  expiresAt: '2026-12-06T20:00:00.000Z',
  verificationCode: 'BQFT8C',
  limits: { maxShipments: 1, maxBytes: 1, usedShipments: 0, usedBytes: 0 },
  publicKey: {},
  keyFingerprint: '4FE6 C34E',
};

test('the receiver block names institution, purpose, code and key, and leaves out an unknown issuer', () => {
  const text = describeLink(link);
  assert.match(text, /Ziekenhuis Oost, Radiologie/);
  assert.match(text, /consultation \(consent statement required\)/);
  assert.match(text, /BQFT8C/);
  assert.match(text, /4FE6 C34E/);
  assert.doesNotMatch(text, /null/);
  assert.match(describeLink({ ...link, issuedBy: { name: 'dr. A. Jansen', email: 'a@x.nl' } }), /Requested by: {2}dr\. A\. Jansen <a@x\.nl>/);
});

test('outcome line, dates, sizes and durations read as a person expects', () => {
  assert.equal(describeOutcome({ shipmentId: 's', files: 3, instances: 3, bytes: 9, stored: 2, failed: 1, state: 'imported-with-failures' }), 'Shipment s: imported WITH FAILURES; 2 of 3 instances stored, 1 failed.\n');
  assert.equal(dicomDate('20261129'), '2026-11-29');
  assert.equal(dicomDate(''), '');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1_500_000), '1.5 MB');
  assert.equal(formatDuration(undefined), '--:--');
  assert.equal(formatDuration(3725), '1:02:05');
});

test('without a terminal progress is one line per tenth; on a terminal one bar redrawn in place', () => {
  const lines: string[] = [];
  const quiet = createProgressDisplay({ write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WritableStream);
  for (let done = 0; done <= 1000; done += 50) quiet.update({ bytesDone: done, bytesTotal: 1000, filesDone: 0, filesTotal: 2, bytesPerSecond: 0, secondsLeft: undefined });
  assert.equal(lines.length, 11);
  assert.match(lines.at(-1)!, /^upload 100%/);
  quiet.update({ bytesDone: 1000, bytesTotal: 1000, filesDone: 2, filesTotal: 2, bytesPerSecond: 0, secondsLeft: undefined });
  quiet.done();
  assert.equal(lines.length, 12, 'the final file count is shown');
  assert.match(lines.at(-1)!, /files 2\/2/);
  let now = 0;
  const screen: string[] = [];
  const bar = createProgressDisplay({ isTTY: true, columns: 120, write: (s: string) => (screen.push(s), true) } as unknown as NodeJS.WritableStream, () => now);
  bar.update({ bytesDone: 500, bytesTotal: 1000, filesDone: 1, filesTotal: 2, bytesPerSecond: 100, secondsLeft: 5 });
  bar.update({ bytesDone: 600, bytesTotal: 1000, filesDone: 1, filesTotal: 2, bytesPerSecond: 100, secondsLeft: 4 });
  now = 1000;
  bar.update({ bytesDone: 700, bytesTotal: 1000, filesDone: 1, filesTotal: 2, bytesPerSecond: 100, secondsLeft: 3 });
  assert.equal(screen.length, 2, 'redraws are throttled');
  assert.ok(screen.every((s) => s.startsWith('\r[')), 'redrawn in place');
  assert.match(screen[1]!, / 70% {2}700 B of 1.0 KB {2}files 1\/2 {2}100 B\/s {2}00:03 left/);
});
