/**
 * The browser's ResumeStore (shared/send/resume-state.ts): localStorage, one entry per link. It holds the
 * shipment id, its secret, the sealed envelope and the file ids (paths, sizes, hashes) so that selecting the
 * same CD after a reload continues the same shipment; never file contents (issue 7 item 6, reliability U13).
 * Removed as soon as the portal confirms every file.
 */
import { parseResumeState, type ResumeState, type ResumeStore } from '../../shared/send/index.ts';

const PREFIX = 'beeldpoort.resume.';

export function resumeKey(linkId: string): string {
  return `${PREFIX}${linkId}`;
}

export function createLocalResumeStore(storage: Storage = localStorage): ResumeStore {
  return {
    async load(key) {
      let raw: string | null;
      try {
        raw = storage.getItem(key);
      } catch {
        return undefined;
      }
      if (raw === null) return undefined;
      try {
        return parseResumeState(JSON.parse(raw));
      } catch {
        storage.removeItem(key); // unreadable: starting a new shipment is the safe answer
        return undefined;
      }
    },
    async save(key, state: ResumeState) {
      try {
        storage.setItem(key, JSON.stringify(state));
      } catch {
        // Storage full or disabled: the upload still works, only a reload cannot resume it.
      }
    },
    async remove(key) {
      try {
        storage.removeItem(key);
      } catch {
        // nothing to remove
      }
    },
  };
}
