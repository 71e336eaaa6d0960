// Portal upload cost, two modes, each against a reference measured in the same run:
// - `big` (default): one ciphertext file through the whole tus path (guard, @tus/server, FileStore, fsync, completion
//   record) vs a bare Node HTTP server streaming the same bytes to a file and fsyncing it: the per-byte path.
// - `files`: many small files (default 1,000 x 512 KiB, a CD's shape), one tus POST with the body each
//   (creation-with-upload, as the senders do), 4 in flight, vs a bare server in its own process that writes each
//   POST body to a file and fsyncs file and directory: the per-file path. Both servers run as their own process, so
//   their CPU seconds (from /proc) are the server's alone; the client is the same tus-js-client for both.
// Prints the figures; the last line is JSON.
// Usage: node --import tsx scripts/bench/portal-upload.ts [big [MiB=256] | files [COUNT=1000] [KiB=512]]
// (PROFILE=1 with `files`: also a V8 CPU profile of the portal in .bench-cache/profiles/portal-upload/ and its busiest functions)
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, fsyncSync, openSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as tus from 'tus-js-client';
import { canConnect, freePort, waitUntil } from '../../test/helpers/ports.ts';
import { makeEnvelope, startTestPortal } from '../../test/helpers/portal.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { summariseCpuProfile } from './support/cpu-profile-summary.ts';
import { BIN, CACHE } from './support/paths.ts';
import { procCpuSeconds, run, type Proc } from './support/process-sampler.ts';
import { round, timed } from './support/stats.ts';

const mode = process.argv[2] ?? 'big';

/** The bare reference server: each request body to its own file, fsync of file and directory, then the answer. */
function bareServer(dir: string, tusAnswer: boolean): http.Server {
  let next = 0;
  return http.createServer((req, res) => {
    const file = path.join(dir, `blob-${next++}`);
    const out = createWriteStream(file);
    req.pipe(out).on('finish', () => {
      for (const target of [file, dir]) {
        const fd = openSync(target, 'r');
        fsyncSync(fd);
        closeSync(fd);
      }
      if (tusAnswer) {
        res.writeHead(201, { 'Tus-Resumable': '1.0.0', Location: `/uploads/${path.basename(file)}`, 'Upload-Offset': String(out.bytesWritten) });
      }
      res.end();
    });
  });
}

if (mode === 'serve-reference') {
  // Child-process mode of `files`: the reference server in its own process, its port on stdout.
  const temp = makeTempDir('beeldpoort-bench-ref-');
  const server = bareServer(temp.dir, true);
  server.listen(Number(process.argv[3]), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    temp.remove();
  });
} else if (mode === 'files') {
  await filesMode(Number(process.argv[3] ?? 1000), Number(process.argv[4] ?? 512));
} else {
  await bigMode(Number(process.argv[3] ?? (/^\d+$/.test(mode) ? mode : 256)));
}

async function bigMode(mib: number): Promise<void> {
  const data = randomBytes(mib * 1024 * 1024);

  async function reference(): Promise<number> {
    const temp = makeTempDir('beeldpoort-bench-');
    const server = bareServer(temp.dir, false);
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
}

interface Target { url: string; token?: string; shipmentId?: string }

/** Uploads every file as one tus POST with its body, `lanes` at a time, over keep-alive connections like the senders. */
async function uploadAll(target: Target, files: Buffer[], lanes = 4): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, noDelay: true });
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const index = next++;
      await new Promise<void>((resolve, reject) => {
        new tus.Upload(files[index]!, {
          endpoint: `${target.url}/uploads/`, metadata: { shipmentId: target.shipmentId ?? 'ref', fileId: `f${index}` },
          headers: target.token ? { Authorization: `Bearer ${target.token}` } : {},
          chunkSize: 8 * 1024 * 1024, uploadDataDuringCreation: true, storeFingerprintForResuming: false, retryDelays: [],
          httpStack: new tus.DefaultHttpStack({ agent }), onError: reject, onSuccess: () => resolve(),
        }).start();
      });
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  agent.destroy();
}

/** Server CPU seconds and wall seconds of one upload of all files. */
async function measure(server: Proc, target: Target, files: Buffer[]): Promise<{ wall: number; cpu: number }> {
  const before = procCpuSeconds(server.pid);
  const wall = await timed(() => uploadAll(target, files));
  return { wall, cpu: procCpuSeconds(server.pid) - before };
}

async function filesMode(count: number, kib: number): Promise<void> {
  const files = Array.from({ length: count }, () => randomBytes(kib * 1024));
  const temp = makeTempDir('beeldpoort-bench-files-');
  // Reference: the bare server in its own process.
  const refPort = await freePort();
  const reference = run(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, 'serve-reference', String(refPort)], process.env);
  let portal: Proc | undefined;
  try {
    await waitUntil(() => canConnect(refPort), { what: 'reference server', timeoutMs: 30_000 });
    const refUrl = `http://127.0.0.1:${refPort}`;
    await uploadAll({ url: refUrl }, files.slice(0, 50)); // warm-up (JIT, page cache)
    const ref = await measure(reference, { url: refUrl }, files);

    // The portal: `beeldpoort portal` over a fresh data dir, a link, one shipment declaring every file.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = { ...process.env, BEELDPOORT_DATA: path.join(temp.dir, 'data'), BEELDPOORT_PORT: String(port), BEELDPOORT_HOST: '127.0.0.1',
      BEELDPOORT_PUBLIC_URL: url, BEELDPOORT_LOG_LEVEL: 'warn' };
    // PROFILE=1: a V8 CPU profile of the portal, its busiest functions printed at the end.
    const profileDir = path.join(CACHE, 'profiles', 'portal-upload');
    if (process.env.PROFILE === '1') rmSync(profileDir, { recursive: true, force: true });
    const profileArgs = process.env.PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    portal = run(process.execPath, [...profileArgs, BIN, 'portal'], env);
    await waitUntil(() => canConnect(port), { what: 'portal', timeoutMs: 30_000 });
    const link = await run(process.execPath, [BIN, 'link', 'create', '--purpose', 'transfer', '--sender', 'Bench', '--json'], env).done;
    const token = new URL((JSON.parse(link.stdout.trim().split('\n').at(-1)!) as { url: string }).url).hash.slice(1);
    const auth = { Authorization: `Bearer ${token}` };
    const info = await (await fetch(`${url}/api/sender/link`, { headers: auth })).json() as { publicKey: object };
    const envelope = await makeEnvelope(info.publicKey);
    const declare = async (shipmentId: string, list: Buffer[]) => {
      const response = await fetch(`${url}/api/sender/shipments`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ shipmentId, envelope, files: list.map((file, index) => ({ fileId: `f${index}`, size: file.length })) }) });
      if (response.status !== 201) throw new Error(`shipment not created: ${response.status} ${await response.text()}`);
    };
    await declare('benchwarmupshipment0', files.slice(0, 50));
    await uploadAll({ url, token, shipmentId: 'benchwarmupshipment0' }, files.slice(0, 50));
    await declare('benchfilesshipment01', files);
    const measured = await measure(portal, { url, token, shipmentId: 'benchfilesshipment01' }, files);
    const state = await (await fetch(`${url}/api/sender/shipments/benchfilesshipment01`, { headers: auth })).json() as { state: string };
    if (state.state !== 'received') throw new Error(`the portal did not record every file: ${state.state}`);

    const perFile = (s: number) => round((s / count) * 1000, 2);
    console.log(`reference (bare HTTP, file + dir fsync): ${round(ref.wall)} s wall, server CPU ${round(ref.cpu)} s (${perFile(ref.cpu)} ms/file)`);
    console.log(`portal (tus POST with body):             ${round(measured.wall)} s wall, server CPU ${round(measured.cpu)} s (${perFile(measured.cpu)} ms/file)`);
    console.log(`ratios: wall ${round(measured.wall / ref.wall)}, server CPU ${round(measured.cpu / ref.cpu)}`);
    if (profileArgs.length > 0) {
      await portal.stop();
      for (const file of readdirSync(profileDir)) {
        const summary = summariseCpuProfile(path.join(profileDir, file), 25);
        if (summary.busySeconds < 1) continue;
        console.log(`\nportal ${file}: busy ${round(summary.busySeconds)} s`);
        for (const { seconds, where } of summary.top) console.log(`${round(seconds, 3).toFixed(3).padStart(8)}  ${where}`);
      }
    }
    console.log(JSON.stringify({ bench: 'portal-upload-files', files: count, kib, referenceWallS: round(ref.wall), referenceCpuS: round(ref.cpu),
      portalWallS: round(measured.wall), portalCpuS: round(measured.cpu), portalCpuMsPerFile: perFile(measured.cpu),
      wallRatio: round(measured.wall / ref.wall), cpuRatio: round(measured.cpu / ref.cpu) }));
  } finally {
    await portal?.stop();
    await reference.stop();
    temp.remove();
  }
}
