/**
 * How a plan's files are laid out over tus uploads (docs/format.md "Uploads and bundles (manifest v2)"): which
 * consecutive files share a bundle, and the uploads a plan (new or resumed) sends. Pure: no I/O, no crypto.
 */
import type { UploadPlacement } from '../format/index.ts';
import type { PlannedFile } from './plan-shipment.ts';

/** One tus upload of a plan: a file on its own, or a bundle of files back to back. */
export interface PlannedUpload {
  /** The upload id (the portal's file id, the tus metadata fileId): the fileId of its first file. */
  readonly fileId: string;
  /** Ciphertext octets: the tus Upload-Length, the sum of its files' ciphertext sizes. */
  readonly size: number;
  /** Its files in offset (= manifest) order; `offset` is where each one's ciphertext starts in the upload. */
  readonly parts: ReadonlyArray<{ readonly file: PlannedFile; readonly offset: number }>;
  /**
   * The manifest file ids it carries, in offset order, when its files carry an `upload` placement (a bundle): what
   * the portal is told as `parts` (POST /api/sender/shipments). Absent for a file that is its own upload (v1).
   */
  readonly partIds?: readonly string[];
}

/**
 * The first upload's limit when bundling: the limit doubles per upload from here up to `bundleBytes`. The worker can
 * start on a file only once its whole upload is complete, so in an urgent transfer the first images reach the PACS
 * after ~1 MiB instead of after a whole 16 MiB bundle per upload lane; it costs four extra uploads per CD.
 */
export const FIRST_BUNDLE_BYTES = 1024 * 1024;

/**
 * Groups consecutive files (in the given order) into bundles of at most `bundleBytes` ciphertext octets, the first
 * uploads smaller (`firstBundleBytes`, doubling per upload up to `bundleBytes`). A file whose ciphertext alone
 * exceeds the limit, or a group that ends up with one file, is its own upload and gets no placement (undefined),
 * exactly as in manifest v1; `bundleBytes` 0 means no bundles at all. Returns, per file, the manifest v2 `upload`
 * member: the bundle is named after its first file, offsets tile it without gap or overlap.
 */
export function groupBundles(
  files: ReadonlyArray<{ fileId: string; size: number }>,
  bundleBytes: number,
  firstBundleBytes = FIRST_BUNDLE_BYTES,
): Array<UploadPlacement | undefined> {
  const placements = new Array<UploadPlacement | undefined>(files.length).fill(undefined);
  if (!(bundleBytes > 0)) return placements;
  let first = 0;
  let bytes = 0;
  let limit = Math.min(bundleBytes, Math.max(1, firstBundleBytes));
  const close = (end: number) => {
    limit = Math.min(bundleBytes, limit * 2);
    if (end - first < 2) return; // a group of one travels alone, without `upload`
    let offset = 0;
    for (let i = first; i < end; i++) {
      placements[i] = { id: files[first]!.fileId, offset };
      offset += files[i]!.size;
    }
  };
  files.forEach((file, i) => {
    if (i > first && bytes + file.size > limit) {
      close(i);
      first = i;
      bytes = 0;
    }
    bytes += file.size;
  });
  close(files.length);
  return placements;
}

/**
 * The uploads of a plan from its files' placements, in order of first appearance. Undefined when the placements do
 * not tile their uploads the way validateManifest demands (first file at offset 0 named like the upload, each next
 * file at the end of the one before, ids unique): a damaged or foreign resume state, which must not be reused.
 */
export function rebuildUploads(files: readonly PlannedFile[]): PlannedUpload[] | undefined {
  const uploads = new Map<string, { fileId: string; size: number; parts: Array<{ file: PlannedFile; offset: number }>; bundled: boolean }>();
  for (const file of files) {
    const id = file.upload?.id ?? file.fileId;
    const offset = file.upload?.offset ?? 0;
    let upload = uploads.get(id);
    if (!upload) {
      if (offset !== 0 || id !== file.fileId) return undefined;
      uploads.set(id, (upload = { fileId: id, size: 0, parts: [], bundled: file.upload !== undefined }));
    } else if (!file.upload || !upload.bundled || offset !== upload.size || file.fileId === id) {
      return undefined;
    }
    upload.parts.push({ file, offset });
    upload.size += file.size;
  }
  return [...uploads.values()].map(({ fileId, size, parts, bundled }) => ({
    fileId,
    size,
    parts,
    ...(bundled ? { partIds: parts.map((part) => part.file.fileId) } : {}),
  }));
}
