// The same golden vectors as test/format-golden.test.ts, run in real headless Chromium: the shared code bundled by
// esbuild, served from http://127.0.0.1 (WebCrypto needs a secure context), run with the browser's WebCrypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser, launchChromium, servePage } from './helpers/chromium.ts';
import { runGoldenVectors, type VectorResult } from '../shared/format/testdata/golden.ts';

const entry = fileURLToPath(new URL('../shared/format/testdata/golden.ts', import.meta.url));

test('golden vectors pass in headless Chromium with its own WebCrypto, identical to Node', async (t) => {
  const bundle = await bundleForBrowser(entry, 'golden');
  const server = await servePage({ '/': '<!doctype html><title>golden</title><script src="/golden.js"></script>', '/golden.js': bundle });
  t.after(() => server.close());
  const chromium = await launchChromium();
  t.after(() => chromium.close());
  const page = await chromium.newPage();
  await page.goto(`${server.origin}/`);
  const inBrowser = await page.evaluate(async () => {
    const api = (globalThis as unknown as { golden: { runGoldenVectors(): Promise<VectorResult[]> } }).golden;
    return { secure: globalThis.isSecureContext, agent: navigator.userAgent, results: await api.runGoldenVectors() };
  });
  assert.equal(inBrowser.secure, true);
  assert.match(inBrowser.agent, /Chrome\//);
  assert.deepEqual(chromium.errors, []);
  assert.deepEqual(inBrowser.results.filter((r) => !r.ok), []);
  const inNode = await runGoldenVectors();
  assert.deepEqual(inBrowser.results.map((r) => r.name), inNode.map((r) => r.name));
  assert.ok(inBrowser.results.length >= 16);
});

test("golden vectors pass in headless Chromium with the sender page's engine (HKDF in TypeScript)", async (t) => {
  const bundle = await bundleForBrowser(fileURLToPath(new URL('./format-browser-engine.support.ts', import.meta.url)), 'pageEngine');
  const server = await servePage({ '/': '<!doctype html><title>engine</title><script src="/engine.js"></script>', '/engine.js': bundle });
  t.after(() => server.close());
  const chromium = await launchChromium();
  t.after(() => chromium.close());
  const page = await chromium.newPage();
  await page.goto(`${server.origin}/`);
  const results = await page.evaluate(() => (globalThis as unknown as { pageEngine: { runWithPageEngine(): Promise<VectorResult[]> } }).pageEngine.runWithPageEngine());
  assert.deepEqual(chromium.errors, []);
  assert.deepEqual(results.filter((r) => !r.ok), []);
  assert.deepEqual(results.map((r) => r.name), (await runGoldenVectors()).map((r) => r.name));
});
