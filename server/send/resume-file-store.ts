/**
 * Resume states of `beeldpoort send` in the user's cache dir ($XDG_CACHE_HOME/beeldpoort, else
 * ~/.cache/beeldpoort), one file per (link id, folder). The state holds the shipment secret, so the directory is
 * 0700 and the file 0600, written to a temp file and renamed so an interrupted write never leaves half a state.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseResumeState, type ResumeState, type ResumeStore } from '../../shared/send/index.ts';

/** The cache directory for an environment (XDG Base Directory Specification: $XDG_CACHE_HOME, default ~/.cache). */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'beeldpoort');
}

/** The key of one send: the link and the absolute folder (the same command re-run gives the same key). */
export function resumeKey(linkId: string, folder: string): string {
  return createHash('sha256').update(`${linkId}\0${path.resolve(folder)}`).digest('hex').slice(0, 32);
}

export class FileResumeStore implements ResumeStore {
  constructor(readonly dir: string) {}

  pathFor(key: string): string {
    return path.join(this.dir, `send-${key}.json`);
  }

  async load(key: string): Promise<ResumeState | undefined> {
    let text: string;
    try {
      text = await readFile(this.pathFor(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    return parseResumeState(value);
  }

  async save(key: string, state: ResumeState): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const target = this.pathFor(key);
    const temp = `${target}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(state), { mode: 0o600 });
    await rename(temp, target);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathFor(key), { force: true });
  }
}
