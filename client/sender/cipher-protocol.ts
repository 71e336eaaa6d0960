/**
 * Messages between the page and its cipher worker (hashing while planning, then encryption) (cipher-host.ts, inside worker.ts). Everything is structured-
 * cloneable: a File clones as a reference to the same bytes, a Blob as a reference to the chunk the worker built.
 * Posted in order, so an upload's 'cipher-open' always arrives before its reads.
 */
export interface CipherFile {
  readonly fileId: string;
  readonly plainSize: number;
  /** Ciphertext size (header, records, tags). */
  readonly size: number;
  readonly file: File;
}

export type CipherRequest =
  | { readonly type: 'cipher-open'; readonly id: number; readonly secret: Uint8Array; readonly shipmentId: string; readonly files: readonly CipherFile[] }
  | { readonly type: 'cipher-read'; readonly id: number; readonly request: number; readonly start: number; readonly end: number }
  | { readonly type: 'cipher-close'; readonly id: number }
  | { readonly type: 'cipher-hash'; readonly request: number; readonly file: File };

export type CipherReply =
  | { readonly type: 'cipher-chunk'; readonly request: number; readonly chunk: Blob }
  | { readonly type: 'cipher-digest'; readonly request: number; readonly hex: string }
  | { readonly type: 'cipher-failed'; readonly request: number; readonly message: string; readonly code?: string };

export function isCipherRequest(message: unknown): message is CipherRequest {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'cipher-open' || type === 'cipher-read' || type === 'cipher-close' || type === 'cipher-hash';
}
