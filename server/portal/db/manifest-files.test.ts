import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { makeTempDir } from '../../../test/helpers/tmp.ts';
import { databasePath } from './database.ts';
import { MIGRATIONS } from './migrations.ts';
import { openStores } from './stores.ts';

test('a database from before bundles (migration 3) gains file_parts; its shipments count one manifest file per upload', (t) => {
  const tmp = makeTempDir('beeldpoort-migrate-');
  t.after(() => tmp.remove());
  const old = new Database(databasePath(tmp.dir));
  for (const sql of MIGRATIONS.slice(0, 3)) old.exec(sql);
  old.pragma('user_version = 3');
  old.prepare(`INSERT INTO links (id, purpose, sender_name, code, issued_by_kind, created_at, expires_at, max_shipments, max_bytes)
    VALUES ('l', 'internal', 'UMC', 'ABC234', 'cli', 0, 1, 1, 1000)`).run();
  old.prepare(`INSERT INTO shipments (id, link_id, purpose, urgent, state, envelope, file_count, total_bytes, created_at, updated_at)
    VALUES ('s', 'l', 'internal', 0, 'imported', '{}', 2, 20, 0, 0)`).run();
  old.prepare("INSERT INTO files (shipment_id, file_id, position, size, outcome) VALUES ('s', 'f0', 0, 10, 'stored'), ('s', 'f1', 1, 10, NULL)").run();
  old.close();

  const stores = openStores(tmp.dir);
  t.after(() => stores.close());
  assert.equal(stores.shipments.get('s')!.instanceCount, 2);
  assert.equal(stores.shipments.head('s')!.instanceCount, 2);
  assert.deepEqual(stores.manifestFiles.outcomeCounts('s'), { stored: 1, warning: 0, rejected: 0, failed: 0, unreported: 1 });
  assert.deepEqual(stores.manifestFiles.list('s').map((f) => [f.fileId, f.uploadId, f.part, f.outcome]), [['f0', 'f0', false, 'stored'], ['f1', 'f1', false, null]]);
  assert.equal(stores.manifestFiles.reportPart('s', { fileId: 'f1', outcome: 'stored' }, 1), false, 'no part of that id');
  assert.equal(stores.shipments.reportFile('s', { fileId: 'f1', outcome: 'stored' }, 1), true);
});

test('a bundle\'s own files row takes no report: its outcomes are its parts\'', (t) => {
  const tmp = makeTempDir('beeldpoort-parts-');
  t.after(() => tmp.remove());
  const stores = openStores(tmp.dir);
  t.after(() => stores.close());
  stores.links.insert({ id: 'l', purpose: 'internal', senderName: 'UMC', senderContact: null, note: null, code: 'ABC234',
    issuedBy: { kind: 'cli', id: null, name: null, email: null }, createdAt: 0, expiresAt: 1, maxShipments: 1, maxBytes: 1000, revokedAt: null, revokedBy: null });
  const uploads = [{ fileId: 'a', size: 30, parts: ['a', 'b'] }];
  stores.shipments.transaction(() => {
    stores.shipments.insert({ id: 's', linkId: 'l', purpose: 'internal', urgent: false, state: 'uploading', envelope: '{}', fileCount: 1, instanceCount: 2,
      totalBytes: 30, createdAt: 0, updatedAt: 0 }, uploads);
    stores.manifestFiles.insertParts('s', uploads);
  });
  assert.equal(stores.shipments.reportFile('s', { fileId: 'a', outcome: 'stored' }, 1), false);
  assert.equal(stores.manifestFiles.reportPart('s', { fileId: 'a', outcome: 'stored' }, 1), true);
  assert.deepEqual(stores.manifestFiles.partsOf('s'), new Map([['a', ['a', 'b']]]));
  assert.deepEqual(stores.manifestFiles.outcomeCounts('s'), { stored: 1, warning: 0, rejected: 0, failed: 0, unreported: 1 });
  assert.throws(() => stores.manifestFiles.insertParts('s', [{ fileId: 'nope', parts: ['x'] }]), /FOREIGN KEY/, 'a part belongs to a declared upload');
});
