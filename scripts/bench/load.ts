// npm run bench:load — many senders at once (reliability.md L1). For each N in BENCH_SENDERS (default 1,5,20):
// N generated CDs (distinct patients, BENCH_LOAD_IMAGES images of 256 x 256 per series, 2 series: ~5 MB each by
// default), each sent by its own `beeldpoort send --yes --wait` on its own link, all started together, through one
// `beeldpoort portal` and one `beeldpoort worker` into storescp +B. Reported per N:
//   - wall time until every sender saw its import, aggregate MB/s, and the ratio against DCMTK storescu sending the
//     same N CDs one after the other in the same run (the reference);
//   - per shipment, seconds from its sender's start to its import seen (--wait): p50, p95, max;
//   - the portal: peak RSS, open file descriptors before and after (they must return to the baseline), and the
//     slowest answer to GET /healthz polled every 50 ms during the load (event-loop lag, seen from outside);
//   - the worker's peak RSS.
// Invariants checked, or the run fails: every sender exits 0 with state imported and nothing failed; storescp holds
// exactly the union of the CDs' instances, byte-identical, each once.
// A script, not a test: the figures depend on the machine. The last line is one JSON object.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { makeTestCd, type TestCd } from '../../server/test-cd/make-test-cd.ts';
import { startStorescp, type Storescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { cdDatasetHashes, receivedDatasetHashes } from '../../test/send-support.ts';
import { buildCliBundle } from './support/cli-bundle.ts';
import { startBenchPortal } from './support/bench-portal.ts';
import { BIN } from './support/paths.ts';
import { run, type Proc } from './support/process-sampler.ts';
import { round, timed } from './support/stats.ts';
import { storescuSeconds } from './support/storescu-reference.ts';

buildCliBundle();

const SENDERS = (process.env.BENCH_SENDERS ?? '1,5,20').split(',').map(Number);
const IMAGES = Number(process.env.BENCH_LOAD_IMAGES ?? 20);

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** GET /healthz every 50 ms until stopped; the slowest answer in ms. */
function pollHealth(url: string): { stop(): Promise<number> } {
  let slowest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await (await fetch(`${url}/healthz`)).text();
        slowest = Math.max(slowest, performance.now() - started);
      } catch {
        slowest = Math.max(slowest, performance.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Math.round(slowest);
    },
  };
}

interface LoadResult {
  senders: number;
  mb: number;
  seconds: number;
  storescuSeconds: number;
  ratio: number;
  mbPerSecond: number;
  shipmentSeconds: { p50: number; p95: number; max: number };
  portal: { peakRssMb: number; fdsBefore: number; fdsAfter: number; slowestHealthMs: number };
  workerPeakRssMb: number;
}

async function createLink(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const link = await run(process.execPath, [BIN, 'link', 'create', '--purpose', 'transfer', '--sender', name, '--json'], env).done;
  if (link.code !== 0) throw new Error(`link create failed: ${link.stderr}`);
  return (JSON.parse(link.stdout.trim().split('\n').at(-1)!) as { url: string }).url;
}

async function storescuAll(cds: TestCd[]): Promise<number> {
  let seconds = 0;
  for (const cd of cds) seconds += await storescuSeconds(cd, 'reference');
  return seconds;
}

async function loadRun(cds: TestCd[], dir: string, scp: Storescp): Promise<Omit<LoadResult, 'storescuSeconds' | 'ratio'>> {
  const bench = await startBenchPortal(dir, scp);
  const { env, portal } = bench;
  let worker: Proc | undefined;
  try {
    worker = run(process.execPath, [BIN, 'worker'], env);
    const links = [bench.linkUrl];
    for (let i = 1; i < cds.length; i++) links.push(await createLink(env, `Bench sender ${i + 1}`));
    const portalUrl = String(env.BEELDPOORT_PUBLIC_URL);
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the worker settle into polling
    const fdsBefore = openFds(portal.pid);
    const health = pollHealth(portalUrl);
    const shipmentSeconds: number[] = [];
    const seconds = await timed(async () => {
      await Promise.all(cds.map(async (cd, i) => {
        const senderEnv = { ...env, XDG_CACHE_HOME: path.join(dir, `cache-${i}`) };
        const started = performance.now();
        const sender = await run(process.execPath, [BIN, 'send', links[i]!, cd.root, '--yes', '--wait', '--json'], senderEnv).done;
        shipmentSeconds.push((performance.now() - started) / 1000);
        const summary = JSON.parse(sender.stdout.trim().split('\n').at(-1) ?? '{}') as { state?: string; failed?: number; stored?: number };
        if (sender.code !== 0 || summary.state !== 'imported' || summary.failed !== 0 || summary.stored !== cd.instances.length) {
          throw new Error(`sender ${i + 1}: exit ${sender.code}, ${JSON.stringify(summary)}\n${sender.stderr}`);
        }
      }));
    });
    const slowestHealthMs = await health.stop();
    // Keep-alive sockets of the senders close as the processes exit; give the portal a moment to let them go.
    let fdsAfter = openFds(portal.pid);
    for (let i = 0; i < 50 && fdsAfter > fdsBefore; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      fdsAfter = openFds(portal.pid);
    }
    const expected = cds.flatMap((cd) => cdDatasetHashes(cd)).sort();
    const received = await receivedDatasetHashes(scp);
    if (JSON.stringify(received) !== JSON.stringify(expected)) {
      throw new Error(`storescp holds ${received.length} instances, expected exactly the ${expected.length} of the CDs, byte-identical and once`);
    }
    const mb = cds.reduce((sum, cd) => sum + cd.instances.reduce((s, instance) => s + instance.size, 0), 0) / 1e6;
    await worker.stop();
    const workerPeakRssMb = worker.peakRssMb();
    await portal.stop();
    return {
      senders: cds.length, mb: round(mb, 1), seconds: round(seconds), mbPerSecond: round(mb / seconds, 1),
      shipmentSeconds: { p50: round(quantile(shipmentSeconds, 0.5)), p95: round(quantile(shipmentSeconds, 0.95)), max: round(Math.max(...shipmentSeconds)) },
      portal: { peakRssMb: portal.peakRssMb(), fdsBefore, fdsAfter, slowestHealthMs },
      workerPeakRssMb,
    };
  } finally {
    await worker?.stop();
    await portal.stop();
  }
}

const tmp = makeTempDir('beeldpoort-bench-load-');
const results: LoadResult[] = [];
try {
  const largest = Math.max(...SENDERS);
  console.log(`generating ${largest} CDs of ${2 * IMAGES} images…`);
  const cds: TestCd[] = [];
  for (let i = 0; i < largest; i++) {
    cds.push(await makeTestCd(path.join(tmp.dir, `cd-${i}`), { studies: 1, series: 2, images: IMAGES, rows: 256, seed: `load-${i}` }));
  }
  for (const n of SENDERS) {
    const chosen = cds.slice(0, n);
    const reference = await storescuAll(chosen);
    const scp = await startStorescp();
    const runDir = makeTempDir('beeldpoort-bench-load-run-');
    try {
      const result = await loadRun(chosen, runDir.dir, scp);
      const full = { ...result, storescuSeconds: round(reference), ratio: round(result.seconds / reference) };
      results.push(full);
      console.log(`N=${n}: ${full.mb} MB in ${full.seconds} s (${full.mbPerSecond} MB/s; storescu one CD after the other ${full.storescuSeconds} s, ratio ${full.ratio}); `
        + `per shipment p50 ${full.shipmentSeconds.p50} s, p95 ${full.shipmentSeconds.p95} s, max ${full.shipmentSeconds.max} s; `
        + `portal peak RSS ${full.portal.peakRssMb} MB, fds ${full.portal.fdsBefore} -> ${full.portal.fdsAfter}, slowest /healthz ${full.portal.slowestHealthMs} ms; `
        + `worker peak RSS ${full.workerPeakRssMb} MB`);
    } finally {
      await scp.stop();
      runDir.remove();
    }
  }
} finally {
  tmp.remove();
}
console.log(JSON.stringify({ bench: 'load', imagesPerSeries: IMAGES, results }));
