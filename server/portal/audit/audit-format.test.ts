import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../db/audit.ts';
import { csvHeader, csvLine, jsonLine } from './audit-format.ts';

const record: AuditRecord = {
  seq: 7, at: '2026-11-29T20:00:00.000Z', actorKind: 'worker', actorId: '=cmd|\' /C calc\'!A0', action: 'shipment.released',
  objectType: 'shipment', objectId: 's,1', ip: '127.0.0.1', details: { reason: 'line\nbreak "quoted"' }, prevHash: 'a', hash: 'b',
};

test('CSV cells that would start a spreadsheet formula are neutralised and quoting follows RFC 4180', () => {
  const line = csvLine(record);
  assert.ok(line.endsWith('\r\n'));
  assert.ok(line.includes(`'=cmd|' /C calc'!A0`));
  assert.ok(line.includes('"s,1"'));
  assert.ok(line.includes('"{""reason"":""line\\nbreak \\""quoted\\""""}"'));
  assert.equal(csvHeader(), 'seq,at,actorKind,actorId,action,objectType,objectId,ip,details,prevHash,hash\r\n');
});

test('JSON lines carry one record per line', () => {
  const line = jsonLine(record);
  assert.equal(line.split('\n').length, 2);
  assert.deepEqual(JSON.parse(line), record);
});
