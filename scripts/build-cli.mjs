// Bundles the `beeldpoort` command (server/cli/main.ts) with esbuild into node_modules/.cache/beeldpoort-cli/
// (BUNDLE_DIR in server/cli/use-bundle.mjs), so a CLI run does not pay tsx's start-up (compiling and loading the
// TypeScript through its loader thread). server/cli/bin.js runs the bundle only while it is newer than every
// source (useBundle), otherwise the sources through tsx. Runs on `npm ci` (prepare), `npm run build:cli` and
// before the tests (scripts/run-tests.mjs). Usage: node scripts/build-cli.mjs [--outdir DIR] (DIR must lie
// inside this repository, so the bundle finds node_modules and, at run time, the sources' neighbours).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_DIR, BUNDLE_ENTRY } from '../server/cli/use-bundle.mjs';

const root = path.resolve(new URL('..', import.meta.url).pathname);
const flag = process.argv.indexOf('--outdir');
const outdir = path.resolve(flag >= 0 ? process.argv[flag + 1] : path.join(root, BUNDLE_DIR));
/** Output files no build of the last hour refers to are removed (older chunks are kept for processes started from them). */
const KEEP_UNUSED_MS = 60 * 60 * 1000;
/** `import.meta.url /* bundle: own url *\/`: a module that refers to a file the bundle itself ships (see below). */
const OWN_URL = /import\.meta\.url(\s*\/\*\s*bundle: own url\s*\*\/)?/g;

/**
 * In a bundle, `import.meta.url` is the URL of the output chunk, not of the source file, so `new URL('../x',
 * import.meta.url)` would point somewhere else. Each source's `import.meta.url` is therefore replaced by its
 * original location, computed at run time relative to the chunk (all chunks lie flat in outdir), so the repository
 * stays relocatable: CLIENT_DIR (server/portal/http/static-pages.ts) finds client/ from the bundle as from the
 * sources. Exception, marked in the source with the comment `bundle: own url`: a reference to a file the bundle
 * ships compiled beside its chunks (the validation thread, server/worker/validate/validator.ts) keeps the chunk's
 * URL. Other import.meta properties (dirname, filename, resolve) would also be the chunk's: refused.
 */
const sourceLocations = {
  name: 'source-locations',
  setup(builder) {
    builder.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      // Test modules are never imported by a command, but main.ts's `import(`./commands/${name}.ts`)` matches
      // commands/*.test.ts too: an empty module keeps node:test and the test helpers out of the bundle.
      if (args.path.endsWith('.test.ts')) return { contents: '', loader: 'js' };
      const text = readFileSync(args.path, 'utf8');
      const other = /import\.meta(?!\.url\b)/.exec(text);
      if (other) return { errors: [{ text: `${path.relative(root, args.path)} uses ${text.slice(other.index, other.index + 24)}...: only import.meta.url is supported in the CLI bundle` }] };
      const original = path.relative(outdir, args.path).split(path.sep).join('/');
      const contents = text.replace(OWN_URL, (match, own) => (own ? match : `new URL(${JSON.stringify(original)}, import.meta.url).href`));
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

const started = Date.now();
const result = await build({
  entryPoints: {
    [path.basename(BUNDLE_ENTRY, '.mjs')]: path.join(root, 'server/cli/main.ts'),
    // Started by validator.ts as './validate-thread.mjs' beside its own chunk: a worker run from the bundle starts
    // its validation thread without tsx too.
    'validate-thread': path.join(root, 'server/worker/validate/validate-thread.ts'),
  },
  outdir,
  bundle: true,
  // Code splitting keeps main.ts's lazy command loading: each command is a chunk imported on demand, so
  // `beeldpoort --help` loads none of them (and none of their packages).
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // node_modules are loaded as usual at run time (better-sqlite3 is native; nothing is duplicated).
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  write: false,
  logLevel: 'warning',
  plugins: [sourceLocations],
});

// Written file by file through a temporary name and a rename, chunks first and the entry last, so a `beeldpoort`
// starting meanwhile (another terminal, a test) sees either the previous complete bundle or the new one. Chunk
// names carry a content hash, so an unchanged chunk is not rewritten and a running process's lazy imports stay valid.
mkdirSync(outdir, { recursive: true });
const entry = path.join(outdir, BUNDLE_ENTRY);
const files = result.outputFiles.sort((a, b) => (a.path === entry) - (b.path === entry));
for (const file of files) {
  const unchanged = path.basename(file.path).match(/-[A-Z0-9]{8}\.mjs(\.map)?$/) && existsSync(file.path) && readFileSync(file.path).equals(file.contents);
  if (unchanged) continue;
  const temporary = `${file.path}.${process.pid}.tmp`;
  writeFileSync(temporary, file.contents);
  // The entry's mtime is the time this build started reading the sources: a source saved during the build is
  // newer, so useBundle does not take the bundle for current.
  if (file.path === entry) utimesSync(temporary, started / 1000, started / 1000);
  renameSync(temporary, file.path);
}
const written = new Set(files.map((file) => file.path));
for (const name of readdirSync(outdir)) {
  const file = path.join(outdir, name);
  const info = statSync(file);
  if (!written.has(file) && info.isFile() && Date.now() - info.mtimeMs > KEEP_UNUSED_MS) rmSync(file, { force: true });
}
console.log(`build-cli: ${files.filter((f) => f.path.endsWith('.mjs')).length} modules in ${path.relative(root, outdir) || '.'} (${Date.now() - started} ms)`);
