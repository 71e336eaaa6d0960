// Bundles the browser pages (client/<page>/main.ts) into client/dist/<page>.js with esbuild. Runs on
// `npm ci` (prepare) and `npm run build:client`; the portal serves client/dist and client/<page>/*.html|css.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../client/', import.meta.url).pathname;
const pages = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'dist' && existsSync(join(root, entry.name, 'main.ts')))
      .map((entry) => entry.name)
  : [];

const entryPoints = Object.fromEntries(pages.flatMap((page) => {
  const points = [[page, join(root, page, 'main.ts')]];
  // A page may have a Web Worker (e.g. the sender's scanner) bundled as <page>-worker.js.
  if (existsSync(join(root, page, 'worker.ts'))) points.push([`${page}-worker`, join(root, page, 'worker.ts')]);
  return points;
}));

if (Object.keys(entryPoints).length > 0) {
  await build({
    entryPoints,
    outdir: join(root, 'dist'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    sourcemap: true,
    // CLIENT_MINIFY=0 keeps function names readable in CPU profiles (scripts/bench/browser-profile.ts).
    minify: process.env.CLIENT_MINIFY !== '0',
    logLevel: 'warning',
  });
}
console.log(`build-client: ${pages.length === 0 ? 'no pages yet' : `bundled ${Object.keys(entryPoints).join(', ')}`}`);
