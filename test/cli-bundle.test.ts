/**
 * The prebuilt CLI bundle (scripts/build-cli.mjs), built here into a fresh folder of its own: `--help`, a command's
 * error path, and `beeldpoort start` from the bundle serving the browser pages and importing a shipment, with the
 * validation thread started from the bundle too (not from the sources through tsx). And bin.js: which code it runs
 * (bundle or sources) follows useBundle, and BEELDPOORT_NO_BUNDLE=1 forces the sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BUNDLE_DIR, BUNDLE_ENTRY, BUNDLE_FILES, BUNDLE_TREES, useBundle } from '../server/cli/use-bundle.mjs';
import { startEmbedded } from './helpers/embedded-start.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'server/cli/bin.js');

/** Builds a bundle into a new folder inside the repository (where node_modules resolves), removed after the test. */
async function buildBundle(t: { after(fn: () => void): void }): Promise<{ dir: string; runner: string }> {
  const cache = path.join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'beeldpoort-cli-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await run(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs'), '--outdir', dir]);
  const runner = path.join(dir, 'run.mjs');
  writeFileSync(runner, `import { main } from './${BUNDLE_ENTRY}';\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  return { dir, runner };
}

/** A failing command's stack (BEELDPOORT_DEBUG) names the files its code ran from. */
async function failingEcho(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await run(process.execPath, [...args, 'echo'], { env: { ...process.env, ...env, BEELDPOORT_DEBUG: '1', BEELDPOORT_PACS: 'nonsense' } }).then(
    () => assert.fail('echo with an invalid BEELDPOORT_PACS succeeded'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /\[E_CONFIG\]/);
  return result.stderr;
}

test('the bundle runs --help and a command from its own files', async (t) => {
  const { dir, runner } = await buildBundle(t);
  const help = await run(process.execPath, [runner, '--help']);
  assert.match(help.stdout, /^Usage: beeldpoort COMMAND/);
  assert.match(help.stdout, /make-test-cd/);
  const stack = await failingEcho([runner]);
  assert.match(stack, new RegExp(`${path.basename(dir)}/echo-[A-Z0-9]+\\.mjs`), 'the echo command ran from its bundled chunk');
  assert.doesNotMatch(stack, /\.ts:\d+/);
  const modules = readdirSync(dir).filter((name) => name.endsWith('.mjs'));
  assert.ok(!modules.some((name) => readFileSync(path.join(dir, name), 'utf8').includes('node:test')), 'no test code in the bundle');
});

test('bin.js runs the bundle only when useBundle says it is current; BEELDPOORT_NO_BUNDLE=1 runs the sources', async () => {
  const current = () => useBundle(path.join(ROOT, BUNDLE_DIR, BUNDLE_ENTRY), BUNDLE_TREES.map((p) => path.join(ROOT, p)), BUNDLE_FILES.map((p) => path.join(ROOT, p)));
  const sources = await failingEcho([BIN], { BEELDPOORT_NO_BUNDLE: '1' });
  assert.match(sources, /server\/cli\/commands\/echo\.ts/);
  // Other work in this tree may edit a source (or rebuild) at any moment: compare only when the answer is the same
  // before and after the run.
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = current();
    const stack = await failingEcho([BIN]);
    if (current() !== before) continue;
    if (before) assert.match(stack, new RegExp(`${BUNDLE_DIR.replaceAll('.', '\\.')}/echo-[A-Z0-9]+\\.mjs`));
    else assert.match(stack, /server\/cli\/commands\/echo\.ts/);
    return;
  }
  assert.fail('the bundle changed state during every one of 5 runs');
});

test('beeldpoort start from the bundle serves the pages and imports a shipment through a bundled validation thread', async (t) => {
  const { dir, runner } = await buildBundle(t);
  // The bundled thread entry, wrapped to leave a mark: proof that the worker started its thread from the bundle.
  const mark = path.join(dir, 'thread-started');
  renameSync(path.join(dir, 'validate-thread.mjs'), path.join(dir, 'validate-thread-real.mjs'));
  writeFileSync(path.join(dir, 'validate-thread.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(mark)}, 'yes');\nawait import('./validate-thread-real.mjs');\n`);

  const { url, start, sendTestCd } = await startEmbedded(t, runner);

  // CLIENT_DIR resolves to the repository's client/ from the bundle as from the sources.
  for (const [page, type] of [['/s/', /text\/html/], ['/app/', /text\/html/], ['/dist/sender.js', /javascript/]] as const) {
    const response = await fetch(url + page);
    assert.equal(response.status, 200, page);
    assert.match(response.headers.get('content-type') ?? '', type, page);
  }
  assert.match(await (await fetch(`${url}/s/`)).text(), /<html/i);

  await sendTestCd('bundle');
  assert.equal(readFileSync(mark, 'utf8'), 'yes', 'the validation thread started from the bundle');
  await start.stop();
  assert.equal(start.exited(), 'exit code 0');
});
