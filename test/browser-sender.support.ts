/**
 * The real stack for the browser sender tests: portal on a free port, storescp +B as the PACS, the import worker
 * in-process, headless Debian Chromium, and the built page (scripts/build-client.mjs -> client/dist). Not a test
 * file itself (no .test.ts): test/browser-sender*.test.ts import it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startWorker, type RunningWorker } from '../server/worker/start-worker.ts';
import { launchChromium, type ChromiumSession } from './helpers/chromium.ts';
import { workerConfig } from './helpers/import-worker.ts';
import { startTestPortal, type TestPortal, type TestPortalOptions } from './helpers/portal.ts';
import { startStorescp, type Storescp } from './helpers/storescp.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * The page must be bundled (scripts/run-tests.mjs runs scripts/build-client.mjs once before any test, so no test
 * rebuilds client/dist while another test's page is loading it). Fails clearly when it is missing.
 */
export function buildClient(): void {
  for (const bundle of ['sender.js', 'sender-worker.js']) {
    if (!existsSync(`${ROOT}client/dist/${bundle}`)) throw new Error(`client/dist/${bundle} is missing: run node scripts/build-client.mjs`);
  }
}

export interface Stack {
  readonly portal: TestPortal;
  readonly pacs: Storescp | undefined;
  readonly chromium: ChromiumSession;
  worker: RunningWorker | undefined;
  stop(): Promise<void>;
}

export async function startStack(options: { pacs?: boolean; worker?: boolean; portal?: TestPortalOptions; chromiumArgs?: string[] } = {}): Promise<Stack> {
  buildClient();
  const portal = await startTestPortal(options.portal);
  const stoppers: Array<() => Promise<void>> = [() => portal.stop()];
  try {
    const pacs = options.pacs === false ? undefined : await startStorescp();
    if (pacs) stoppers.push(() => pacs.stop());
    const chromium = await launchChromium({ args: options.chromiumArgs });
    stoppers.push(() => chromium.close());
    const stack: Stack = {
      portal,
      pacs,
      chromium,
      worker: undefined,
      async stop() {
        await stack.worker?.stop();
        for (const stop of stoppers.reverse()) await stop().catch(() => {});
      },
    };
    if (options.worker !== false && pacs) {
      stack.worker = await startWorker(workerConfig(portal, pacs), { idlePollMs: 200, policy: { pollMs: 200 } });
    }
    return stack;
  } catch (error) {
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    throw error;
  }
}

/** Opens a link in a fresh tab and waits until the page shows the receiver (or a link error). */
export async function openLink(chromium: ChromiumSession, url: string): Promise<Page> {
  const page = await chromium.newPage();
  await page.goto(url);
  await page.waitForSelector('#receiver:not([hidden]), #link-error:not([hidden])', { timeout: 20_000 });
  return page;
}

/** Picks a folder through <input webkitdirectory> (Playwright accepts a directory path there) and waits for the inventory. */
export async function selectCd(page: Page, dir: string): Promise<void> {
  await page.setInputFiles('#pick-folder', dir);
  await page.waitForSelector('#inventory:not([hidden])', { timeout: 60_000 });
}

/** Waits until the receipt shows one of these portal states; on timeout the error says where the page stood. */
export async function waitForReceiptState(page: Page, states: readonly string[], timeoutMs = 90_000): Promise<string> {
  try {
    const handle = await page.waitForFunction(
      (wanted) => {
        const state = document.getElementById('receipt-state')?.dataset.state;
        return state && wanted.includes(state) ? state : false;
      },
      states,
      { timeout: timeoutMs, polling: 100 },
    );
    return (await handle.jsonValue()) as string;
  } catch (error) {
    const where = await page
      .evaluate(() => ['upload-status', 'upload-bytes', 'upload-files', 'receipt-state', 'link-error-text'].map((id) => `${id}: ${document.getElementById(id)?.textContent ?? ''} ${document.getElementById(id)?.dataset.state ?? ''}`))
      .catch(() => ['page gone']);
    throw new Error(`the receipt did not reach ${states.join('|')}: ${(error as Error).message}\n${where.join('\n')}`, { cause: error });
  }
}

/** GET /api/sender/shipments/:id with the link token, as the page sees it. */
export async function senderStatus(portalUrl: string, token: string, shipmentId: string): Promise<{ state: string; files: Array<{ fileId: string; complete: boolean; received: number; size: number }> }> {
  const response = await fetch(`${portalUrl}/api/sender/shipments/${encodeURIComponent(shipmentId)}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`status ${response.status}: ${await response.text()}`);
  return (await response.json()) as never;
}
