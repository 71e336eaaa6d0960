/**
 * Decides, before any byte is downloaded, what happens to each file of a shipment: already done (terminal in
 * the ledger), rejected up front, or to be imported. Pure. Duplicates are judged from the authenticated
 * manifest: the first file in manifest order with a SOP Instance UID wins; a later one with the same UID and a
 * different SHA-256 is rejected (storing both would silently drop one in most PACS; reliability W10), one with the
 * same SHA-256 is the same instance and is imported again harmlessly (C-STORE of an identical instance is idempotent).
 */
import type { ManifestFile } from '../../shared/format/index.ts';
import { TERMINAL, type FileRow } from './ledger.ts';
import type { PortalFile } from './portal-client.ts';
import { WORKER_CODES, type WorkerCode } from './worker-error.ts';

export type FilePlan =
  | { readonly file: ManifestFile; readonly action: 'done' }
  | { readonly file: ManifestFile; readonly action: 'reject'; readonly code: WorkerCode; readonly reason: string }
  | { readonly file: ManifestFile; readonly action: 'import' };

export function planFiles(files: readonly ManifestFile[], portalFiles: readonly PortalFile[], rows: readonly FileRow[]): FilePlan[] {
  const declared = new Set(portalFiles.map((f) => f.fileId));
  const state = new Map(rows.map((r) => [r.fileId, r.state]));
  const firstBySop = new Map<string, ManifestFile>();
  return files.map((file): FilePlan => {
    const first = firstBySop.get(file.dicom.sopInstanceUid);
    if (!first) firstBySop.set(file.dicom.sopInstanceUid, file);
    const known = state.get(file.fileId);
    if (known && TERMINAL.has(known)) return { file, action: 'done' };
    if (!declared.has(file.fileId)) {
      return { file, action: 'reject', code: 'E_FILE_NOT_DECLARED', reason: `${WORKER_CODES.E_FILE_NOT_DECLARED} (${file.fileId})` };
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
