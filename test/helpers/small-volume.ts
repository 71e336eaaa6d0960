/**
 * A small, real filesystem for disk-full tests: a tmpfs of a few MiB mounted on a temp directory (needs root, or the
 * mount privilege; CI runs as root). fillLeaving() writes a filler file until only the given number of bytes stay
 * free, free() removes it. unmount() is idempotent and also runs when the process exits.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir } from './tmp.ts';

export interface SmallVolume {
  readonly dir: string;
  freeBytes(): number;
  fillLeaving(bytes: number): void;
  free(): void;
  unmount(): void;
}

/** Mounts the volume, or returns the reason it cannot be mounted here. */
export function mountSmallVolume(mib: number): SmallVolume | string {
  const tmp = makeTempDir('beeldpoort-volume-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0700`, 'tmpfs', tmp.dir], { stdio: 'pipe' });
  } catch (error) {
    tmp.remove();
    return `cannot mount a tmpfs here: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  let mounted = true;
  const unmount = () => {
    if (!mounted) return;
    mounted = false;
    execFileSync('umount', ['-l', tmp.dir], { stdio: 'ignore' });
    tmp.remove();
  };
  process.once('exit', unmount);
  const filler = path.join(tmp.dir, 'filler');
  const freeBytes = () => {
    const { bavail, bsize } = statfsSync(tmp.dir);
    return bavail * bsize;
  };
  return {
    dir: tmp.dir,
    freeBytes,
    fillLeaving(bytes) {
      rmSync(filler, { force: true });
      const fill = freeBytes() - bytes;
      if (fill > 0) writeFileSync(filler, Buffer.alloc(fill));
    },
    free: () => rmSync(filler, { force: true }),
    unmount,
  };
}
