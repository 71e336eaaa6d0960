/**
 * Spawning a peer process that can never outlive the test run: a captured log tail for error messages,
 * stop() with SIGTERM then SIGKILL, and a synchronous kill of every live peer when the Node process exits.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface PeerProcess {
  readonly child: ChildProcess;
  /** The last ~64 KiB of stdout and stderr together. */
  log(): string;
  /** Why the process ended, once it has ("exit code 1", "signal SIGKILL"); undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnPeer(command: string, args: string[], options: SpawnOptions): PeerProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let log = '';
  let ended: string | undefined;
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-65536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = signal ? `signal ${signal}` : `exit code ${code}`;
      live.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      ended = `spawn failed: ${error.message}`;
      live.delete(child);
      resolve();
    });
  });
  return {
    child,
    log: () => `--- ${command} ${args.join(' ')} ---\n${log}`,
    exited: () => ended,
    async stop(graceMs = 5000) {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}
