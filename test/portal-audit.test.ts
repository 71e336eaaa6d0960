// The audit hash chain: intact after real activity; a deliberately altered, deleted or reordered row is
// detected and named, by the store and by `beeldpoort audit verify` (non-zero exit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { startTestPortal } from './helpers/portal.ts';

const BIN = fileURLToPath(new URL('../server/cli/bin.js', import.meta.url));
function cli(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, BEELDPOORT_DATA: dataDir }, encoding: 'utf8' });
}

test('audit verify passes on an intact chain and names the first altered row', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  for (let i = 0; i < 4; i++) await tp.createLink({ sender: `Hospital ${i}` });
  const ok = cli(tp.dataDir, 'audit', 'verify', '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout.trim().split('\n').at(-1)!), { ok: true, count: 4 });
  const exported = cli(tp.dataDir, 'audit', 'export');
  assert.equal(exported.stdout.trim().split('\n').length, 4);

  // The ordinary path refuses changes (append-only triggers) ...
  const db = new Database(`${tp.dataDir}/portal.sqlite`);
  t.after(() => db.close());
  assert.throws(() => db.prepare("UPDATE audit SET action = 'x' WHERE seq = 2").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM audit WHERE seq = 2').run(), /append-only/);
  // ... and someone who drops the triggers is still caught by the chain.
  db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
  db.prepare("UPDATE audit SET ip = '10.6.6.6' WHERE seq = 3").run();
  assert.deepEqual(tp.portal.ctx.stores.audit.verifyChain(), { ok: false, count: 3, seq: 3, reason: 'record altered: hash mismatch' });
  const broken = cli(tp.dataDir, 'audit', 'verify');
  assert.equal(broken.status, 1);
  assert.match(broken.stdout, /BROKEN at record 3/);
  assert.match(broken.stderr, /E_AUDIT_CHAIN/);
});

test('a deleted row in the middle of the chain is detected', async (t) => {
  const tp = await startTestPortal();
  t.after(() => tp.stop());
  for (let i = 0; i < 3; i++) await tp.createLink();
  const db = new Database(`${tp.dataDir}/portal.sqlite`);
  t.after(() => db.close());
  db.exec('DROP TRIGGER audit_no_delete;');
  db.prepare('DELETE FROM audit WHERE seq = 2').run();
  const check = tp.portal.ctx.stores.audit.verifyChain();
  assert.equal(check.ok, false);
  assert.equal(!check.ok && check.seq, 3);
});
