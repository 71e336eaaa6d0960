// The upload path commits with synchronous=NORMAL (db/shipments.ts relaxedTransaction): on power loss those commits
// may roll back. Simulated here by restoring the database as it was before the upload while the fsynced upload
// stays on disk: the startup reconciler must adopt the upload from its sidecar and record it complete, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeEnvelope, startTestPortal } from './helpers/portal.ts';
import { makeTempDir } from './helpers/tmp.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('commits lost to a power loss after the 204: the reconciler re-records the fsynced upload from its sidecar', async (t) => {
  const temp = makeTempDir('beeldpoort-relaxed-');
  const backup = makeTempDir('beeldpoort-relaxed-db-');
  t.after(() => backup.remove());
  let tp = await startTestPortal({ dataDir: temp.dir });
  t.after(async () => {
    await tp.stop();
    temp.remove();
  });
  const link = await tp.createLink();
  const auth = { Authorization: `Bearer ${link.token}` };
  const envelope = await makeEnvelope(tp.portal.ctx.keys.institutionPublic);
  const created = await fetch(`${tp.url}/api/sender/shipments`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ shipmentId: 'pw', envelope, files: [{ fileId: 'f0', size: 10 }, { fileId: 'f1', size: 5 }] }) });
  assert.equal(created.status, 201);
  // What survives the power loss: the database as it was before any upload (SQLite's online backup, consistent).
  const database = path.join(temp.dir, 'portal.sqlite');
  const reader = new Database(database, { readonly: true });
  await reader.backup(path.join(backup.dir, 'portal.sqlite'));
  reader.close();

  const upload = async (fileId: string, length: number, body: Uint8Array<ArrayBuffer>) => {
    const answer = await fetch(`${tp.url}/uploads/`, { method: 'POST', body, headers: { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(length),
      'Content-Type': 'application/offset+octet-stream', 'Upload-Metadata': `shipmentId ${b64('pw')},fileId ${b64(fileId)}` } });
    assert.equal(answer.status, 201, await answer.text());
    return path.basename(answer.headers.get('location')!);
  };
  // f0 complete in one creation-with-upload request (acknowledged: the bytes are fsynced); f1 only half sent.
  const f0 = await upload('f0', 10, new Uint8Array(10).fill(7));
  await upload('f1', 5, new Uint8Array(2).fill(3));
  assert.equal(tp.portal.ctx.stores.shipments.file('pw', 'f0')!.completedAt !== null, true);
  await tp.stop();

  for (const leftover of ['-wal', '-shm']) rmSync(`${database}${leftover}`, { force: true });
  copyFileSync(path.join(backup.dir, 'portal.sqlite'), database);
  assert.ok(existsSync(path.join(temp.dir, 'uploads', f0)) && existsSync(path.join(temp.dir, 'uploads', `${f0}.json`)));
  tp = await startTestPortal({ dataDir: temp.dir });
  const store = tp.portal.ctx.stores.shipments;
  const file0 = store.file('pw', 'f0')!;
  assert.equal(file0.uploadId, f0, 'the complete upload is adopted from its sidecar');
  assert.notEqual(file0.completedAt, null);
  const file1 = store.file('pw', 'f1')!;
  assert.equal(file1.uploadId, null, 'an incomplete upload is not adopted: the sender POSTs it again');
  assert.equal(file1.completedAt, null);
  assert.equal(store.get('pw')!.state, 'uploading');
  assert.equal(tp.portal.reconcile(), 0, 'running again records nothing');
  const audit = [...tp.portal.ctx.stores.audit.all()];
  assert.deepEqual(audit.filter((r) => r.action === 'file.reconciled').map((r) => r.details), [{ fileId: 'f0' }]);
});
