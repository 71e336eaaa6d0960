// Portal upload throughput: one ciphertext file through the whole tus path (guard, @tus/server, FileStore,
// fsync, completion record) against a reference measured in the same run: a bare Node HTTP server streaming
// the same bytes to a file and fsyncing it. Prints the ratio; the last line is JSON.
// Usage: node --import tsx scripts/bench/portal-upload.ts [MiB=256]
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, fsyncSync, openSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tus from 'tus-js-client';
import { makeEnvelope, startTestPortal } from '../../test/helpers/portal.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { timed } from './support/stats.ts';

const mib = Number(process.argv[2] ?? 256);
const data = randomBytes(mib * 1024 * 1024);

async function reference(): Promise<number> {
  const temp = makeTempDir('beeldpoort-bench-');
  const server = http.createServer((req, res) => {
    const file = path.join(temp.dir, 'blob');
    const out = createWriteStream(file);
    req.pipe(out).on('finish', () => {
      const fd = openSync(file, 'r');
      fsyncSync(fd);
      closeSync(fd);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // The same client stack as tus-js-client in Node (node:http), so only the server side differs.
  const seconds = await timed(() => new Promise<void>((resolve, reject) => {
    const req = http.request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'PUT', headers: { 'Content-Length': String(data.length) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(data);
  }));
  server.close();
  temp.remove();
  return mib / seconds;
}

async function portalUpload(): Promise<number> {
  const tp = await startTestPortal();
  try {
    const { token } = await tp.createLink();
    const envelope = await makeEnvelope(tp.portal.ctx.keys.institutionPublic);
    await fetch(`${tp.url}/api/sender/shipments`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ shipmentId: 'bench', envelope, files: [{ fileId: 'f', size: data.length }] }) });
    const seconds = await timed(() => new Promise<void>((resolve, reject) => {
      new tus.Upload(data, {
        endpoint: `${tp.url}/uploads/`, headers: { Authorization: `Bearer ${token}` }, metadata: { shipmentId: 'bench', fileId: 'f' },
        chunkSize: 64 * 1024 * 1024, retryDelays: [], onError: reject, onSuccess: () => resolve(),
      }).start();
    }));
    return mib / seconds;
  } finally {
    await tp.stop();
  }
}

await reference(); // warm-up (page cache, JIT)
const ref = await reference();
const portal = await portalUpload();
console.log(`reference (bare HTTP -> file, fsync): ${ref.toFixed(0)} MiB/s`);
console.log(`portal (tus, 64 MiB PATCHes):         ${portal.toFixed(0)} MiB/s  (${(portal / ref).toFixed(2)} x reference)`);
console.log(JSON.stringify({ bench: 'portal-upload', mib, referenceMiBps: Math.round(ref), portalMiBps: Math.round(portal), ratio: Number((portal / ref).toFixed(2)) }));
