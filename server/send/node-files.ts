/**
 * The Node side of the pipeline's file access: every regular file under a folder (a mounted CD or a copy of
 * one) as a PlainFile, read by range. Symbolic links are not followed (a link on a CD could point anywhere on
 * this machine); they are returned in `ignored` with the reason, so the inventory can name them.
 */
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PlainFile } from '../../shared/send/index.ts';
import { SendError } from '../../shared/send/index.ts';

export interface FolderFile extends PlainFile {
  /** Absolute path on this machine. */
  readonly absolutePath: string;
}

export interface FolderListing {
  readonly files: FolderFile[];
  readonly ignored: Array<{ path: string; reason: string }>;
}

/** Lists the folder recursively, relative paths '/'-separated and sorted (a stable order for resume). */
export async function listFolderFiles(folder: string): Promise<FolderListing> {
  const root = path.resolve(folder);
  let rootStat;
  try {
    rootStat = await lstat(root);
  } catch (error) {
    throw new SendError('E_SEND_NOTHING', `cannot read folder ${folder}: ${(error as Error).message}`, { cause: error });
  }
  if (!rootStat.isDirectory()) throw new SendError('E_SEND_NOTHING', `${folder} is not a folder`);
  const files: FolderFile[] = [];
  const ignored: Array<{ path: string; reason: string }> = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const absolutePath = path.join(dir, entry.name);
      const relative = path.relative(root, absolutePath).split(path.sep).join('/');
      if (entry.isDirectory()) await walk(absolutePath);
      else if (entry.isFile()) files.push(folderFile(absolutePath, relative, (await lstat(absolutePath)).size));
      else ignored.push({ path: relative, reason: entry.isSymbolicLink() ? 'symbolic link (not followed)' : 'not a regular file' });
    }
  };
  await walk(root);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, ignored };
}

/**
 * One file as a PlainFile; each read opens, reads exactly [start, end) and closes (no descriptor is held). Into the
 * caller's scratch buffer when one is given (shared/format/scratch-pool.ts), else into new memory.
 */
export function folderFile(absolutePath: string, relativePath: string, size: number): FolderFile {
  return {
    path: relativePath,
    absolutePath,
    size,
    async read(start, end, into) {
      end = Math.min(end, size);
      const length = Math.max(0, end - start);
      // Not zero-filled: every byte is overwritten below, or the read fails.
      const buffer = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
      const handle = await open(absolutePath, 'r');
      try {
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        if (done !== length) throw new SendError('E_SEND_FILE_CHANGED', `${relativePath} is shorter than when it was scanned`);
        return buffer;
      } finally {
        await handle.close();
      }
    },
  };
}
