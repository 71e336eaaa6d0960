// Whether `beeldpoort` may run the prebuilt CLI bundle (scripts/build-cli.mjs) instead of the TypeScript sources.
// Plain JavaScript: bin.js calls it before tsx is loaded, on every run, so it must be cheap (one stat per file and
// folder of server/ and shared/: ~250 entries, a few ms).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * True only if `entry` exists and its mtime (the time its build STARTED reading the sources, set by build-cli.mjs)
 * is later than the mtime of every file and folder under `trees` and of every path in `files`. A folder's mtime
 * changes when an entry is added, removed or renamed, so a deleted or renamed source also makes the bundle stale.
 * Equal times count as stale (coarse file-system clocks). Anything unreadable counts as stale: when in doubt,
 * the sources run.
 * @param {string} entry the bundle's entry file
 * @param {readonly string[]} trees folders whose every file and sub-folder the bundle may depend on
 * @param {readonly string[]} files single files the build depends on (package.json, tsconfig, the build script)
 * @returns {boolean}
 */
export function useBundle(entry, trees, files) {
  let built;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    return false;
  }
  const older = (path) => statSync(path).mtimeMs < built;
  const treeOlder = (dir) => {
    if (!older(dir)) return false;
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory() ? !treeOlder(path) : !older(path)) return false;
    }
    return true;
  };
  try {
    return files.every(older) && trees.every(treeOlder);
  } catch {
    return false;
  }
}

/**
 * Where scripts/build-cli.mjs writes the bundle, relative to the repository root. Inside node_modules, so git,
 * eslint, tsc and the test finder leave it alone with no configuration, and `npm ci` (which empties node_modules)
 * rebuilds it through "prepare".
 */
export const BUNDLE_DIR = 'node_modules/.cache/beeldpoort-cli';
/** The bundle's entry (server/cli/main.ts compiled), inside BUNDLE_DIR. */
export const BUNDLE_ENTRY = 'beeldpoort.mjs';
/** What the bundle is built from, relative to the root: the trees and files useBundle compares it against. */
export const BUNDLE_TREES = ['server', 'shared'];
export const BUNDLE_FILES = ['package.json', 'tsconfig.json', 'tsconfig.base.json', 'scripts/build-cli.mjs'];
