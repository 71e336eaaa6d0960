#!/usr/bin/env node
// The `beeldpoort` command. Runs the prebuilt bundle (scripts/build-cli.mjs, in node_modules/.cache/beeldpoort-cli/)
// when it is current, which saves every run tsx's start-up (~0.2-0.6 s CPU of compiling and loading TypeScript);
// otherwise the TypeScript sources through tsx, so `npx beeldpoort` also works with no build and never runs stale
// code. "Current" means newer than every file and folder under server/ and shared/ and than package.json, the
// tsconfigs and the build script (useBundle; the check costs a few ms).
// BEELDPOORT_NO_BUNDLE=1 forces the sources through tsx.
import { fileURLToPath } from 'node:url';
import { BUNDLE_DIR, BUNDLE_ENTRY, BUNDLE_FILES, BUNDLE_TREES, useBundle } from './use-bundle.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = new URL(`../../${BUNDLE_DIR}/${BUNDLE_ENTRY}`, import.meta.url);
let main;
if (process.env.BEELDPOORT_NO_BUNDLE !== '1' && useBundle(fileURLToPath(bundle), BUNDLE_TREES.map((p) => root + p), BUNDLE_FILES.map((p) => root + p))) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
