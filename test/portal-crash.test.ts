// kill -9 of the portal process in the middle of a PATCH, restart, resume: the stored ciphertext is intact.
// Also the startup reconciler (an upload complete on disk whose completion was never recorded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tus from 'tus-js-client';
import { spawnPeer, type PeerProcess } from './helpers/child.ts';
import { waitUntil } from './helpers/ports.ts';
import { makeEnvelope, startTestPortal } from './helpers/portal.ts';
import { makeTempDir } from './helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function startChild(env: Record<string, string>): Promise<{ peer: PeerProcess; url: string }> {
  const peer = spawnPeer(process.execPath, [BIN, 'portal'], { env: { ...process.env, ...env } });
  let url = '';
  await waitUntil(async () => {
    const match = /\{"listening":(\d+)/.exec(peer.log());
    if (match) url = `http://127.0.0.1:${match[1]}`;
    return url !== '';
  }, { timeoutMs: 30_000, what: 'beeldpoort portal', failed: peer.exited, describe: peer.log });
  return { peer, url };
}

test('kill -9 mid-PATCH, restart, resume: the stored bytes are intact', async (t) => {
  const temp = makeTempDir('beeldpoort-crash-');
  // A fixed public URL (the token issuer) while the port changes on every start.
  const env = { BEELDPOORT_DATA: temp.dir, BEELDPOORT_PORT: '0', BEELDPOORT_HOST: '127.0.0.1', BEELDPOORT_PUBLIC_URL: 'http://127.0.0.1:9', BEELDPOORT_LOG_LEVEL: 'warn' };
  let { peer, url } = await startChild(env);
  t.after(async () => {
    await peer.stop();
    temp.remove();
  });
  const created = spawnSync(process.execPath, [BIN, 'link', 'create', '--purpose', 'transfer', '--sender', 'Crash test', '--json'], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(created.status, 0, created.stderr);
  const token = new URL(JSON.parse(created.stdout.trim().split('\n').at(-1)!).url).hash.slice(1);
  const auth = { Authorization: `Bearer ${token}` };

  const data = randomBytes(6 * 1024 * 1024);
  const info = await (await fetch(`${url}/api/sender/link`, { headers: auth })).json() as { publicKey: object };
  const envelope = await makeEnvelope(info.publicKey);
  const shipment = await fetch(`${url}/api/sender/shipments`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ shipmentId: 'crash', envelope, files: [{ fileId: 'f0', size: data.length }] }) });
  assert.equal(shipment.status, 201);
  const post = await fetch(`${url}/uploads/`, { method: 'POST', headers: { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Length': String(data.length),
    'Upload-Metadata': `shipmentId ${Buffer.from('crash').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}` } });
  assert.equal(post.status, 201);
  const uploadPath = post.headers.get('location')!;
  const stored = path.join(temp.dir, 'uploads', path.basename(uploadPath));

  // One PATCH declaring the whole file; we write 2.5 MB of it and kill the portal while the request is open.
  const patch = http.request(`${url}${uploadPath}`, { method: 'PATCH', headers: { ...auth, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0',
    'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(data.length) } });
  patch.on('error', () => {}); // the connection dies with the portal
  patch.write(data.subarray(0, 2.5 * 1024 * 1024));
  await waitUntil(async () => statSync(stored).size >= 1024 * 1024, { timeoutMs: 30_000, what: 'bytes reaching the disk' });
  peer.child.kill('SIGKILL');
  await waitUntil(async () => peer.exited() !== undefined, { timeoutMs: 10_000, what: 'portal killed' });
  patch.destroy();

  ({ peer, url } = await startChild(env));
  const status = await (await fetch(`${url}/api/sender/shipments/crash`, { headers: auth })).json() as { files: { received: number; uploadUrl: string; complete: boolean }[] };
  const file = status.files[0]!;
  assert.equal(file.complete, false);
  assert.ok(file.received >= 1024 * 1024 && file.received <= 2.5 * 1024 * 1024, `received ${file.received}`);
  assert.deepEqual(readFileSync(stored).subarray(0, file.received), data.subarray(0, file.received), 'what was kept is exactly what was sent');

  await new Promise<void>((resolve, reject) => {
    const upload = new tus.Upload(data, {
      uploadUrl: new URL(new URL(file.uploadUrl).pathname, url).href, headers: auth, chunkSize: 1024 * 1024, retryDelays: [],
      onError: reject, onSuccess: () => resolve(),
    });
    upload.start();
  });
  const done = await (await fetch(`${url}/api/sender/shipments/crash`, { headers: auth })).json() as { state: string };
  assert.equal(done.state, 'received');
  assert.equal(sha256(new Uint8Array(readFileSync(stored))), sha256(new Uint8Array(data)));
});

test('the startup reconciler records an upload complete on disk but never recorded, exactly once', async (t) => {
  const temp = makeTempDir('beeldpoort-reconcile-');
  let tp = await startTestPortal({ dataDir: temp.dir });
  const link = await tp.createLink();
  const envelope = await makeEnvelope(tp.portal.ctx.keys.institutionPublic);
  await fetch(`${tp.url}/api/sender/shipments`, { method: 'POST', headers: { Authorization: `Bearer ${link.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ shipmentId: 'rec', envelope, files: [{ fileId: 'f0', size: 10 }] }) });
  const post = await fetch(`${tp.url}/uploads/`, { method: 'POST', headers: { Authorization: `Bearer ${link.token}`, 'Tus-Resumable': '1.0.0', 'Upload-Length': '10',
    'Upload-Metadata': `shipmentId ${Buffer.from('rec').toString('base64')},fileId ${Buffer.from('f0').toString('base64')}` } });
  assert.equal(post.status, 201);
  await tp.stop();
  // The crash window: every byte written, onUploadFinish never ran.
  const id = path.basename(post.headers.get('location')!);
  writeFileSync(path.join(temp.dir, 'uploads', id), Buffer.alloc(10, 9));
  assert.ok(readdirSync(path.join(temp.dir, 'uploads')).includes(id));

  tp = await startTestPortal({ dataDir: temp.dir });
  t.after(async () => {
    await tp.stop();
    temp.remove();
  });
  // The restarted portal listens on a new port, so it has a new issuer: check the records directly.
  assert.equal(tp.portal.ctx.stores.shipments.get('rec')!.state, 'received');
  assert.equal(tp.portal.reconcile(), 0, 'running again records nothing');
  const reconciled = [...tp.portal.ctx.stores.audit.all()].filter((r) => r.action === 'file.reconciled');
  assert.equal(reconciled.length, 1);
  assert.equal([...tp.portal.ctx.stores.audit.all()].filter((r) => r.action === 'shipment.received').length, 1);
});
