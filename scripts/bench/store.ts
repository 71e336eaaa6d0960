// npm run bench:store — our C-STORE sender (`beeldpoort store`) against DCMTK's storescu on the same ~700 MB test
// CD (cached under .bench-cache/), both into the same storescp +B. Round 1: storescp with TCP_NODELAY=1, the two
// senders alternated BENCH_STORE_ROUNDS times (default 3), storescu with TCP_NODELAY=1 too; target ours/storescu
// <= 1.0 on the median. Round 2: a storescp WITHOUT TCP_NODELAY (Nagle on, like a default PACS); target ours at
// least 5x faster than storescu, with 4 associations and with the default 8 (BENCH_STORE_NAGLE_ASSOCIATIONS). Why
// Nagle hurts: storescp writes each C-STORE-RSP as a 12-byte header and the rest, and Nagle holds the rest until
// our delayed ACK (~40 ms); only parallel associations hide that. storescp runs with --fork, as a PACS serves
// several associations at once. Wall time and peak RSS of each sender from /usr/bin/time. A script, not a test;
// the last line is one JSON object.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { startStorescp, type Storescp } from '../../test/helpers/storescp.ts';
import { cachedCd } from './support/cached-cd.ts';
import { ROOT } from './support/paths.ts';
import { median } from './support/stats.ts';
import { buildCliBundle } from './support/cli-bundle.ts';

buildCliBundle();

const OPTIONS = { studies: 2, series: 3, images: 220 };
const ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 3);
const NAGLE_ASSOCIATIONS = (process.env.BENCH_STORE_NAGLE_ASSOCIATIONS ?? '4,8').split(',').map(Number);
/** The associations `beeldpoort store` opens when not told otherwise (BEELDPOORT_ASSOCIATIONS unset). */
const DEFAULT_ASSOCIATIONS = loadConfig({}).associations;

interface Cd { root: string; files: string[]; instances: number; bytes: number }
interface Run { seconds: number; maxRssMB: number; received: number; /** ours only: time inside the process, start-up excluded */ innerSeconds?: number }

async function testCd(): Promise<Cd> {
  const cd = await cachedCd('store-cd', OPTIONS);
  return { root: cd.root, files: cd.instances.map((i) => i.path), instances: cd.instances.length, bytes: cd.instances.reduce((n, i) => n + i.size, 0) };
}

/** Runs a command under /usr/bin/time; returns wall seconds and peak RSS. Fails on a non-zero exit. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; maxRssMB: number; stdout: string }> {
  const report = path.join(ROOT, '.bench-cache', `time-${process.pid}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', report, command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout = (stdout + chunk).slice(-100_000)));
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${command} exited ${code}: ${stderr}`));
      const [seconds, kb] = readFileSync(report, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      rmSync(report, { force: true });
      resolve({ seconds: seconds!, maxRssMB: Math.round(kb! / 1024), stdout });
    });
  });
}

async function emptied(scp: Storescp): Promise<number> {
  const files = await scp.files();
  for (const name of readdirSync(scp.dir)) rmSync(path.join(scp.dir, name), { recursive: true, force: true });
  return files.length;
}

async function storescu(scp: Storescp, cd: Cd): Promise<Run> {
  // storescu's proposals per SOP class plus RLE (-xr; it cannot send the RLE images otherwise); one association.
  const env = { ...process.env, TCP_NODELAY: '1' };
  const { stdout: _, ...run } = await timed('storescu', ['-aet', 'STORESCU', '-aec', scp.aet, '-xr', '127.0.0.1', String(scp.port), ...cd.files], env);
  return { ...run, received: await emptied(scp) };
}

/** `beeldpoort store` with the configured default associations (Config.associations), or `associations`. */
async function ours(scp: Storescp, cd: Cd, associations?: number): Promise<Run> {
  const env = { ...process.env };
  delete env.BEELDPOORT_ASSOCIATIONS;
  const extra = associations ? ['--associations', String(associations)] : [];
  const { stdout, ...run } = await timed(process.execPath, [path.join(ROOT, 'server/cli/bin.js'), 'store', '--json', '--pacs', `${scp.aet}@127.0.0.1:${scp.port}`, ...extra, cd.root], env);
  const innerSeconds = (JSON.parse(stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds;
  return { ...run, innerSeconds, received: await emptied(scp) };
}

const show = (who: string, r: Run, cd: Cd) =>
  console.log(`${who.padEnd(28)} ${r.seconds.toFixed(2).padStart(7)} s  ${(cd.bytes / 1e6 / r.seconds).toFixed(0).padStart(5)} MB/s  peak RSS ${r.maxRssMB} MB  received ${r.received}/${cd.instances}`
    + (r.innerSeconds === undefined ? '' : `  (${r.innerSeconds.toFixed(2)} s after start-up)`));

const cd = await testCd();
console.log(`test CD: ${cd.instances} instances, ${(cd.bytes / 1e6).toFixed(0)} MB`);

const fast = await startStorescp({ noDelay: true, extraArgs: ['--fork'] });
const runs = { storescu: [] as Run[], ours: [] as Run[] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const a = await storescu(fast, cd);
    show(`storescu  (NODELAY) #${round}`, a, cd);
    const b = await ours(fast, cd);
    show(`beeldpoort (NODELAY) #${round}`, b, cd);
    runs.storescu.push(a);
    runs.ours.push(b);
  }
} finally {
  await fast.stop();
}

const slow = await startStorescp({ noDelay: false, extraArgs: ['--fork'] });
const nagle = { storescu: undefined as Run | undefined, ours: new Map<number, Run>() };
try {
  for (const associations of NAGLE_ASSOCIATIONS) {
    const run = await ours(slow, cd, associations);
    show(`beeldpoort (Nagle on) x${associations}`, run, cd);
    nagle.ours.set(associations, run);
  }
  nagle.storescu = await storescu(slow, cd);
  show('storescu  (Nagle on)', nagle.storescu, cd);
} finally {
  await slow.stop();
}

const ratio = median(runs.ours.map((r) => r.seconds)) / median(runs.storescu.map((r) => r.seconds));
// Node + tsx start-up (~0.7 s here) is part of the wall time; without it, the sending itself:
const innerRatio = median(runs.ours.map((r) => r.innerSeconds!)) / median(runs.storescu.map((r) => r.seconds));
const speedups = Object.fromEntries([...nagle.ours].map(([n, r]) => [n, Number((nagle.storescu!.seconds / r.seconds).toFixed(2))]));
const oursAll = [...runs.ours, ...nagle.ours.values()];
const complete = [...oursAll, ...runs.storescu, nagle.storescu!].every((r) => r.received === cd.instances);
const peakRssMB = Math.max(...oursAll.map((r) => r.maxRssMB));
console.log(`ours/storescu with TCP_NODELAY (median of ${ROUNDS}): ${ratio.toFixed(2)} wall (target <= 1.0), ${innerRatio.toFixed(2)} after start-up`);
for (const [n, x] of Object.entries(speedups)) console.log(`storescu/ours with Nagle on at the PACS, ${n} associations: ${x}x (target >= 5)`);
console.log(`peak RSS of beeldpoort store: ${peakRssMB} MB for ${(cd.bytes / 1e6).toFixed(0)} MB`);
console.log(JSON.stringify({
  bench: 'store', instances: cd.instances, bytes: cd.bytes, rounds: ROUNDS, complete,
  noDelay: { storescuSeconds: runs.storescu.map((r) => r.seconds), oursSeconds: runs.ours.map((r) => r.seconds),
    oursSecondsAfterStartup: runs.ours.map((r) => r.innerSeconds), ratio: Number(ratio.toFixed(3)), ratioAfterStartup: Number(innerRatio.toFixed(3)), target: ratio <= 1 },
  nagle: {
    storescuSeconds: nagle.storescu!.seconds,
    oursSeconds: Object.fromEntries([...nagle.ours].map(([n, r]) => [n, r.seconds])),
    speedup: speedups,
    targetAtDefault: (speedups[DEFAULT_ASSOCIATIONS] ?? 0) >= 5,
    defaultAssociations: DEFAULT_ASSOCIATIONS,
  },
  peakRssMB, storescuPeakRssMB: Math.max(...[...runs.storescu, nagle.storescu!].map((r) => r.maxRssMB)),
}));
