// The GC policy switches a V8 flag inside a running process (server/gc-policy.ts). Switched while a marking cycle
// ran, that flag killed the portal in CI (SIGTRAP in ConcurrentMarking::RunMajor). These runs recreate that moment:
// a child process churns a large heap, so concurrent marking is often under way, and applies the policy at a random
// point; it must never die, and afterwards no marking may be incremental (that is what the policy is for). The
// crash itself is rare (2-7 in 100 plain-Node runs of the unguarded switch, fewer under tsx), so this is a smoke
// check of the guard; the assertion on incremental marking is the part that fails at once if the policy breaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const policyModule = fileURLToPath(new URL('./gc-policy.ts', import.meta.url));
const RUNS = 12;

interface ChildReport {
  appliedAt: number;
  gcs: { startTime: number; kind: number }[];
}

// Objects of 200 properties, up to 20,000 kept: a ~130 MB heap whose marking takes ~100 ms. The child records its
// GCs (perf_hooks 'gc' entries; their kind tells an incremental marking step from an atomic major GC) and prints them.
const child = `
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { preferAtomicMajorGc } from ${JSON.stringify(policyModule)};
const gcs = [];
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcs.push({ startTime: entry.startTime, kind: entry.detail.kind });
});
observer.observe({ entryTypes: ['gc'] });
const keep = [];
function churn(ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const o = {};
    for (let i = 0; i < 200; i++) o['k' + i] = { v: i, s: 'x' + i };
    keep.push(o);
    if (keep.length > 20000) keep.splice(0, 10000);
  }
}
churn(150 + Math.random() * 450);
preferAtomicMajorGc();
const appliedAt = performance.now();
churn(400);
setTimeout(() => {
  observer.disconnect();
  console.log(JSON.stringify({ appliedAt, gcs }));
}, 50);
`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test(`applying the GC policy at a random moment under heavy marking never kills the process (${RUNS} runs), and no marking is incremental after it`, async () => {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i += 2) runs.push(...(await Promise.all([runChild(), runChild()])));
  let incrementalBefore = 0;
  for (const run of runs) {
    assert.equal(run.signal, null, `child died of ${run.signal}:\n${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const report = JSON.parse(run.stdout) as ChildReport;
    const incremental = report.gcs.filter((gc) => gc.kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL);
    incrementalBefore += incremental.filter((gc) => gc.startTime < report.appliedAt).length;
    assert.deepEqual(incremental.filter((gc) => gc.startTime >= report.appliedAt), [], 'incremental marking after the policy');
  }
  assert.ok(incrementalBefore > 0, 'no run marked incrementally before the policy: the churn no longer exercises marking');
});
