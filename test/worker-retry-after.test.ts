/**
 * The worker pull API's retry-after (W12: a stalled or poison shipment must not block the queue): a shipment
 * released with `retryAfterSeconds` is not offered again before that time, the shipments behind it are offered
 * instead, and once the time has passed it is offered again. The value is bounded; the release is audited with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { MAX_RETRY_AFTER_SECONDS } from '../server/portal/worker-api/leases.ts';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

async function completeShipment(tp: TestPortal, purpose: 'transfer' | 'internal', shipmentId: string) {
  const link = await tp.createLink({ purpose });
  const auth = { type: 'bearer' } as const;
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(link.token, auth)).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(link.token, auth).send({ shipmentId, envelope, files: [{ fileId: 'f', size: 3 }] }).expect(201);
  await request(tp.server).post('/uploads/').auth(link.token, auth).set('Tus-Resumable', '1.0.0').set('Upload-Length', '3')
    .set('Upload-Metadata', `shipmentId ${Buffer.from(shipmentId).toString('base64')},fileId ${Buffer.from('f').toString('base64')}`)
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.from('abc')).expect(201);
}

test('a shipment released with retryAfterSeconds waits; the ones behind it are offered first; then it comes back', async (t) => {
  let now = Date.now();
  const tp = await startTestPortal({ now: () => now, env: { BEELDPOORT_LEASE_SECONDS: '60' } });
  t.after(() => tp.stop());
  const worker = (path: string, body: object = {}) => request(tp.server).post(`/api/worker${path}`).auth(tp.workerCredential, { type: 'bearer' }).send(body);

  await completeShipment(tp, 'transfer', 'stalled');
  now += 1000;
  await completeShipment(tp, 'internal', 'behind');

  const first = await worker('/lease', { workerId: 'w' }).expect(200);
  assert.equal(first.body.shipmentId, 'stalled', 'the urgent transfer comes first');
  for (const retryAfterSeconds of [-1, 1.5, '60', MAX_RETRY_AFTER_SECONDS + 1]) {
    const bad = await worker('/shipments/stalled/release', { leaseToken: first.body.leaseToken, reason: 'x', retryAfterSeconds });
    assert.equal(bad.status, 400, `retryAfterSeconds ${JSON.stringify(retryAfterSeconds)} refused`);
    assert.equal(bad.body.error.code, 'E_BAD_REQUEST');
  }
  await worker('/shipments/stalled/release', { leaseToken: first.body.leaseToken, reason: 'E_UPLOAD_INCOMPLETE', retryAfterSeconds: 120 }).expect(200);

  const next = await worker('/lease', { workerId: 'w' }).expect(200);
  assert.equal(next.body.shipmentId, 'behind', 'the shipment behind it is offered while the transfer waits');
  await worker(`/shipments/behind/finish`, { leaseToken: next.body.leaseToken, state: 'imported' }).expect(200);
  assert.equal((await worker('/lease', { workerId: 'w' })).status, 204, 'not offered before its retry-after');

  now += 119_000;
  assert.equal((await worker('/lease', { workerId: 'w' })).status, 204, 'still not, one second before');
  now += 1000;
  const again = await worker('/lease', { workerId: 'w' }).expect(200);
  assert.equal(again.body.shipmentId, 'stalled', 'offered again once the retry-after has passed');
  assert.equal(tp.portal.ctx.stores.shipments.get('stalled')!.notBefore, null, 'a new lease clears the hold');

  // A release without retryAfterSeconds (a stopping worker) lets it be offered at once, as before.
  await worker('/shipments/stalled/release', { leaseToken: again.body.leaseToken, reason: 'E_STOPPING' }).expect(200);
  assert.equal((await worker('/lease', { workerId: 'w' }).expect(200)).body.shipmentId, 'stalled');

  const released = tp.portal.ctx.stores.audit.list({ objectId: 'stalled' }).filter((r) => r.action === 'shipment.released');
  assert.deepEqual(released.map((r) => r.details).reverse(), [{ reason: 'E_UPLOAD_INCOMPLETE', retryAfterSeconds: 120 }, { reason: 'E_STOPPING' }]);
});
