/**
 * The embedded destination when no PACS is configured: each instance becomes a Part 10 file at
 * <root>/<StudyUID>/<SeriesUID>/<SOPInstanceUID>.dcm, our own meta group in front of the sender's dataset bytes.
 * Atomic: written to a temp file, fsynced, renamed, directory fsynced, so a crash never leaves a half file under
 * the final name and "stored" is only returned once the bytes are durable. The UIDs were validated (digits and
 * dots only, validate-part10.ts), so they are safe path segments; we check again because this writes files.
 */
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { part10Header } from './part10-header.ts';
import type { Destination, DestinationInstance, StoreResult } from './destination.ts';

const SAFE_UID = /^[0-9]+(\.[0-9]+)*$/;

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeInstance(root: string, instance: DestinationInstance): Promise<string> {
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid } = instance;
  for (const uid of [studyInstanceUid, seriesInstanceUid, sopInstanceUid]) {
    if (!SAFE_UID.test(uid) || uid.length > 64) throw new Error(`unsafe UID "${uid.slice(0, 80)}"`);
  }
  const dir = path.join(root, studyInstanceUid, seriesInstanceUid);
  // Patient data: only the worker's user may read it (0700 directories, 0600 files).
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const final = path.join(dir, `${sopInstanceUid}.dcm`);
  const temp = path.join(dir, `.${sopInstanceUid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(part10Header(instance));
    await handle.writeFile(instance.dataset);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, final);
  await fsyncDir(dir);
  return final;
}

export function createFolderDestination(root: string): Destination {
  return {
    description: `folder ${root} (embedded default: no BEELDPOORT_PACS configured)`,
    open() {
      return {
        async store(instance): Promise<StoreResult> {
          try {
            await writeInstance(root, instance);
            return { sopInstanceUid: instance.sopInstanceUid, outcome: 'stored', retriable: false };
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // A full or unavailable disk may clear up; anything else (a bad UID) will not.
            const retriable = code === 'ENOSPC' || code === 'EIO' || code === 'EDQUOT' || code === 'EROFS';
            return { sopInstanceUid: instance.sopInstanceUid, outcome: 'failed', retriable, code: retriable ? 'E_FOLDER_UNAVAILABLE' : 'E_FOLDER_WRITE', reason: (error as Error).message };
          }
        },
        async close() {},
      };
    },
  };
}
