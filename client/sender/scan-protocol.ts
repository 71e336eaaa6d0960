/** Messages between the page and the scan worker (worker.ts). Everything here is structured-cloneable. */
import type { ScanOutput } from './inventory-model.ts';

/**
 * The picked files go over in batches ('add'), then 'scan' starts. File objects clone into the worker without
 * copying their bytes, but Chromium registers every newly picked File on its first clone (~0.25 ms each): 1,300
 * files in one message made one 350 ms main-thread task; in batches the page keeps drawing in between.
 */
export type ScanRequest =
  | { readonly type: 'add'; readonly files: ReadonlyArray<{ readonly path: string; readonly file: File }> }
  | { readonly type: 'scan' };

export type ScanReply =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly output: ScanOutput }
  | { readonly type: 'error'; readonly message: string };
