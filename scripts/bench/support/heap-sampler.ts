// The JS heap of a page's main thread and of its dedicated Web Workers, sampled through CDP every 250 ms until
// stopped. The sender page scans the CD in one worker and hashes, seals and joins every upload chunk in another
// (client/sender/scan-client.ts, cipher-host.ts), so the main thread's heap alone no longer covers the memory that
// issue 7 wants bounded.
//
// How the workers are reached (playwright-core 1.65, Chromium 156): `context.newCDPSession` takes only a Page or a
// Frame ("expected Page or Frame" for a Worker), and a Playwright CDPSession cannot address the child sessions of
// flattened auto-attach. So this session auto-attaches with `flatten: false` (CDP Target domain): every dedicated
// worker of the page, present or later, arrives as Target.attachedToTarget, is asked through
// Target.sendMessageToTarget and answers through Target.receivedMessageFromTarget; a terminated worker detaches.
// Playwright's own (flattened) session on the page is separate and unaffected.
//
// Runtime.getHeapUsage gives `usedSize` (the V8 heap in use: the worker's counterpart of the page's
// Performance.getMetrics JSHeapUsedSize) and `backingStorageSize` (ArrayBuffer and external string storage,
// outside the V8 heap: where the sealed chunk bytes live), so both are reported.
import type { CDPSession, Page } from 'playwright-core';

export interface HeapPeaks {
  /** Peak JSHeapUsedSize of the main thread (Performance.getMetrics), MB. */
  pageHeapMb: number;
  /** Peak ArrayBuffer/external-string backing storage of the main thread, MB. */
  pageArrayBuffersMb: number;
  /** Peak over the run of the sum of the heaps of the workers alive at one sample, MB. */
  workerHeapMb: number;
  /** Peak of the summed backing storage of the workers alive at one sample, MB. */
  workerArrayBuffersMb: number;
  /** Peak heap per worker name (`new Worker(url, { name })`; the script URL if unnamed), MB. */
  workerHeapByNameMb: Record<string, number>;
  /** Worker instances seen during the run. */
  workersSeen: number;
}

export interface HeapSampler {
  /** Stops sampling (idempotent) and returns the peaks. */
  stop(): Promise<HeapPeaks>;
}

interface HeapUsage {
  usedSize: number;
  backingStorageSize: number;
}

const INTERVAL_MS = 250;
/** A worker busy in a long task still answers (V8 interrupts it for the inspector); this only bounds a lost reply. */
const REPLY_TIMEOUT_MS = 2_000;
const mb = (bytes: number) => Math.round(bytes / 1e6);

/** One attached worker: its name and the replies it still owes. */
interface WorkerTarget {
  name: string;
  waiting: Map<number, (usage: HeapUsage | undefined) => void>;
}

/** Runtime.getHeapUsage of every attached worker, over the non-flattened child sessions of `cdp`. */
async function workerTargets(cdp: CDPSession): Promise<{ all(): Map<string, WorkerTarget>; ask(sessionId: string): Promise<HeapUsage | undefined>; seen(): number }> {
  const targets = new Map<string, WorkerTarget>();
  let seen = 0;
  let nextId = 1;
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    if (targetInfo.type !== 'worker') return;
    seen += 1;
    targets.set(sessionId, { name: targetInfo.title || targetInfo.url, waiting: new Map() });
  });
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => {
    const target = sessionId === undefined ? undefined : targets.get(sessionId);
    if (!target) return;
    targets.delete(sessionId!);
    for (const resolve of target.waiting.values()) resolve(undefined);
  });
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const target = targets.get(sessionId);
    const reply = JSON.parse(message) as { id?: number; result?: HeapUsage };
    if (!target || reply.id === undefined) return; // events of the child session (e.g. Inspector.workerScriptLoaded)
    target.waiting.get(reply.id)?.(reply.result);
    target.waiting.delete(reply.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  return {
    all: () => targets,
    seen: () => seen,
    ask(sessionId) {
      const target = targets.get(sessionId);
      if (!target) return Promise.resolve(undefined);
      const id = nextId++;
      return new Promise((resolve) => {
        const timer = setTimeout(() => done(undefined), REPLY_TIMEOUT_MS);
        const done = (usage: HeapUsage | undefined) => {
          clearTimeout(timer);
          target.waiting.delete(id);
          resolve(usage);
        };
        target.waiting.set(id, done);
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => done(undefined));
      });
    },
  };
}

/** Starts sampling `page` (before its navigation, so that every worker it starts is seen). */
export async function sampleHeap(page: Page): Promise<HeapSampler> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const workers = await workerTargets(cdp);
  const peak = { pageHeap: 0, pageBuffers: 0, workerHeap: 0, workerBuffers: 0 };
  const byName = new Map<string, number>();
  const sample = async (): Promise<void> => {
    const [metrics, pageUsage, workerUsages] = await Promise.all([
      cdp.send('Performance.getMetrics'),
      cdp.send('Runtime.getHeapUsage'),
      Promise.all([...workers.all()].map(async ([sessionId, { name }]) => ({ name, usage: await workers.ask(sessionId) }))),
    ]);
    peak.pageHeap = Math.max(peak.pageHeap, metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
    peak.pageBuffers = Math.max(peak.pageBuffers, pageUsage.backingStorageSize);
    let heap = 0;
    let buffers = 0;
    for (const { name, usage } of workerUsages) {
      if (!usage) continue; // terminated between listing and answering
      heap += usage.usedSize;
      buffers += usage.backingStorageSize;
      byName.set(name, Math.max(byName.get(name) ?? 0, usage.usedSize));
    }
    peak.workerHeap = Math.max(peak.workerHeap, heap);
    peak.workerBuffers = Math.max(peak.workerBuffers, buffers);
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        await sample();
      } catch {
        return; // the page is gone (a failed run closes the browser): the run's own error is what matters
      }
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
  })();
  let stopped: Promise<HeapPeaks> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        running = false;
        await loop;
        await cdp.detach().catch(() => {});
        return {
          pageHeapMb: mb(peak.pageHeap),
          pageArrayBuffersMb: mb(peak.pageBuffers),
          workerHeapMb: mb(peak.workerHeap),
          workerArrayBuffersMb: mb(peak.workerBuffers),
          workerHeapByNameMb: Object.fromEntries([...byName].map(([name, bytes]) => [name, mb(bytes)])),
          workersSeen: workers.seen(),
        };
      })();
      return stopped;
    },
  };
}
