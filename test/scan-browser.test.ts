// The CD scanner (shared/send/scan.ts) in real headless Chromium: browser File objects, the browser's
// DecompressionStream for the deflated instance and its TextDecoder for ISO_IR 100 / ISO_IR 192 names. The result
// must equal the Node scan of the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser, launchChromium, servePage } from './helpers/chromium.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { makeTestCd } from '../server/test-cd/make-test-cd.ts';
import { scanFiles, type ScanResult, type SourceFile } from '../shared/send/scan.ts';

const entry = fileURLToPath(new URL('../shared/send/scan.ts', import.meta.url));

test('the scanner gives the same result in Chromium (File objects) as in Node', async (t) => {
  const tmp = makeTempDir('beeldpoort-scan-browser-');
  t.after(() => tmp.remove());
  const cd = await makeTestCd(tmp.dir, { studies: 2, series: 3, images: 2, rows: 64, patients: 2, seed: 'browser' });
  const paths = [...cd.instances.map((i) => i.relativePath), ...cd.junk.map((j) => j.relativePath), 'DICOMDIR'].sort();
  const bodies = Object.fromEntries(paths.map((p) => [`/cd/${p}`, new Uint8Array(readFileSync(`${cd.root}/${p}`))]));

  const bundle = await bundleForBrowser(entry, 'scanner');
  const server = await servePage({ '/': '<!doctype html><title>scan</title><script src="/scanner.js"></script>', '/scanner.js': bundle, ...bodies });
  t.after(() => server.close());
  const chromium = await launchChromium();
  t.after(() => chromium.close());
  const page = await chromium.newPage();
  await page.goto(`${server.origin}/`);
  // A string, not a function: tsx would wrap named arrows in a __name() helper the page does not have.
  const inBrowser = await page.evaluate(`(async (list) => {
    const files = await Promise.all(list.map(async (path) => {
      const file = new File([await (await fetch('/cd/' + path)).blob()], path.split('/').pop());
      return { path, size: file.size, read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()) };
    }));
    return JSON.parse(JSON.stringify(await globalThis.scanner.scanFiles(files)));
  })(${JSON.stringify(paths)})`);
  assert.deepEqual(chromium.errors, []);

  const nodeFiles: SourceFile[] = paths.map((path) => ({ path, size: bodies[`/cd/${path}`]!.length, read: async (s, e) => bodies[`/cd/${path}`]!.slice(s, e) }));
  const inNode = JSON.parse(JSON.stringify(await scanFiles(nodeFiles))) as ScanResult;
  assert.deepEqual(inBrowser, inNode);
  assert.equal(inNode.instances.length, cd.instances.length);
  assert.deepEqual(new Set(inNode.instances.map((i) => i.patient.name)), new Set(cd.patients.map((p) => p.name)));
  assert.ok(inNode.instances.some((i) => i.dicom.transferSyntaxUid === '1.2.840.10008.1.2.1.99'));
});
