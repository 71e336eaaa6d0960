// `beeldpoort portal` as its own process over a fresh data dir, with a new transfer link: what the end-to-end
// benchmarks send through (the worker is started by the bench, with the same environment).
import path from 'node:path';
import { canConnect, freePort, waitUntil } from '../../../test/helpers/ports.ts';
import type { Storescp } from '../../../test/helpers/storescp.ts';
import { BIN } from './paths.ts';
import { run, type Proc } from './process-sampler.ts';

export interface BenchPortal {
  /** The environment of portal, link and worker: data under DIR/data, the PACS the storescp. */
  env: NodeJS.ProcessEnv;
  portal: Proc;
  linkUrl: string;
}

export async function startBenchPortal(dir: string, scp: Storescp, extraEnv: NodeJS.ProcessEnv = {}): Promise<BenchPortal> {
  const port = await freePort();
  const env = {
    ...process.env,
    BEELDPOORT_DATA: path.join(dir, 'data'),
    BEELDPOORT_PORT: String(port),
    BEELDPOORT_HOST: '127.0.0.1',
    BEELDPOORT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    BEELDPOORT_PACS: `${scp.aet}@127.0.0.1:${scp.port}`,
    BEELDPOORT_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const portal = run(process.execPath, [BIN, 'portal'], env);
  try {
    await waitUntil(() => canConnect(port), { what: 'portal', timeoutMs: 30_000 });
    const link = await run(process.execPath, [BIN, 'link', 'create', '--purpose', 'transfer', '--sender', 'Bench', '--json'], env).done;
    if (link.code !== 0) throw new Error(`link create failed: ${link.stderr}`);
    const linkUrl = (JSON.parse(link.stdout.trim().split('\n').at(-1)!) as { url: string }).url;
    return { env, portal, linkUrl };
  } catch (error) {
    await portal.stop();
    throw error;
  }
}
