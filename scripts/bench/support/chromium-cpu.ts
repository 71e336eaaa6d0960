// CPU seconds of the headless Chromium a bench launched (playwright-core spawns it as our child), per process type,
// from Linux /proc: the page's renderer does the encryption, the browser process the file reads and blob storage,
// the network service the sockets. Summed they are what the browser sender costs the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { procCpuSeconds } from './process-sampler.ts';

/** CPU seconds of every Chromium process descending from this one, summed per --type (the browser process: 'browser'). */
export function chromiumCpu(): Map<string, number> {
  const parents = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      comm.set(Number(entry), stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    } catch {
      // exited meanwhile
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  const byType = new Map<string, number>();
  for (const [pid, name] of comm) {
    if (!name.startsWith('chrom') || !descends(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
      const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1];
      const key = sub ? `${type}:${sub.split('.').at(-2) ?? sub}` : type;
      byType.set(key, (byType.get(key) ?? 0) + procCpuSeconds(pid));
    } catch {
      // exited meanwhile
    }
  }
  return byType;
}

/** All Chromium processes together. */
export function chromiumCpuTotal(): number {
  let total = 0;
  for (const seconds of chromiumCpu().values()) total += seconds;
  return total;
}
