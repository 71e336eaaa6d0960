// Slow and abandoned clients at scale (reliability.md L4): 500 connections trickling a request head a byte at a time
// (slowloris) and a PATCH that stalls half-way, while a healthy sender uploads. The healthy upload completes; every
// slow head is answered 408 and closed once headersTimeout passes; the stalled PATCH's socket is cut by the idle
// timeout and the octets it delivered are kept (HEAD reports them); the process ends with no connection left over.
// The timeouts are shortened so the test takes seconds; nothing below asserts how fast anything is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import request from 'supertest';
import { makeEnvelope, startTestPortal } from './helpers/portal.ts';
import { waitUntil } from './helpers/ports.ts';

const SLOW = 500;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const openFds = () => readdirSync('/proc/self/fd').length;

interface Raw {
  socket: net.Socket;
  received(): string;
  closed(): boolean;
}

function connect(port: number): Promise<Raw> {
  return new Promise((resolve, reject) => {
    let text = '';
    let closed = false;
    const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, received: () => text, closed: () => closed }));
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined); // a reset after the 408 is expected
    socket.once('error', reject);
  });
}

test(`${SLOW} slowloris heads and a stalled PATCH do not stop a healthy upload; the heads get 408, the stall is cut and its octets kept`, async (t) => {
  const tp = await startTestPortal({ httpTimeouts: { headersTimeoutMs: 3_000, checkIntervalMs: 100, idleTimeoutMs: 1_000 } });
  t.after(() => tp.stop());
  const { token } = await tp.createLink();
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' })
    .send({ shipmentId: 'busy', envelope, files: [{ fileId: 'healthy', size: 3000 }, { fileId: 'stalled', size: 3000 }] }).expect(201);
  const fdsBefore = openFds();

  // The slow heads: one header line, then one more byte every 200 ms (never idle, never complete).
  const slow = await Promise.all(Array.from({ length: SLOW }, () => connect(tp.port)));
  for (const client of slow) client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  const trickle = setInterval(() => {
    for (const client of slow) if (!client.closed()) client.socket.write('a');
  }, 200);
  t.after(() => clearInterval(trickle));

  // The stalled PATCH: an upload created, then 1,000 of its 3,000 octets, then silence.
  const created = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0')
    .set('Upload-Length', '3000').set('Upload-Metadata', `shipmentId ${b64('busy')},fileId ${b64('stalled')}`).expect(201);
  const stalledUrl = String(created.headers.location);
  const stalled = await connect(tp.port);
  stalled.socket.write([
    `PATCH ${stalledUrl} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${token}`, 'Tus-Resumable: 1.0.0',
    'Content-Type: application/offset+octet-stream', 'Upload-Offset: 0', 'Content-Length: 3000', '', '',
  ].join('\r\n'));
  stalled.socket.write(Buffer.alloc(1000, 3));

  // Meanwhile a healthy sender uploads a whole file (creation-with-upload) and the portal answers its health check.
  const healthy = await request(tp.server).post('/uploads/').auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0')
    .set('Upload-Length', '3000').set('Upload-Metadata', `shipmentId ${b64('busy')},fileId ${b64('healthy')}`)
    .set('Content-Type', 'application/offset+octet-stream').send(Buffer.alloc(3000, 9)).expect(201);
  assert.equal(healthy.headers['upload-offset'], '3000');
  await request(tp.server).get('/healthz').expect(200);
  assert.ok(slow.filter((client) => client.closed()).length < SLOW, 'the slow heads were still open while the healthy upload ran');

  await waitUntil(async () => slow.every((client) => client.closed()), { what: 'every slow head closed', timeoutMs: 20_000 });
  assert.deepEqual(slow.filter((client) => !/^HTTP\/1\.1 408/.test(client.received())).length, 0, 'each slow head was answered 408');
  await waitUntil(async () => stalled.closed(), { what: 'the stalled PATCH cut by the idle timeout', timeoutMs: 20_000 });
  const head = await request(tp.server).head(stalledUrl).auth(token, { type: 'bearer' }).set('Tus-Resumable', '1.0.0').expect(200);
  assert.equal(head.headers['upload-offset'], '1000', 'the octets of the stalled PATCH are kept');

  clearInterval(trickle);
  await waitUntil(async () => openFds() <= fdsBefore, { what: `descriptors back to ${fdsBefore} (now ${openFds()})`, timeoutMs: 10_000 });
});
