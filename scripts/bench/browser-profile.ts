// Where the time and CPU of one browser send go: the sender page in headless Chromium sends a cached CD through
// `beeldpoort portal` and `beeldpoort worker` into storescp +B (as `npm run bench:browser` (b)), once. Prints the
// phases (scan, hash and plan, upload, import), the CPU seconds of each Chromium process type (browser, renderer,
// network service...), of portal and of worker during the send, and the page's longest main-thread task.
// With PROFILE=1 it also records a CDP CPU profile of the page's main thread from Send to the receipt (PROFILE=scan:
// from picking the CD) and prints the
// busiest functions (with CLIENT_MINIFY=0 the page is bundled unminified, so they have names). BENCH_CD=cd-175 uses
// the quarter-size CD (default cd-700).
// Not a test and not a ratio benchmark: a tool for finding the next cost to cut. The last line is one JSON object.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from '../../test/helpers/chromium.ts';
import { startStorescp } from '../../test/helpers/storescp.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { startBenchPortal, type BenchPortal } from './support/bench-portal.ts';
import { BENCH_CDS, cachedCd } from './support/cached-cd.ts';
import { chromiumCpu } from './support/chromium-cpu.ts';
import { summariseCpuProfile } from './support/cpu-profile-summary.ts';
import { BIN, CACHE } from './support/paths.ts';
import { procCpuSeconds, run, type Proc } from './support/process-sampler.ts';
import { round } from './support/stats.ts';
import { expectAllStored } from './support/storescu-reference.ts';
import { buildCliBundle } from './support/cli-bundle.ts';

buildCliBundle();

const cdName = (process.env.BENCH_CD ?? 'cd-700') as keyof typeof BENCH_CDS;
const profiling = process.env.PROFILE === '1' || process.env.PROFILE === 'scan';
const profilingScan = process.env.PROFILE === 'scan';

const cd = await cachedCd(cdName, BENCH_CDS[cdName]);
const build = await run(process.execPath, ['scripts/build-client.mjs'], process.env).done;
if (build.code !== 0) throw new Error(`build-client failed: ${build.stderr}`);
const scp = await startStorescp();
const tmp = makeTempDir('beeldpoort-browser-profile-');
const chromium = await launchChromium();
let bench: BenchPortal | undefined;
let worker: Proc | undefined;
try {
  bench = await startBenchPortal(tmp.dir, scp);
  worker = run(process.execPath, [BIN, 'worker'], bench.env);
  const page = await chromium.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { longestTaskMs: number; longTasks: Array<[number, number]> };
    w.longestTaskMs = 0;
    w.longTasks = [];
    performance.setResourceTimingBufferSize(100_000); // every upload request, for the in-flight figure below
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        w.longestTaskMs = Math.max(w.longestTaskMs, entry.duration);
        w.longTasks.push([entry.startTime, entry.duration]);
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(bench.linkUrl);
  await page.waitForSelector('#select:not([hidden])', { timeout: 30_000 });
  // PROFILE=scan profiles from picking the CD (the scan's own main-thread work) instead of from Send.
  const cdp = await page.context().newCDPSession(page);
  const startProfiler = async () => {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  };
  if (profilingScan) await startProfiler();
  const t0 = performance.now();
  await page.setInputFiles('#pick-folder', cd.root);
  await page.waitForSelector('#purpose:not([hidden])', { timeout: 300_000 });
  const scanned = performance.now();
  if (profiling && !profilingScan) await startProfiler();
  const cpuBefore = chromiumCpu();
  const portalBefore = procCpuSeconds(bench.portal.pid);
  const workerBefore = procCpuSeconds(worker.pid);
  const sendAt = performance.now();
  const pageSendAt = await page.evaluate(() => performance.now());
  await page.click('#send');
  // The bar gets a value once the plan is made and the first progress is drawn (it is indeterminate while hashing).
  await page.waitForFunction(() => document.getElementById('upload-progress')?.hasAttribute('value') || !document.getElementById('receipt')?.hidden, null, { timeout: 900_000, polling: 20 });
  const planned = performance.now();
  const cpuPlanned = chromiumCpu();
  await page.waitForSelector('#receipt:not([hidden])', { timeout: 900_000 });
  const uploaded = performance.now();
  const cpuUploaded = chromiumCpu();
  // How busy the upload lanes were: requests to /uploads in flight on average over the upload phase, and their
  // mean duration (request sent to response end), from Resource Timing.
  const lanes = await page.evaluate(() => {
    const uploads = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((entry) => entry.name.includes('/uploads'));
    if (uploads.length === 0) return { requests: 0, meanInFlight: 0, meanMs: 0, meanWaitMs: 0, newConnections: 0 };
    const first = Math.min(...uploads.map((entry) => entry.startTime));
    const last = Math.max(...uploads.map((entry) => entry.responseEnd));
    const busy = uploads.reduce((sum, entry) => sum + (entry.responseEnd - entry.startTime), 0);
    const waiting = uploads.reduce((sum, entry) => sum + (entry.responseStart - entry.requestStart), 0);
    // A request that had to open its TCP connection (keep-alive should make these a handful).
    const newConnections = uploads.filter((entry) => entry.connectEnd > entry.connectStart).length;
    return { requests: uploads.length, meanInFlight: busy / (last - first), meanMs: busy / uploads.length, meanWaitMs: waiting / uploads.length, newConnections };
  });
  const portalUploaded = procCpuSeconds(bench.portal.pid);
  const workerUploaded = procCpuSeconds(worker.pid);
  let profileFile: string | undefined;
  if (profiling) {
    const { profile } = await cdp.send('Profiler.stop');
    const dir = path.join(CACHE, 'profiles', 'browser');
    mkdirSync(dir, { recursive: true });
    profileFile = path.join(dir, `page-${cdName}.cpuprofile`);
    writeFileSync(profileFile, JSON.stringify(profile));
  }
  await page.waitForFunction(() => ['imported', 'imported-with-failures', 'failed'].includes(document.getElementById('receipt-state')?.dataset.state ?? ''), null, { timeout: 900_000, polling: 50 });
  const imported = performance.now();
  const state = await page.evaluate(() => document.getElementById('receipt-state')?.dataset.state);
  if (state !== 'imported') throw new Error(`the page ended with ${state}: ${chromium.errors.join('\n')}`);
  const cpuAfter = chromiumCpu();
  const longestTaskMs = Math.round(await page.evaluate(() => (window as unknown as { longestTaskMs: number }).longestTaskMs));
  // The longest tasks and when they started (s after Send; negative: during the scan), to tell which phase made them.
  const longTasks = (await page.evaluate(() => (window as unknown as { longTasks: Array<[number, number]> }).longTasks))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([at, ms]) => `${Math.round(ms)} ms at ${round((at - pageSendAt) / 1000, 2)} s`);
  await expectAllStored(cd, scp, 'browser');
  const cpuOf = (after: Map<string, number>, before: Map<string, number>) =>
    Object.fromEntries([...after].map(([type, s]) => [type, round(s - (before.get(type) ?? 0))]).filter(([, s]) => (s as number) > 0.05));
  const figures = {
    cd: cdName,
    instances: cd.instances.length,
    send_s: round((imported - sendAt) / 1000),
    phases_s: {
      scan: round((scanned - t0) / 1000),
      plan: round((planned - sendAt) / 1000),
      upload: round((uploaded - planned) / 1000),
      import_after_upload: round((imported - uploaded) / 1000),
    },
    cpu_plan_s: cpuOf(cpuPlanned, cpuBefore),
    cpu_until_uploaded_s: {
      chromium: cpuOf(cpuUploaded, cpuBefore),
      portal: round(portalUploaded - portalBefore),
      worker: round(workerUploaded - workerBefore),
    },
    cpu_whole_send_s: {
      chromium: cpuOf(cpuAfter, cpuBefore),
      portal: round(procCpuSeconds(bench.portal.pid) - portalBefore),
      worker: round(procCpuSeconds(worker.pid) - workerBefore),
    },
    longest_main_thread_task_ms: longestTaskMs,
    upload_requests: lanes.requests,
    upload_requests_opening_a_connection: lanes.newConnections,
    mean_requests_in_flight: round(lanes.meanInFlight),
    mean_request_ms: round(lanes.meanMs, 1),
    mean_request_to_first_response_byte_ms: round(lanes.meanWaitMs, 1),
  };
  console.log(`send ${figures.send_s} s: scan ${figures.phases_s.scan} (before Send), plan ${figures.phases_s.plan}, upload ${figures.phases_s.upload}, import after upload ${figures.phases_s.import_after_upload}`);
  console.log(`upload requests: ${lanes.requests} (${lanes.newConnections} opened a connection), ${round(lanes.meanInFlight)} in flight on average, ${round(lanes.meanMs, 1)} ms each (${round(lanes.meanWaitMs, 1)} ms from request sent to first response byte)`);
  console.log(`longest main-thread tasks: ${longTasks.join(', ')} (plan ends at ${figures.phases_s.plan} s, upload at ${round(figures.phases_s.plan + figures.phases_s.upload, 2)} s)`);
  console.log(`CPU s of Chromium while planning: ${JSON.stringify(figures.cpu_plan_s)}`);
  console.log(`CPU s until uploaded: ${JSON.stringify(figures.cpu_until_uploaded_s)}`);
  console.log(`CPU s whole send:     ${JSON.stringify(figures.cpu_whole_send_s)}`);
  if (profileFile) {
    const summary = summariseCpuProfile(profileFile, 30);
    console.log(`\npage main thread (Send to receipt): busy ${round(summary.busySeconds)} s`);
    for (const { seconds, where } of summary.top) console.log(`${round(seconds, 3).toFixed(3).padStart(8)}  ${where.replace(/^.*\/dist\//, 'dist/')}`);
  }
  console.log(JSON.stringify(figures));
} finally {
  await chromium.close();
  await worker?.stop();
  await bench?.portal.stop();
  await scp.stop();
  tmp.remove();
}
