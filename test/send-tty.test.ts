/**
 * `beeldpoort send` at a terminal (a real pseudo-terminal from util-linux `script`): the consent statement of a
 * consultation and the confirmation are asked, the answers travel inside the encrypted manifest, and the upload
 * shows a progress bar redrawn in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { startTestPortal } from './helpers/portal.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { assertShipmentDecryptsToCd } from './send-support.ts';

const BIN = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Runs a command on a pseudo-terminal, answering each prompt (matched in the output) with its line. */
function onTerminal(command: string[], env: Record<string, string>, answers: Array<[RegExp, string]>): Promise<{ code: number | null; output: string }> {
  const child = spawn('script', ['-qfec', command.map(quote).join(' '), '/dev/null'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let since = 0;
  const pending = [...answers];
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const next = pending[0];
    // Only the output after the previous answer counts: readline redraws prompts with cursor escapes.
    if (next && next[0].test(output.slice(since))) {
      pending.shift();
      since = output.length;
      child.stdin.write(`${next[1]}\r`);
    }
  };
  // A prompt that never comes must fail the test, not hang it.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.once('exit', () => clearTimeout(timer));
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

test('at a terminal a consultation asks for the consent statement and the confirmation, and sends them encrypted', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 2, rows: 64, seed: 'tty' });
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'consult' });
  const run = await onTerminal([process.execPath, BIN, 'send', link.url, cd.root], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') }, [
    [/Consent recorded by \(name, role\): /, 'dr. J. de Vries, internist'],
    [/\(YYYY-MM-DD\): /, '2026-11-28'],
    [/Reference \(chart, form number\): /, 'EPD 4711'],
    [/\[y\/N\] /, 'y'],
  ]);
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /\r\[#+\] 100%/, 'a progress bar redrawn in place');
  const shipmentId = /Shipment reference: ([A-Za-z0-9_-]+)/.exec(run.output)?.[1];
  assert.ok(shipmentId, run.output);
  const manifest = await assertShipmentDecryptsToCd(portal, shipmentId, cd);
  assert.deepEqual(manifest.statements.consent, { recordedBy: 'dr. J. de Vries, internist', date: '2026-11-28', reference: 'EPD 4711' });
});

test('at a terminal, answering no sends nothing', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const cd = await makeTestCd(path.join(tmp.dir, 'cd'), { studies: 1, series: 1, images: 1, rows: 32, seed: 'tty-no' });
  const portal = await startTestPortal();
  t.after(() => portal.stop());
  const link = await portal.createLink({ purpose: 'transfer' });
  const run = await onTerminal([process.execPath, BIN, 'send', link.url, cd.root], { XDG_CACHE_HOME: path.join(tmp.dir, 'cache') }, [[/\[y\/N\] /, 'n']]);
  assert.equal(run.code, 1);
  assert.match(run.output, /not confirmed \[E_SEND_NOT_CONFIRMED\]/);
  assert.equal(portal.portal.ctx.stores.shipments.list().length, 0);
});
