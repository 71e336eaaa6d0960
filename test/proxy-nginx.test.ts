/**
 * The portal behind nginx exactly as docs/nginx.conf sets it up (reliability U12: resume through the production proxy
 * chain). test/helpers/nginx.ts runs that file with only its addresses and certificate paths replaced.
 * - A PATCH cut off in the middle of its body: the octets that passed the proxy are on the portal, HEAD through the
 *   proxy answers that offset, and the rest completes the upload byte for byte. With nginx's default request
 *   buffering the portal would see nothing of the cut PATCH (the wait for its first octets fails this test).
 * - A forged X-Forwarded-For never reaches the audit log: the proxy sets the header, it does not append to it.
 * - `beeldpoort send --yes --wait` over the proxy's TLS: its 4 MiB PATCHes pass (nginx refuses bodies over 1 MiB by
 *   default) and every instance reaches storescp byte-identical. With nginx's default body limit the send stops at
 *   once with E_SEND_PROXY_LIMIT and says which setting to change, instead of a tus error with an HTML page in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { bytesReceived } from '../server/portal/shipments/shipments.ts';
import { makeEnvelope, startTestPortal, type TestPortal } from './helpers/portal.ts';
import { reserveProxyPort, startNginx } from './helpers/nginx.ts';
import { startStorescp } from './helpers/storescp.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { cdDatasetHashes, receivedDatasetHashes, runCli, startTestWorker } from './send-support.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request through the proxy, trusting its certificate. */
function call(url: string, ca: Buffer, method: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method, headers, ca, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const b64 = (value: string) => Buffer.from(value).toString('base64');

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function fileRow(tp: TestPortal, shipmentId: string) {
  return tp.portal.ctx.stores.shipments.files(shipmentId)[0]!;
}

test('through nginx as docs/nginx.conf sets it up: a PATCH cut off mid-body keeps the octets that passed, HEAD answers that offset, the rest completes byte for byte; a forged X-Forwarded-For is not audited', async (t) => {
  const proxy = await reserveProxyPort();
  const tp = await startTestPortal({ env: { BEELDPOORT_PUBLIC_URL: proxy.url, BEELDPOORT_TRUST_PROXY: 'loopback' } });
  t.after(() => tp.stop());
  const nginx = await startNginx(proxy.port, tp.port);
  t.after(() => nginx.stop());
  const ca = readFileSync(nginx.cert);
  const { token } = await tp.createLink();
  const auth = { Authorization: `Bearer ${token}` };

  const link = await call(`${nginx.url}/api/sender/link`, ca, 'GET', auth);
  assert.equal(link.status, 200, link.body);
  const envelope = await makeEnvelope((JSON.parse(link.body) as { publicKey: object }).publicKey);
  const data = randomBytes(6 * 1024 * 1024 + 77);
  const created = await call(`${nginx.url}/api/sender/shipments`, ca, 'POST', { ...auth, 'Content-Type': 'application/json' },
    JSON.stringify({ shipmentId: 'proxied', envelope, files: [{ fileId: 'f0', size: data.length }] }));
  assert.equal(created.status, 201, created.body);

  // tus 1.0 creation, then one PATCH for the whole body, cut off after half of it.
  const tus = { ...auth, 'Tus-Resumable': '1.0.0' };
  const creation = await call(`${nginx.url}/uploads/`, ca, 'POST', {
    ...tus, 'Upload-Length': String(data.length), 'Upload-Metadata': `shipmentId ${b64('proxied')},fileId ${b64('f0')}`,
  });
  assert.equal(creation.status, 201, creation.body);
  const uploadUrl = new URL(String(creation.headers.location), nginx.url).href;
  assert.equal(new URL(uploadUrl).origin, nginx.url, 'the upload URL names the proxy');

  const half = 3 * 1024 * 1024;
  const patch = https.request(uploadUrl, {
    method: 'PATCH', ca, agent: false,
    headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0', 'Content-Length': String(data.length) },
  });
  const patchEnded = new Promise<void>((resolve) => {
    patch.on('error', () => resolve());
    patch.on('close', () => resolve());
  });
  patch.write(data.subarray(0, half));
  await waitFor('the portal never saw the first MiB of the PATCH: is nginx buffering request bodies (proxy_request_buffering)?',
    () => bytesReceived(tp.portal.ctx, fileRow(tp, 'proxied')) >= 1024 * 1024, 15_000);
  patch.destroy();
  await patchEnded;

  // The portal keeps what arrived. Once its count settles (the cut PATCH let go), HEAD through the proxy answers it.
  const held = () => bytesReceived(tp.portal.ctx, fileRow(tp, 'proxied'));
  for (let last = -1; last !== held(); ) {
    last = held();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const head = await call(uploadUrl, ca, 'HEAD', tus);
  assert.equal(head.status, 200);
  assert.equal(head.headers['cache-control'], 'no-store');
  const offset = Number(head.headers['upload-offset']);
  assert.equal(offset, held());
  assert.ok(offset >= 1024 * 1024 && offset <= half, `resume offset ${offset}: the octets that passed the proxy, no more than were sent`);

  const rest = await call(uploadUrl, ca, 'PATCH', { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
    data.subarray(offset));
  assert.equal(rest.status, 204, rest.body);
  assert.equal(Number(rest.headers['upload-offset']), data.length);
  assert.notEqual(fileRow(tp, 'proxied').completedAt, null, 'the portal recorded the upload complete');
  const stored = readFileSync(path.join(tp.dataDir, 'uploads', path.basename(new URL(uploadUrl).pathname)));
  assert.ok(stored.equals(data), 'the stored upload is the sent body, byte for byte');

  // A forged X-Forwarded-For is replaced by the proxy: the audit names the real peer.
  const forged = await call(`${nginx.url}/api/sender/link`, ca, 'GET', { Authorization: 'Bearer a.b.c', 'X-Forwarded-For': '203.0.113.7' });
  assert.equal(forged.status, 401);
  const rejected = [...tp.portal.ctx.stores.audit.all()].filter((record) => record.action === 'token.rejected');
  assert.equal(rejected.length, 1);
  assert.match(rejected[0]!.ip ?? '', /^(::ffff:)?127\.0\.0\.1$/);
});

test('beeldpoort send --yes --wait through nginx over TLS: its 4 MiB PATCHes pass the documented proxy and every instance reaches storescp byte-identical', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  // 512 KiB images: the uploads ramp up to 8 MiB, so PATCHes of 4 MiB cross the proxy.
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 2, images: 10, rows: 512, seed: 'through-nginx' });
  const storescp = await startStorescp();
  t.after(() => storescp.stop());
  const proxy = await reserveProxyPort();
  const tp = await startTestPortal({ env: { BEELDPOORT_PUBLIC_URL: proxy.url, BEELDPOORT_TRUST_PROXY: 'loopback' } });
  t.after(() => tp.stop());
  const nginx = await startNginx(proxy.port, tp.port);
  t.after(() => nginx.stop());
  // The worker inside the hospital reaches the portal on its own address (BEELDPOORT_PORTAL_URL).
  const worker = await startTestWorker({ url: tp.url, dataDir: tp.dataDir }, `${storescp.aet}@127.0.0.1:${storescp.port}`);
  t.after(() => worker.stop());
  const link = await tp.createLink();
  assert.ok(link.url.startsWith(`${nginx.url}/`), link.url);

  const run = await runCli(['send', link.url, cd.root, '--yes', '--wait', '--json'], {
    NODE_EXTRA_CA_CERTS: nginx.cert, XDG_CACHE_HOME: path.join(tmp.dir, 'cache'),
  });
  assert.equal(run.code, 0, `${run.stdout}${run.stderr}\n${nginx.log()}`);
  const n = cd.instances.length;
  assert.deepEqual(run.json, { shipmentId: run.json?.shipmentId, files: n, instances: n, bytes: run.json?.bytes, stored: n, failed: 0, state: 'imported' });
  assert.ok(Number(run.json?.bytes) > 8 * 1024 * 1024, `the CD is ${String(run.json?.bytes)} octets`);
  assert.deepEqual(await receivedDatasetHashes(storescp), cdDatasetHashes(cd), 'every instance once, byte-identical');
});

test('behind a proxy that keeps nginx\'s 1 MiB body limit, beeldpoort send stops with E_SEND_PROXY_LIMIT and names the setting; the same command resumes once it is fixed', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 6, rows: 512, seed: 'proxy-limit' });
  const proxy = await reserveProxyPort();
  const tp = await startTestPortal({ env: { BEELDPOORT_PUBLIC_URL: proxy.url, BEELDPOORT_TRUST_PROXY: 'loopback' } });
  t.after(() => tp.stop());
  const limited = await startNginx(proxy.port, tp.port, (server) => server.replace('client_max_body_size 0;', 'client_max_body_size 1m;'));
  const link = await tp.createLink();
  const env = { NODE_EXTRA_CA_CERTS: limited.cert, XDG_CACHE_HOME: path.join(tmp.dir, 'cache') };
  const args = ['send', link.url, cd.root, '--yes', '--json'];

  const refused = await runCli(args, env);
  await limited.stop();
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /\[E_SEND_PROXY_LIMIT\]/);
  assert.match(refused.stderr, /HTTP 413.*client_max_body_size 0/);
  assert.doesNotMatch(refused.stderr, /<html>/i, 'no HTML error page in the message');

  const fixed = await startNginx(proxy.port, tp.port);
  t.after(() => fixed.stop());
  const again = await runCli(args, { ...env, NODE_EXTRA_CA_CERTS: fixed.cert });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(again.json?.files, cd.instances.length);
  assert.equal(again.json?.state, 'received');
  assert.ok(tp.portal.ctx.stores.shipments.list().length === 1, 'the same shipment resumed');
});
