// The benchmarks time `beeldpoort` as users run it: from the prebuilt bundle (scripts/build-cli.mjs). bin.js falls
// back to the sources through tsx when the bundle is older than a source, so each benchmark rebuilds it first;
// otherwise an edit made since `npm ci` would silently add tsx's start-up to every process measured.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './paths.ts';

export function buildCliBundle(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('scripts/build-cli.mjs failed');
}
