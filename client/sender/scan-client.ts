/**
 * Runs the CD scan in a Web Worker (client/sender/worker.ts, bundled as /dist/sender-worker.js) so the page
 * stays responsive with thousands of files (issue 7 item 3). One worker per scan, terminated afterwards.
 */
import type { ScanOutput } from './inventory-model.ts';
import type { PickedFile } from './pick-files.ts';
import type { ScanReply, ScanRequest } from './scan-protocol.ts';

export const WORKER_URL = '/dist/sender-worker.js';

/** Files per 'add' message (see scan-protocol.ts): ~25 ms of cloning, under the 50 ms of a "long task". */
const BATCH = 100;

export function scanInWorker(files: readonly PickedFile[], onProgress: (done: number, total: number) => void, workerUrl = WORKER_URL): Promise<ScanOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { type: 'module', name: 'beeldpoort-scan' });
    const end = () => worker.terminate();
    worker.addEventListener('message', (event: MessageEvent<ScanReply>) => {
      const reply = event.data;
      if (reply.type === 'progress') onProgress(reply.done, reply.total);
      else if (reply.type === 'done') {
        end();
        resolve(reply.output);
      } else {
        end();
        reject(new Error(reply.message));
      }
    });
    worker.addEventListener('error', (event) => {
      end();
      reject(new Error(event.message || 'the scan worker failed to start'));
    });
    const post = (request: ScanRequest) => worker.postMessage(request);
    const send = (from: number) => {
      if (from >= files.length) return post({ type: 'scan' });
      post({ type: 'add', files: files.slice(from, from + BATCH).map(({ path, file }) => ({ path, file })) });
      setTimeout(() => send(from + BATCH), 0); // a new task: the page may draw and handle input in between
    };
    send(0);
  });
}
