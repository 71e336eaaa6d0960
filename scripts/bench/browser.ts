// npm run bench:browser — the browser sender page against sending the raw files straight to the PACS.
// With the ~700 MB generated patient CD (cached in .bench-cache/, shared with `npm run bench`), alternating:
//   (a) DCMTK storescu -> storescp +B (TCP_NODELAY=1 on both sides): the reference;
//   (b) headless Chromium on the sender page (/s/#token): pick the CD folder, press Send, until the receipt says
//       "imported" — plaintext hashing, per-chunk encryption, tus upload through `beeldpoort portal`, decryption
//       and C-STORE by `beeldpoort worker` into the same kind of storescp.
// Prints the medians, the ratio b/a (target <= 2.0), the time the page took to scan the CD, the peak JS heap of the
// page's main thread (CDP Performance.getMetrics) and of its Web Workers (scan, hashing and encryption; CDP
// Runtime.getHeapUsage, the peak of their sum), both sampled every 250 ms (support/heap-sampler.ts), with the
// ArrayBuffer storage outside those heaps, on the full CD and on a quarter-size CD (they must stay bounded,
// not grow with the CD), the peak RSS of portal and worker, and the CPU seconds of Chromium (all its processes),
// portal and worker from Send to "imported" (steadier than wall time on a shared machine; on 2 cores their sum
// bounds the wall time). A script, not a test. The last line is one JSON object.
// Environment: BENCH_RUNS (default 3), BENCH_IMAGES (images per series, default 55: 4 studies x 6 series).
import type { TestCd } from '../../server/test-cd/make-test-cd.ts';
import { launchChromium } from '../../test/helpers/chromium.ts';
import { startStorescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { startBenchPortal, type BenchPortal } from './support/bench-portal.ts';
import { cachedCd } from './support/cached-cd.ts';
import { chromiumCpuTotal } from './support/chromium-cpu.ts';
import { sampleHeap, type HeapPeaks, type HeapSampler } from './support/heap-sampler.ts';
import { BIN } from './support/paths.ts';
import { procCpuSeconds, run, type Proc } from './support/process-sampler.ts';
import { median, round } from './support/stats.ts';
import { expectAllStored, storescuSeconds } from './support/storescu-reference.ts';
import { buildCliBundle } from './support/cli-bundle.ts';

buildCliBundle();

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 55);

interface BrowserRun {
  seconds: number;
  scanSeconds: number;
  /** Peak JS heaps (and ArrayBuffer storage) of the page's main thread and of its Web Workers. */
  heap: HeapPeaks;
  /** Longest main-thread task (Long Tasks API) during scan and send. */
  longestTaskMs: number;
  portalRssMb: number;
  workerRssMb: number;
  /** CPU seconds from Send to "imported": all Chromium processes, the portal, the worker. */
  chromiumCpuS: number;
  portalCpuS: number;
  workerCpuS: number;
}

/** Portal and worker as their own processes over a fresh data dir; the page sends the CD through a new link. */
async function browser(cd: TestCd): Promise<BrowserRun> {
  const scp = await startStorescp();
  const tmp = makeTempDir('beeldpoort-bench-browser-');
  let bench: BenchPortal | undefined;
  let worker: Proc | undefined;
  const chromium = await launchChromium();
  let heap: HeapSampler | undefined;
  try {
    bench = await startBenchPortal(tmp.dir, scp);
    const { env, portal, linkUrl } = bench;
    worker = run(process.execPath, [BIN, 'worker'], env);
    const page = await chromium.newPage();
    heap = await sampleHeap(page);
    // Main-thread tasks over 50 ms (Long Tasks API) while scanning and sending: the page must stay responsive.
    await page.addInitScript(() => {
      const w = window as unknown as { longestTaskMs: number };
      w.longestTaskMs = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longestTaskMs = Math.max(w.longestTaskMs, entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(linkUrl);
    await page.waitForSelector('#select:not([hidden])', { timeout: 30_000 });
    const scanStart = performance.now();
    await page.setInputFiles('#pick-folder', cd.root);
    await page.waitForSelector('#purpose:not([hidden])', { timeout: 300_000 });
    const scanSeconds = (performance.now() - scanStart) / 1000;
    const cpuBefore = { chromium: chromiumCpuTotal(), portal: procCpuSeconds(portal.pid), worker: procCpuSeconds(worker.pid) };
    const start = performance.now();
    await page.click('#send');
    await page.waitForFunction(() => ['imported', 'imported-with-failures', 'failed'].includes(document.getElementById('receipt-state')?.dataset.state ?? ''), null, { timeout: 900_000, polling: 50 });
    const seconds = (performance.now() - start) / 1000;
    const chromiumCpuS = chromiumCpuTotal() - cpuBefore.chromium;
    const portalCpuS = procCpuSeconds(portal.pid) - cpuBefore.portal;
    const workerCpuS = procCpuSeconds(worker.pid) - cpuBefore.worker;
    const state = await page.evaluate(() => document.getElementById('receipt-state')?.dataset.state);
    if (state !== 'imported') throw new Error(`the page ended with ${state}: ${chromium.errors.join('\n')}`);
    const peaks = await heap.stop();
    const longestTaskMs = Math.round(await page.evaluate(() => (window as unknown as { longestTaskMs: number }).longestTaskMs));
    await expectAllStored(cd, scp, 'browser');
    await worker.stop();
    await portal.stop();
    return { seconds, scanSeconds, heap: peaks, longestTaskMs, portalRssMb: portal.peakRssMb(), workerRssMb: worker.peakRssMb(), chromiumCpuS, portalCpuS, workerCpuS };
  } finally {
    await heap?.stop();
    await chromium.close();
    await worker?.stop();
    await bench?.portal.stop();
    await scp.stop();
    tmp.remove();
  }
}

/** "peak JS heap page 9 MB, Web Workers 14 MB (beeldpoort-scan 6, beeldpoort-cipher 14); ArrayBuffers page 1 MB, Web Workers 17 MB" */
function heapText(heap: HeapPeaks): string {
  const byName = Object.entries(heap.workerHeapByNameMb).map(([name, mb]) => `${name} ${mb}`).join(', ');
  return `peak JS heap page ${heap.pageHeapMb} MB, Web Workers ${heap.workerHeapMb} MB (${byName || 'none seen'}); ArrayBuffers page ${heap.pageArrayBuffersMb} MB, Web Workers ${heap.workerArrayBuffersMb} MB`;
}

async function main(): Promise<void> {
  const spawnBuild = run(process.execPath, ['scripts/build-client.mjs'], process.env);
  if ((await spawnBuild.done).code !== 0) throw new Error('build-client failed');
  const cd = await cachedCd('cd-700', { studies: 4, series: 6, images: IMAGES, rows: 512, seed: 'bench' });
  const mb = cd.instances.reduce((sum, instance) => sum + instance.size, 0) / 1e6;
  console.log(`CD: ${cd.instances.length} instances, ${round(mb, 0)} MB of DICOM; ${RUNS} alternating runs`);
  const a: number[] = [];
  const b: BrowserRun[] = [];
  for (let i = 1; i <= RUNS; i++) {
    a.push(await storescuSeconds(cd, 'storescu'));
    console.log(`run ${i} (a) storescu        ${round(a.at(-1)!)} s`);
    b.push(await browser(cd));
    const last = b.at(-1)!;
    console.log(`run ${i} (b) browser page    ${round(last.seconds)} s (scan ${round(last.scanSeconds)} s, ${heapText(last.heap)}, longest main-thread task ${last.longestTaskMs} ms, portal ${last.portalRssMb} MB, worker ${last.workerRssMb} MB RSS; CPU s Chromium ${round(last.chromiumCpuS)}, portal ${round(last.portalCpuS)}, worker ${round(last.workerCpuS)})`);
  }
  const small = await cachedCd('cd-175', { studies: 1, series: 6, images: IMAGES, rows: 512, seed: 'bench-small' });
  const quarter = await browser(small);
  console.log(`quarter CD (${small.instances.length} instances): browser ${round(quarter.seconds)} s, ${heapText(quarter.heap)}`);
  const figures = {
    bench: 'browser',
    instances: cd.instances.length,
    megabytes: round(mb, 0),
    runs: RUNS,
    a_storescu_s: round(median(a)),
    b_browser_s: round(median(b.map((r) => r.seconds))),
    ratio_b_a: round(median(b.map((r) => r.seconds)) / median(a)),
    target_ratio: 2.0,
    scan_s: round(median(b.map((r) => r.scanSeconds))),
    page_peak_heap_mb: Math.max(...b.map((r) => r.heap.pageHeapMb)),
    page_peak_heap_quarter_cd_mb: quarter.heap.pageHeapMb,
    worker_peak_heap_mb: Math.max(...b.map((r) => r.heap.workerHeapMb)),
    worker_peak_heap_quarter_cd_mb: quarter.heap.workerHeapMb,
    array_buffers_peak_mb: {
      page: Math.max(...b.map((r) => r.heap.pageArrayBuffersMb)),
      worker: Math.max(...b.map((r) => r.heap.workerArrayBuffersMb)),
      page_quarter_cd: quarter.heap.pageArrayBuffersMb,
      worker_quarter_cd: quarter.heap.workerArrayBuffersMb,
    },
    longest_main_thread_task_ms: Math.max(...b.map((r) => r.longestTaskMs)),
    portal_peak_rss_mb: Math.max(...b.map((r) => r.portalRssMb)),
    worker_peak_rss_mb: Math.max(...b.map((r) => r.workerRssMb)),
    cpu_s: { chromium: round(median(b.map((r) => r.chromiumCpuS))), portal: round(median(b.map((r) => r.portalCpuS))), worker: round(median(b.map((r) => r.workerCpuS))) },
  };
  console.log(`medians: (a) ${figures.a_storescu_s} s  (b) ${figures.b_browser_s} s;  b/a ${figures.ratio_b_a} (target <= 2.0)`);
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
