// The portal's HTTP server against slow clients: a request head that never completes is cut after headersTimeout
// (slowloris, CVE-2018-12122), while a tus body that trickles in for longer than that is not (requestTimeout is 0:
// a 700 MB PATCH over a slow line may take an hour). The timeout is shortened here so the test takes a second;
// nothing below asserts how fast anything is, only what happens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';
import { waitUntil } from './helpers/ports.ts';

const HEADERS_TIMEOUT_MS = 500;
const b64 = (text: string) => Buffer.from(text).toString('base64');

let tp: TestPortal;
let token: string;

before(async () => {
  tp = await startTestPortal({ httpTimeouts: { headersTimeoutMs: HEADERS_TIMEOUT_MS, checkIntervalMs: 100 } });
  token = (await tp.createLink()).token;
  const envelope = await makeEnvelope((await request(tp.server).get('/api/sender/link').auth(token, { type: 'bearer' })).body.publicKey);
  await request(tp.server).post('/api/sender/shipments').auth(token, { type: 'bearer' })
    .send({ shipmentId: 'slow1', envelope, files: [{ fileId: 'f1', size: 3000 }] }).expect(201);
});
after(() => tp.stop());

/** A raw connection to the portal, recording what comes back and when it is closed. */
function connect(): Promise<{ socket: net.Socket; received: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let text = '';
    let closed = false;
    const socket = net.connect(tp.port, '127.0.0.1', () => resolve({ socket, received: () => text, closed: () => closed }));
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
  });
}

test('a request head that never completes is answered 408 and the connection closed', async () => {
  const client = await connect();
  client.socket.write('POST /uploads/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n');
  await waitUntil(async () => client.closed(), { what: 'the stalled connection closed', timeoutMs: 20_000 });
  assert.match(client.received(), /^HTTP\/1\.1 408/);
});

test('a tus body trickling in for longer than headersTimeout is received whole', async () => {
  const client = await connect();
  const body = Buffer.alloc(3000, 7);
  client.socket.write([
    'POST /uploads/ HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${token}`, 'Tus-Resumable: 1.0.0',
    'Upload-Length: 3000', `Upload-Metadata: shipmentId ${b64('slow1')},fileId ${b64('f1')}`,
    'Content-Type: application/offset+octet-stream', 'Content-Length: 3000', '', '',
  ].join('\r\n'));
  // Three pieces, the body spread over four header timeouts.
  for (let i = 0; i < 3; i++) {
    await sleep((HEADERS_TIMEOUT_MS * 4) / 3);
    assert.equal(client.closed(), false, `the connection is still open after piece ${i}`);
    client.socket.write(body.subarray(i * 1000, (i + 1) * 1000));
  }
  await waitUntil(async () => /\r\n\r\n/.test(client.received()), { what: 'the answer', timeoutMs: 20_000 });
  assert.match(client.received(), /^HTTP\/1\.1 201/);
  assert.match(client.received(), /upload-offset: 3000/i);
  client.socket.destroy();
});
