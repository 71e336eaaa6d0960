// npm run bench — the whole encrypted, resumable path against sending the raw files straight to the PACS.
// With one ~700 MB generated patient CD (cached in .bench-cache/), alternating three times:
//   (a) DCMTK storescu -> storescp +B (TCP_NODELAY=1 on both sides): the reference;
//   (b) `beeldpoort store` (our C-STORE sender) -> the same kind of storescp;
//   (c) `beeldpoort send --yes --wait` through `beeldpoort portal` and `beeldpoort worker` -> the same storescp.
// Prints the medians, the ratios b/a and c/a (target c/a <= 1.5) and the peak RSS of sender, portal and worker;
// then one (c) run on a quarter-size CD to show the sender's memory does not grow with the CD.
// A script, not a test: the figures depend on the machine. The last line is one JSON object.
// Environment: BENCH_RUNS (default 3), BENCH_IMAGES (images per series, default 55: 4 studies x 6 series).
import path from 'node:path';
import type { TestCd } from '../../server/test-cd/make-test-cd.ts';
import { startStorescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { startBenchPortal, type BenchPortal } from './support/bench-portal.ts';
import { cachedCd } from './support/cached-cd.ts';
import { BIN } from './support/paths.ts';
import { run, type Proc } from './support/process-sampler.ts';
import { median, round, timed } from './support/stats.ts';
import { expectAllStored, storescuSeconds } from './support/storescu-reference.ts';
import { buildCliBundle } from './support/cli-bundle.ts';

buildCliBundle();

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 55);

async function modeB(cd: TestCd): Promise<{ seconds: number; rssMb: number }> {
  const scp = await startStorescp();
  try {
    let rssMb = 0;
    const seconds = await timed(async () => {
      const p = run(process.execPath, [BIN, 'store', '--pacs', `${scp.aet}@127.0.0.1:${scp.port}`, path.join(cd.root, 'DICOM')], process.env);
      const r = await p.done;
      rssMb = p.peakRssMb();
      if (r.code !== 0) throw new Error(`beeldpoort store failed: ${r.stderr}`);
    });
    await expectAllStored(cd, scp, 'b');
    return { seconds, rssMb };
  } finally {
    await scp.stop();
  }
}

interface ModeC {
  seconds: number;
  /** Scan, checksums and planning: until the shipment reference is printed. */
  prepareS: number;
  /** Upload: until the portal confirmed every file. */
  uploadS: number;
  /** The import still running after the upload ended, until --wait saw the outcome. */
  importTailS: number;
  senderRssMb: number;
  portalRssMb: number;
  workerRssMb: number;
  /** CPU seconds (user + system) of each process: on 2 cores their sum bounds the wall time. */
  cpuS: { sender: number; portal: number; worker: number };
}

/** Portal and worker as their own processes over a fresh data dir, then one timed `send --yes --wait`. */
async function modeC(cd: TestCd): Promise<ModeC> {
  const scp = await startStorescp();
  const tmp = makeTempDir('beeldpoort-bench-');
  let bench: BenchPortal | undefined;
  let worker: Proc | undefined;
  try {
    bench = await startBenchPortal(tmp.dir, scp, { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') });
    const { env, portal, linkUrl } = bench;
    worker = run(process.execPath, [BIN, 'worker'], env);
    let senderRssMb = 0;
    let senderCpuS = 0;
    let phases = { prepareS: 0, uploadS: 0 };
    const seconds = await timed(async () => {
      const sender = run(process.execPath, [BIN, 'send', linkUrl, cd.root, '--yes', '--wait', '--json'], env);
      const r = await sender.done;
      senderRssMb = sender.peakRssMb();
      senderCpuS = sender.cpuSeconds();
      const reference = sender.sawAt('Shipment reference') ?? 0;
      phases = { prepareS: reference, uploadS: (sender.sawAt('The portal has received all') ?? reference) - reference };
      let summary: { stored?: number; state?: string } = {};
      try {
        summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as typeof summary;
      } catch {
        // not the JSON line: reported below with the output
      }
      if (r.code !== 0 || summary.stored !== cd.instances.length) throw new Error(`beeldpoort send: exit ${r.code} ${r.stdout.slice(-500)} ${r.stderr}`);
    });
    await expectAllStored(cd, scp, 'c');
    await worker.stop();
    await portal.stop();
    const importTailS = round(seconds - phases.prepareS - phases.uploadS);
    return { seconds, prepareS: round(phases.prepareS), uploadS: round(phases.uploadS), importTailS, senderRssMb, portalRssMb: portal.peakRssMb(), workerRssMb: worker.peakRssMb(),
      cpuS: { sender: senderCpuS, portal: portal.cpuSeconds(), worker: worker.cpuSeconds() } };
  } finally {
    await worker?.stop();
    await bench?.portal.stop();
    await scp.stop();
    tmp.remove();
  }
}

async function main(): Promise<void> {
  const cd = await cachedCd('cd-700', { studies: 4, series: 6, images: IMAGES, rows: 512, seed: 'bench' });
  const mb = cd.instances.reduce((sum, instance) => sum + instance.size, 0) / 1e6;
  console.log(`CD: ${cd.instances.length} instances, ${round(mb, 0)} MB of DICOM (${round(cd.bytes / 1e6, 0)} MB with junk); ${RUNS} alternating runs`);
  const a: number[] = [];
  const b: Array<{ seconds: number; rssMb: number }> = [];
  const c: ModeC[] = [];
  for (let i = 1; i <= RUNS; i++) {
    a.push(await storescuSeconds(cd, 'a'));
    console.log(`run ${i} (a) storescu            ${round(a.at(-1)!)} s`);
    b.push(await modeB(cd));
    console.log(`run ${i} (b) beeldpoort store    ${round(b.at(-1)!.seconds)} s, peak RSS ${b.at(-1)!.rssMb} MB`);
    c.push(await modeC(cd));
    const last = c.at(-1)!;
    console.log(`run ${i} (c) beeldpoort send     ${round(last.seconds)} s (prepare ${last.prepareS}, upload ${last.uploadS}, import after upload ${last.importTailS}), peak RSS sender ${last.senderRssMb} / portal ${last.portalRssMb} / worker ${last.workerRssMb} MB, CPU s sender ${last.cpuS.sender} / portal ${last.cpuS.portal} / worker ${last.cpuS.worker}`);
  }
  const small = await cachedCd('cd-175', { studies: 1, series: 6, images: IMAGES, rows: 512, seed: 'bench-small' });
  const smallRun = await modeC(small);
  const figures = {
    instances: cd.instances.length,
    megabytes: round(mb, 1),
    runs: RUNS,
    a_storescu_s: round(median(a)),
    b_store_s: round(median(b.map((r) => r.seconds))),
    c_send_s: round(median(c.map((r) => r.seconds))),
    ratio_b_a: round(median(b.map((r) => r.seconds)) / median(a)),
    ratio_c_a: round(median(c.map((r) => r.seconds)) / median(a)),
    c_phases_s: { prepare: median(c.map((r) => r.prepareS)), upload: median(c.map((r) => r.uploadS)), import_after_upload: median(c.map((r) => r.importTailS)) },
    c_cpu_s: { sender: median(c.map((r) => r.cpuS.sender)), portal: median(c.map((r) => r.cpuS.portal)), worker: median(c.map((r) => r.cpuS.worker)) },
    peak_rss_mb: {
      store: Math.max(...b.map((r) => r.rssMb)),
      sender: Math.max(...c.map((r) => r.senderRssMb)),
      portal: Math.max(...c.map((r) => r.portalRssMb)),
      worker: Math.max(...c.map((r) => r.workerRssMb)),
    },
    quarter_cd: { instances: small.instances.length, send_s: round(smallRun.seconds), sender_rss_mb: smallRun.senderRssMb, portal_rss_mb: smallRun.portalRssMb, worker_rss_mb: smallRun.workerRssMb },
  };
  console.log(`medians: (a) ${figures.a_storescu_s} s  (b) ${figures.b_store_s} s  (c) ${figures.c_send_s} s;  b/a ${figures.ratio_b_a}  c/a ${figures.ratio_c_a} (target <= 1.5)`);
  console.log(`peak RSS (MB): sender ${figures.peak_rss_mb.sender}, portal ${figures.peak_rss_mb.portal}, worker ${figures.peak_rss_mb.worker}; quarter-size CD: sender ${smallRun.senderRssMb}`);
  console.log(JSON.stringify(figures));
}

await main();
