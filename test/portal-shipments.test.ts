// POST /api/sender/shipments: quotas before any byte, strict ids and envelope, resume semantics, inert text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

describe('shipment creation', () => {
  let tp: TestPortal;
  let envelope: object;
  before(async () => {
    tp = await startTestPortal();
    const probe = await tp.createLink();
    envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(probe.token, { type: 'bearer' })).body.publicKey);
  });
  after(() => tp.stop());

  const create = (token: string, body: unknown) => request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' }).send(body as object);
  async function refused(token: string, body: unknown, status: number, code: string, shipmentId?: string): Promise<void> {
    const res = await create(token, body);
    assert.equal(res.status, status, res.text);
    assert.equal(res.body.error.code, code);
    if (shipmentId) {
      const view = await request(tp.server).get(`/api/sender/shipments/${shipmentId}`).auth(token, { type: 'bearer' });
      assert.equal(view.status, 404, 'nothing was stored');
    }
  }

  test('the shipment quota is checked before any byte (413 E_QUOTA_SHIPMENTS)', async () => {
    const { token } = await tp.createLink({ maxShipments: 1 });
    assert.equal((await create(token, { shipmentId: 'q1', envelope, files: [{ fileId: 'a', size: 5 }] })).status, 201);
    await refused(token, { shipmentId: 'q2', envelope, files: [{ fileId: 'a', size: 5 }] }, 413, 'E_QUOTA_SHIPMENTS', 'q2');
  });
  test('the byte quota is checked before any byte (413 E_QUOTA_BYTES)', async () => {
    const { token } = await tp.createLink({ maxBytes: 1000 });
    await refused(token, { shipmentId: 'big', envelope, files: [{ fileId: 'a', size: 600 }, { fileId: 'b', size: 600 }] }, 413, 'E_QUOTA_BYTES', 'big');
    assert.equal((await create(token, { shipmentId: 'fits', envelope, files: [{ fileId: 'a', size: 1000 }] })).status, 201);
  });
  test('shipment ids outside [A-Za-z0-9_-]{1,64}', async () => {
    const { token } = await tp.createLink();
    for (const shipmentId of ['../x', '', 'a'.repeat(65), '<script>', 42]) {
      await refused(token, { shipmentId, envelope, files: [{ fileId: 'a', size: 5 }] }, 400, 'E_SHIPMENT_INVALID');
    }
  });
  test('bad file lists', async () => {
    const { token } = await tp.createLink();
    for (const files of [[], [{ fileId: 'a', size: 0 }], [{ fileId: 'a', size: -1 }], [{ fileId: 'a', size: 1.5 }], [{ fileId: 'a', size: 1 }, { fileId: 'a', size: 1 }], [{ fileId: '../a', size: 1 }], 'x']) {
      await refused(token, { shipmentId: 'files', envelope, files }, 400, 'E_SHIPMENT_INVALID', 'files');
    }
  });
  test('an envelope that is not a general JSON JWE', async () => {
    const { token } = await tp.createLink();
    const env = envelope as Record<string, unknown>;
    const zipHeader = Buffer.from(JSON.stringify({ enc: 'A256GCM', zip: 'DEF' })).toString('base64url');
    for (const bad of ['eyJ.compact.jwe.string.x', null, { ...env, recipients: [] }, { ...env, ciphertext: 'not base64url!' }, { ...env, protected: zipHeader }, { ...env, protected: 'bm90IGpzb24' }]) {
      await refused(token, { shipmentId: 'env', envelope: bad, files: [{ fileId: 'a', size: 5 }] }, 400, 'E_ENVELOPE_INVALID', 'env');
    }
  });
  test('the same id with other files is a conflict; from another link too', async () => {
    const a = await tp.createLink();
    const b = await tp.createLink();
    assert.equal((await create(a.token, { shipmentId: 'dup', envelope, files: [{ fileId: 'a', size: 5 }] })).status, 201);
    await refused(a.token, { shipmentId: 'dup', envelope, files: [{ fileId: 'a', size: 6 }] }, 409, 'E_SHIPMENT_CONFLICT');
    await refused(b.token, { shipmentId: 'dup', envelope, files: [{ fileId: 'a', size: 5 }] }, 409, 'E_SHIPMENT_CONFLICT');
  });
  test('oversized JSON bodies are refused (413 E_BODY_TOO_LARGE)', async () => {
    const { token } = await tp.createLink();
    const res = await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' }).set('Content-Type', 'application/json')
      .send(`{"shipmentId":"huge","pad":"${'x'.repeat(17 * 1024 * 1024)}"}`);
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'E_BODY_TOO_LARGE');
    const login = await request(tp.server).post('/api/receiver/login').set('Content-Type', 'application/json').send(`{"email":"${'x'.repeat(100_000)}"}`);
    assert.equal(login.status, 413);
    assert.equal(login.body.error.code, 'E_BODY_TOO_LARGE');
  });
  test('malformed JSON gets 400 E_BAD_REQUEST', async () => {
    const { token } = await tp.createLink();
    const res = await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' }).set('Content-Type', 'application/json').send('{"shipmentId":');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'E_BAD_REQUEST');
  });
  test('names and notes with HTML are stored verbatim and returned as inert JSON', async () => {
    const evil = '<img src=x onerror=alert(1)>\u202e';
    const link = await tp.createLink({ sender: evil, note: '<script>alert(1)</script>', contact: '{{7*7}}' });
    const res = await request(tp.server).get('/api/sender/link').auth(link.token, { type: 'bearer' });
    assert.equal(res.status, 200);
    assert.equal(res.body.sender.name, evil);
    assert.equal(res.body.note, '<script>alert(1)</script>');
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.headers['content-security-policy'], /script-src 'self'/);
    assert.doesNotMatch(res.headers['content-security-policy'], /unsafe-inline/);
  });
  test('security headers: CSP frame-ancestors none, no referrer, no caching of API answers', async () => {
    const res = await request(tp.server).get('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-powered-by'], undefined);
  });
});
