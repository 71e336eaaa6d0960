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
  /** CPU seconds (user + system, all threads) at the last sample before it exited. */
  cpuSeconds(): number;
  done: Promise<ProcResult>;
  stop(): Promise<void>;
}

/** Current (VmRSS) and peak (VmHWM) resident set of a live process in MB, from /proc/PID/status; NaN if absent. */
export function procMemory(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** User + system CPU seconds of a live process (all its threads), from /proc/PID/stat; NaN if absent. */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces): utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux ABI Node runs on. */
const CLOCK_TICKS = 100;

/** Spawns a process (cwd: the repository) and samples its peak RSS (VmHWM) every 100 ms until it exits. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, args, { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  let cpu = 0;
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
      const seconds = procCpuSeconds(child.pid!);
      if (!Number.isNaN(seconds)) cpu = Math.max(cpu, seconds);
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
    cpuSeconds: () => Math.round(cpu * 100) / 100,
    done,
    async stop() {
      sample();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await done;
    },
  };
}
