/**
 * Real headless Chromium for browser tests (Debian's /usr/bin/chromium through playwright-core; `npx playwright
 * install` cannot download here). Every launch gets a fresh --user-data-dir that close() removes, so no state
 * (localStorage, tus fingerprints, IndexedDB) leaks between tests. WebCrypto needs a secure context: load pages
 * from http://127.0.0.1 (servePage below), never about:blank or file://.
 *
 *   const chromium = await launchChromium();
 *   t.after(() => chromium.close());
 *   const page = await chromium.newPage();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium as playwright, type BrowserContext, type Page } from 'playwright-core';
import { makeTempDir } from './tmp.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The flags from /work/shared/notes/pitfalls.md: headless, no sandbox (containers), nothing that phones home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumSession {
  /** The browser context (persistent, on the fresh profile directory). */
  readonly context: BrowserContext;
  /** The fresh --user-data-dir of this browser (removed by close()). */
  readonly profileDir: string;
  /** A new tab; console errors and page errors are collected in `errors`. */
  newPage(): Promise<Page>;
  /** Page errors and console.error lines seen so far, for assertion messages. */
  readonly errors: string[];
  /** Closes the browser and removes the profile directory; idempotent. */
  close(): Promise<void>;
}

export async function launchChromium(options: { args?: string[] } = {}): Promise<ChromiumSession> {
  const profile = makeTempDir('beeldpoort-chromium-');
  let context: BrowserContext;
  try {
    context = await playwright.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
    });
  } catch (error) {
    profile.remove();
    throw error;
  }
  const errors: string[] = [];
  let closed: Promise<void> | undefined;
  return {
    context,
    profileDir: profile.dir,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
      });
      return page;
    },
    close() {
      closed ??= context.close().finally(() => profile.remove());
      return closed;
    },
  };
}

export interface PageServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves fixed files from 127.0.0.1 on a free port: `{ '/': html, '/app.js': js }`. Enough for a test page; not a
 * general static server. Unknown paths answer 404 (except /favicon.ico: 204).
 */
export async function servePage(files: Record<string, string | Uint8Array>): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = files[pathname];
    if (body === undefined && pathname === '/favicon.ico') {
      res.writeHead(204).end(); // Chromium asks for it on every page; a 404 would show up as a console error
      return;
    }
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const type = (req.url ?? '').endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Bundles a TypeScript entry for the browser with esbuild (in memory) as an IIFE that assigns its exports to
 * `globalThis[globalName]`.
 */
export async function bundleForBrowser(entry: string, globalName: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
