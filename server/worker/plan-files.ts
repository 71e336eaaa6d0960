/**
 * Decides, before any byte is downloaded, what happens to each file of a shipment: already done (terminal in
 * the ledger), rejected up front, or to be imported. Pure. Duplicates are judged from the authenticated
 * manifest: the first file in manifest order with a SOP Instance UID wins; a later one with the same UID and a
 * different SHA-256 is rejected (storing both would silently drop one in most PACS; reliability W10), one with the
 * same SHA-256 is the same instance and is imported again harmlessly (C-STORE of an identical instance is idempotent).
 */
import { sliceOf, type ManifestFile } from '../../shared/format/index.ts';
import { TERMINAL, type FileRow } from './ledger.ts';
import type { PortalFile } from './portal-client.ts';
import { WORKER_CODES, type WorkerCode } from './worker-error.ts';

export type FilePlan =
  | { readonly file: ManifestFile; readonly action: 'done' }
  | { readonly file: ManifestFile; readonly action: 'reject'; readonly code: WorkerCode; readonly reason: string }
  | { readonly file: ManifestFile; readonly action: 'import' };

export interface Declaration {
  /** Why the portal does not hold this manifest file where the manifest says, or undefined when it does. */
  undeclared(file: ManifestFile): string | undefined;
  /** Whether the portal has a row for this manifest file id (a report naming it is accepted). */
  knows(fileId: string): boolean;
}

/**
 * What the portal declared (the lease's upload list, the only answer that carries `parts`) against where the
 * manifest puts each file (docs/format.md, "Uploads and bundles"): the file's upload must be listed; a bundle must
 * name the file among its parts, and an upload without parts carries only the file named like it; and the file's
 * slice must end within the upload's declared size. Anything else would fetch octets the sender never declared
 * for this file, so it is rejected E_FILE_NOT_DECLARED before any download.
 */
export function declarationOf(portalFiles: readonly PortalFile[]): Declaration {
  const uploads = new Map(portalFiles.map((f) => [f.fileId, f]));
  const known = new Set(portalFiles.flatMap((f) => f.parts ?? [f.fileId]));
  return {
    undeclared(file) {
      const slice = sliceOf(file);
      const upload = uploads.get(slice.uploadId);
      if (!upload) return `upload ${slice.uploadId} is not on the portal`;
      if (upload.parts ? !upload.parts.includes(file.fileId) : slice.uploadId !== file.fileId) {
        return `upload ${slice.uploadId} does not carry file ${file.fileId}`;
      }
      if (slice.offset + slice.length > upload.size) {
        return `octets ${slice.offset}-${slice.offset + slice.length - 1} lie outside upload ${slice.uploadId} of ${upload.size}`;
      }
      return undefined;
    },
    knows: (fileId) => known.has(fileId),
  };
}

export function planFiles(files: readonly ManifestFile[], portalFiles: readonly PortalFile[], rows: readonly FileRow[]): FilePlan[] {
  const declaration = declarationOf(portalFiles);
  const state = new Map(rows.map((r) => [r.fileId, r.state]));
  const firstBySop = new Map<string, ManifestFile>();
  return files.map((file): FilePlan => {
    const first = firstBySop.get(file.dicom.sopInstanceUid);
    if (!first) firstBySop.set(file.dicom.sopInstanceUid, file);
    const known = state.get(file.fileId);
    if (known && TERMINAL.has(known)) return { file, action: 'done' };
    const undeclared = declaration.undeclared(file);
    if (undeclared !== undefined) {
      return { file, action: 'reject', code: 'E_FILE_NOT_DECLARED', reason: `${WORKER_CODES.E_FILE_NOT_DECLARED}: ${file.fileId}: ${undeclared}` };
    }
    if (first && first.sha256 !== file.sha256) {
      return {
        file, action: 'reject', code: 'E_DUPLICATE_SOP_INSTANCE',
        reason: `${WORKER_CODES.E_DUPLICATE_SOP_INSTANCE}: SOP Instance UID ${file.dicom.sopInstanceUid} is also file ${first.fileId}`,
      };
    }
    return { file, action: 'import' };
  });
}
