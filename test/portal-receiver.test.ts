// Receivers: login/session/CSRF, links through the API, the consultation consent flow, audit access, events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import request from 'supertest';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';

const PASSWORD = 'correct horse battery';

async function login(tp: TestPortal, email: string, password = PASSWORD) {
  const res = await request(tp.server).post('/api/receiver/login').send({ email, password });
  const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0]?.split(';')[0] ?? '';
  return { res, cookie, csrf: res.body.csrfToken as string };
}

test('login sets a HttpOnly SameSite=Strict cookie; state changes need the CSRF token; logout ends the session', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  await tp.addUser('rad@hospital.nl', PASSWORD);
  const { res, cookie, csrf } = await login(tp, 'RAD@hospital.nl');
  assert.equal(res.status, 200);
  const setCookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.doesNotMatch(setCookie, /Secure/, 'http://127.0.0.1 must work without Secure');
  assert.equal(res.body.user.role, 'radiologist');

  assert.equal((await request(tp.server).get('/api/receiver/me')).body.error.code, 'E_SESSION_REQUIRED');
  assert.equal((await request(tp.server).get('/api/receiver/me').set('Cookie', cookie)).body.csrfToken, csrf);

  const body = { purpose: 'consult', sender: { name: 'UMC <Zuid>', contact: '010-1234567' }, expires: '2d', maxShipments: 2 };
  const noCsrf = await request(tp.server).post('/api/receiver/links').set('Cookie', cookie).send(body);
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.body.error.code, 'E_CSRF');
  const wrongOrigin = await request(tp.server).post('/api/receiver/links').set('Cookie', cookie).set('X-CSRF-Token', csrf).set('Origin', 'https://evil.example').send(body);
  assert.equal(wrongOrigin.body.error.code, 'E_CSRF');
  const created = await request(tp.server).post('/api/receiver/links').set('Cookie', cookie).set('X-CSRF-Token', csrf).send(body);
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.url, /\/s\/#ey/);
  assert.match(created.body.code, /^[A-Z0-9]{6}$/);

  const list = await request(tp.server).get('/api/receiver/links').set('Cookie', cookie).expect(200);
  const listed = list.body.links.find((l: { id: string }) => l.id === created.body.id);
  assert.equal(listed.status, 'active');
  assert.equal(listed.issuedBy.email, 'rad@hospital.nl');
  assert.equal(listed.sender.name, 'UMC <Zuid>');

  const token = created.body.url.split('#')[1];
  assert.equal((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.issuedBy.email, 'rad@hospital.nl');
  const revoked = await request(tp.server).post(`/api/receiver/links/${created.body.id}/revoke`).set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(200);
  assert.equal(revoked.body.status, 'revoked');
  assert.equal((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.error.code, 'E_LINK_REVOKED');

  await request(tp.server).post('/api/receiver/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
  assert.equal((await request(tp.server).get('/api/receiver/me').set('Cookie', cookie)).status, 401);
});

test('login brute force: after 5 failures even the right password gets 429, and failures are audited', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  await tp.addUser('admin@hospital.nl', PASSWORD, 'admin');
  for (let i = 0; i < 5; i++) {
    const { res } = await login(tp, 'admin@hospital.nl', `wrong-${i}`);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'E_LOGIN_FAILED');
  }
  const { res } = await login(tp, 'admin@hospital.nl');
  assert.equal(res.status, 429);
  assert.equal(res.body.error.code, 'E_RATE_LIMITED');
  const unknown = await login(tp, 'nobody@hospital.nl', 'whatever-password');
  assert.equal(unknown.res.body.error.code, 'E_LOGIN_FAILED', 'unknown accounts fail the same way');
  const actions = [...tp.portal.ctx.stores.audit.all()].map((r) => r.action);
  assert.equal(actions.filter((a) => a === 'login.failed').length, 6);
  assert.ok(actions.includes('login.blocked'));
});

test('a consultation is held after its statements until a receiver verifies the consent; events report it', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  await tp.addUser('admin@hospital.nl', PASSWORD, 'admin');
  const { cookie, csrf } = await login(tp, 'admin@hospital.nl');
  const link = await tp.createLink({ purpose: 'consult' });
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(link.token, { type: 'bearer' })).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(link.token, { type: 'bearer' }).send({ shipmentId: 'c1', envelope, files: [{ fileId: 'f', size: 4 }] }).expect(201);

  // Listen to the event stream before anything changes.
  const events: string[] = [];
  const stream = http.get(`${tp.url}/api/receiver/events`, { headers: { Cookie: cookie } });
  const connected = new Promise<http.IncomingMessage>((resolve) => stream.on('response', resolve));
  const response = await connected;
  assert.equal(response.headers['content-type'], 'text/event-stream');
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => events.push(chunk));
  t.after(() => stream.destroy());

  await request(tp.server).post('/uploads/').auth(link.token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '4')
    .set('Upload-Metadata', `shipmentId ${Buffer.from('c1').toString('base64')},fileId ${Buffer.from('f').toString('base64')}`)
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.from('abcd')).expect(201);
  const worker = (path: string, body: object) => request(tp.server).post(`/api/worker${path}`).auth(tp.workerCredential, { type: 'bearer' }).send(body);

  const consentTooEarly = await request(tp.server).post('/api/receiver/shipments/c1/consent').set('Cookie', cookie).set('X-CSRF-Token', csrf);
  assert.equal(consentTooEarly.body.error.code, 'E_STATE_CONFLICT');
  const lease = await worker('/lease', { workerId: 'w' }).expect(200);
  const statements = { consent: { recordedBy: 'Dr. <b>A</b>', date: '2026-11-01', reference: 'REF-1' } };
  const summary = { studies: [{ studyInstanceUid: '1.2.3', date: '20261101', modalities: ['CT'], description: 'CT <script>', series: 1, instances: 1 }], instances: 1, files: 1 };
  const held = await worker('/shipments/c1/statements', { leaseToken: lease.body.leaseToken, statements, summary }).expect(200);
  assert.equal(held.body.state, 'held');
  await worker('/shipments/c1/release', { leaseToken: lease.body.leaseToken, reason: 'held' }).expect(200);
  assert.equal((await worker('/lease', { workerId: 'w' })).status, 204, 'a held consultation is not offered');

  const detail = await request(tp.server).get('/api/receiver/shipments/c1').set('Cookie', cookie).expect(200);
  assert.equal(detail.body.state, 'held');
  assert.deepEqual(detail.body.statements, statements);
  assert.equal(detail.body.summary.studies[0].description, 'CT <script>');
  const consent = await request(tp.server).post('/api/receiver/shipments/c1/consent').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(200);
  assert.equal(consent.body.state, 'received');
  const again = await worker('/lease', { workerId: 'w' }).expect(200);
  assert.equal(again.body.shipmentId, 'c1');
  assert.equal(again.body.state, 'importing');

  const list = await request(tp.server).get('/api/receiver/shipments').set('Cookie', cookie).expect(200);
  assert.equal(list.body.shipments[0].shipmentId, 'c1');
  assert.ok(events.join('').includes('"shipmentId":"c1","state":"held"'), events.join(''));
  assert.ok(events.join('').includes('"state":"importing"'));
  const actions = [...tp.portal.ctx.stores.audit.all()].map((r) => r.action);
  for (const action of ['shipment.held', 'consent.verified', 'shipment.viewed', 'login']) assert.ok(actions.includes(action), action);
});

test('the audit trail is for admins, as JSON, JSON lines and CSV', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  await tp.addUser('admin@hospital.nl', PASSWORD, 'admin');
  await tp.addUser('rad@hospital.nl', PASSWORD, 'radiologist');
  await tp.createLink();
  const rad = await login(tp, 'rad@hospital.nl');
  const forbidden = await request(tp.server).get('/api/receiver/audit').set('Cookie', rad.cookie);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.error.code, 'E_FORBIDDEN');
  const admin = await login(tp, 'admin@hospital.nl');
  const json = await request(tp.server).get('/api/receiver/audit?limit=2').set('Cookie', admin.cookie).expect(200);
  assert.equal(json.body.records.length, 2);
  assert.ok(json.body.records[0].seq > json.body.records[1].seq, 'newest first');
  const jsonl = await request(tp.server).get('/api/receiver/audit?format=jsonl').set('Cookie', admin.cookie).expect(200);
  const lines = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].seq, 1);
  const csv = await request(tp.server).get('/api/receiver/audit?format=csv').set('Cookie', admin.cookie).expect(200);
  assert.match(csv.text, /^seq,at,actorKind/);
  // header + every record, including the 'audit.exported' record the JSON-lines export just added
  assert.equal(csv.text.trim().split('\r\n').length, lines.length + 2);
});

test('the audit review filters by link, shipment, user and period and reports the chain', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  await tp.addUser('admin@hospital.nl', PASSWORD, 'admin');
  await tp.addUser('rad@hospital.nl', PASSWORD, 'radiologist');
  const rad = await login(tp, 'rad@hospital.nl');
  const created = await request(tp.server).post('/api/receiver/links').set('Cookie', rad.cookie).set('X-CSRF-Token', rad.csrf)
    .send({ purpose: 'internal', sender: { name: 'Afdeling' } }).expect(201);
  const other = await tp.createLink();
  const envelope = await makeEnvelope(tp.portal.ctx.keys.institutionPublic);
  await request(tp.server).post('/api/sender/shipments').auth(created.body.url.split('#')[1], { type: 'bearer' }).send({ shipmentId: 'a1', envelope, files: [{ fileId: 'f', size: 4 }] }).expect(201);
  await request(tp.server).post('/api/sender/shipments').auth(other.token, { type: 'bearer' }).send({ shipmentId: 'b1', envelope, files: [{ fileId: 'f', size: 4 }] }).expect(201);
  const admin = await login(tp, 'admin@hospital.nl');
  const query = async (q: string) => (await request(tp.server).get(`/api/receiver/audit?${q}`).set('Cookie', admin.cookie).expect(200)).body;

  const all = await query('');
  assert.deepEqual(all.chain, { ok: true, count: all.records.length });
  const ofLink = (await query(`linkId=${created.body.id}`)).records.map((r: { action: string; objectId: string }) => `${r.action}:${r.objectId}`);
  assert.deepEqual(ofLink.sort(), [`link.created:${created.body.id}`, 'shipment.created:a1'].sort());
  assert.deepEqual((await query('shipmentId=b1')).records.map((r: { action: string }) => r.action), ['shipment.created']);
  const ofUser = (await query('user=rad@hospital.nl')).records;
  assert.deepEqual(ofUser.map((r: { action: string }) => r.action).sort(), ['link.created', 'login']);
  assert.ok(ofUser.every((r: { actorName: string }) => r.actorName === 'rad@hospital.nl'));
  assert.deepEqual((await query('user=nobody@hospital.nl')).records, []);
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  assert.equal((await query(`from=${today}&to=${today}`)).records.length, all.records.length);
  assert.deepEqual((await query(`from=${tomorrow}`)).records, []);
  const bad = await request(tp.server).get('/api/receiver/audit?from=yesterday').set('Cookie', admin.cookie);
  assert.equal(bad.body.error.code, 'E_BAD_REQUEST');
  const csv = await request(tp.server).get('/api/receiver/audit?format=csv&shipmentId=a1').set('Cookie', admin.cookie).expect(200);
  assert.deepEqual(csv.text.trim().split('\r\n').slice(1).map((line) => line.includes('a1')), [true]);
});
