// Where the CPU of one `beeldpoort send --yes --wait` goes: portal, worker and sender as their own processes over a
// fresh data dir into storescp +B, as in `npm run bench` (c), run once. Prints wall time, phases and the CPU seconds
// of each process (on 2 cores their sum bounds the wall time). With PROFILE=1 each process also writes a V8 CPU
// profile under .bench-cache/profiles/ and the busiest functions are printed. BENCH_CD=cd-175 uses the quarter CD;
// SEND_ARGS adds options to the send (e.g. SEND_ARGS="--concurrency 8").
// Not a test and not a ratio benchmark: a tool for finding the next cost to cut. The last line is one JSON object.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startStorescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { canConnect, freePort, waitUntil } from '../../test/helpers/ports.ts';
import { summariseCpuProfile } from './support/cpu-profile-summary.ts';
import { BENCH_CDS, cachedCd } from './support/cached-cd.ts';
import { BIN, CACHE } from './support/paths.ts';
import { run } from './support/process-sampler.ts';
import { round, timed } from './support/stats.ts';
import { expectAllStored } from './support/storescu-reference.ts';
import { buildCliBundle } from './support/cli-bundle.ts';

buildCliBundle();

const cdName = (process.env.BENCH_CD ?? 'cd-700') as keyof typeof BENCH_CDS;
const profileDir = path.join(CACHE, 'profiles');
const profiling = process.env.PROFILE === '1';
const nodeArgs = (name: string) => (profiling ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : []);

const cd = await cachedCd(cdName, BENCH_CDS[cdName]);
if (profiling) rmSync(profileDir, { recursive: true, force: true });
const scp = await startStorescp();
const tmp = makeTempDir('beeldpoort-profile-');
const port = await freePort();
const env = {
  ...process.env, BEELDPOORT_DATA: path.join(tmp.dir, 'data'), BEELDPOORT_PORT: String(port), BEELDPOORT_HOST: '127.0.0.1',
  BEELDPOORT_PUBLIC_URL: `http://127.0.0.1:${port}`, BEELDPOORT_PACS: `${scp.aet}@127.0.0.1:${scp.port}`, BEELDPOORT_LOG_LEVEL: 'warn',
  XDG_CACHE_HOME: path.join(tmp.dir, 'cache'),
};
const portal = run(process.execPath, [...nodeArgs('portal'), BIN, 'portal'], env);
try {
  await waitUntil(() => canConnect(port), { what: 'portal', timeoutMs: 30_000 });
  const link = await run(process.execPath, [BIN, 'link', 'create', '--purpose', 'transfer', '--sender', 'Profile', '--json'], env).done;
  const linkUrl = (JSON.parse(link.stdout.trim().split('\n').at(-1)!) as { url: string }).url;
  const worker = run(process.execPath, [...nodeArgs('worker'), BIN, 'worker'], env);
  const sender = run(process.execPath, [...nodeArgs('sender'), BIN, 'send', linkUrl, cd.root, '--yes', '--wait', '--json', ...(process.env.SEND_ARGS?.split(' ').filter(Boolean) ?? [])], env);
  const seconds = await timed(async () => {
    const result = await sender.done;
    if (result.code !== 0) throw new Error(`send failed: ${result.stdout.slice(-400)} ${result.stderr}`);
  });
  await expectAllStored(cd, scp, 'c');
  await worker.stop();
  await portal.stop();
  const reference = sender.sawAt('Shipment reference') ?? 0;
  const figures = {
    cd: cdName, instances: cd.instances.length, send_s: round(seconds),
    phases_s: { prepare: round(reference), upload: round((sender.sawAt('The portal has received all') ?? reference) - reference) },
    cpu_s: { sender: sender.cpuSeconds(), portal: portal.cpuSeconds(), worker: worker.cpuSeconds() },
  };
  console.log(`send ${figures.send_s} s (prepare ${figures.phases_s.prepare}, upload ${figures.phases_s.upload}); CPU s: sender ${figures.cpu_s.sender}, portal ${figures.cpu_s.portal}, worker ${figures.cpu_s.worker}`);
  if (profiling) {
    for (const name of ['sender', 'portal', 'worker']) {
      mkdirSync(path.join(profileDir, name), { recursive: true });
      for (const file of readdirSync(path.join(profileDir, name))) {
        const summary = summariseCpuProfile(path.join(profileDir, name, file));
        if (summary.busySeconds < 1) continue; // tsx's loader thread, an idle helper thread
        console.log(`\n${name} ${file}: busy ${round(summary.busySeconds)} s`);
        for (const { seconds: s, where } of summary.top) console.log(`${round(s, 3).toFixed(3).padStart(8)}  ${where}`);
      }
    }
  }
  console.log(JSON.stringify(figures));
} finally {
  await portal.stop();
  await scp.stop();
  tmp.remove();
}
