/**
 * The worker's download of a file inside a bundle, against a real HTTP server on 127.0.0.1 that answers Range
 * requests rightly or wrongly: only a 206 with exactly the octets asked for reaches the caller; a 200 with the whole
 * upload, another range, or a body longer or shorter than the range is E_PORTAL (never decrypted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPortalClient } from './portal-client.ts';
import { WorkerError } from './worker-error.ts';

const UPLOAD = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(t: { after(fn: () => unknown): void }, answer: Answer) {
  const seen: Array<string | undefined> = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.range);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return { client: createPortalClient({ portalUrl: `http://127.0.0.1:${port}`, credential: 'c' }), seen };
}

/** A correct server: 206 with Content-Range for `bytes=a-b`, 200 with everything otherwise. */
const correct: Answer = (req, res) => {
  const match = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  if (!match) return void res.writeHead(200, { 'content-length': UPLOAD.length }).end(UPLOAD);
  const [first, last] = [Number(match[1]), Number(match[2])];
  res.writeHead(206, { 'content-range': `bytes ${first}-${last}/${UPLOAD.length}`, 'content-length': last - first + 1 }).end(UPLOAD.subarray(first, last + 1));
};

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function fails(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof WorkerError && error.code === 'E_PORTAL' && pattern.test(error.message));
}

test('a range is asked for as bytes=first-last and only its octets come back; no range fetches the whole upload', async (t) => {
  const { client, seen } = await serve(t, correct);
  assert.deepEqual(await collect(await client.download('s', 'u', undefined, { offset: 100, length: 250 })), UPLOAD.subarray(100, 350));
  assert.deepEqual(await collect(await client.download('s', 'u')), UPLOAD);
  assert.deepEqual(seen, ['bytes=100-349', undefined]);
});

test('a 200 with the whole upload, or a 206 for other octets, is refused before any byte is handed on', async (t) => {
  const { client } = await serve(t, (req, res) => {
    if (req.url?.endsWith('/ok')) return correct(req, res);
    if (req.url?.endsWith('/whole')) return void res.writeHead(200, { 'content-length': UPLOAD.length }).end(UPLOAD);
    res.writeHead(206, { 'content-range': `bytes 0-249/${UPLOAD.length}`, 'content-length': 250 }).end(UPLOAD.subarray(0, 250));
  });
  await fails(client.download('s', 'whole', undefined, { offset: 100, length: 250 }), /HTTP 200 instead of 206/);
  await fails(client.download('s', 'other', undefined, { offset: 100, length: 250 }), /Content-Range "bytes 0-249\/1000" is not bytes 100-349/);
  // The refused answers' sockets were dropped (their bodies unread), so the next request gets its own answer.
  assert.deepEqual(await collect(await client.download('s', 'ok', undefined, { offset: 100, length: 250 })), UPLOAD.subarray(100, 350));
  await assert.rejects(client.download('s', 'x', undefined, { offset: -1, length: 1 }), RangeError);
});

test('a range body longer or shorter than the range (no Content-Length to check first) is E_PORTAL', async (t) => {
  const { client } = await serve(t, (req, res) => {
    const extra = req.url?.endsWith('/long') ? 1 : -1;
    // Chunked: no Content-Length, so only counting the body catches it.
    res.writeHead(206, { 'content-range': `bytes 100-349/${UPLOAD.length}` });
    res.end(UPLOAD.subarray(100, 350 + extra));
  });
  await fails(collect(await client.download('s', 'long', undefined, { offset: 100, length: 250 })), /more than the 250 bytes/);
  await fails(collect(await client.download('s', 'short', undefined, { offset: 100, length: 250 })), /249 of 250 bytes arrived/);
});
