// Graceful shutdown lets an in-flight PATCH finish; `beeldpoort start` creates keys, says how to add the first
// user and stops cleanly on SIGTERM; the pages are served with the strict CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { closeServer } from '../server/portal/listen.ts';
import { createPortal } from '../server/portal/create-portal.ts';
import { openStores } from '../server/portal/db/stores.ts';
import { spawnPeer } from './helpers/child.ts';
import { waitUntil } from './helpers/ports.ts';
import { makeEnvelope, startTestPortal } from './helpers/portal.ts';
import { makeTempDir } from './helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));

test('graceful shutdown: an in-flight PATCH ends cleanly and is recorded; new connections are refused', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  const envelope = await makeEnvelope(tp.portal.ctx.keys.institutionPublic);
  await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' }).send({ shipmentId: 'g', envelope, files: [{ fileId: 'f', size: 200_000 }] }).expect(201);
  const created = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').set('Upload-Length', '200000')
    .set('Upload-Metadata', `shipmentId ${Buffer.from('g').toString('base64')},fileId ${Buffer.from('f').toString('base64')}`).expect(201);
  const stored = path.join(tp.dataDir, 'uploads', path.basename(created.headers.location!));

  const answer = new Promise<number>((resolve, reject) => {
    const patch = http.request(`${tp.url}${created.headers.location}`, { method: 'PATCH', headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', 'Content-Length': '200000' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    patch.on('error', reject);
    patch.write(Buffer.alloc(100_000, 5));
    void waitUntil(async () => existsSync(stored) && (await import('node:fs')).statSync(stored).size >= 100_000, { timeoutMs: 20_000, what: 'first half on disk' })
      .then(() => {
        closing = closeServer(tp.server, tp.portal, 20_000);
        return waitUntil(async () => !(await new Promise<boolean>((r) => http.get(`${tp.url}/healthz`, () => r(true)).on('error', () => r(false)))),
          { timeoutMs: 20_000, what: 'listener closed' });
      })
      .then(() => patch.end(Buffer.alloc(100_000, 6)), reject);
  });
  let closing: Promise<void> | undefined;
  assert.equal(await answer, 204);
  await closing;
  const stores = openStores(tp.dataDir); // the portal's own handle closed with it
  t.after(() => stores.close());
  assert.equal(stores.shipments.get('g')!.state, 'received');
});

test('beeldpoort start: keys on first start, how to add the first user, clean stop on SIGTERM', async (t) => {
  const temp = makeTempDir('beeldpoort-start-');
  const peer = spawnPeer(process.execPath, [BIN, 'start'], {
    env: { ...process.env, BEELDPOORT_DATA: temp.dir, BEELDPOORT_PORT: '0', BEELDPOORT_HOST: '127.0.0.1', BEELDPOORT_LOG_LEVEL: 'silent' },
  });
  t.after(async () => {
    await peer.stop();
    temp.remove();
  });
  await waitUntil(async () => /user add/.test(peer.log()), { timeoutMs: 30_000, what: 'beeldpoort start', failed: peer.exited, describe: peer.log });
  const port = Number(/\{"listening":(\d+)/.exec(peer.log())![1]);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.deepEqual(await health.json(), { ok: true });
  assert.ok(existsSync(path.join(temp.dir, 'keys', 'institution.public.jwk')));
  assert.ok(existsSync(path.join(temp.dir, 'worker', 'institution.private.jwk')));
  peer.child.kill('SIGTERM');
  await waitUntil(async () => peer.exited() !== undefined, { timeoutMs: 20_000, what: 'stop', describe: peer.log });
  assert.equal(peer.exited(), 'exit code 0');
});

test('pages are served with the strict CSP; their TypeScript sources are not', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  const client = makeTempDir('beeldpoort-client-');
  t.after(() => client.remove());
  mkdirSync(path.join(client.dir, 'sender'));
  mkdirSync(path.join(client.dir, 'dist'));
  writeFileSync(path.join(client.dir, 'sender', 'index.html'), '<!doctype html><script type="module" src="/dist/sender.js"></script>');
  writeFileSync(path.join(client.dir, 'sender', 'main.ts'), 'secret source');
  writeFileSync(path.join(client.dir, 'dist', 'sender.js'), 'console.log(1)');
  const portal = await createPortal(tp.config, { clientDir: client.dir, sweepIntervalMs: 0 });
  t.after(() => portal.close());
  const page = await request(portal.app).get('/s/').expect(200);
  assert.match(page.text, /dist\/sender\.js/);
  assert.match(page.headers['content-security-policy'], /script-src 'self'/);
  assert.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal((await request(portal.app).get('/s')).status, 301);
  assert.equal((await request(portal.app).get('/dist/sender.js')).status, 200);
  assert.equal((await request(portal.app).get('/s/main.ts')).status, 404);
  assert.equal((await request(portal.app).get('/s/..%2F..%2Fpackage.json')).status, 404);
  assert.equal((await request(portal.app).get('/app/')).status, 404, 'no dashboard built: 404');
});

test('shutdown ends open dashboard event streams at once instead of waiting for the grace period', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  await tp.addUser('rad@hospital.nl', 'a long enough password');
  const login = await request(tp.server).post('/api/receiver/login').send({ email: 'rad@hospital.nl', password: 'a long enough password' }).expect(200);
  const cookie = (login.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
  const ended = new Promise<boolean>((resolve, reject) => {
    http.get(`${tp.url}/api/receiver/events`, { headers: { Cookie: cookie } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.complete));
      res.on('error', reject);
      void waitUntil(async () => true, { timeoutMs: 1000, what: 'connected' }).then(() => tp.stop());
    }).on('error', reject);
  });
  // Ended by the portal (a complete chunked answer), not cut by closeAllConnections after the grace period.
  assert.equal(await ended, true);
  assert.equal(tp.server.listening, false);
});
