// Retention and expiry: ciphertext of finished shipments goes after the retention period, abandoned uploads
// once their link expired; every deletion audited; complete-but-unfinished shipments are never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

const DAY = 86_400_000;

async function shipment(tp: TestPortal, token: string, shipmentId: string, bytes: number | null) {
  const envelope = await makeEnvelope(tp.portal.ctx.keys.institutionPublic);
  await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' }).send({ shipmentId, envelope, files: [{ fileId: 'f', size: 8 }] }).expect(201);
  const meta = `shipmentId ${Buffer.from(shipmentId).toString('base64')},fileId ${Buffer.from('f').toString('base64')}`;
  const created = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '8').set('Upload-Metadata', meta).expect(201);
  if (bytes !== null) {
    await request(tp.server).patch(created.headers.location!).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
      .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(bytes, 1)).expect(204);
  }
  return path.join(tp.dataDir, 'uploads', path.basename(created.headers.location!));
}

test('the sweeper deletes by policy, audits every deletion and keeps what still has to be imported', async (t) => {
  let now = Date.now();
  const tp = await startTestPortal({ now: () => now, env: { BEELDPOORT_RETENTION_DAYS: '7' } });
  t.after(() => tp.stop());
  const worker = (p: string, body: object = {}) => request(tp.server).post(`/api/worker${p}`).auth(tp.workerCredential, { type: 'bearer' }).send(body);

  const short = await tp.createLink({ purpose: 'internal', expires: '1d' });
  const long = await tp.createLink({ purpose: 'internal', expires: '30d' });
  const imported = await shipment(tp, long.token, 'imported', 8);
  const waiting = await shipment(tp, short.token, 'waiting', 8); // complete, never imported: must stay
  const abandoned = await shipment(tp, short.token, 'abandoned', 3); // incomplete when its link expires
  const lease = await worker('/lease', { workerId: 'w' }).expect(200);
  assert.equal(lease.body.shipmentId, 'imported');
  await worker('/shipments/imported/finish', { leaseToken: lease.body.leaseToken, state: 'imported' }).expect(200);
  // An orphan tus file that no row refers to, older than the grace period.
  const orphan = path.join(tp.dataDir, 'uploads', 'f'.repeat(32));
  writeFileSync(orphan, 'x');
  utimesSync(orphan, new Date(now - 2 * 3_600_000), new Date(now - 2 * 3_600_000));

  assert.deepEqual(tp.portal.sweep(), { retained: 0, abandoned: 0, orphans: 1 });
  assert.ok(existsSync(imported) && existsSync(waiting) && existsSync(abandoned));
  assert.ok(!existsSync(orphan));

  now += 2 * DAY; // the short link has expired
  assert.deepEqual(tp.portal.sweep(), { retained: 0, abandoned: 1, orphans: 0 });
  assert.ok(!existsSync(abandoned) && !existsSync(`${abandoned}.json`));
  assert.ok(existsSync(waiting), 'a complete shipment waiting for import is kept');
  const gone = tp.portal.ctx.stores.shipments.get('abandoned')!;
  assert.equal(gone.state, 'failed');
  assert.match(gone.finishReason!, /^E_UPLOAD_ABANDONED/);

  now += 6 * DAY; // the imported shipment is past its 7 days of retention
  assert.deepEqual(tp.portal.sweep(), { retained: 1, abandoned: 0, orphans: 0 });
  assert.ok(!existsSync(imported));
  assert.ok(existsSync(waiting));
  const download = await request(tp.server).get('/api/worker/shipments/imported/files/f').auth(tp.workerCredential, { type: 'bearer' });
  assert.equal(download.status, 404);
  assert.deepEqual(tp.portal.sweep(), { retained: 0, abandoned: 0, orphans: 0 }, 'nothing is deleted twice');

  const deletions = [...tp.portal.ctx.stores.audit.all()].filter((r) => r.action === 'ciphertext.deleted');
  assert.deepEqual(deletions.map((r) => r.details?.reason).sort(), ['abandoned', 'orphan', 'retention']);
  assert.deepEqual(readdirSync(path.join(tp.dataDir, 'uploads')).sort(), [path.basename(waiting), `${path.basename(waiting)}.json`].sort());
});
