// The worker pull API: lease expiry returns a crashed worker's shipment, lease tokens guard every call,
// transfers come before other shipments, release and finish are idempotent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

async function shipment(tp: TestPortal, purpose: 'transfer' | 'consult' | 'internal', shipmentId: string, complete: boolean) {
  const link = await tp.createLink({ purpose });
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(link.token, { type: 'bearer' })).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(link.token, { type: 'bearer' }).send({ shipmentId, envelope, files: [{ fileId: 'f', size: 3 }] }).expect(201);
  if (complete) {
    await request(tp.server).post('/uploads/').auth(link.token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '3')
      .set('Upload-Metadata', `shipmentId ${Buffer.from(shipmentId).toString('base64')},fileId ${Buffer.from('f').toString('base64')}`)
      .set('Content-Type', 'application/offset+octet-stream').send(Buffer.from('abc')).expect(201);
  }
}

test('lease order, expiry, lease tokens, release and finish', async (t) => {
  let now = Date.now();
  const tp = await startTestPortal({ now: () => now, env: { BEELDPOORT_LEASE_SECONDS: '60' } });
  t.after(() => tp.stop());
  const worker = (path: string, body: object = {}) => request(tp.server).post(`/api/worker${path}`).auth(tp.workerCredential, { type: 'bearer' }).send(body);

  const noAuth = await request(tp.server).post('/api/worker/lease').auth('wrong', { type: 'bearer' }).send({});
  assert.equal(noAuth.status, 401);
  assert.equal(noAuth.body.error.code, 'E_WORKER_UNAUTHORIZED');

  await shipment(tp, 'internal', 'internal-1', true);
  now += 1000;
  await shipment(tp, 'transfer', 'transfer-1', true);
  await shipment(tp, 'internal', 'incomplete', false);
  const first = await worker('/lease', { workerId: 'w1' }).expect(200);
  assert.equal(first.body.shipmentId, 'transfer-1', 'urgent transfers first');
  assert.equal(first.body.urgent, true);
  const second = await worker('/lease', { workerId: 'w1' }).expect(200);
  assert.equal(second.body.shipmentId, 'internal-1');
  assert.equal((await worker('/lease', { workerId: 'w1' })).status, 204, 'an incomplete non-transfer is not offered');

  // w1 "crashes": its lease on internal-1 expires and another worker gets it.
  now += 61_000;
  await worker('/shipments/transfer-1/heartbeat', { leaseToken: first.body.leaseToken }).expect(200);
  const taken = await worker('/lease', { workerId: 'w2' }).expect(200);
  assert.equal(taken.body.shipmentId, 'internal-1');
  assert.notEqual(taken.body.leaseToken, second.body.leaseToken);
  const lost = await worker('/shipments/internal-1/report', { leaseToken: second.body.leaseToken, files: [{ fileId: 'f', outcome: 'stored' }] });
  assert.equal(lost.status, 409);
  assert.equal(lost.body.error.code, 'E_LEASE_LOST');
  assert.equal((await worker('/shipments/internal-1/heartbeat', { leaseToken: second.body.leaseToken })).body.error.code, 'E_LEASE_LOST');

  // release gives it back (idempotently); finish is final and idempotent.
  await worker('/shipments/internal-1/release', { leaseToken: taken.body.leaseToken, reason: 'PACS down' }).expect(200);
  await worker('/shipments/internal-1/release', { leaseToken: taken.body.leaseToken, reason: 'PACS down' }).expect(200);
  const back = await worker('/lease', { workerId: 'w2' }).expect(200);
  assert.equal(back.body.shipmentId, 'internal-1');
  await worker('/shipments/internal-1/finish', { leaseToken: back.body.leaseToken, state: 'failed', reason: 'E_PACS_REJECTED' }).expect(200);
  await worker('/shipments/internal-1/finish', { leaseToken: back.body.leaseToken, state: 'failed' }).expect(200);
  const conflicting = await worker('/shipments/internal-1/finish', { leaseToken: back.body.leaseToken, state: 'imported' });
  assert.equal(conflicting.body.error.code, 'E_STATE_CONFLICT');
  const badState = await worker('/shipments/transfer-1/finish', { leaseToken: first.body.leaseToken, state: 'done' });
  assert.equal(badState.body.error.code, 'E_BAD_REQUEST');
  const unknownFile = await worker('/shipments/transfer-1/report', { leaseToken: first.body.leaseToken, files: [{ fileId: 'nope', outcome: 'stored' }] });
  assert.equal(unknownFile.body.error.code, 'E_BAD_REQUEST');
  const actions = [...tp.portal.ctx.stores.audit.all()].map((r) => r.action);
  assert.equal(actions.filter((a) => a === 'shipment.failed').length, 1, 'a repeated finish is not audited twice');
});
