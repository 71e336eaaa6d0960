/**
 * `beeldpoort start` (portal and worker in one process, no PACS configured) on a fresh data directory, run by a
 * given entry (bin.js or a bundle), and one small generated CD uploaded through a link made with `link create`:
 * what the start-up tests of the sources and of the CLI bundle share.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTestCd } from '../../server/test-cd/make-test-cd.ts';
import { spawnPeer, type PeerProcess } from './child.ts';
import { freePort, waitUntil } from './ports.ts';
import { makeTempDir } from './tmp.ts';
import { createTestShipment, specsOf, type ShipmentFileSpec } from './upload-shipment.ts';

export interface EmbeddedStart {
  readonly url: string;
  readonly dataDir: string;
  readonly start: PeerProcess;
  /** Makes a link with `link create`, uploads a 2-instance CD through it and waits until data/pacs holds them all. */
  sendTestCd(seed: string): Promise<ShipmentFileSpec[]>;
}

export async function startEmbedded(t: { after(fn: () => unknown): void }, runner: string): Promise<EmbeddedStart> {
  const data = makeTempDir('beeldpoort-start-');
  t.after(() => data.remove());
  const cdDir = makeTempDir('beeldpoort-start-cd-');
  t.after(() => cdDir.remove());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, BEELDPOORT_DATA: data.dir, BEELDPOORT_PORT: String(port), BEELDPOORT_PUBLIC_URL: url, BEELDPOORT_LOG_LEVEL: 'warn' };
  delete env.BEELDPOORT_PACS;
  delete env.BEELDPOORT_PORTAL_URL;
  const start = spawnPeer(process.execPath, [runner, 'start'], { env });
  t.after(() => start.stop());
  await waitUntil(async () => /Import worker running/.test(start.log()), { what: 'portal and worker started', timeoutMs: 60_000, failed: start.exited, describe: start.log });

  const pacs = path.join(data.dir, 'pacs');
  const stored = () => (existsSync(pacs) ? readdirSync(pacs, { recursive: true }).filter((f) => String(f).endsWith('.dcm')).length : 0);
  return {
    url, dataDir: data.dir, start,
    async sendTestCd(seed) {
      const { stdout } = await promisify(execFile)(process.execPath, [runner, 'link', 'create', '--purpose', 'internal', '--sender', 'Ziekenhuis Test', '--json'], { env });
      const link = JSON.parse(stdout.trim().split('\n').pop()!) as { url: string };
      const cd = await makeTestCd(path.join(cdDir.dir, seed), { studies: 1, series: 1, images: 2, rows: 16, seed });
      const specs = specsOf(cd);
      const shipment = await createTestShipment(url, link.url.split('#')[1]!, specs);
      await shipment.uploadAll();
      await waitUntil(async () => stored() === specs.length, { what: 'every instance in data/pacs', timeoutMs: 60_000, failed: start.exited, describe: start.log });
      return specs;
    },
  };
}
