/**
 * DCMTK storescp as a real PACS for tests: bit-preserving (+B, writes exactly the bytes received), accepting
 * every transfer syntax it supports (+xa), on a free port, writing into a temp dir that stop() removes.
 * DCMTK 3.6.7 cannot bind to one address, so it listens on every interface; callers connect on 127.0.0.1 only.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { canConnect, freePort, waitUntil } from './ports.ts';
import { spawnPeer } from './child.ts';
import { makeTempDir } from './tmp.ts';

export interface StorescpOptions {
  /** Our AE title (default STORESCP). */
  aet?: string;
  /** TCP_NODELAY=1 in storescp's environment (default true). False leaves Nagle on, as many real PACS do. */
  noDelay?: boolean;
  /** Appended to the command line: --refuse, --reject, --abort-after, --sleep-during N, --max-pdu N, -pm ... */
  extraArgs?: string[];
  /** How long to wait for the port to accept connections (default 15 s). */
  timeoutMs?: number;
}

export interface Storescp {
  readonly aet: string;
  readonly host: string;
  readonly port: number;
  /** Where received files land. */
  readonly dir: string;
  /** Absolute paths of every received file (recursive, sorted). */
  files(): Promise<string[]>;
  /** The peer's stdout/stderr so far (tail). */
  log(): string;
  /** Kills storescp and removes dir. Idempotent. */
  stop(): Promise<void>;
}

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(full)));
    else if (entry.isFile()) found.push(full);
  }
  return found.sort();
}

export async function startStorescp(options: StorescpOptions = {}): Promise<Storescp> {
  const aet = options.aet ?? 'STORESCP';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.noDelay ?? true) env.TCP_NODELAY = '1';
  else delete env.TCP_NODELAY;
  let lastError: unknown;
  // A port found free may be taken before storescp binds it: retry on a new port when it exits at start-up.
  for (let attempt = 0; attempt < 3; attempt++) {
    const tmp = makeTempDir('beeldpoort-storescp-');
    const port = await freePort();
    const args = ['--aetitle', aet, '+B', '+xa', '-dhl', '--output-directory', tmp.dir, ...(options.extraArgs ?? []), String(port)];
    const peer = spawnPeer('storescp', args, { env });
    try {
      await waitUntil(() => canConnect(port), {
        what: `storescp on port ${port}`,
        timeoutMs: options.timeoutMs ?? 15000,
        failed: () => peer.exited() && `exited (${peer.exited()})`,
        describe: peer.log,
      });
    } catch (error) {
      lastError = error;
      await peer.stop();
      tmp.remove();
      continue;
    }
    let stopped = false;
    return {
      aet,
      host: '127.0.0.1',
      port,
      dir: tmp.dir,
      files: () => listFiles(tmp.dir),
      log: peer.log,
      async stop() {
        if (stopped) return;
        stopped = true;
        await peer.stop();
        tmp.remove();
      },
    };
  }
  throw lastError;
}
