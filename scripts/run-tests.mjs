// Runs every test once with Node's own runner (through tsx): unit tests next to the code (*.test.ts under
// shared/, server/, client/, scripts/) and the integration tests under test/. Node 20's --test takes no globs,
// so the files are listed here. The run ends with the runner's own summary (tests, pass, fail).
// Usage: node scripts/run-tests.mjs [substring-filter...]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const roots = ['shared', 'server', 'client', 'scripts', 'test'];
const skip = new Set(['node_modules', 'dist', 'data']);

function find(dir) {
  const found = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...find(path));
    else if (entry.name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = roots.flatMap(find).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f))).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
// The browser tests load client/dist: bundle it once here, before any test starts, so no test rebuilds it while
// another test's page is loading it.
// The CLI bundle likewise (scripts/build-cli.mjs): the tests that spawn server/cli/bin.js then run it, as a user
// would after `npm ci`, while the sources are not edited meanwhile (bin.js falls back to tsx when they are).
for (const script of ['scripts/build-client.mjs', 'scripts/build-cli.mjs']) {
  const build = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
