/**
 * The clerk's page behind nginx as docs/nginx.conf sets it up (reliability U12), in headless Chromium: the page,
 * its Web Workers and its 8 MiB tus PATCHes all go through the proxy's TLS, and every instance reaches storescp
 * byte-identical. A proxy left at nginx's 1 MiB body limit stops the send with a plain-language message (not a tus
 * error dump); once the proxy is fixed, picking the same CD again completes the same shipment.
 * The proxy's certificate is a throw-away one, so this Chromium ignores certificate errors; the page still runs in
 * a secure context (https), which WebCrypto needs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestCd, type TestCd } from '../server/test-cd/make-test-cd.ts';
import { assertByteIdentical } from './helpers/import-worker.ts';
import { reserveProxyPort, startNginx, type Nginx } from './helpers/nginx.ts';
import { makeTempDir } from './helpers/tmp.ts';
import { specsOf } from './helpers/upload-shipment.ts';
import { openLink, selectCd, startStack, waitForReceiptState, type Stack } from './browser-sender.support.ts';

let stack: Stack;
let cd: TestCd;
let proxy: { port: number; url: string };
const temp = makeTempDir('beeldpoort-browser-proxy-');

before(async () => {
  proxy = await reserveProxyPort();
  stack = await startStack({
    portal: { env: { BEELDPOORT_PUBLIC_URL: proxy.url, BEELDPOORT_TRUST_PROXY: 'loopback' } },
    chromiumArgs: ['--ignore-certificate-errors'],
  });
  // 512 KiB images: the uploads ramp up to 8 MiB, so the page's PATCHes exceed nginx's default 1 MiB limit.
  cd = await makeTestCd(`${temp.dir}/cd`, { studies: 1, series: 2, images: 10, rows: 512, seed: 'browser-proxy' });
});

after(async () => {
  await stack?.stop();
  temp.remove();
});

test('behind a proxy at nginx\'s 1 MiB body limit the page says so plainly; behind docs/nginx.conf the same CD completes the same shipment, byte-identical', async (t) => {
  let nginx: Nginx = await startNginx(proxy.port, stack.portal.port, (server) => server.replace('client_max_body_size 0;', 'client_max_body_size 1m;'));
  t.after(() => nginx.stop());
  const link = await stack.portal.createLink({ purpose: 'transfer', sender: 'Ziekenhuis West' });
  assert.ok(link.url.startsWith(`${nginx.url}/`), link.url);

  const page = await openLink(stack.chromium, link.url);
  await selectCd(page, cd.root);
  await page.click('#send');
  await page.waitForFunction(() => (document.querySelector('#upload-status')?.textContent ?? '').includes('HTTP 413'), undefined, { timeout: 30_000 })
    .catch(async () => assert.fail(`the page never reported the proxy's 413; it says: ${await page.textContent('#upload-status')}`));
  const message = (await page.textContent('#upload-status')) ?? '';
  assert.match(message, /refuses uploads of this size/);
  assert.doesNotMatch(message, /<html>|tus:/i, 'no HTML page or tus internals in what the clerk reads');
  const shipments = stack.portal.portal.ctx.stores.shipments.list();
  assert.equal(shipments.length, 1);

  await nginx.stop();
  nginx = await startNginx(proxy.port, stack.portal.port);
  await page.reload();
  await page.waitForSelector('#receiver:not([hidden])', { timeout: 20_000 });
  await selectCd(page, cd.root);
  await page.click('#send');
  await waitForReceiptState(page, ['imported']);
  // docs/nginx.conf offers HTTP/2 (ALPN): the page and its tus PATCHes went over it.
  const protocols = await page.evaluate(() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
    .map((entry) => (entry as PerformanceResourceTiming).nextHopProtocol));
  assert.ok(protocols.length > 0 && protocols.every((protocol) => protocol === 'h2'), protocols.join(' '));
  assert.equal(await page.textContent('[data-testid="receipt-instances"]'), String(cd.instances.length));
  assert.deepEqual(stack.portal.portal.ctx.stores.shipments.list().map((s) => s.id), shipments.map((s) => s.id), 'the same shipment completed');
  assertByteIdentical(await stack.pacs!.files(), specsOf(cd));
  const unexpected = stack.chromium.errors.filter((e) => !e.includes('favicon') && !e.includes('413'));
  assert.deepEqual(unexpected, []);
});
