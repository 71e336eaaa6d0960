import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';
import { keyFingerprint } from '../shared/format/index.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function upload(portal: TestPortal, token: string, data: Buffer, metadata: Record<string, string>, extra: Partial<tus.UploadOptions> = {}) {
  return new Promise<string>((resolve, reject) => {
    const u = new tus.Upload(data, {
      endpoint: `${portal.url}/uploads/`, headers: { Authorization: `Bearer ${token}` }, metadata, chunkSize: 64 * 1024,
      retryDelays: [], onError: reject, onSuccess: () => resolve(u.url!), ...extra,
    });
    u.start();
  });
}

async function api(portal: TestPortal, path: string, token: string, init: RequestInit = {}) {
  const res = await fetch(`${portal.url}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

test('a transfer goes link -> shipment -> tus upload -> lease -> ranged download -> report -> finish', async (t) => {
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'transfer', sender: 'Ziekenhuis <b>Oost</b>' });
  assert.match(link.url, new RegExp(`^${portal.url}/s/#`));

  const info = await api(portal, '/api/sender/link', link.token);
  assert.equal(info.status, 200);
  assert.equal(info.body.purpose, 'transfer');
  assert.equal(info.body.urgent, true);
  assert.equal(info.body.verificationCode, link.code);
  assert.equal(info.body.sender.name, 'Ziekenhuis <b>Oost</b>'); // stored and returned as inert JSON text
  assert.match(info.headers.get('content-type')!, /application\/json/);
  assert.equal(info.body.publicKey.crv, 'X25519');
  // One form everywhere: shared/format's keyFingerprint of the served key (RFC 7638 thumbprint in hex groups).
  assert.equal(info.body.keyFingerprint, await keyFingerprint(info.body.publicKey));
  assert.match(info.body.keyFingerprint, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);

  const files = [randomBytes(200_000), randomBytes(1000)];
  const envelope = await makeEnvelope(info.body.publicKey);
  const body = { shipmentId: 'ship-1', envelope, files: files.map((f, i) => ({ fileId: `f${i}`, size: f.length })) };
  const created = await api(portal, '/api/sender/shipments', link.token, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body, { shipmentId: 'ship-1', state: 'uploading' });
  const again = await api(portal, '/api/sender/shipments', link.token, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(again.status, 200, 'the same shipment posted again is a resume, not a new one');

  // Upload the small file first: a transfer is leasable as soon as one file is complete.
  await upload(portal, link.token, files[1]!, { shipmentId: 'ship-1', fileId: 'f1' });
  const worker = { Authorization: `Bearer ${portal.workerCredential}` };
  const lease = await api(portal, '/api/worker/lease', portal.workerCredential, { method: 'POST', body: JSON.stringify({ workerId: 'w1' }), headers: worker });
  assert.equal(lease.status, 200);
  assert.equal(lease.body.shipmentId, 'ship-1');
  assert.equal(lease.body.state, 'uploading');
  assert.deepEqual(lease.body.files.map((f: { complete: boolean }) => f.complete), [false, true]);
  assert.deepEqual(lease.body.envelope, JSON.parse(JSON.stringify(envelope)));
  const incomplete = await api(portal, '/api/worker/shipments/ship-1/files/f0', portal.workerCredential);
  assert.equal(incomplete.status, 409);
  assert.equal(incomplete.body.error.code, 'E_FILE_INCOMPLETE');

  await upload(portal, link.token, files[0]!, { shipmentId: 'ship-1', fileId: 'f0' });
  const status = await api(portal, '/api/sender/shipments/ship-1', link.token);
  assert.equal(status.body.state, 'importing', 'leased while uploading: importing once the last file is in');
  assert.deepEqual(status.body.files.map((f: { received: number; complete: boolean }) => [f.received, f.complete]), [[200_000, true], [1000, true]]);

  const beat = await api(portal, '/api/worker/shipments/ship-1/heartbeat', portal.workerCredential, { method: 'POST', body: JSON.stringify({ leaseToken: lease.body.leaseToken }) });
  assert.equal(beat.status, 200);
  assert.equal(beat.body.state, 'importing');

  const whole = await fetch(`${portal.url}/api/worker/shipments/ship-1/files/f0`, { headers: worker });
  assert.equal(whole.status, 200);
  // The whole-file fast path (file-download.ts) answers with the same headers as sendFile.
  assert.equal(whole.headers.get('content-type'), 'application/octet-stream');
  assert.equal(whole.headers.get('content-disposition'), 'attachment');
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.equal(whole.headers.get('cache-control'), 'no-store');
  assert.equal(whole.headers.get('content-length'), String(files[0]!.length));
  assert.equal(sha256(new Uint8Array(await whole.arrayBuffer())), sha256(new Uint8Array(files[0]!)));
  const part = await fetch(`${portal.url}/api/worker/shipments/ship-1/files/f0`, { headers: { ...worker, Range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), files[0]!.subarray(1000, 2000));

  const report = { leaseToken: lease.body.leaseToken, files: [{ fileId: 'f0', outcome: 'stored', sopInstanceUid: '1.2.3' }, { fileId: 'f1', outcome: 'rejected', code: 'E_NOT_DICOM', reason: '<script>x</script>' }] };
  assert.equal((await api(portal, '/api/worker/shipments/ship-1/report', portal.workerCredential, { method: 'POST', body: JSON.stringify(report) })).status, 200);
  assert.equal((await api(portal, '/api/worker/shipments/ship-1/report', portal.workerCredential, { method: 'POST', body: JSON.stringify(report) })).status, 200, 'report is idempotent');
  const fin = { leaseToken: lease.body.leaseToken, state: 'imported-with-failures' };
  assert.equal((await api(portal, '/api/worker/shipments/ship-1/finish', portal.workerCredential, { method: 'POST', body: JSON.stringify(fin) })).status, 200);
  assert.equal((await api(portal, '/api/worker/shipments/ship-1/finish', portal.workerCredential, { method: 'POST', body: JSON.stringify(fin) })).status, 200, 'finish is idempotent');

  const final = await api(portal, '/api/sender/shipments/ship-1', link.token);
  assert.equal(final.body.state, 'imported-with-failures');
  assert.equal(final.body.outcome.files.stored, 1);
  assert.equal(final.body.outcome.files.rejected, 1);
  const none = await api(portal, '/api/worker/lease', portal.workerCredential, { method: 'POST', body: '{}' });
  assert.equal(none.status, 204);
  assert.equal(portal.portal.ctx.stores.audit.verifyChain().ok, true);
  const actions = [...portal.portal.ctx.stores.audit.all()].map((r) => r.action);
  for (const action of ['link.created', 'link.opened', 'shipment.created', 'shipment.leased', 'shipment.received', 'shipment.imported']) assert.ok(actions.includes(action), action);
});
