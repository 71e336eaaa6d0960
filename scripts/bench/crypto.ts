// npm run bench:crypto — throughput of the shipment format (shared/format) in Node and in headless Chromium, each
// next to the raw AES-GCM cipher at the same record size measured in the same run, for record data sizes of
// 64 KiB, 256 KiB and 1 MiB; then a 1 GB body encrypted and decrypted as a stream in Node with peak RSS and heap.
// The machine is shared (2 cores, other jobs), so every phase is timed twice: wall clock (best of the rounds) and
// CPU time (total over the rounds; Node: process.cpuUsage, which includes WebCrypto's thread pool; Chromium: all
// processes of its profile from /proc). CPU-time rates are the stable ones under load; wall-clock rates show
// what an idle machine gives. A script, not a test. The last line is one JSON object.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { createFileEncryptor, decryptFile, RECORD_DATA_SIZE } from '../../shared/format/index.ts';
import { createThroughputRun, PHASES, type Phase, type ThroughputRun } from '../../shared/format/testdata/throughput.ts';
import { nodeAesGcm } from '../../server/crypto/node-aes-gcm.ts';
import { bundleForBrowser, launchChromium, servePage } from '../../test/helpers/chromium.ts';

const MB = 1024 * 1024;
const RECORD_DATA_SIZES = [64 * 1024, 256 * 1024, 1024 * 1024];
const SAMPLE = Number(process.env.BENCH_CRYPTO_MB ?? 32) * MB;
const ROUNDS = Number(process.env.BENCH_CRYPTO_ROUNDS ?? 5);
const STREAM = Number(process.env.BENCH_CRYPTO_STREAM_MB ?? 1024) * MB;
const TICK = 0.01; // /proc/<pid>/stat counts CPU in clock ticks of 1/100 s (CLK_TCK on Linux)

interface Rates {
  readonly wallMBps: number;
  readonly cpuMBps: number;
}
interface Figures {
  readonly where: 'node' | 'chromium';
  readonly engine: string;
  readonly recordData: number;
  readonly phases: Record<Phase, Rates>;
}

/** Measures every phase ROUNDS times, interleaved, with a caller-supplied CPU clock in seconds. */
async function measure(where: Figures['where'], recordData: number, run: (phase: Phase) => Promise<number>, engine: string, cpuSeconds: () => number): Promise<Figures> {
  for (const phase of PHASES) await run(phase); // warm-up: JIT, key import, page-in
  const bestWall = Object.fromEntries(PHASES.map((p) => [p, Infinity])) as Record<Phase, number>;
  const cpu = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const phase of PHASES) {
      const c0 = cpuSeconds();
      const wall = await run(phase);
      cpu[phase] += cpuSeconds() - c0;
      bestWall[phase] = Math.min(bestWall[phase], wall);
    }
  }
  const mb = SAMPLE / MB;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const phases = Object.fromEntries(
    PHASES.map((p) => [p, { wallMBps: round1(mb / (bestWall[p] / 1000)), cpuMBps: round1((mb * ROUNDS) / Math.max(cpu[p], TICK)) }]),
  ) as Record<Phase, Rates>;
  const f: Figures = { where, engine, recordData, phases };
  const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`.padStart(4);
  const show = (ours: Phase, raw: Phase) =>
    `${ours} ${phases[ours].cpuMBps} MB/cpu-s = ${pct(phases[ours].cpuMBps, phases[raw].cpuMBps)} of raw ${phases[raw].cpuMBps}` +
    ` (wall ${phases[ours].wallMBps} vs ${phases[raw].wallMBps})`;
  console.log(
    `${where.padEnd(8)} ${engine.padEnd(11)} ${String(recordData / 1024).padStart(4)} KiB  ${show('encrypt', 'rawEncrypt')}  ` +
      `${show('encryptParts', 'rawEncrypt')}  ${show('decrypt', 'rawDecrypt')}`,
  );
  return f;
}

const nodeCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** CPU seconds of every process in the tree rooted at the Chromium started on profileDir. */
function chromiumCpuSeconds(profileDir: string): number {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  const roots: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
      stats.set(Number(name), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) * TICK });
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(`--user-data-dir=${profileDir}`)) roots.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) if (!inTree.has(pid) && inTree.has(s.ppid)) grew = inTree.add(pid) !== undefined;
  }
  let total = 0;
  for (const pid of inTree) total += stats.get(pid)?.cpu ?? 0;
  return total;
}

async function nodeFigures(): Promise<Figures[]> {
  const results: Figures[] = [];
  for (const recordData of RECORD_DATA_SIZES) {
    for (const engine of [undefined, nodeAesGcm]) {
      const run = await createThroughputRun({ recordData, totalBytes: SAMPLE, engine });
      results.push(await measure('node', recordData, (p) => run.run(p), run.engine, nodeCpuSeconds));
    }
  }
  return results;
}

async function chromiumFigures(): Promise<Figures[]> {
  const entry = fileURLToPath(new URL('../../shared/format/testdata/throughput.ts', import.meta.url));
  const bundle = await bundleForBrowser(entry, 'throughput');
  const server = await servePage({ '/': '<!doctype html><script src="/t.js"></script>', '/t.js': bundle });
  const chromium = await launchChromium();
  try {
    const page = await chromium.newPage();
    await page.goto(`${server.origin}/`);
    const results: Figures[] = [];
    type Api = { throughput: { createThroughputRun(o: object): Promise<ThroughputRun> }; run?: ThroughputRun };
    for (const recordData of RECORD_DATA_SIZES) {
      const engine = await page.evaluate(async (o) => {
        const g = globalThis as unknown as Api;
        g.run = await g.throughput.createThroughputRun(o);
        return g.run.engine;
      }, { recordData, totalBytes: SAMPLE });
      const run = (phase: Phase) => page.evaluate((p) => (globalThis as unknown as Api).run!.run(p), phase);
      results.push(await measure('chromium', recordData, run, engine, () => chromiumCpuSeconds(chromium.profileDir)));
    }
    return results;
  } finally {
    await chromium.close();
    await server.close();
  }
}

/** Encrypts STREAM octets chunk by chunk (as tus reads them) straight into decryptFile; samples memory. */
async function streamFigures() {
  const chunk = 8 * MB;
  const pattern = new Uint8Array(chunk + 2 * RECORD_DATA_SIZE).fill(0x5a);
  const ids = { secret: new Uint8Array(32).fill(5), shipmentId: 'bench', fileId: 'stream', engine: nodeAesGcm };
  const encryptor = await createFileEncryptor({ ...ids, plainSize: STREAM, readPlain: async (a, b) => pattern.subarray(0, b - a) });
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  async function* body(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < encryptor.size; offset += chunk) {
      sample();
      yield await encryptor.read(offset, offset + chunk);
    }
  }
  const hash = createHash('sha256');
  const c0 = nodeCpuSeconds();
  const t0 = performance.now();
  let out = 0;
  for await (const part of decryptFile(ids, body())) {
    out += part.length;
    hash.update(part);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = nodeCpuSeconds() - c0;
  clearInterval(timer);
  sample();
  if (out !== STREAM) throw new Error(`streamed ${out} of ${STREAM}`);
  const figures = {
    megabytes: STREAM / MB,
    wallSeconds: Math.round(seconds * 10) / 10,
    cpuSeconds: Math.round(cpu * 10) / 10,
    baselineRssMB: Math.round(before.rss / MB),
    peakRssMB: Math.round(peakRss / MB),
    peakRssGrowthMB: Math.round((peakRss - before.rss) / MB),
    peakHeapMB: Math.round(peakHeap / MB),
  };
  console.log(
    `stream   ${figures.megabytes} MB encrypt -> decrypt -> sha256 (node:crypto): ${figures.wallSeconds} s wall, ${figures.cpuSeconds} s CPU; ` +
      `RSS ${figures.baselineRssMB} MB -> peak ${figures.peakRssMB} MB (+${figures.peakRssGrowthMB}), peak JS heap ${figures.peakHeapMB} MB`,
  );
  return figures;
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
console.log(`bench:crypto  ${SAMPLE / MB} MB x ${ROUNDS} rounds per phase; load average ${load} on this machine`);
const node = await nodeFigures();
const chromium = await chromiumFigures();
const stream = await streamFigures();
const at = (list: Figures[], engine: string) => list.find((r) => r.engine === engine && r.recordData === RECORD_DATA_SIZE)!;
const ratio = (f: Figures, ours: Phase, raw: Phase) => Math.round((f.phases[ours].cpuMBps / f.phases[raw].cpuMBps) * 100) / 100;
console.log(
  JSON.stringify({
    bench: 'crypto',
    recordData: RECORD_DATA_SIZE,
    sampleMB: SAMPLE / MB,
    rounds: ROUNDS,
    loadAverage: Number(load),
    chosenRecordSizeCpuRatios: {
      nodeWebcryptoEncryptVsRaw: ratio(at(node, 'webcrypto'), 'encrypt', 'rawEncrypt'),
      nodeWebcryptoDecryptVsRaw: ratio(at(node, 'webcrypto'), 'decrypt', 'rawDecrypt'),
      nodeCryptoEncryptVsRaw: ratio(at(node, 'node:crypto'), 'encrypt', 'rawEncrypt'),
      nodeCryptoDecryptVsRaw: ratio(at(node, 'node:crypto'), 'decrypt', 'rawDecrypt'),
      chromiumEncryptVsRaw: ratio(at(chromium, 'webcrypto'), 'encrypt', 'rawEncrypt'),
      chromiumEncryptPartsVsRaw: ratio(at(chromium, 'webcrypto'), 'encryptParts', 'rawEncrypt'),
      nodeWebcryptoEncryptPartsVsRaw: ratio(at(node, 'webcrypto'), 'encryptParts', 'rawEncrypt'),
      chromiumDecryptVsRaw: ratio(at(chromium, 'webcrypto'), 'decrypt', 'rawDecrypt'),
      nodeDecryptNodeCryptoVsWebcrypto:
        Math.round((at(node, 'node:crypto').phases.decrypt.cpuMBps / at(node, 'webcrypto').phases.decrypt.cpuMBps) * 100) / 100,
    },
    node,
    chromium,
    stream,
  }),
);
