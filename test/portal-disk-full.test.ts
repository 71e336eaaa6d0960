/**
 * A full data volume on the portal (reliability.md U9), on a real 24 MiB tmpfs: a new upload that does not fit beside
 * the reserve (BEELDPOORT_DISK_RESERVE_MB) is refused up front with 507 E_STORAGE_FULL and leaves nothing on disk;
 * an upload whose PATCH meets a full disk keeps every octet written, answers 507, reports that offset on HEAD and,
 * once space is freed, resumes there and completes byte for byte. Nothing is lost and no offset lies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeEnvelope, startTestPortal } from './helpers/portal.ts';
import { mountSmallVolume } from './helpers/small-volume.ts';

const MiB = 1024 * 1024;

test('a full data volume: a new upload is refused up front with 507; a PATCH that meets a full disk keeps its octets, answers 507, and resumes at that offset once space is freed', async (t) => {
  const volume = mountSmallVolume(24);
  if (typeof volume === 'string') return t.skip(volume);
  t.after(() => volume.unmount());
  const tp = await startTestPortal({ dataDir: path.join(volume.dir, 'data'), env: { BEELDPOORT_DISK_RESERVE_MB: '2' } });
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  const data = randomBytes(6 * MiB);
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' })
    .send({ shipmentId: 'full', envelope, files: [{ fileId: 'f0', size: data.length }] }).expect(201);
  const tus = (req: request.Test) => req.auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
  const create = () => tus(request(tp.server).post('/uploads/'))
    .set('Upload-Length', String(data.length))
    .set('Upload-Metadata', `shipmentId ${Buffer.from('full').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}`);
  const uploadsDir = path.join(tp.dataDir, 'uploads');

  // 5 MiB free: not room for 6 MiB plus the 2 MiB reserve.
  volume.fillLeaving(5 * MiB);
  const refused = await create().expect(507);
  assert.equal((JSON.parse(refused.text) as { error: { code: string } }).error.code, 'E_STORAGE_FULL');
  assert.deepEqual(readdirSync(uploadsDir), [], 'nothing created for the refused upload');

  volume.free();
  const created = await create().expect(201);
  const uploadUrl = String(created.headers.location);
  // 3 MiB free: the 6 MiB PATCH runs out of room half-way.
  volume.fillLeaving(3 * MiB);
  const cut = await tus(request(tp.server).patch(uploadUrl))
    .set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', '0').send(data).expect(507);
  assert.equal((JSON.parse(cut.text) as { error: { code: string } }).error.code, 'E_STORAGE_FULL');
  const head = await tus(request(tp.server).head(uploadUrl)).expect(200);
  const offset = Number(head.headers['upload-offset']);
  assert.ok(offset > 0 && offset < data.length, `offset ${offset}`);
  const stored = readFileSync(path.join(uploadsDir, path.basename(uploadUrl)));
  assert.equal(stored.length, offset, 'the offset is what is on disk');
  assert.ok(stored.equals(data.subarray(0, offset)), 'what is on disk is the body, no hole and no garbage');

  volume.free();
  const rest = await tus(request(tp.server).patch(uploadUrl))
    .set('Content-Type', 'application/offset+octet-stream').set('Upload-Offset', String(offset)).send(data.subarray(offset)).expect(204);
  assert.equal(Number(rest.headers['upload-offset']), data.length);
  assert.ok(readFileSync(path.join(uploadsDir, path.basename(uploadUrl))).equals(data), 'complete and byte for byte');
  const view = await request(tp.server).get('/api/sender/shipments/full').auth(token, { type: 'bearer' }).expect(200);
  assert.equal(view.body.state, 'received');
  assert.equal(view.body.files[0].complete, true);
});
