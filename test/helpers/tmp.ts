/** Temporary directories for tests, removed by the caller (t.after) or, as a last resort, when the process exits. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const live = new Set<string>();
process.once('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
});

/** Creates a fresh directory under the OS temp dir; `remove()` deletes it (idempotent). */
export function makeTempDir(prefix = 'beeldpoort-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  live.add(dir);
  return {
    dir,
    remove() {
      rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}
