// The real tus protocol with tus-js-client against a portal on port 0: abort mid-upload, resume from the
// upload URL the sender API reports, and the stored ciphertext is byte-identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import * as tus from 'tus-js-client';
import request from 'supertest';
import { waitUntil } from './helpers/ports.ts';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function newShipment(tp: TestPortal, token: string, shipmentId: string, sizes: number[]) {
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' })
    .send({ shipmentId, envelope, files: sizes.map((size, i) => ({ fileId: `f${i}`, size })) }).expect(201);
}

test('an upload aborted mid-PATCH resumes from the reported upload URL and offset', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  const data = randomBytes(3 * 1024 * 1024 + 123);
  await newShipment(tp, token, 'resume', [data.length]);
  const options = { headers: { Authorization: `Bearer ${token}` }, metadata: { shipmentId: 'resume', fileId: 'f0' }, chunkSize: 256 * 1024, retryDelays: [] as number[] };

  // First attempt: abort once some chunks are acknowledged.
  const firstUrl = await new Promise<string>((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(data, {
      ...options, endpoint: `${tp.url}/uploads/`, onError: reject,
      onChunkComplete: (_size, accepted) => {
        if (accepted >= 1024 * 1024) void upload.abort().then(() => resolve(upload.url!));
      },
    });
    upload.start();
  });
  const status = await request(tp.server).get('/api/sender/shipments/resume').auth(token, { type: 'bearer' }).expect(200);
  const file = status.body.files[0];
  assert.equal(file.complete, false);
  assert.ok(file.received >= 1024 * 1024 && file.received < data.length, `received ${file.received}`);
  assert.equal(new URL(file.uploadUrl).pathname, new URL(firstUrl).pathname);

  // Second attempt: resume with the upload URL the portal reported; the first byte sent is at the stored offset.
  let firstOffset = -1;
  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      ...options, uploadUrl: file.uploadUrl, onError: reject, onSuccess: () => resolve(),
      onProgress: (sent) => {
        if (firstOffset < 0) firstOffset = sent;
      },
    });
    upload.start();
  });
  assert.ok(firstOffset >= file.received, `resumed at ${firstOffset}, not from 0`);
  const done = await request(tp.server).get('/api/sender/shipments/resume').auth(token, { type: 'bearer' }).expect(200);
  assert.equal(done.body.state, 'received');
  assert.equal(done.body.files[0].complete, true);
  assert.equal(done.body.files[0].uploadUrl, null);
  const stored = readFileSync(path.join(tp.dataDir, 'uploads', path.basename(new URL(firstUrl).pathname)));
  assert.equal(sha256(new Uint8Array(stored)), sha256(new Uint8Array(data)));
});

test('one upload per file: a new POST replaces an incomplete one; a complete file answers 409', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  await newShipment(tp, token, 'once', [100]);
  const meta = `shipmentId ${Buffer.from('once').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}`;
  const post = () => request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '100').set('Upload-Metadata', meta);
  const first = await post().expect(201);
  await request(tp.server).patch(first.headers.location!).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(40, 1)).expect(204);
  const second = await post().expect(201);
  assert.notEqual(second.headers.location, first.headers.location);
  const stale = await request(tp.server).head(first.headers.location!).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
  assert.equal(stale.status, 404, 'the replaced upload is gone');
  const deleted = [...tp.portal.ctx.stores.audit.all()].filter((r) => r.action === 'ciphertext.deleted');
  assert.deepEqual(deleted.map((r) => r.details), [{ reason: 'replaced', fileId: 'f0' }]);
  const finalPatch = await request(tp.server).patch(second.headers.location!).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(100, 2));
  assert.equal(finalPatch.status, 204);
  assert.equal(finalPatch.headers['upload-offset'], '100');
  const again = await post();
  assert.equal(again.status, 409);
  assert.equal(JSON.parse(again.text).error.code, 'E_FILE_COMPLETE');
  assert.equal(readFileSync(path.join(tp.dataDir, 'uploads', path.basename(second.headers.location!))).toString('hex'), Buffer.alloc(100, 2).toString('hex'));
});

test('creation-with-upload completes a small file in one request', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  await newShipment(tp, token, 'small', [10]);
  const res = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '10')
    .set('Upload-Metadata', `shipmentId ${Buffer.from('small').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}`)
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10, 3));
  assert.equal(res.status, 201);
  const view = await request(tp.server).get('/api/sender/shipments/small').auth(token, { type: 'bearer' }).expect(200);
  assert.equal(view.body.state, 'received');
});

test('a torn upload sidecar (<id>.json) makes the upload unknown (404) and the sender starts the file again', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  await newShipment(tp, token, 'torn', [10]);
  const meta = `shipmentId ${Buffer.from('torn').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}`;
  const post = () => request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '10').set('Upload-Metadata', meta);
  const first = await post().expect(201);
  writeFileSync(path.join(tp.dataDir, 'uploads', `${path.basename(first.headers.location!)}.json`), '{"id":');
  const head = await request(tp.server).head(first.headers.location!).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
  assert.equal(head.status, 404);
  const second = await post().set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(10, 4));
  assert.equal(second.status, 201);
  const view = await request(tp.server).get('/api/sender/shipments/torn').auth(token, { type: 'bearer' }).expect(200);
  assert.equal(view.body.state, 'received');
});

// tus lock semantics (tusd TestLockRelease): a new request on the upload makes the open PATCH end, keeping its bytes.
test('while one PATCH is open, HEAD takes over with the stored offset, a stale PATCH is refused, and the bytes never interleave', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  await newShipment(tp, token, 'race', [200_000]);
  const created = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '200000')
    .set('Upload-Metadata', `shipmentId ${Buffer.from('race').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}`).expect(201);
  const location = created.headers.location!;
  const stored = path.join(tp.dataDir, 'uploads', path.basename(location));
  const first = Buffer.alloc(200_000, 1);
  // The old PATCH ends once a newer request takes the upload's lock (with a status or a closed socket).
  let patch!: http.ClientRequest;
  const ended = new Promise<void>((resolve) => {
    patch = http.request(`${tp.url}${location}`, { method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream', 'Content-Length': '200000' } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    patch.on('error', () => resolve());
  });
  t.after(() => patch.destroy());
  patch.write(first.subarray(0, 100_000));
  await waitUntil(async () => existsSync(stored) && statSync(stored).size >= 100_000, { timeoutMs: 20_000, what: 'first half on disk' });
  const head = await request(tp.server).head(location).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0');
  assert.equal(head.status, 200);
  assert.equal(head.headers['upload-offset'], '100000');
  const second = await request(tp.server).patch(location).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', '0')
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(200_000, 2));
  assert.equal(second.status, 409);
  assert.equal(JSON.parse(second.text).error.code, 'E_TUS_OFFSET');
  patch.end(first.subarray(100_000));
  await ended;
  const kept = readFileSync(stored);
  assert.ok(kept.length >= 100_000, `kept ${kept.length}`);
  assert.ok(kept.equals(first.subarray(0, kept.length)), 'only the first PATCH\'s bytes, none of the refused one');
  await request(tp.server).patch(location).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Offset', String(kept.length))
    .set('Content-Type', 'application/offset+octet-stream').send(first.subarray(kept.length)).expect(204);
  assert.ok(readFileSync(stored).equals(first));
  assert.equal(tp.portal.ctx.stores.shipments.get('race')!.state, 'received');
});
