import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { main } from '../cli/main.ts';
import { startWorker } from './start-worker.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';

test('the worker refuses to start without its key, or with a key others can read', async (t) => {
  const tmp = makeTempDir('beeldpoort-worker-keys-');
  t.after(() => tmp.remove());
  const config = loadConfig({ BEELDPOORT_DATA: tmp.dir, BEELDPOORT_LOG_LEVEL: 'silent' });
  await assert.rejects(startWorker(config), { code: 'E_NO_KEY', message: /keys init/ });
  mkdirSync(path.join(tmp.dir, 'worker'));
  writeFileSync(path.join(tmp.dir, 'worker', 'institution.private.jwk'), '{}', { mode: 0o644 });
  await assert.rejects(startWorker(config), { code: 'E_NO_KEY', message: /readable by others/ });

  let stderr = '';
  const io = {
    stdout: process.stdout, stdin: process.stdin, env: { BEELDPOORT_DATA: tmp.dir, BEELDPOORT_LOG_LEVEL: 'silent' },
    stderr: { write: (text: string) => ((stderr += text), true) } as unknown as NodeJS.WritableStream,
  };
  assert.equal(await main(['worker'], io), 1);
  assert.match(stderr, /\[E_NO_KEY\]/);
});
