import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createNodeHttpStack, partsBody } from './node-http-stack.ts';

interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP server on 127.0.0.1 that records each request and answers as `answer` says. */
async function server(t: import('node:test').TestContext, answer: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void) {
  const received: Received[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method!, headers: req.headers, body });
      answer(req, res, body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  t.after(() => agents.http.destroy());
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/uploads`;
  return { received, url, stack: createNodeHttpStack({ agents }) };
}

test('a body of parts arrives whole, in order, with its Content-Length; headers and answer pass through', async (t) => {
  const { received, url, stack } = await server(t, (_req, res, body) => {
    res.writeHead(201, { Location: '/uploads/abc', 'Upload-Offset': String(body.length) });
    res.end('{"ok":true}');
  });
  const parts = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(100_000).fill(9), new Uint8Array([4])];
  const request = stack.createRequest('POST', url);
  request.setHeader('Upload-Length', '100004');
  request.setHeader('Authorization', 'Bearer t');
  assert.equal(request.getHeader('Upload-Length'), '100004');
  const progress: number[] = [];
  request.setProgressHandler((bytes) => progress.push(bytes));
  const response = await request.send(partsBody(parts));
  assert.equal(response.getStatus(), 201);
  assert.equal(response.getHeader('Location'), '/uploads/abc');
  assert.equal(response.getHeader('upload-offset'), '100004');
  assert.equal(response.getBody(), '{"ok":true}');
  assert.equal(received.length, 1);
  assert.equal(received[0]!.headers['content-length'], '100004');
  assert.equal(received[0]!.headers['upload-length'], '100004');
  assert.equal(received[0]!.headers.authorization, 'Bearer t');
  assert.ok(received[0]!.body.equals(Buffer.concat(parts)), 'the parts, in order');
  assert.deepEqual(progress, [100004], 'progress reports every octet once handed to the socket');
});

test('a large body goes out part by part as the socket drains: all of it, in order, progress rising to its size', async (t) => {
  const { received, url, stack } = await server(t, (_req, res, body) => {
    res.writeHead(204, { 'Upload-Offset': String(body.length) });
    res.end();
  });
  // 3 MiB in 65,536-octet records plus a 21-octet header, as the encryptor hands a big chunk over.
  const parts = [new Uint8Array(21).fill(1), ...Array.from({ length: 48 }, (_, i) => new Uint8Array(65536).fill(i + 2))];
  const request = stack.createRequest('PATCH', `${url}/abc`);
  const progress: number[] = [];
  request.setProgressHandler((bytes) => progress.push(bytes));
  const response = await request.send(partsBody(parts));
  const size = 21 + 48 * 65536;
  assert.equal(response.getHeader('Upload-Offset'), String(size));
  assert.ok(received[0]!.body.equals(Buffer.concat(parts)), 'the parts, in order');
  assert.equal(progress.at(-1), size);
  assert.ok(progress.length > 1, `progress reported along the way (${progress.length} reports)`);
  assert.ok(progress.every((bytes, i) => i === 0 || bytes >= progress[i - 1]!), 'never backwards');
});

test('a bodiless request (HEAD) and a plain buffer body work on the same keep-alive stack', async (t) => {
  const { received, url, stack } = await server(t, (req, res) => {
    res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'Upload-Offset': '7' });
    res.end();
  });
  const head = await stack.createRequest('HEAD', `${url}/abc`).send(null);
  assert.equal(head.getStatus(), 200);
  assert.equal(head.getHeader('Upload-Offset'), '7');
  const patch = await stack.createRequest('PATCH', `${url}/abc`).send(new Uint8Array([5, 6]));
  assert.equal(patch.getStatus(), 204);
  assert.equal(received[0]!.headers['content-length'], undefined);
  assert.deepEqual([...received[1]!.body], [5, 6]);
});

test('an error answer keeps its status and body; a refused connection and an abort reject', async (t) => {
  const { url, stack } = await server(t, (_req, res) => {
    res.writeHead(403, { 'Content-Type': 'application/json' });
    res.end('{"error":{"code":"E_LINK_REVOKED"}}');
  });
  const refused = await stack.createRequest('POST', url).send(partsBody([new Uint8Array(10)]));
  assert.equal(refused.getStatus(), 403);
  assert.match(refused.getBody(), /E_LINK_REVOKED/);

  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(stack.createRequest('POST', `http://127.0.0.1:${port}/uploads`).send(partsBody([new Uint8Array(10)])));

  // A server that never answers: abort() must settle the pending send.
  const silent = http.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    silent.closeAllConnections();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const hanging = stack.createRequest('PATCH', `http://127.0.0.1:${(silent.address() as AddressInfo).port}/uploads/x`);
  const sent = hanging.send(partsBody([new Uint8Array(1000)]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await hanging.abort();
  await assert.rejects(sent);
});
