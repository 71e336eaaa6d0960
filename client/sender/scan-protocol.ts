/** Messages between the page and the scan worker (worker.ts). Everything here is structured-cloneable. */
import type { ScanOutput } from './inventory-model.ts';

export interface ScanRequest {
  readonly type: 'scan';
  /** The picked files; File objects clone into the worker without copying their bytes. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly file: File }>;
}

export type ScanReply =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly output: ScanOutput }
  | { readonly type: 'error'; readonly message: string };
