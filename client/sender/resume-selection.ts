/**
 * After a reload the clerk selects the same CD again. If an interrupted shipment of this link is stored, the
 * inventory starts with exactly its files selected, so pressing Send continues that shipment (the pipeline then
 * verifies paths, sizes and SHA-256 before reusing it; anything else starts a new shipment).
 */
import type { LinkInfo, ResumeStore } from '../../shared/send/index.ts';
import type { ScanOutput } from './inventory-model.ts';
import { resumeKey } from './local-resume-store.ts';

export async function preselectResumed(store: ResumeStore, link: LinkInfo, scan: ScanOutput): Promise<Set<string>> {
  const saved = await store.load(resumeKey(link.linkId));
  if (!saved) return new Set();
  const wanted = new Map(saved.files.map((file) => [file.path, file.plainSize]));
  const found = scan.instances.filter((instance) => wanted.get(instance.path) === instance.size);
  if (found.length !== saved.files.length) return new Set(); // not the same CD: start from everything selected
  const keep = new Set(found.map((instance) => instance.dicom.seriesInstanceUid));
  return new Set(scan.instances.map((instance) => instance.dicom.seriesInstanceUid).filter((uid) => !keep.has(uid)));
}
