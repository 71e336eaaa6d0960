/**
 * The sender page's worker (bundled as /dist/sender-worker.js), started once per job: either the scan, or the
 * encryption of a send (cipher-host.ts; cipher-client.ts starts it).
 * The scan runs the shared CD scanner (shared/send/scan.ts) off the main thread so the page stays responsive with
 * thousands of files (issue 7 item 3). It reads only what the scanner asks for (headers up to the pixel data)
 * through File.slice; progress is posted at most every 100 ms.
 */
import { scanFiles, type SourceFile } from '../../shared/send/scan.ts';
import type { ScanReply, ScanRequest } from './scan-protocol.ts';
import { createCipherHost } from './cipher-host.ts';
import { isCipherRequest, type CipherReply, type CipherRequest } from './cipher-protocol.ts';

interface WorkerScope {
  postMessage(message: ScanReply | CipherReply): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ScanRequest | CipherRequest>) => void): void;
}
const scope = self as unknown as WorkerScope;

function sourceOf(path: string, file: File): SourceFile {
  return {
    path,
    size: file.size,
    read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
  };
}

/**
 * The scanner's remarks minus its "several patients" sentence: the page shows that one itself, translated and
 * loud (inventory-view.ts). The others (inconsistent data, DICOMDIR mismatches) are shown as the scanner words them.
 */
function remarks(warnings: readonly string[]): string[] {
  return warnings.filter((warning) => !/^This CD holds \d+ different patients/.test(warning));
}

const files: SourceFile[] = [];

const cipher = createCipherHost((reply) => scope.postMessage(reply));

scope.addEventListener('message', (event) => {
  if (isCipherRequest(event.data)) return cipher(event.data);
  if (event.data?.type === 'add') {
    for (const { path, file } of event.data.files) files.push(sourceOf(path, file));
    return;
  }
  if (event.data?.type !== 'scan') return;
  let lastPost = 0;
  scanFiles(files, {
    onProgress(done, total) {
      const now = Date.now();
      if (done === total || now - lastPost >= 100) {
        lastPost = now;
        scope.postMessage({ type: 'progress', done, total });
      }
    },
  }).then(
    (result) => scope.postMessage({ type: 'done', output: { instances: result.instances, skipped: result.skipped, warnings: remarks(result.warnings) } }),
    (error: unknown) => scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
  );
});
