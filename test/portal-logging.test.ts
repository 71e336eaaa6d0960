// Logs: one line per request, and no link token, worker credential, cookie or password ever in them.
// Sessions end after the idle limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createPortal, REDACT } from '../server/portal/create-portal.ts';
import { SESSION_IDLE_MS } from '../server/portal/receiver/sessions.ts';
import { startTestPortal } from './helpers/portal.ts';

test('request logs carry no tokens, credentials, cookies or passwords', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  let logged = '';
  const sink = new Writable({ write(chunk, _enc, done) { logged += chunk.toString(); done(); } });
  const portal = await createPortal(tp.config, { log: pino({ level: 'info', redact: { paths: REDACT, censor: '[redacted]' } }, sink), sweepIntervalMs: 0 });
  t.after(() => portal.close());
  const link = await tp.createLink();
  await tp.addUser('rad@hospital.nl', 'a long enough password');
  await request(portal.app).get('/api/sender/link').auth(link.token, { type: 'bearer' }).expect(200);
  await request(portal.app).get('/api/sender/link').auth(`${link.token}x`, { type: 'bearer' }).expect(401);
  await request(portal.app).post('/api/worker/lease').auth(tp.workerCredential, { type: 'bearer' }).send({}).expect(204);
  const login = await request(portal.app).post('/api/receiver/login').send({ email: 'rad@hospital.nl', password: 'a long enough password' }).expect(200);
  const cookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  await request(portal.app).get('/api/receiver/me?token=abc').set('Cookie', cookie).expect(200);
  portal.ctx.log.info({ req: { headers: { authorization: `Bearer ${link.token}`, cookie } }, leaseToken: 'secret-lease' }, 'explicit');
  assert.equal(logged.trim().split('\n').filter((l) => l.includes('"msg":"request"')).length, 5);
  for (const secret of [link.token, link.token.split('.')[2]!, tp.workerCredential, cookie.split('=')[1]!, 'a long enough password', 'secret-lease', 'token=abc']) {
    assert.ok(!logged.includes(secret), `log contains ${secret.slice(0, 12)}…`);
  }
  assert.match(logged, /\[redacted\]/);
});

test('a receiver session ends after the idle limit', async (t) => {
  let now = Date.now();
  const tp = await startTestPortal({ now: () => now });
  t.after(() => tp.stop());
  await tp.addUser('rad@hospital.nl', 'a long enough password');
  const login = await request(tp.server).post('/api/receiver/login').send({ email: 'rad@hospital.nl', password: 'a long enough password' }).expect(200);
  const cookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  now += SESSION_IDLE_MS - 60_000;
  await request(tp.server).get('/api/receiver/me').set('Cookie', cookie).expect(200);
  now += SESSION_IDLE_MS + 1;
  const expired = await request(tp.server).get('/api/receiver/me').set('Cookie', cookie);
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error.code, 'E_SESSION_REQUIRED');
});
