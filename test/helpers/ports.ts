/**
 * Free TCP ports on 127.0.0.1 and waiting for a peer to listen. A port found free can be taken by another process
 * before our peer binds it, so the peer helpers retry start-up on a fresh port when the peer exits early.
 */
import net from 'node:net';

/** A port that was free on 127.0.0.1 a moment ago (bind to port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `ready()` every `intervalMs` until it is true, `failed()` returns a reason, or `timeoutMs` passes.
 * Throws with the reason (or the timeout) plus `describe()` (the peer's log) so a failing start is diagnosable.
 */
export async function waitUntil(
  ready: () => Promise<boolean>,
  opts: { timeoutMs: number; what: string; failed?: () => string | undefined; describe?: () => string; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const failure = opts.failed?.();
    if (failure) throw new Error(`${opts.what}: ${failure}\n${opts.describe?.() ?? ''}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${opts.what}: not ready after ${opts.timeoutMs} ms\n${opts.describe?.() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 50));
  }
}
