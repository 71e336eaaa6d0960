/**
 * Which upload (portal file) carries each file of a manifest, and where in it (manifest v2, docs/format.md
 * "Uploads and bundles"). A file without `upload` is its own upload, named by its fileId, at offset 0 (v1). Pure:
 * the worker uses it to fetch a file's ciphertext, the sender to lay bundles out, the validator to check them.
 */
import { ciphertextSize } from './layout.ts';
import type { ManifestFile } from './manifest.ts';

export interface FileSlice {
  /** The upload's id: the portal file id. */
  readonly uploadId: string;
  /** First octet of this file's ciphertext within the upload. */
  readonly offset: number;
  /** Octets of ciphertext: ciphertextSize(file.size). */
  readonly length: number;
}

export function sliceOf(file: Pick<ManifestFile, 'fileId' | 'size' | 'upload'>): FileSlice {
  return { uploadId: file.upload?.id ?? file.fileId, offset: file.upload?.offset ?? 0, length: ciphertextSize(file.size) };
}

export interface ManifestUpload {
  readonly uploadId: string;
  /** Ciphertext octets: the sum of its files' lengths (the tus Upload-Length). */
  readonly size: number;
  /** Its files in offset order. */
  readonly files: readonly ManifestFile[];
}

/** The manifest's uploads in order of first appearance, each with its files in manifest (= offset) order. */
export function uploadsOf(files: readonly ManifestFile[]): ManifestUpload[] {
  const byId = new Map<string, { uploadId: string; size: number; files: ManifestFile[] }>();
  for (const file of files) {
    const slice = sliceOf(file);
    let upload = byId.get(slice.uploadId);
    if (!upload) byId.set(slice.uploadId, (upload = { uploadId: slice.uploadId, size: 0, files: [] }));
    upload.files.push(file);
    upload.size = Math.max(upload.size, slice.offset + slice.length);
  }
  return [...byId.values()];
}
