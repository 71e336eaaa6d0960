// The worker lives inside the hospital and talks to the portal (in the DMZ) only over HTTP: it imports nothing from
// the portal's code (docs/architecture.md, processes and trust boundaries). This keeps that true as files move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workerDir = path.dirname(fileURLToPath(import.meta.url));
const portalDir = path.resolve(workerDir, '../portal');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

test('no worker source imports from server/portal/', () => {
  const files = sources(workerDir);
  assert.ok(files.length > 20, `found only ${files.length} worker sources`);
  const offending: string[] = [];
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:from\s+|import\s+)'([^']+)'/g)) {
      const target = match[1]!;
      if (target.startsWith('.') && path.resolve(path.dirname(file), target).startsWith(portalDir + path.sep)) {
        offending.push(`${path.relative(workerDir, file)} -> ${target}`);
      }
    }
  }
  assert.deepEqual(offending, []);
});
