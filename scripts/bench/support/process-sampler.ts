// A child process of a benchmark, with its peak resident set sampled from Linux /proc while it runs.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from './paths.ts';

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Proc {
  pid: number;
  /** Seconds since spawn at which the first stdout chunk containing `text` arrived (undefined if none did). */
  sawAt(text: string): number | undefined;
  /** Highest VmHWM (peak resident set) seen while it ran, in MB. */
  peakRssMb(): number;
  done: Promise<ProcResult>;
  stop(): Promise<void>;
}

/** Current (VmRSS) and peak (VmHWM) resident set of a live process in MB, from /proc/PID/status; NaN if absent. */
export function procMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Spawns a process (cwd: the repository) and samples its peak RSS (VmHWM) every 100 ms until it exits. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  const started = process.hrtime.bigint();
  const arrivals: Array<{ at: number; text: string }> = [];
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    arrivals.push({ at: Number(process.hrtime.bigint() - started) / 1e9, text: c.toString() });
  });
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20000)));
  const sample = () => {
    try {
      const { peakMb } = procMemory(child.pid!);
      if (!Number.isNaN(peakMb)) peak = Math.max(peak, peakMb);
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 100);
  const done = new Promise<ProcResult>((resolve) => {
    child.once('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    pid: child.pid!,
    sawAt: (text) => arrivals.find((arrival) => arrival.text.includes(text))?.at,
    peakRssMb: () => Math.round(peak),
    done,
    async stop() {
      sample();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
    },
  };
}
